"""行政职权运行流程图 documents: per power a title or 职权名称, the flowchart's boxes as text, 承办机构, phones.

When a flowchart is extracted as text, its arrows and shapes are lost and its boxes come out in
reading order (申请 / 受理 / 不符合条件 / 说明理由 / 给付 …), not always the order of the procedure. Each
power gets one process whose steps are the boxes as printed (spaces inside a box closed up, arrow
labels such as 是/否 left out), its 承办机构 as handling (the steps a unit is named for, in brackets:
基金监管股（立案）, kept on that unit) and its 服务电话/监督电话. Where the boxes do not follow the usual
order of a procedure (申请 → 受理/立案 → 审查/调查 → 告知 → 决定 → 送达 → 执行 → 办结), the power gets a
review flag `ambiguous`: the order was not certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..models import Evidence, Flow, FlowNode, Handling, Power, Process, ReviewFlag
from .context import Context, phones
from .model import Extracted, Paragraph
from .vertical import Found, WholeRow, build_from_rows

LABEL = r"[ \t\u3000]*[:：][ \t\u3000]*"
CODE_LINE = re.compile(rf"^(?:职权|事项|权力)编码{LABEL}(?P<value>.*)$")
NAME_LINE = re.compile(rf"^(?:职权|事项|权力|项目)名称{LABEL}(?P<value>.*)$")
HANDLING_LINE = re.compile(rf"^(?:承办机构|承办科室|责任科室|承办单位|责任股室|承办股室){LABEL}(?P<value>.*)$")
PHONE_LINE = re.compile(rf"^(?:服务电话|咨询电话|联系电话|办理电话){LABEL}(?P<value>.*)$")
SUPERVISION_LINE = re.compile(rf"^(?:监督电话|投诉电话|监督投诉电话|举报电话){LABEL}(?P<value>.*)$")
MATERIALS_LINE = re.compile(rf"^(?:需要提供的资料|申请材料|所需材料|提交材料|需提交的材料){LABEL}(?P<value>.*)$")
CATEGORY_LINE = re.compile(
    r"^(?:行政(?:许可|处罚|强制|征收|征用|给付|检查|确认|奖励|裁决)|其他(?:行政)?权力|公共服务)类?$"
    r"|^(?:行政|其他)[\u4e00-\u9fff和、]{1,12}类$"  # 行政监督检查类, 行政检查和行政处罚类
)
FLOW_TITLE = re.compile(r"流程图")
GENERIC_TITLE = re.compile(r"^(?:[\u4e00-\u9fff]{0,20}?(?:局|委员会|政府))?行政(?:职权|权力)运行流程图$")
BOOKMARK = re.compile(r"\[(?:bookmark|image):[^\]]*\]")
EDGE_LABEL = re.compile(r"^(?:[是否YN]+|(?:不)?(?:符合|属于|同意|通过|成立)[^，。；]{0,6}|[一二]般情况|紧急情况)$")
ITEM = re.compile(r"^\s*(?:\d{1,2}[、.．)）]|[（(]\d{1,2}[)）]|[①-⑳])\s*")
GLUED = re.compile(r"^(?P<name>.+?)(?P<label>条件|申请材料|所需材料|材料|资料|依据)[：:](?P<rest>.+)$")
HANDLING_MORE = re.compile(r"^[\u4e00-\u9fff]{2,20}(?:股|科|室|处|局|中心|队|所|领导|负责人)[^，。；]{0,12}[)）]$")
UNIT_STEPS = re.compile(r"^(?P<unit>[^（(]+)[（(](?P<steps>[^）)]+)[）)]$")
STEP_UNITS = re.compile(r"^(?P<step>[^（(]{1,12})[（(](?:科室|承办机构|承办科室|责任科室)[:：](?P<units>[^）)]+)[）)]$")
SPLIT = re.compile(r"[、，,；;／/]+")
AGENCY_PREFIX = r"[\u4e00-\u9fff]{2,20}?(?:局|委员会|政府|办公室)(?=[\u4e00-\u9fff]{2})"
ARROW = re.compile(r"\s*(?:→|->|—>|——>|⇒|↓)\s*")

# the usual order of a procedure: a box's stage is the earliest stage any of its words names
STAGES: tuple[tuple[int, str], ...] = (
    (0, r"申请|提出|案件来源|举报|投诉|发现|领取"),
    (1, r"受理|立案|登记"),
    (2, r"调查|取证|检查|勘验|核实|核查|审查|审核|审理|初审|复核|评审"),
    (3, r"告知|听证|陈述|申辩"),
    (4, r"决定|审批|批准|签发"),
    (5, r"送达|公示|公告|通知"),
    (6, r"执行|给付|发放|缴纳|划拨"),
    (7, r"办结|结案|归档|存档|备案"),
)


def _closed_up(text: str) -> str:
    """A box's text with the spaces inside it closed up (申   请 → 申请), bookmarks of the extraction dropped."""
    text = BOOKMARK.sub("", text).strip()
    return re.sub(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])", "", text)


PAGE_NUMBER = re.compile(r"\d{1,3}")  # a page number on its own line: no box of the chart


def _chart_name(line: str) -> str | None:
    """The chart a 项目名称 line names when its value is itself a chart (项目名称：行政执法程序流程图), not a power."""
    m = NAME_LINE.match(line)
    return m["value"].strip() if m and FLOW_TITLE.search(m["value"]) and len(m["value"]) <= 60 else None


BOX_MAX = 30  # a box of a chart holds a few words, a note under it a sentence or two


def is_bare_chart(lines: list[str]) -> bool:
    """A chart as text and nothing else: a …流程图 title (not a generic 行政职权运行流程图) among its first lines, then
    boxes: short lines mostly (申请 / 立案 / 不予立案 …), no label：value lines of a guide or a list."""
    lines = [line for line in lines if not PAGE_NUMBER.fullmatch(line)]
    head = next((k for k, line in enumerate(lines[:3]) if FLOW_TITLE.search(line) and len(line) <= 60), None)
    if head is None:
        return False
    if GENERIC_TITLE.match(lines[head]):  # 某局行政权力运行流程图 over 项目名称：行政执法程序流程图: that chart's boxes
        named = next((line for line in lines[head + 1 : head + 3] if line), "")
        if not _chart_name(named):
            return False
        head = lines.index(named, head + 1)
    boxes = [line for line in lines[head + 1 :] if line]
    labelled = [line for line in boxes if re.match(r"^[\u4e00-\u9fff]{2,8}[：:]", line)]
    short = [line for line in boxes if len(line) <= BOX_MAX]
    return len(boxes) >= 4 and len(short) * 4 >= len(boxes) * 3 and len(labelled) * 5 <= len(boxes)


def is_flowdoc(extracted: Extracted) -> bool:
    """A file of flowcharts: a …流程图 title and at least one power's name with its 承办机构 or phones; or a chart's
    boxes alone under its title (`is_bare_chart`): their order is uncertain, the flow is flagged for it."""
    lines = [_closed_up(part) for text, _ in _text_lines(extracted) for part in _labelled_parts(text)]
    titled = any(FLOW_TITLE.search(line) and len(line) <= 60 for line in lines)
    named = any(NAME_LINE.match(line) for line in lines) or any(
        FLOW_TITLE.search(line) and not GENERIC_TITLE.match(line) for line in lines
    )
    labelled = any(HANDLING_LINE.match(line) or SUPERVISION_LINE.match(line) for line in lines)
    units = any(STEP_UNITS.match(line) for line in lines)
    if not extracted.tables and is_bare_chart(lines):
        return True
    return titled and ((named and labelled) or units)


@dataclass
class Chart:
    title: str = ""
    category: str = ""
    code: str = ""
    name: str = ""
    name_raw: str = ""
    labelled: bool = False  # the name came from a 职权名称 line (not from the chart's title)
    line: int = 0
    handling: list[str] = field(default_factory=list)
    service: list[str] = field(default_factory=list)
    supervision: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    step_units: list[tuple[str, str]] = field(default_factory=list)  # (step, units as printed): 立案(科室:业务科)
    printed: list[str] = field(default_factory=list)  # boxes whose printed text had spaces closed up (听证 前)


def _text_lines(extracted: Extracted) -> list[tuple[str, int]]:
    """The file's lines in order, with their line numbers: paragraphs, and the cells of what a text reader took for
    a table (a box's text indented with a tab)."""
    out: list[tuple[str, int]] = []
    for block in extracted.blocks:
        if isinstance(block, Paragraph):
            out += [(text, block.line + k if block.line else 0) for k, text in enumerate(block.text.split("\n"))]
        else:
            out += [(cell, row.line) for row in block.rows for cell in row.cells if cell.strip()]
    return out


SECOND_LABEL = re.compile(r"(?<=\S)\s+(?=(?:服务电话|咨询电话|联系电话|监督电话|投诉电话|承办机构)\s*[:：])")


def _labelled_parts(line: str) -> list[str]:
    """A line holding two labelled values (服务电话：… 监督电话：…) as two lines."""
    return [part.strip() for part in SECOND_LABEL.split(line.strip())]


def _charts(extracted: Extracted) -> list[Chart]:
    charts: list[Chart] = []
    current = Chart()
    title, category = "", ""
    into: list[str] | None = None  # the list continuation lines go to (承办机构 on two lines, phones, materials)

    def close() -> None:
        nonlocal current
        if current.name:
            charts.append(current)
        current = Chart(title=title, category=category)

    for raw, number in _text_lines(extracted):
        for part in _labelled_parts(raw):
            line = _closed_up(part)
            if not line or PAGE_NUMBER.fullmatch(line):
                continue
            if CATEGORY_LINE.match(line):
                if current.name:
                    close()
                category = current.category = line
                into = None
            elif (chart := _chart_name(line)) and GENERIC_TITLE.match(title) and not current.name:
                title = current.title = chart  # the chart the document's generic title is over
                current.name = current.name_raw = re.sub(r"(?:运行)?流程图$", "", chart).strip("：: ")
                current.line = current.line or number
                into = None
            elif FLOW_TITLE.search(line) and len(line) <= 60 and not ARROW.search(line):
                if current.name:
                    close()
                title = current.title = line
                if not GENERIC_TITLE.match(line):  # 某某处罚流程图: the power's name, unless a 职权名称 follows
                    current.name = current.name_raw = re.sub(r"(?:运行)?流程图$", "", line).strip("：: ")
                    current.line = current.line or number
                into = None
            elif m := CODE_LINE.match(line):
                if current.code or current.labelled:
                    close()
                current.code, current.line = m["value"].strip(), current.line or number
                into = None
            elif m := NAME_LINE.match(line):
                if current.labelled:
                    close()
                current.name = current.name_raw = m["value"].strip()
                current.labelled, current.line = True, current.line or number
                into = None
            elif m := HANDLING_LINE.match(line):
                current.handling += [u.strip() for u in SPLIT.split(m["value"]) if u.strip()]
                into = current.handling
            elif m := SUPERVISION_LINE.match(line):
                current.supervision.append(m["value"].strip())
                into = current.supervision
            elif m := PHONE_LINE.match(line):
                current.service.append(m["value"].strip())
                into = current.service
            elif m := MATERIALS_LINE.match(line):
                if m["value"].strip():
                    current.materials.append(ITEM.sub("", m["value"]).strip("；;。 "))
                into = current.materials
            elif into is current.materials and ITEM.match(line):
                current.materials.append(ITEM.sub("", line).strip("；;。 "))
            elif into in (current.supervision, current.service) and re.search(r"\d{5,}", line):
                into.append(line)
            elif into is current.handling and (UNIT_STEPS.match(line) or HANDLING_MORE.match(line)):
                current.handling.append(line)  # 承办机构 over several lines: a unit (and its steps) a line
            elif current.name or current.code:
                into = None
                if m := STEP_UNITS.match(line):
                    current.steps.append(m["step"].strip())
                    current.step_units.append((m["step"].strip(), m["units"].strip()))
                elif EDGE_LABEL.match(line):
                    current.edges.append(line)
                else:
                    current.steps += [s for s in ARROW.split(line) if s]
                    if (printed := BOOKMARK.sub("", part).strip()) != line:
                        current.printed.append(printed)
    close()
    return charts


def _stage(step: str) -> int | None:
    found = [(m.start(), rank) for rank, words in STAGES if (m := re.search(words, step))]
    return min(rank for _, rank in found) if found else None


def out_of_order(steps: list[str]) -> bool:
    """Whether a box comes after one of a later stage of the usual procedure (申请 after 决定, 立案 after 送达 …)."""
    highest = -1
    for step in steps:
        stage = _stage(step)
        if stage is None:
            continue
        if stage < highest:
            return True
        highest = max(highest, stage)
    return False


def _handling(chart: Chart) -> list[Handling]:
    """Each unit as printed, with the steps named for it in brackets or beside a box (立案（科室：业务科）)."""
    out: list[Handling] = []
    for raw in chart.handling:
        m = UNIT_STEPS.match(raw)
        steps = [s.strip() for s in SPLIT.split(m["steps"])] if m else []
        if m and re.search(r"[，。；、]$|^[，。；、]", m["unit"]):
            steps = []
        out.append(Handling(raw=raw, steps=[s for s in steps if s]))
    for step, units in chart.step_units:
        for unit in (u.strip() for u in SPLIT.split(units) if u.strip()):
            existing = next((h for h in out if h.raw == unit), None)
            if existing is None:
                out.append(Handling(raw=unit, steps=[step]))
            elif step not in existing.steps:
                existing.steps.append(step)
    return out


def read_flowcharts(extracted: Extracted, title: str, ctx: Context) -> Found:
    """A power per chart that names one (职权名称, 职权编码), with its process, units and phones; a flow per chart
    (its boxes, or the steps it lists with their units, as nodes: the arrows are lost, so no edges)."""
    if not is_flowdoc(extracted):
        return []
    charts = _charts(extracted)
    if not charts:
        return []
    flows = [(chart, _flow(chart, ctx)) for chart in charts]
    flow_of = {id(chart): flow.id for chart, flow in flows if flow is not None}
    named = [chart for chart in charts if chart.labelled or chart.code]
    header = ["职权编码", "职权类型", "职权名称"]
    rows = []
    for chart in named:
        name = chart.name
        if glued := GLUED.match(name):
            name = glued["name"]
        rows.append(WholeRow([chart.code, chart.category or chart.title, name], "", chart.line))
    out: Found = []
    if rows:
        by_line: dict[int, list[Chart]] = {}
        for chart in named:
            by_line.setdefault(chart.line, []).append(chart)
        for kind, items in build_from_rows(header, rows, named[0].title or title, ctx, check_end=False):
            out.append((kind, [_filled(item, by_line, flow_of, ctx) for item in items]))
    made = [flow for _, flow in flows if flow is not None]
    return out + ([("flows", made)] if made else [])


def _nodes(chart: Chart) -> list[FlowNode]:
    """The steps the chart lists with their units where it lists them (立案（科室：业务科）), else its boxes."""
    if chart.step_units:
        units: dict[str, list[str]] = {}
        for step, unit in chart.step_units:
            units.setdefault(step, []).append(unit)
        return [
            FlowNode(id=f"n{k}", kind="step", label=step, unit_raw="、".join(names))
            for k, (step, names) in enumerate(units.items(), start=1)
        ]
    return [FlowNode(id=f"n{k}", kind="step", label=step) for k, step in enumerate(chart.steps, start=1)]


def _flow(chart: Chart, ctx: Context) -> Flow | None:
    nodes = _nodes(chart)
    if not nodes:
        return None
    flow_title = chart.title or chart.name
    if chart.labelled and GENERIC_TITLE.match(chart.title or ""):  # as the hand transcription names each chart
        flow_title = f"{chart.title}：{GLUED.match(chart.name)['name'] if GLUED.match(chart.name) else chart.name}"
    review = [ctx.draft_flag("title", flow_title)]
    if chart.printed:  # the boxes as printed, before the spaces inside them were closed up
        review.append(ctx.draft_flag("nodes", " / ".join(chart.printed)))
    if not chart.step_units and out_of_order(chart.steps):
        review.append(_order_flag("nodes", chart.steps))
    return Flow(
        id=ctx.next_id("flow"),
        agency=ctx.agency_id,
        code=None,
        title=flow_title,
        availability="full",
        nodes=nodes,
        source=ctx.source(" ".join(p for p in (flow_title, chart.code and f"职权编码 {chart.code}") if p), chart.line),
        review=review,
        note="流程图的箭头在文本中已丢失，节点为图中文字（按阅读顺序），未重建连线。",
    )


def _order_flag(field_name: str, steps: list[str]) -> ReviewFlag:
    return ReviewFlag(
        field=field_name,
        raw=" / ".join(steps),
        problem="ambiguous",
        explanation="流程图的方框文字按阅读顺序提取，与通常的办理顺序（申请、受理、审查、决定、送达……）不一致，步骤顺序不能确定",
    )


def _filled(power: BaseModel, by_line: dict[int, list[Chart]], flow_of: dict[int, str], ctx: Context) -> BaseModel:
    pending = by_line.get(power.source.line or 0) or []
    if not isinstance(power, Power) or not pending:
        return power
    chart = pending.pop(0)
    review = list(power.review)
    notes = [power.note] if power.note else []
    if GLUED.match(chart.name_raw):
        review.append(
            ReviewFlag(
                field="name",
                raw=chart.name_raw,
                problem="ambiguous",
                explanation="名称与其后的栏目（条件、材料等）连在同一行；名称取到栏目名之前，请对照原件核对",
            )
        )
        notes.append(
            f"名称一行其后的文字：{GLUED.match(chart.name_raw)['label']}：{GLUED.match(chart.name_raw)['rest']}"
        )
    if chart.steps and out_of_order(chart.steps):
        review.append(_order_flag("processes", chart.steps))
    for raw in chart.handling:
        if not UNIT_STEPS.match(raw) and re.search(r"[)）]$", raw):
            review.append(
                ReviewFlag(
                    field="handling",
                    raw=raw,
                    problem="ambiguous",
                    explanation="承办机构一行的括号不全，单位与其负责的步骤未能分开，原文照录",
                )
            )
    if chart.edges:
        notes.append("流程图连线上的标注（未计入步骤）：" + "、".join(chart.edges))
    processes = [Process(name=chart.title or "流程图", channel="other", steps=chart.steps)] if chart.steps else []
    phone_list = [ph for text in chart.service for ph in phones(text)]
    phone_list += [ph for text in chart.supervision for ph in phones(text, "supervision")]
    update = {
        "handling": _handling(chart) or power.handling,
        "phones": phone_list or power.phones,
        "processes": processes,
        "materials": [Evidence(name=m) for m in chart.materials if m] or power.materials,
        "review": review,
        "note": "\n".join(notes) or None,
        "flow": flow_of.get(id(chart)),
    }
    return power.model_copy(update=update)
