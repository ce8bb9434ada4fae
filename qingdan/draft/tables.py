"""Records from tables: each row of a recognised table, by the kind of list it belongs to."""

from __future__ import annotations

import re
import typing

from ..models import Boundary, Duty, LegalBasis, Party, Post, Power, PublicService, SourceDefect, WorkItem
from .columns import Layout
from .context import Context, handling, note_of, phones
from .legal import split_legal_bases
from .model import Row
from .vocabulary import classify, simplified

POWER_CATEGORIES = typing.get_args(Power.model_fields["category"].annotation)


class TableRow:
    """One record's cells by field (those its builder uses), and the other cells by column name."""

    def __init__(self, layout: Layout, row: Row, used: frozenset[str]):
        self.row = row
        self.values: dict[str, str] = {}  # as read (compatibility characters normalised)
        self.printed: dict[str, str] = {}  # as printed, for the review flag's `raw`
        self.extras: dict[str, str] = {}
        for i, (name, field, cell) in enumerate(zip(layout.header, layout.fields, row.cells, strict=False)):
            if field in used:
                self.values[field] = cell
                self.printed[field] = row.printed_cell(i)
            elif name and cell and cell != name:
                self.extras[name] = cell
        if "name" in used and "name" in layout.fields and not self.values.get("name"):
            # 子项名称 empty, 业务办理项名称 filled: a finer level's name, printed after it, names the record
            at = layout.fields.index("name")
            for i in range(at + 1, min(len(layout.header), len(row.cells))):
                label = layout.header[i]
                if layout.fields[i] is None and row.cells[i] and classify(label).key == "name" and label in self.extras:
                    self.values["name"], self.printed["name"] = row.cells[i], row.printed_cell(i)
                    del self.extras[label]
                    break

    def get(self, field: str) -> str:
        return self.values.get(field, "")

    def as_printed(self, field: str) -> str:
        return self.printed.get(field) or self.get(field)

    def absorb(self, other: TableRow) -> None:
        """A record wrapped onto the next row: its cells continue these ones."""
        for field, value in other.values.items():
            if value and value != self.values.get(field):
                self.values[field] = self.values.get(field, "") + value
                self.printed[field] = self.printed.get(field, "") + other.as_printed(field)
        for name, value in other.extras.items():
            self.extras[name] = self.extras.get(name, "") + value


def body_rows(layout: Layout, used: frozenset[str]) -> list[TableRow]:
    rows = []
    for row in layout.body:
        if not any(row.cells) or [c.replace(" ", "") for c in row.cells] == [h.replace(" ", "") for h in layout.header]:
            continue  # blank, or the header repeated on a new page
        if len(set(c for c in row.cells if c)) == 1 and len(row.cells) > 2 and all(row.cells):
            continue  # a row spanning all columns: a sub-heading, not a record
        rows.append(TableRow(layout, row, used))
    return rows


def locator(prefix: str, row: TableRow) -> str:
    seq = row.get("seq")
    code = row.get("code")
    where = f"序号{seq}" if seq else row.row.locator
    return " ".join(p for p in (prefix, where, f"职权编码 {code}" if code else "") if p)


# The words of a power's name that say its category (GB/T 39046 事项类型), each with the category it says.
# A name is a noun phrase whose head is its last word (对…的处罚, …的监督检查), so the word that ends
# last in the name decides: 对未按规定办理社会保险登记的处罚 is a 处罚 (登记 is what was not done),
# 生育医疗费和产前检查费支付 a 给付. Besides the words of the category itself: a penalty's own kinds
# (罚款, 没收, 吊销, 警告); 封存, 划拨 and 滞纳金, the 行政强制 measures and enforcement of 行政强制法
# arts. 9 and 12 (查封, 扣押 and 冻结 besides); 征缴 (of contributions) for 征收; 稽核 (社会保险稽核办法) for
# 检查; 核准 for 许可. A word directly followed by a noun it qualifies is not a head (基金支付范围, 产前检查费,
# 救助资金: the head is 范围, 费, 资金), so 对纳入基金支付范围的医疗服务行为加强监督管理 says no category, nor
# does a name holding none of the words (…的查处).
NAME_WORDS: dict[str, tuple[str, ...]] = {
    "行政处罚": ("处罚", "罚款", "没收", "吊销", "警告"),
    "行政许可": ("许可", "审批", "核准"),
    "行政检查": ("检查", "监督检查", "稽核"),
    "行政确认": ("确认", "认定", "登记"),
    "行政给付": ("给付", "支付", "补助", "救助"),
    "行政奖励": ("奖励", "表彰"),
    "行政强制": ("强制", "查封", "扣押", "冻结", "封存", "划拨", "滞纳金"),
    "行政征收": ("征收", "征缴"),
    "行政裁决": ("裁决",),
}
QUALIFIED = (
    "范围|标准|方式|比例|待遇|费|资金|基金|证|书|机构|人员|对象|情况|资料|材料|结果|记录|信息|制度|办法|规定|工作"
)
_NAME_WORD = re.compile(
    "(" + "|".join(sorted((w for ws in NAME_WORDS.values() for w in ws), key=len, reverse=True)) + f")(?!{QUALIFIED})"
)
_CATEGORY_OF_WORD = {word: category for category, words in NAME_WORDS.items() for word in words}


def category_from_name(name: str | None) -> str | None:
    """The power category a name says by its head word (`NAME_WORDS`), or None: 对…骗取医疗保险待遇的处罚 →
    行政处罚, 对定点医疗机构的监督检查 → 行政检查, 基本医疗保险待遇的支付 → 行政给付."""
    last = None
    for match in _NAME_WORD.finditer(name or ""):
        last = match  # matches do not overlap and come in order: the last one ends last
    return _CATEGORY_OF_WORD[last.group(1)] if last else None


def power_category(raw: str, letter_category: str | None, name: str | None = None) -> str | None:
    """The category of a power: its code letter's; else the one `raw` (the category column, or the table's
    title when the column is empty) names. `name`, given when the category column is empty, decides
    (`category_from_name`) where the title names no category or several (…权责清单（行政许可、行政处罚…）);
    a title naming one is the list's own heading. Else 其他行政权力 if `raw` says 其他, else None."""
    if letter_category:
        return letter_category
    found = sorted((raw.find(c[2:]), c) for c in POWER_CATEGORIES if c[2:] in raw and c != "其他行政权力")
    if found and (name is None or len(found) == 1):
        return found[0][1]
    if from_name := category_from_name(simplified(name) if name else name):  # 對…的處罰 is a 处罚
        return from_name
    if found:
        return found[0][1]
    return "其他行政权力" if "其他" in raw else None


# a list of penalties waived or lessened (免罚清单, 不予处罚事项清单, 从轻减轻处罚清单, 首违不罚): its items are
# 行政处罚
PENALTY_LIST = re.compile(r"免罚|免[于予](?:行政)?处罚|不予(?:行政)?处罚|从轻|减轻(?:行政)?处罚|首违不罚|轻微违法")


def category_from_list(title: str) -> str | None:
    """The category a list's title or heading gives all its items: a 免罚/不予处罚/从轻减轻 list → 行政处罚."""
    return "行政处罚" if PENALTY_LIST.search(simplified(re.sub(r"\s", "", title or ""))) else None


def says_services(layout: Layout) -> bool:
    """Whether the table's 事项类型/事项类别 column says 公共服务 on every row that fills it: its rows are services."""
    column = layout.column("category")
    if column is None:
        return False
    values = [
        re.sub(r"\s", "", row.cells[column]) for row in layout.body if column < len(row.cells) and row.cells[column]
    ]
    values = [v for v in values if v != re.sub(r"\s", "", layout.header[column])]
    return bool(values) and all(simplified(v).startswith("公共服务") for v in values)


def split_services(layout: Layout) -> tuple[Layout, Layout] | None:
    """A list of powers whose 事项类型 column says 公共服务 on some rows: (the powers' rows, the services' rows),
    each row wrapped onto the next going with its record. None when no row, or every row, says 公共服务."""
    from dataclasses import replace

    column = layout.column("category")
    if column is None:
        return None
    powers, services, current = [], [], None
    for row in layout.body:
        value = re.sub(r"\s", "", row.cells[column]) if column < len(row.cells) else ""
        starts = bool(value) or bool(re.match(r"^\d+$", (row.cells[0] if row.cells else "").strip()))
        if starts:
            current = services if simplified(value).startswith("公共服务") else powers
        (current if current is not None else powers).append(row)
    if not services or not any(
        column < len(r.cells) and r.cells[column] and r.cells[column] != layout.header[column] for r in powers
    ):
        return None
    return replace(layout, body=powers), replace(layout, body=services)


def _powers_rows(rows: list[TableRow]) -> list[TableRow]:
    """Join wrapped rows to their record (not a row that is a whole record: a form's block, a flattened
    table's run); carry a 主项 down to its 子项 rows; drop 主项-only rows."""
    joined: list[TableRow] = []
    for row in rows:
        keys = ("seq", "code", "category", "implementer")
        if joined and not any(row.get(k) for k in keys) and not getattr(row.row, "whole", False):
            joined[-1].absorb(row)
        else:
            joined.append(row)
    out = []
    for i, row in enumerate(joined):
        if not row.get("main_item") and out and out[-1].get("main_item") and not row.get("seq"):
            row.values["main_item"] = out[-1].get("main_item")
        following = joined[i + 1] if i + 1 < len(joined) else None
        if row.get("main_item") and not row.get("name") and following and following.get("name"):
            if not following.get("main_item"):
                following.values["main_item"] = row.get("main_item")
            continue
        out.append(row)
    return out


def check_cut_off(rows: list[TableRow], title: str, ctx: Context) -> None:
    """A last row with far fewer cells filled than the rows before it: the table was cut off there."""
    if len(rows) < 3:
        return
    filled = sorted(sum(1 for v in r.values.values() if v) for r in rows[:-1])
    last = rows[-1]
    have = sum(1 for v in last.values.values() if v)
    if filled[len(filled) // 2] - have >= 2:
        ctx.defects.append(
            SourceDefect(
                kind="truncated",
                locator=locator(title, last),
                line=last.row.line or None,
                description=f"表格最后一行只填了 {have} 栏（其余各行通常填 {filled[len(filled) // 2]} 栏），疑似被截断",
            )
        )


# what a list prints in a code cell for a matter that has no code (yet)
NO_CODE = re.compile(r"待定|暂无|暫無|无|無|空|/|／|-|—|－|未编码|未編碼|待编码|待編碼")


def build_powers(layout: Layout, title: str, ctx: Context) -> list[Power]:
    from ..codes import category_for_letter, parse_code

    powers = []
    rows = _powers_rows(body_rows(layout, USES["powers"]))
    check_cut_off(rows, title, ctx)
    # A row whose category cell is empty (cut off, or merged down from a row above) in a table whose other rows
    # all say one category: the list is of that kind, so is the row (flagged for review).
    said = {power_category(simplified(r.get("category")), None) for r in rows if r.get("category")}
    shared = next(iter(said)) if len(said) == 1 and len([r for r in rows if r.get("category")]) >= 2 else None
    for row in rows:
        name = row.get("name") or row.get("main_item")
        if not name:
            continue
        printed = row.as_printed("name" if row.get("name") else "main_item")
        code = row.get("code") or None
        if code and NO_CODE.fullmatch(code.strip()):
            code = None  # 待定, 暂无: the list prints that the matter has no code yet
        scheme_id = ctx.scheme_for(code) if code else None
        letter = None
        if scheme_id:
            scheme = next(s for s in ctx.schemes if s.id == scheme_id)
            letter = category_for_letter(parse_code(code, scheme), scheme)
        raw_category = row.get("category") or title
        # 行政處罰 read as 行政处罚; with no category column, the name says it (…的处罚), or a 免罚 list's title
        category = power_category(simplified(raw_category), letter, None if row.get("category") else name)
        if not letter and not row.get("category") and (from_list := category_from_list(title)):
            category = from_list
        review = [ctx.draft_flag("name", printed)]
        if category is None and shared is not None:
            category = shared
            review.append(
                ctx.draft_flag("category", raw_category).model_copy(
                    update={"problem": "ambiguous", "explanation": f"本条类别栏为空，按同表其余各条记为{shared}"}
                )
            )
        if category is None:
            category = "其他行政权力"
            review.append(
                ctx.draft_flag("category", raw_category).model_copy(
                    update={"problem": "ambiguous", "explanation": "类别无法从原文判断，暂记为其他行政权力"}
                )
            )
        extras = dict(row.extras)
        if row.get("main_item") and row.get("main_item") != name:
            extras = {"主项": row.get("main_item"), **extras}
        implementer = row.get("implementer") or None
        if implementer and ctx.is_self(implementer) and implementer != ctx.agency_name:
            ctx.aliases.add(implementer)
        powers.append(
            Power(
                id=ctx.next_id("power"),
                agency=ctx.agency_id,
                code=code,
                code_scheme=scheme_id,
                category=category,
                category_raw=raw_category or category,
                name=name,
                implementer=implementer,
                remark=row.get("remark") or None,
                legal_bases=split_legal_bases(row.get("legal_basis")),
                handling=handling(row.get("handling")),
                phones=phones(row.get("phone")) + phones(row.get("supervision_phone"), "supervision"),
                **_guide_values(Power, row),
                source=ctx.source(locator(title, row), row.row.line),
                review=review,
                note=note_of(extras),
            )
        )
    return powers


# Columns that make a services table a list of guides: each row is read as a 办事指南 whose sections are its cells.
GUIDE_COLUMNS = frozenset(
    {"materials", "time_limit", "levels", "process", "channel", "conditions", "applicants", "fees", "place", "hours"}
    | {"result", "rating", "query"}
)


def _guide_rows(layout: Layout, title: str, ctx: Context) -> list[PublicService]:
    """A services table with guide columns (办理材料, 办理时限 …): each row read by the guide reader."""
    from .guide import Guide, Line, Section, records_of

    every = frozenset(f for f in layout.fields if f)
    services = []
    rows = _powers_rows(body_rows(layout, every))
    check_cut_off(rows, title, ctx)
    for row in rows:
        line = row.row.line
        sections = [
            Section(
                label=name,
                key=field,
                lines=[Line(text, line, plain=True) for text in cell.split("\n")],
                tables=[],
                line=line,
            )
            for name, field, cell in zip(
                layout.header, layout.fields, (row.values.get(f, "") for f in layout.fields), strict=True
            )
            if field and cell and field != "seq"
        ]
        sections += [
            Section(label=name, key=None, lines=[Line(value, line, plain=True)], tables=[], line=line)
            for name, value in row.extras.items()
        ]
        if not any(s.key in ("name", "main_item") for s in sections):
            continue
        for service in records_of(Guide(sections=sections), ctx):
            services.append(
                service.model_copy(
                    update={"seq": row.get("seq") or None, "source": ctx.source(locator(title, row), line)}
                )
            )
    return services


def build_services(layout: Layout, title: str, ctx: Context) -> list[PublicService]:
    if GUIDE_COLUMNS & set(layout.fields):
        return _guide_rows(layout, title, ctx)
    services = []
    default_category = "公共服务" if "公共服务" in title else None
    rows = _powers_rows(body_rows(layout, USES["services"]))
    check_cut_off(rows, title, ctx)
    for row in rows:
        name = row.get("name") or row.get("main_item")
        if not name:
            continue
        main = row.get("main_item")
        printed = row.as_printed("name" if row.get("name") else "main_item")
        services.append(
            PublicService(
                id=ctx.next_id("service"),
                agency=ctx.agency_id,
                seq=row.get("seq") or None,
                main_item=main if main and main != name else None,
                name=name,
                category=row.get("category") or default_category,
                content=row.get("content") or None,
                implementer=row.get("implementer") or None,
                remark=row.get("remark") or None,
                legal_bases=split_legal_bases(row.get("legal_basis")),
                handling=handling(row.get("handling")),
                phones=phones(row.get("phone")) + phones(row.get("supervision_phone"), "supervision"),
                source=ctx.source(locator(title, row), row.row.line),
                review=[ctx.draft_flag("name", printed)],
                note=note_of(row.extras),
            )
        )
    return services


def _grouped(layout: Layout, key: str, used: frozenset[str]) -> list[dict]:
    """Body rows gathered into records: a new one where `_starts_new` says so (a record may wrap over rows)."""
    groups: list[dict] = []
    for row in body_rows(layout, used):
        if _starts_new(row, groups[-1] if groups else None, key):
            groups.append({"seq": row.get("seq"), "text": row.get(key), "rows": []})
        groups[-1]["rows"].append(row)
    return groups


def _starts_new(row: TableRow, current: dict | None, key: str) -> bool:
    if current is None:
        return True
    seq, text = row.get("seq"), row.get(key)
    return bool((seq and seq != current["seq"]) or (text and text != current["text"]))


def build_duties(layout: Layout, title: str, ctx: Context) -> list[Duty]:
    groups = _grouped(layout, "duty", USES["duties"])
    duties = []
    for group in groups:
        first = group["rows"][0]
        duty_id = ctx.next_id("duty")
        items = []
        for k, row in enumerate((r for r in group["rows"] if r.get("work_item") or r.get("handling")), start=1):
            items.append(
                WorkItem(
                    id=f"{duty_id}-wi-{k}",
                    text=row.get("work_item"),
                    responsible_raw=row.get("handling") or None,
                    remark=row.get("remark") or None,
                    source=ctx.source(f"{title} 序号{group['seq']} 具体工作事项{k}".strip(), row.row.line),
                    note=note_of(row.extras),
                )
            )
        text = group["text"] or first.get("work_item")
        duties.append(
            Duty(
                id=duty_id,
                agency=ctx.agency_id,
                seq=group["seq"] or None,
                text=text or "（原文空白）",
                work_items=items,
                source=ctx.source(f"{title} 序号{group['seq']}".strip(), first.row.line),
                review=[ctx.draft_flag("text", text)],
            )
        )
    return duties


def build_boundaries(layout: Layout, title: str, ctx: Context) -> list[Boundary]:
    groups = _grouped(layout, "matter", USES["boundaries"])
    boundaries = []
    for group in groups:
        first = group["rows"][0]
        parties, bases, cases, extras = [], [], [], {}
        seen_bases: set[str] = set()
        for row in group["rows"]:
            if row.get("party") or row.get("division"):
                raw = row.get("party") or "（原文空白）"
                parties.append(
                    Party(
                        agency=ctx.agency_id if ctx.is_self(raw) else None,
                        raw=raw,
                        division=row.get("division") or None,
                    )
                )
            basis_text = row.get("legal_basis")
            if basis_text and basis_text not in seen_bases:
                seen_bases.add(basis_text)
                bases.extend(split_legal_bases(basis_text))
            if row.get("case") and row.get("case") not in cases:
                cases.append(row.get("case"))
            for name, value in row.extras.items():
                extras.setdefault(name, value)
        if not parties:
            parties = [Party(raw="（原文未列相关部门）")]
        matter = group["text"] or "（原文空白）"
        boundaries.append(
            Boundary(
                id=ctx.next_id("boundary"),
                agency=ctx.agency_id,
                seq=group["seq"] or None,
                matter=matter,
                parties=parties,
                legal_bases=_unique(bases),
                case="\n".join(cases) or None,
                source=ctx.source(f"{title} 序号{group['seq']}".strip(), first.row.line),
                review=[ctx.draft_flag("matter", matter)],
                note=note_of(extras),
            )
        )
    return boundaries


def build_posts(layout: Layout, title: str, ctx: Context) -> list[Post]:
    """A 定岗定责表: a post per 岗位名称, its rows as work items (function and responsibility as printed)."""
    groups = _grouped(layout, "post", USES["posts"])
    posts = []
    for group in groups:
        first = group["rows"][0]
        post_id = ctx.next_id("post")
        name = group["text"] or "（原文空白）"
        items = [
            WorkItem(
                id=f"{post_id}-wi-{k}",
                text=row.get("work_item"),
                function=row.get("function") or None,
                responsibility=row.get("responsibility") or None,
                remark=row.get("remark") or None,
                source=ctx.source(f"{title} 序号{group['seq']} 工作事项{k}".strip(), row.row.line),
                note=note_of(row.extras),
            )
            for k, row in enumerate(group["rows"], start=1)
        ]
        posts.append(
            Post(
                id=post_id,
                agency=ctx.agency_id,
                seq=group["seq"] or None,
                name=name,
                work_items=items,
                source=ctx.source(f"{title} 序号{group['seq']}".strip(), first.row.line),
                review=[ctx.draft_flag("name", name)],
            )
        )
    return posts


def _unique(bases: list[LegalBasis]) -> list[LegalBasis]:
    seen, out = set(), []
    for basis in bases:
        key = (basis.title, basis.doc_number, basis.article)
        if key not in seen:
            seen.add(key)
            out.append(basis)
    return out


# a guide's elements a list may print as columns: element key → the record's field, where the model has it
GUIDE_TEXT = {
    "levels": "levels_raw",  # 行使层级 as printed
    "applicants": "applicants",
    "time_limit": "time_limit",
    "fees": "fees",
    "place": "place",
    "hours": "hours",
    "result": "result",
}
GUIDE_LISTS = {"conditions": "conditions", "process": "process"}
STEP = re.compile(r"\s*(?:—+|－+|–+|-+>|→|＞|>)\s*")  # 申请—受理—审核—办结
ITEM = re.compile(r"^\s*(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[)）]|[①-⑳])\s*")


def _guide_keys(model) -> set[str]:
    """The guide elements a record of `model` holds (its builder reads their columns)."""
    fields = {**GUIDE_TEXT, **GUIDE_LISTS}
    return {key for key, field in fields.items() if field in model.model_fields}


def _items(text: str, steps: bool) -> list[str]:
    """A cell's items: its lines without their numbers; a chain of short steps (申请—受理—审核) split at the dashes."""
    lines = [ITEM.sub("", line).strip() for line in text.split("\n") if ITEM.sub("", line).strip()]
    if steps and len(lines) == 1 and STEP.search(lines[0]):
        parts = [part.strip() for part in STEP.split(lines[0]) if part.strip()]
        if all(len(part) <= 12 and not re.search(r"[，。；,;]", part) for part in parts):
            return parts
    return lines


def _guide_values(model, row: TableRow) -> dict:
    """The guide elements a list row prints (服务对象, 办理时限, 受理条件, 办理流程 …) as the record's fields."""
    keys = _guide_keys(model)
    values: dict = {GUIDE_TEXT[k]: row.get(k) for k in GUIDE_TEXT if k in keys and row.get(k)}
    for key, field in GUIDE_LISTS.items():
        if key in keys and row.get(key):
            values[field] = _items(row.get(key), steps=key == "process")
    return values


# the fields each builder reads from a row; a column of any other field is kept on the record as a note
USES: dict[str, frozenset[str]] = {
    "powers": frozenset(
        {"seq", "main_item", "name", "code", "category", "implementer", "remark", "legal_basis", "handling"}
        | {"phone", "supervision_phone"}
        | _guide_keys(Power)
    ),
    "services": frozenset(
        {"seq", "main_item", "name", "category", "content", "implementer", "remark", "legal_basis", "handling"}
        | {"phone", "supervision_phone"}
        | GUIDE_COLUMNS
    ),
    "duties": frozenset({"seq", "duty", "work_item", "handling", "remark"}),
    "boundaries": frozenset({"seq", "matter", "party", "division", "legal_basis", "case"}),
    "posts": frozenset({"seq", "post", "work_item", "function", "responsibility", "remark"}),
}
BUILDERS = {
    "powers": build_powers,
    "services": build_services,
    "duties": build_duties,
    "boundaries": build_boundaries,
    "posts": build_posts,
}


def table_kind(layout: Layout, title: str) -> str | None:
    """The kind of list a table is, from its columns and the heading above it."""
    fields = set(layout.fields)
    if "duty" in fields and "work_item" in fields:
        return "duties"
    if "matter" in fields and fields & {"party", "division"}:
        return "boundaries"
    if "post" in fields and fields & {"work_item", "function", "responsibility"}:
        return "posts"
    if fields & {"name", "main_item"}:
        if re.search(r"公共服务|服务事项", title) or says_services(layout):
            return "services"
        if fields & {"code", "category", "implementer", "legal_basis"}:
            return "powers"
        return "services"
    return None
