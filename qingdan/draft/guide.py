"""A 办事指南 read into the whole guide model: its sections by meaning, its nested lists, its tables.

A guide prints labelled sections (`一、事项名称` … or a label line and its value lines, or a label | value
table); each label is read by `vocabulary.classify`. Inside a section, items nest (（一） / 1. / ①):
sub-headings of 办理流程 name its processes (one per channel or platform, each with its own steps),
sub-headings of 办理材料 name the case or say 共同/选择材料. A file may hold several guides (a heading
ending in 指南, or 事项名称 printed again), and one guide several 子项: one record each.
Values stay in the guide's wording; only labels, serial numbers and a trailing 。 come off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Channel, Contact, Evidence, Phone, Process, PublicService, SourceDefect
from ..validate import truncation
from .context import PHONE, Context, handling, note_of, phone_type
from .legal import split_legal_bases
from .model import Extracted, Paragraph, Table
from .vocabulary import BY_KEY, classify, classify_material_column, normalise_label, normalise_text, simplified

CN = "一二三四五六七八九十"
# serial markers, by kind: the kinds nest in the order a section first uses them
MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("cn", re.compile(rf"^[{CN}]{{1,3}}\s*[、.．]\s*")),
    ("pcn", re.compile(rf"^[（(]\s*[{CN}]{{1,3}}\s*[)）]\s*")),
    ("pdig", re.compile(r"^[（(]\s*\d{1,2}\s*[)）]\s*")),
    ("dpar", re.compile(r"^\d{1,2}\s*[)）](?!\d)\s*")),  # 1) under 1.: a level of its own
    ("dig", re.compile(r"^\d{1,2}\s*[.、．](?!\d)\s*")),
    ("circ", re.compile(r"^[①-⑳]\s*")),
)
SERIAL = re.compile(
    rf"^\s*(?:[{CN}]{{1,3}}\s*[、.．]|[（(]\s*[{CN}\d]{{1,3}}\s*[)）]|\d{{1,2}}(?:\.\d{{1,2}})+\s+|\d{{1,2}}\s*[.、．)）](?!\d)"
    r"|[①-⑳])\s*"
)
NULL_VALUES = {"无", "/", "-", "—", "暂无", "无。"}
COLON = re.compile(r"[：:]")
TRAIL = "。；;，,、 "
TITLE_WORDS = re.compile(r"(?:办事|服务|办理|操作)指南$|指南$")
HEADING_LABEL_MAX = 16
SIGNATURE = re.compile(r"^(?:\d{4}年\d{1,2}月(?:\d{1,2}日)?|[\u4e00-\u9fff]{2,20}(?:局|委员会|中心|政府|办公室))$")
# section elements whose values are one text
TEXT_KEYS = ("category", "implementer", "applicants", "fees", "place", "hours", "result", "content", "remark")


@dataclass
class Line:
    text: str
    line: int
    plain: bool = False  # a value from a label | value table: never a heading


@dataclass
class Section:
    label: str  # as printed
    key: str | None
    lines: list[Line]
    tables: list[Table]
    line: int
    block: bool = False  # a heading row over a label | value table (手工办理方式): the rows below belong to it
    block_limit: list[Line] = field(default_factory=list)


@dataclass
class Guide:
    title: str | None = None
    title_lines: list[Line] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Node:
    text: str
    line: int
    marker: str | None
    children: list[Node] = field(default_factory=list)
    heading: bool = False  # a line ending in ：, or a numbered item with sub-items

    @property
    def label(self) -> str:
        return strip_end(self.text)


def strip_end(text: str) -> str:
    return text.strip().rstrip(TRAIL).strip().rstrip("：:").strip()


def unserial(text: str) -> str:
    return SERIAL.sub("", text, count=1).strip()


def clean_value(text: str) -> str:
    """A value without a label of its own (主项名称：), its serial or a trailing 。."""
    text = unserial(text.strip())
    match = re.match(r"^([^：:。，,]{2,10})[：:]\s*(.+)$", text, re.S)
    if match and classify(match.group(1)).key is not None:
        text = match.group(2)
    return strip_end(text)


# --- lines and headings ------------------------------------------------------------------------------------


RADICALS = re.compile(r"[\u2e80-\u2fdf]")


def radicals(text: str) -> str:
    """Kangxi and supplementary radicals (a PDF text layer's ⼈⼤⼯) read as the characters they stand for."""
    return RADICALS.sub(lambda m: normalise_text(m.group(0)), text)


RUN_ON = 150  # a text layer that lost its line breaks: one paragraph this long holding several labels


def _run_on(text: str) -> list[str]:
    """A guide flattened into one run-on line (事项编码452036…适用范围…): cut before each known section name
    and after a title ending in 指南, so labels and values stand on lines of their own."""
    simple = simplified(text)
    if len(simple) != len(text):
        return [text]
    from .vocabulary import _NAME_OF

    names = sorted((n for n in _NAME_OF if len(n) >= 4), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, names)) + r"|(?<=指南)")
    cuts = sorted(
        {m.start() for m in pattern.finditer(simple) if m.start() > 0 and simple[m.end() : m.end() + 1] not in "：:"}
    )
    if len(cuts) < 4:
        return [text]
    parts, start = [], 0
    for cut in cuts + [len(text)]:
        piece = text[start:cut]
        name = next((n for n in names if simple[start:cut].startswith(n)), None)
        pieces = [piece[: len(name)], piece[len(name) :]] if name and len(piece) > len(name) else [piece]
        for part in pieces:  # 准予批准的条件：…。不予批准的情形：…: each sub-label on a line, its value below
            parts.extend(re.split(r"(?<=[：:])|(?<=。)(?=[^。：:]{2,12}[：:])", part))
        start = cut
    return [p for p in parts if p.strip()]


NEXT_LABEL = re.compile(r"[ \t\u3000]+(?=([\u4e00-\u9fff]{2,8})[：:])")


def _next_labels(text: str) -> list[str]:
    """A line holding a second label after a space (办理时限：即时办结 办理地点：某县政务服务中心) as two lines,
    where that label is a known element: a value never takes in the next label and its value."""
    cuts = [m for m in NEXT_LABEL.finditer(text) if m.start() and COLON.search(text[: m.start()])]
    cuts = [m for m in cuts if _known(m.group(1), True)]
    if not cuts:
        return [text]
    starts = [0, *(m.end() for m in cuts)]
    ends = [m.start() for m in cuts] + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


def _lines(blocks) -> list[Line | Table]:
    out: list[Line | Table] = []
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    for block in blocks:
        if isinstance(block, Paragraph):
            texts = block.text.split("\n")
            run_on = len(paragraphs) <= 3 and len(block.text) > RUN_ON and "\n" not in block.text
            if run_on:
                texts = _run_on(block.text)
            for i, text in enumerate(texts):
                for part in _next_labels(text.strip()) if text.strip() else []:
                    out.append(Line(radicals(part), (block.line or 0) + (0 if run_on else i)))
        else:
            out.append(block)
    return out


def _label_rest(text: str, numbered: bool) -> tuple[str, str] | None:
    """(label, rest) when the text opens with a label: `label：rest`, or the whole short text."""
    match = COLON.search(text)
    if match and 0 < match.start() <= HEADING_LABEL_MAX * (2 if numbered else 1):
        return text[: match.start()].strip(), text[match.end() :].strip()
    if numbered and len(strip_end(text)) <= HEADING_LABEL_MAX and not re.search(r"[。；;，,]", text.rstrip("。")):
        return strip_end(text), ""
    if not numbered and len(text) <= HEADING_LABEL_MAX:
        return text.strip(), ""
    return None


def _known(label: str, strict: bool) -> str | None:
    """The element a label names; `strict`: a known name only (a value line must not pass for a label)."""
    reading = classify(label)
    if reading.key is None and reading.why == "不是栏目名" and len(label) <= 2 * HEADING_LABEL_MAX:
        reading = classify(re.split(r"[、及和与，,]", label)[0])  # 申请材料名称、来源、数量及介质要求
    if reading.key is None:
        return None
    if strict and not reading.why.startswith("即") and len(reading.normalised) > 6:
        return None
    return reading.key


def _numbered_style(lines: list[Line | Table]) -> re.Pattern | None:
    """The serial a guide numbers its sections with (一、 or （一）), if it does: then unnumbered label lines
    are values, and the other serials number items inside a section."""
    counts = {}
    for kind, pattern in MARKERS[:2]:
        counts[kind] = 0
        for item in lines:
            if isinstance(item, Line) and pattern.match(item.text) and not _is_title(item.text):
                found = _label_rest(pattern.sub("", item.text), True)
                if found and _known(found[0], False):
                    counts[kind] += 1
    kind = max(counts, key=lambda k: counts[k])
    return dict(MARKERS)[kind] if counts[kind] >= 2 else None


def _heading(item: Line, numbered_style: re.Pattern | None, current: Section | None):
    """(label, element key, rest of line) when a line opens a section."""
    if item.plain:
        return None
    match = numbered_style.match(item.text) if numbered_style else None
    if match:
        found = _label_rest(item.text[match.end() :], True)
        if found:
            return found[0], _known(found[0], False), found[1]
        return None
    if numbered_style and current is not None and current.key not in ("name", "main_item"):
        return None  # inside a numbered section, a label line is part of its value
    if SERIAL.match(item.text) and SERIAL.match(item.text).end():
        return None
    found = _label_rest(item.text, False)
    if not found:
        return None
    key = _known(found[0], True)
    if key is None and not found[1] and _two_labels(found[0]):
        return found[0], None, ""  # 办理时限及费用 over 办理时限：… and 办理费用：… lines, each a section of its own
    if key is None or (current is not None and key == current.key and key not in ("name",)):
        return None
    if not found[1] and not COLON.search(item.text) and len(normalise_label(found[0])) > 8:
        return None
    return found[0], key, found[1]


def _two_labels(label: str) -> bool:
    """A heading that joins two known labels (办理时限及费用)."""
    found = TWO_LABELS.match(normalise_label(label) or "")
    return bool(found) and all(_known(part, True) for part in (found["a"], found["b"]))


def _is_title(text: str) -> bool:
    return bool(TITLE_WORDS.search(strip_end(unserial(text)))) and len(text) <= 60


def _label_value_rows(table: Table) -> list[tuple[str, str]] | None:
    """A table of label | value (or label | value | label | value) rows, as (label, value) pairs."""
    pairs: list[tuple[str, str]] = []
    labelled = 0
    for row in table.rows:
        cells = row.cells
        distinct = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
        if len(distinct) == 1 and strip_end(distinct[0]) in NULL_VALUES | {"", "／"}:
            continue  # a row holding only 无 / 暂无 / ／: the block's value is empty, no new block or record
        if len(distinct) == 1:
            pairs.append((distinct[0], "\x00"))  # a heading over the table's width
            continue
        for i in range(0, len(cells) - 1, 2):
            label, value = cells[i], cells[i + 1]
            if label and value == label:
                value = ""
            if label and len(normalise_label(label)) <= HEADING_LABEL_MAX:
                pairs.append((label, value))
                labelled += classify(label).key is not None
    rows = len(table.rows)
    return pairs if rows >= 3 and labelled * 2 >= rows else None


def _material_header(table: Table) -> tuple[int, list[str | None]] | None:
    for i, row in enumerate(table.rows[:4]):
        keys = [classify_material_column(c) if c else None for c in row.cells]
        if "name" in keys and sum(1 for k in keys if k) >= 2:
            return i, keys
    return None


def split_guides(extracted: Extracted) -> list[Guide]:
    """The guides of a file, each with its title and its sections in order."""
    items = _lines(extracted.blocks)
    numbered = _numbered_style(items)
    guides: list[Guide] = [Guide()]
    current: Section | None = None

    def start(label: str, key: str | None, rest: str, line: int, plain: bool = False) -> Section:
        guide = guides[-1]
        if key in ("name", "main_item") and any(s.key in ("name", "main_item") for s in guide.sections):
            if not (current is not None and current.key in ("name", "main_item") and key != current.key):
                guide = Guide()
                previous = guides[-1].sections[-1] if guides[-1].sections else None
                if previous is not None and previous.lines and _guide_title_line(previous.lines[-1]):
                    guide.title_lines.append(previous.lines.pop())
                    guide.title = strip_end(unserial(guide.title_lines[-1].text))
                guides.append(guide)
        section = Section(label, key, [Line(rest, line, plain)] if rest else [], [], line)
        guide.sections.append(section)
        return section

    for item in items:
        if isinstance(item, Table):
            pairs = _label_value_rows(item) if _material_header(item) is None else None
            if pairs is None:
                if current is None:
                    guides[-1].title_lines.append(Line("", item.rows[0].line if item.rows else 0))
                    current = start("", None, "", item.rows[0].line if item.rows else 0)
                current.tables.append(item)
                continue
            block: Section | None = None
            for (label, value), row in zip(pairs, item.rows, strict=False):
                line = row.line
                if value == "\x00":
                    current = start(label, _known(label, False), "", line)
                    current.block = current.key == "channel"
                    block = current if current.block else None
                    continue
                key = _known(label, False)
                if block is not None and key == "time_limit" and value.strip():
                    block.block_limit.append(Line(value.strip(), line, True))
                if block is not None and key == "channel" and value.strip():
                    block.lines.append(Line(value.strip(), line, True))
                if block is not None and key == "channel":
                    continue
                values = [v for v in value.split("\n") if v.strip()]
                current = start(label, key, values[0] if values else "", line, plain=True)
                current.lines.extend(Line(v, line, True) for v in values[1:])
            continue
        if _is_title(item.text) and not (current and current.key in ("materials", "process")):
            if guides[-1].sections:
                guides.append(Guide())
            guides[-1].title = strip_end(unserial(item.text))
            guides[-1].title_lines.append(item)
            current = None
            continue
        head = _heading(item, numbered, current)
        if head is not None:
            current = start(head[0], head[1], head[2], item.line)
        elif current is not None:
            current.lines.append(item)
        else:
            guides[-1].title_lines.append(item)
    for guide in guides:  # the issuer and date signed under a guide's last section are not part of it
        if guide.sections:
            lines = guide.sections[-1].lines
            cut = next((i for i, line in enumerate(lines) if i and SIGNATURE.match(line.text)), len(lines))
            del lines[cut:]
    return [g for g in guides if g.sections]


def _guide_title_line(line: Line) -> bool:
    """A short numbered line that names the next guide (2、社会保障卡应用状态查询)."""
    text = line.text
    return bool(SERIAL.match(text)) and len(text) <= 40 and not re.search(r"[。；;，,：:]", text)


# --- nesting inside a section -----------------------------------------------------------------------------


def _marker(text: str) -> tuple[str | None, str]:
    for kind, pattern in MARKERS:
        match = pattern.match(text)
        if match and match.end() < len(text):
            return kind, text[match.end() :].strip()
    return None, text.strip()


INLINE = re.compile(r"(?<=[^\s①-⑳])(?=[①-⑳])")
INLINE_NUMBERED = re.compile(r"(?<=[；;。])\s*(?=(?:\d{1,2}[.、．]|[（(]\d{1,2}[)）])(?!\d))")


def tree(lines: list[Line]) -> list[Node]:
    """Items nested by their serials; a line ending in ： heads the items after it; other lines continue."""
    roots: list[Node] = []
    stack: list[tuple[int, Node]] = []  # (level, node)
    order: list[str] = []
    heading: Node | None = None
    split: list[Line] = []
    for item in lines:
        split.extend(Line(part, item.line) for part in INLINE_NUMBERED.split(item.text) if part.strip())
    for item in split:
        parts = INLINE.split(item.text)
        if len(parts) > 1 and any(p.startswith(tuple("①②③④⑤⑥⑦⑧⑨⑩")) for p in parts[1:]):
            first, subs = parts[0], parts[1:]
        else:
            first, subs = item.text, []
        kind, text = _marker(first)
        if kind is None:
            if text.endswith(("：", ":")) and len(text) <= 40 and not subs:
                heading = Node(text, item.line, None, heading=True)
                roots.append(heading)
                stack, order = [], []
            elif stack and stack[-1][1].text.endswith(("：", ":")):
                stack[-1][1].children.append(Node(text, item.line, None))
                stack[-1][1].heading = True
            elif stack:
                stack[-1][1].text += "\n" + text
            elif heading is not None:
                heading.children.append(Node(text, item.line, None))
            else:
                roots.append(Node(text, item.line, None))
            continue
        if kind not in order:
            order.append(kind)
        level = order.index(kind)
        while stack and stack[-1][0] >= level:
            stack.pop()
        node = Node(text, item.line, kind)
        if stack:
            stack[-1][1].children.append(node)
            stack[-1][1].heading = True
        elif heading is not None:
            heading.children.append(node)
        else:
            roots.append(node)
        stack.append((level, node))
        for sub in subs:
            sub_kind, sub_text = _marker(sub)
            node.children.append(Node(sub_text, item.line, sub_kind))
            node.heading = True
    return roots


def leaves(nodes: list[Node]) -> list[Node]:
    out = []
    for node in nodes:
        out.extend(leaves(node.children) if node.children else [node])
    return out


def items(lines: list[Line]) -> list[str]:
    """The items of a list, without serials or trailing punctuation (sub-headings are not items)."""
    return [strip_end(n.text) for n in leaves(tree(lines)) if strip_end(n.text)]


def joined(lines: list[Line]) -> str | None:
    """A one-text value: one line without its serial, label and trailing 。; several lines as printed."""
    texts = [line.text for line in lines if line.text.strip()]
    if not texts:
        return None
    if len(texts) == 1:
        return clean_value(texts[0]) or None
    return strip_end("\n".join(unserial(t) for t in texts)) or None


# --- the elements ---------------------------------------------------------------------------------------

WINDOW = re.compile(r"现场|窗口|大厅|线下|柜台|手工|当面|临柜|服务中心|市民中心|政务中心|到.{0,12}办理")
ONLINE = re.compile(r"网上|网络|在线|网站|平台|官网|网办|线上|电脑|网厅|服务网|系统")
MOBILE = re.compile(r"掌上|手机|APP|App|app|小程序|微信|支付宝|公众号|移动端|客户端|掌办")
MAIL = re.compile(r"邮寄|快递|寄递")
PHONE_CHANNEL = re.compile(r"电话办理|电话申请")
SELF = re.compile(r"自助")


# Words that say only how one applies, not where: with them 办理 is the channel's printed name (网上办理).
MANNER_ONLY = re.compile(r"网上|线上|在线|网络|网办|现场|窗口|线下|当面|邮寄|快递|自助|掌上|手机|电话")


def channel_kind(text: str) -> str | None:
    """The kind of channel a heading or item names (its head words first: 网上办理。可通过…小程序 is online)."""
    text = simplified(normalise_text(text))
    head = re.split(r"[。：:；;，,]", text, maxsplit=1)[0]
    for part in (head, text):
        for pattern, kind in (
            (MOBILE, "mobile"),
            (SELF, "self_service"),
            (MAIL, "mail"),
            (PHONE_CHANNEL, "phone"),
            (WINDOW, "window"),
            (ONLINE, "online"),
        ):
            if part is head and pattern is MOBILE and ONLINE.search(head) and not MOBILE.match(head):
                continue
            if pattern.search(part):
                return kind
    return None


def channels(lines: list[Line]) -> list[Channel]:
    nodes = tree(lines)
    found: list[tuple[str, str]] = []  # (kind, detail)
    if len(nodes) == 1 and not nodes[0].children and not nodes[0].marker and "\n" not in nodes[0].text:
        text = strip_end(nodes[0].text)
        parts = [p.strip() for p in re.split(r"[、，,；;/]|或者|或", text) if p.strip()]
        if len(parts) > 1 and all(len(p) <= 16 and channel_kind(p) for p in parts):
            # 市民服务中心或山东政务服务网办理: the shared 办理 is not part of the last place's name; but a bare
            # manner (窗口、网上办理) names no place, and 网上办理 stays as printed
            last = re.sub(r"(?<=.{2})(?:办理|申请|申报)$", "", parts[-1])
            if not MANNER_ONLY.fullmatch(last):
                parts[-1] = last
            found = [(channel_kind(p) or "other", p) for p in parts]
    if not found:
        for node in nodes:
            text = strip_end(node.text.split("\n")[0])
            kind = channel_kind(text) or "other"
            labelled = _labelled(text)
            if labelled and labelled[1] and (channel_kind(labelled[0]) or len(labelled[0]) <= 6):
                text = strip_end(labelled[1])
            if text:
                found.append((kind, text))
    return [Channel(kind=kind, detail=detail) for kind, detail in found]


def places_in_channels(lines: list[Line]) -> str | None:
    """Addresses listed under a window channel (芝罘区：…号…大厅, one a line): the places to go."""
    found = []
    for node in tree(lines):
        for extra in node.text.split("\n")[1:] + [c.text for c in leaves(node.children)]:
            if re.search(r"号|路|街|大道|楼|大厅|中心", simplified(extra)):
                found.append(strip_end(extra))
    return "\n".join(found) or None


PLATFORM_TAIL = re.compile(r"(?:办理流程|流程|办理|申请|申报|途径)$")
GENERIC_PLATFORM = re.compile(r"^(?:网上|网络|在线|线上|掌上|手机|移动端|现场|线下|窗口|自助)?$")
TIME_LABEL = re.compile(r"^(?:办理|承诺|法定|办结)?(?:时限|期限)[：:]\s*(.+)$")
ARROWS = re.compile(r"\s*(?:[—－]+>|=>|➝|➔|➜|➡|⇒|—+|－+|→|->|＞|>|——)\s*")
ARROW_ONLY = re.compile(r"^[\s↓⬇⇓→➝➔➜➡⇒—－>]+$")  # a line that is only the arrow between two boxes of a flow


def _platform(name: str, kind: str) -> str | None:
    if kind not in ("online", "mobile", "self_service"):
        return None
    platform = strip_end(name)
    simple = simplified(platform)
    tail = PLATFORM_TAIL.search(simple)
    if tail and len(simple) == len(platform):
        platform, simple = platform[: tail.start()].strip(), simple[: tail.start()].strip()
    lead = re.match(r"^(?:通过|登录|登陆)", simple)
    if lead:
        platform, simple = platform[lead.end() :], simple[lead.end() :]
    return None if GENERIC_PLATFORM.match(simple) else platform


STEP_LIMIT = re.compile(
    r"(?:即时|当场|当即|立即|[0-9０-９一二两三四五六七八九十]+\s*个?\s*(?:工作日|自然日|日|天|小时)内?)\s*(?:办结|完成|办理完毕)"
)


def _steps(nodes: list[Node]) -> tuple[list[str], str | None]:
    steps, limit = [], None
    for node in leaves(nodes):
        if ARROW_ONLY.match(node.text):
            continue  # ↓ between two steps
        text = strip_end(node.text.replace("\n", ""))
        match = TIME_LABEL.match(text)
        if match:
            limit = strip_end(match.group(1))
        elif text:
            steps.append(text)
            said = STEP_LIMIT.search(simplified(text))
            if said and limit is None:
                limit = text[said.start() : said.end()]
    if len(steps) == 1:
        parts = ARROWS.split(steps[0])
        arrowed = [p.strip().rstrip(TRAIL) for p in STEP_ARROWS.split(steps[0])]
        if len(parts) >= 3 and all(0 < len(p) <= 12 for p in parts):
            steps = parts
        elif len(arrowed) >= 3 and all(arrowed):
            steps = arrowed  # a paragraph of steps joined by arrows (→ is never punctuation inside a step)
    return steps, limit


STEP_ARROWS = re.compile(r"\s*(?:→|->|➝|➔|➜|➡|⇒|=>)\s*")


def _channel_heading(node: Node) -> str | None:
    """A short line naming a channel over the lines after it (网上办理流程 / 现场办理): its channel kind."""
    text = strip_end(node.text)
    if node.children or node.marker or "\n" in text or len(text) > STEP_NAME_MAX or re.search(r"[。；;，,：:→]", text):
        return None
    return channel_kind(text)


def _channel_groups(nodes: list[Node]) -> list[Process] | None:
    """Loose lines of 办理流程 under channel sub-headings, each heading its own steps: one process per heading.
    None unless two headings at least each head lines of their own."""
    groups: list[tuple[Node, str, list[Node]]] = []
    for node in nodes:
        kind = _channel_heading(node)
        if kind is not None:
            groups.append((node, kind, []))
        elif groups:
            groups[-1][2].append(node)
        else:
            return None
    if len(groups) < 2 or not all(body for _, _, body in groups):
        return None
    out = []
    for head, kind, body in groups:
        steps, limit = _steps(body)
        name = strip_end(head.text)
        out.append(Process(name=name, channel=kind, platform=_platform(name, kind), steps=steps, time_limit=limit))
    return out


STEP_NAME_MAX = 12


def _step_groups(
    label: str, nodes: list[Node], guide_channels: list[Channel]
) -> tuple[list[Process], list[str]] | None:
    """Sub-headings of 办理流程 that are its steps, each over the details of what it does ((一)申请 / 1.…,
    (二)受理 / 1.…): one process whose steps are the sub-headings, the details kept in a note. None unless every
    item is a short heading naming no channel, and two at least head details of their own."""
    nodes = [n for n in nodes if not ARROW_ONLY.match(n.text)]
    names = [strip_end(n.text.split("\n")[0]) for n in nodes]
    detailed = [n for n in nodes if n.children or "\n" in n.text]  # a heading over its own lines or items
    if len(detailed) < 2 or any(
        not name or len(name) > STEP_NAME_MAX or re.search(r"[。；;，,：:\n]", name) or channel_kind(name)
        for name in names
    ):
        return None
    if any(re.search(r"流程|程序|方式|渠道", name) for name in names):
        return None  # these name processes (网上办理流程), read by `processes`
    steps, limit = names, None
    for node in nodes:
        for leaf in [node, *leaves(node.children)]:
            said = STEP_LIMIT.search(simplified(leaf.text))
            if said and limit is None:
                limit = leaf.text[said.start() : said.end()]
    kinds = {c.kind for c in guide_channels}
    kind = kinds.pop() if len(kinds) == 1 else "other"
    notes = ["\n".join([n.text] + [c.text for c in leaves(n.children)]) for n in detailed]
    return [Process(name=strip_end(label) or "办理流程", channel=kind, steps=steps, time_limit=limit)], notes


def processes(label: str, lines: list[Line], guide_channels: list[Channel]) -> tuple[list[Process], list[str]]:
    """One process per channel or platform, each with its own steps; sub-headings name processes (or are its
    steps, `_step_groups`)."""
    nodes = tree(lines)
    if grouped := _step_groups(label, nodes, guide_channels):
        return grouped
    notes: list[str] = []

    def walk(group: list[Node], inherited: str | None) -> list[Process]:
        out: list[Process] = []
        loose: list[Node] = []
        for node in group:
            if node.children and not (channel_kind(node.text) or inherited or re.search(r"流程|程序|步骤", node.text)):
                notes.append("\n".join([node.text] + [c.text for c in leaves(node.children)]))
                continue
            if node.children:
                kind = channel_kind(node.text) or inherited
                if any(c.children for c in node.children):
                    out.extend(walk(node.children, kind))
                    continue
                steps, limit = _steps(node.children)
                name = strip_end(node.text)
                out.append(
                    Process(
                        name=name,
                        channel=kind or "other",
                        platform=_platform(name, kind or "other"),
                        steps=steps,
                        time_limit=limit,
                    )
                )
            else:
                loose.append(node)
        if loose and not out:
            labelled = [_labelled(n.text) for n in loose]
            if by_heading := _channel_groups(loose):
                out.extend(by_heading)
            elif len(loose) >= 2 and all(lab and channel_kind(lab[0]) for lab in labelled):
                for lab in labelled:
                    kind = channel_kind(lab[0]) or "other"
                    steps, limit = _steps([Node(lab[1], 0, None)])
                    out.append(
                        Process(
                            name=lab[0], channel=kind, platform=_platform(lab[0], kind), steps=steps, time_limit=limit
                        )
                    )
            else:
                steps, limit = _steps(loose)
                text = " ".join(n.text for n in loose)
                kinds = {c.kind for c in guide_channels}
                kind = channel_kind(text) or (kinds.pop() if len(kinds) == 1 else inherited or "other")
                out.append(Process(name=strip_end(label) or "办理流程", channel=kind, steps=steps, time_limit=limit))
        return out

    return walk(nodes, None), notes


def _labelled(text: str) -> tuple[str, str] | None:
    match = re.match(r"^([^：:。，,]{2,14})[：:。]\s*(.*)$", text.strip(), re.S)
    return (match.group(1).strip(), match.group(2).strip()) if match else None


# materials

COPIES = re.compile(
    r"[（(]((?:[^（）()]{0,12}(?:\d+|[一二两三四五六七八九十])\s*份[^（）()]{0,6})"
    r"|(?:原件|复印件|正本|副本)(?:[及和、/](?:原件|复印件))?)[)）]$"
)
COMMON = re.compile(r"共同|必要|必须|必备|必交|基本材料|必需")
OPTIONAL = re.compile(r"选择|可选|非必|选交|选填|视情|容缺|其他材料|特殊情形|补充材料")
YES = re.compile(r"^(?:是|必须|必要|必备|必交|必需|需要|需|要|√|Y|y)$")
NO = re.compile(r"^(?:否|非必须|非必要|非必备|不必须|可选|选填|选交|容缺|不需要|无需|×|N|n)$")


def _required(text: str) -> str | None:
    text = simplified(text)
    if OPTIONAL.search(text):
        return "optional"
    if COMMON.search(text):
        return "common"
    return None


def _evidence(text: str, group: str | None, required: str | None) -> Evidence | None:
    name = strip_end(re.sub(r"\s*\n\s*", "", text))
    copies = None
    match = COPIES.search(name)
    if match:
        copies = match.group(1).strip()
        name = strip_end(name[: match.start()])
    if not name:
        return None
    return Evidence(name=name, copies=copies, group=group, required=required or "common")


def materials_from_lines(lines: list[Line]) -> list[Evidence]:
    out: list[Evidence] = []

    def walk(nodes: list[Node], group: str | None, required: str | None) -> None:
        for node in nodes:
            if node.children:
                head = strip_end(node.text)
                sort = _required(head) if len(head) <= 20 else None
                walk(node.children, group if sort else (head or group), sort or required)
            else:
                text, case = node.text, group
                labelled = _labelled(unserial(text))
                if (
                    labelled
                    and labelled[1]
                    and len(labelled[0]) <= 8
                    and not re.search(r"提供|提交|需|须|应", labelled[0])
                ):
                    case, text = labelled[0], labelled[1]
                if evidence := _evidence(text, case, required):
                    out.append(evidence)

    walk(tree(lines), None, None)
    return out


def materials_from_table(table: Table) -> tuple[list[Evidence], list[str]]:
    """Materials from a table inside the guide; the columns no field holds kept as text for the note."""
    found = _material_header(table)
    if found is None:
        return [], []
    start, keys = found
    header = table.rows[start].cells
    out: list[Evidence] = []
    extras: list[str] = []
    group: str | None = None
    for row in table.rows[start + 1 :]:
        cells = row.cells
        distinct = {c for c in cells if c}
        if len(distinct) == 1 and len(cells) > 2:
            group = strip_end(distinct.pop())
            continue
        value = {k: c for k, c in zip(keys, cells, strict=False) if k and c}
        name = value.get("name", "")
        if not name or normalise_label(name) == normalise_label(header[keys.index("name")]):
            continue
        evidence = _evidence(unserial(name), value.get("group") or group, None)
        if evidence is None:
            continue
        copies = _copies(value, evidence.copies)
        flag = value.get("mandatory", "").strip()
        mandatory = True if YES.match(flag) else False if NO.match(flag) else None
        required = _required(flag) if flag else None
        out.append(
            evidence.model_copy(
                update={"copies": copies, "mandatory": mandatory, "required": required or evidence.required}
            )
        )
        kept = [
            f"{label}：{cell}"
            for label, key, cell in zip(header, keys, cells, strict=False)
            if cell and key in (None, "issuer", "medium", "remark") and cell != label
        ]
        if kept:
            extras.append(f"{evidence.name}（{'，'.join(kept)}）")
    return out, extras


def _copies(value: dict[str, str], printed: str | None) -> str | None:
    def count(text: str) -> str:
        return f"{text}份" if re.fullmatch(r"\d+", text.strip()) else text.strip()

    parts = []
    if value.get("originals"):
        parts.append("原件" + count(value["originals"]))
    if value.get("photocopies"):
        parts.append("复印件" + count(value["photocopies"]))
    if parts:
        return "，".join(parts)
    form, number = value.get("form", "").strip(), value.get("copies", "").strip()
    if form and not re.search(r"原件|复印件|正本|副本|扫描件|电子|纸质", form):
        form = ""
    text = form + (count(number) if number else "")
    return text or printed


# contacts and phones

CONTACT_KINDS = (
    (re.compile(r"信访"), "petition_mailbox"),
    (re.compile(r"局长信箱|书记信箱|主任信箱|厅长信箱|市长信箱|县长信箱"), "director_mailbox"),
    (re.compile(r"好差评|评价"), "rating"),
    (re.compile(r"@|邮箱|电子邮件"), "email"),
    (re.compile(r"https?://|www\.|网址|网站|官网|网页"), "website"),
    (re.compile(r"(?:工作|办公|受理|服务)时间|周[一二三四五六日]|工作日"), "opening_hours"),
)


def contacts_of(lines: list[Line], phone_kind: str, default: str = "other") -> tuple[list[Phone], list[Contact]]:
    """Phones (typed) and other ways to reach or complain, each as printed; a phone named without a number
    stays as printed (the `vague_contact` finding reports it)."""
    phones: list[Phone] = []
    contacts: list[Contact] = []
    for node in leaves(tree(lines)):
        text = strip_end(node.text)
        if not text:
            continue
        labelled = _labelled(text)
        label, body = (labelled[0], labelled[1]) if labelled and len(labelled[0]) <= 8 else (None, text)
        numbers = PHONE.findall(body)
        if numbers:
            kind = phone_kind
            if label and classify(label).key == "supervision_phone":
                kind = "supervision"
            phones.extend(Phone(number=re.sub(r"\s", "", n), kind=phone_type(n, kind)) for n in numbers)
            continue
        untyped: list[str] = []
        for clause in [c for c in re.split(r"[，,；;]", body) if strip_end(c)]:
            clause = strip_end(clause)
            if re.search(r"电话|热线", clause):
                phones.append(Phone(number=clause, kind=phone_kind))
                continue
            parts = [strip_end(re.sub(r"等$", "", p.strip())) for p in re.split(r"[、]", clause)]
            kinds = [next((k for pattern, k in CONTACT_KINDS if pattern.search(p)), None) for p in parts]
            if all(kinds) and len(parts) > 1:
                contacts.extend(Contact(kind=k, value=p, label=label) for k, p in zip(kinds, parts, strict=True))
            elif kinds[0] is not None and len(parts) == 1:
                contacts.append(Contact(kind=kinds[0], value=parts[0], label=label))
            else:
                untyped.append(clause)
        if untyped:
            value = strip_end(body[body.find(untyped[0]) :]) if len(untyped) > 1 else untyped[0]
            contacts.append(Contact(kind=default, value=value if len(untyped) > 1 else untyped[0], label=label))
    return phones, contacts


# levels

LEVELS = (
    (re.compile(r"国家|中央|部级"), "national"),
    (re.compile(r"省|自治区"), "province"),
    (re.compile(r"市|州|盟"), "city"),
    (re.compile(r"县|区|旗"), "county"),
    (re.compile(r"乡|镇|街道"), "township"),
    (re.compile(r"村|社区|居委"), "village"),
)


def levels_of(raw: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[、，,；;/\s]+|和|及", simplified(normalise_text(raw))):
        part = re.sub(r"[（(].*?[)）]", "", part).strip()
        if not part:
            continue
        if part in ("A", "B", "C"):
            found = part
        elif re.fullmatch(r"(?:[ABC]级?)", part):
            found = part[0]
        else:
            found = next((level for pattern, level in LEVELS if pattern.search(part)), None)
        if found and found not in out:
            out.append(found)
    return out


# --- records ---------------------------------------------------------------------------------------------


def _names(guide: Guide) -> tuple[str | None, list[str], str]:
    """(主项, the 子项 or the name(s), raw text) of a guide."""
    main, names, raw = None, [], []
    for section in guide.sections:
        if section.key not in ("name", "main_item"):
            continue
        raw.extend([f"{section.label}：{section.lines[0].text}" if section.lines else section.label])
        raw.extend(line.text for line in section.lines[1:])
        values: list[tuple[str | None, str]] = []
        for line in section.lines:
            labelled = _labelled(unserial(line.text))
            sub = classify(labelled[0]).key if labelled and len(labelled[0]) <= 10 else None
            if sub in ("main_item", "name"):
                values.append((sub, labelled[1]))
            else:
                values.append((None, line.text))
        for sub, text in values:
            key = sub or section.key
            label = normalise_label(section.label)
            if key == "main_item" or (sub is None and "主项" in label):
                main = clean_value(text) or main
            else:
                names.extend(n for n in (clean_value(p) for p in _sub_items(text)) if n)
    if not names:
        title = _title_name(guide)
        names = [title] if title else []
    return main, names, "\n".join(raw) or (guide.title or "")


YEAR_PLACE = re.compile(r"^(?:\d{4}年度?)?(?:[\u4e00-\u9fff]{1,6}?(?:省|自治区|市|区|县|旗)(?=[\u4e00-\u9fff]{4}))?")


def _title_name(guide: Guide) -> str | None:
    """The service a guide's title names: 2021年峄城区职工医保参保登记办理指南 → 职工医保参保登记; a title line
    that is only 服务指南 takes the line above it."""
    texts = [strip_end(unserial(line.text)) for line in guide.title_lines if line.text.strip()]
    for i, text in reversed(list(enumerate(texts))):
        if not TITLE_WORDS.search(text):
            continue
        simple = simplified(text)
        cut = re.search(r"(?:办事|服务|办理|操作)?指南$", simple)
        name = text[: cut.start()].strip() if cut and len(simple) == len(text) else text
        name = re.sub(r"^\d{6,}", "", name)  # an item code printed before the name
        if not name:
            before = [t for t in texts[:i] if not re.fullmatch(r"[\dA-Za-z\s-]+", t)]
            name = before[-1] if before else ""
        name = YEAR_PLACE.sub("", name) if re.match(r"\d{4}年", name) else name
        if name:
            return name
    if guide.title is None and len(texts) == 1 and _names_a_matter(texts[0]):
        return texts[0]  # a page whose only title is the matter's name (<h1>出生医学证明首次签发)
    return None


def _names_a_matter(text: str) -> bool:
    """A title line that can be a matter's name: short, one phrase, not a label, a date or a body."""
    return (
        2 <= len(text) <= 40
        and not re.search(r"[。；;，,：:\s]", text)
        and not SIGNATURE.match(text)
        and _known(text, True) is None
    )


def _seq_and_main(guide: Guide, name: str) -> tuple[str | None, str | None]:
    """A guide under numbered title lines (6、异地就医备案 / 6.1 长期异地就医备案): its serial and its 主项."""
    numbered = [
        (m.group(1), strip_end(line.text[m.end() :]))
        for line in guide.title_lines
        if (m := TITLE_SERIAL.match(line.text))
    ]
    for seq, text in numbered:
        if text == name:
            parent = next((t for s, t in numbered if seq.startswith(s + ".") and t != name), None)
            return seq, parent
    return None, None


TITLE_SERIAL = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\s*[、.．]?\s*(?=[^\d.])")


def _sub_items(text: str) -> list[str]:
    parts = re.split(r"(?<=[；;。])\s*(?=\d{1,2}[.、．])", text)
    return parts if len(parts) > 1 else [text]


def _time_limit(found: list[Section]) -> str | None:
    """The guide's time limit as printed; 法定 and 承诺 both kept when both are printed."""
    values = {s.label: v for s in found if (v := joined(s.lines))}
    if len(set(values.values())) <= 1:
        return next(iter(values.values()), None)
    return "；".join(f"{strip_end(label)}：{value}" for label, value in values.items())


def conditions(lines: list[Line]) -> list[str]:
    """The conditions to be met: items, without those under 不予批准的情形 or 其他需要说明的情形."""
    out = []
    for node in tree(lines):
        if node.heading and re.search(r"不予|不得|其他|说明|禁止", node.text):
            continue
        out.extend(strip_end(n.text) for n in (leaves(node.children) if node.children else [node]))
    return [c for c in out if c and c not in NULL_VALUES]


def build_guide(extracted: Extracted, title: str, ctx: Context) -> list[PublicService]:
    records: list[PublicService] = []
    guides = split_guides(extracted)
    for guide in guides:
        records.extend(records_of(guide, ctx))
    if records and guides:
        last = guides[-1].sections[-1]
        tail = last.lines[-1].text if last.lines else ""
        reason = truncation(tail)
        if reason:
            ctx.defects.append(
                SourceDefect(
                    kind="truncated",
                    locator=f"办事指南 {last.label}",
                    line=last.lines[-1].line or None,
                    description=f"指南最后一节疑似被截断（{reason}）：{tail[-30:]}",
                )
            )
    return records


def _reachable(lines: list[Line]) -> bool:
    """Whether a 查询方式 gives a way to reach someone (a phone, a website, a mailbox …), not only where to ask
    (经办窗口、网上): only then is it a contact; else it is kept in the note as printed."""
    found_phones, found_contacts = contacts_of(lines, "service")
    return bool(found_phones) or any(c.kind != "other" for c in found_contacts)


# what a value of these elements looks like, to share out the value of a label naming two (办理时限及地点：…)
VALUE_SHAPES: dict[str, re.Pattern] = {
    "time_limit": re.compile(r"工作日|即时|当场|立即|[日天]内|小时内|办结"),
    "hours": re.compile(r"[上下]午|\d{1,2}\s*[:：]\s*\d{2}|周[一二三四五六日]|星期|节假日|工作时间"),
    "phone": re.compile(r"\d{3,4}[-－—]?\d{7,8}|1\d{10}|123\d\d"),
    "supervision_phone": re.compile(r"\d{3,4}[-－—]?\d{7,8}|1\d{10}|123\d\d"),
}
TWO_LABELS = re.compile(r"^(?P<a>.+?)(?:及|和|与|、|/)(?P<b>.+)$")


def split_combined(section: Section) -> list[Section]:
    """A heading that combines two labels (办理时限及地点：即时办结；县政务服务中心) as two sections, the value's
    parts shared out by their shapes (a time limit, hours, a phone; the other element takes the rest). The
    section as it was when the label names one element, or the parts cannot be told apart."""
    found = TWO_LABELS.match(normalise_label(section.label) or "")
    if not found or section.tables:
        return [section]
    first, second = found["a"], found["b"]
    head = re.match(r"^(办理|受理|咨询|监督|投诉|承诺|法定)", first)
    keys = [_known(first, False), _known(second, False) or (_known(head.group(1) + second, False) if head else None)]
    if None in keys or keys[0] == keys[1] or not any(k in VALUE_SHAPES for k in keys):
        return [section]
    parts = [
        Line(part.strip(), line.line, line.plain)
        for line in section.lines
        for part in re.split(r"[；;。\n]+", line.text)
        if part.strip()
    ]
    shaped = [k for k in keys if k in VALUE_SHAPES]
    other = next((k for k in keys if k not in VALUE_SHAPES), None)
    by_key: dict[str, list[Line]] = {k: [] for k in keys}
    for part in parts:
        key = next((k for k in shaped if VALUE_SHAPES[k].search(part.text)), other)
        if key is None:
            return [section]
        by_key[key].append(part)
    if not all(by_key.values()):
        return [section]
    fuller = head.group(1) + second if head else second  # 办理时间及地点: 地点 is 办理地点
    labels = {keys[0]: first, keys[1]: fuller if _known(fuller, False) == keys[1] else second}
    return [Section(labels[k], k, by_key[k], [], section.line) for k in keys]


WHOLE_BODY = re.compile(r"[\u4e00-\u9fff]{0,20}(?:局|委员会|委員會|人民政府)")


def _body_as_handling(value: str | None) -> str | None:
    """A 办理单位 that names a whole body (民政局), not an office inside one (婚姻登记中心, 审批科): the implementer."""
    return value if value and WHOLE_BODY.fullmatch(value) else None


def records_of(guide: Guide, ctx: Context) -> list[PublicService]:
    """The services a guide describes (one per 子项), from its sections; also a guide-like table row's."""
    sections = [part for section in guide.sections for part in split_combined(section)]
    by_key: dict[str, list[Section]] = {}
    extras: dict[str, str] = {}
    for section in sections:
        label = normalise_label(section.label) or section.label
        if (
            section.key is None
            or BY_KEY[section.key].kept
            or section.key in ("code", "seq", "implementation_code")
            or (section.key == "query" and not _reachable(section.lines))
        ):
            text = "\n".join(line.text for line in section.lines)
            if text or section.tables:
                extras[section.label or "表格"] = text + "".join(
                    "\n" + "\n".join("\t".join(r.cells) for r in t.rows) for t in section.tables
                )
                ctx.unmapped.add(label)
            continue
        by_key.setdefault(section.key, []).append(section)
        ctx.mapped.add(label)

    def lines(key: str) -> list[Line]:
        return [line for s in by_key.get(key, []) for line in s.lines]

    def text(key: str) -> str | None:
        values = [v for section in by_key.get(key, []) if (v := joined(section.lines))]
        kept = [v for v in values if v not in NULL_VALUES] or values
        return "\n".join(dict.fromkeys(kept)) or None

    main, names, raw = _names(guide)
    guide_channels = channels(lines("channel"))
    process_list: list[Process] = []
    for section in by_key.get("process", []):
        found, notes = processes(section.label, section.lines, guide_channels)
        process_list.extend(found)
        if notes:
            extras[f"{section.label}（说明）"] = "\n".join(notes)
    blocks = [s for s in sections if s.key == "channel" and s.block]
    if len(process_list) == 1 and blocks and process_list[0].name == strip_end(by_key["process"][0].label):
        said = channel_kind(" ".join(process_list[0].steps))
        block = next((b for b in blocks if channel_kind(b.label) == said), blocks[0])
        process_list[0] = process_list[0].model_copy(
            update={
                "name": strip_end(block.label),
                "channel": channel_kind(block.label) or process_list[0].channel,
                "time_limit": joined(block.block_limit) or process_list[0].time_limit,
            }
        )
    flat = process_list[0].steps if len(process_list) == 1 else []
    materials: list[Evidence] = []
    for section in by_key.get("materials", []):
        materials.extend(materials_from_lines(section.lines))
    material_notes: list[str] = []
    for section in sections:
        for table in section.tables:
            found, kept = materials_from_table(table)
            materials.extend(found)
            material_notes.extend(kept)
    if material_notes:
        extras["材料表其他栏目"] = "；".join(material_notes)
    phones, contacts = [], []
    for key, kind in (("phone", "service"), ("supervision_phone", "supervision")):
        for section in by_key.get(key, []):
            section_kind = "consulting" if "咨询" in section.label and key == "phone" else kind
            found_phones, found_contacts = contacts_of(section.lines, section_kind)
            phones.extend(found_phones)
            contacts.extend(found_contacts)
    for section in by_key.get("query", []):
        found_phones, found_contacts = contacts_of(section.lines, "service")
        phones.extend(found_phones)
        contacts.extend(found_contacts)
    for section in by_key.get("rating", []):
        value = joined(section.lines)
        if value:
            contacts.append(Contact(kind="rating", value=value, label=strip_end(section.label) or None))
    levels_raw = text("levels")
    first = sections[0]
    records = []
    for name in names or [main or "（未载明事项名称）"]:
        seq, parent = _seq_and_main(guide, name)
        main = main or parent
        records.append(
            PublicService(
                id=ctx.next_id("service"),
                agency=ctx.agency_id,
                seq=seq,
                main_item=main if main and main != name else None,
                name=name,
                category=text("category"),
                levels=levels_of(levels_raw or ""),
                levels_raw=levels_raw,
                content=text("content"),
                implementer=text("implementer") or _body_as_handling(text("handling")),
                remark=text("remark"),
                applicants=text("applicants"),
                conditions=conditions(lines("conditions")),
                legal_bases=split_legal_bases("\n".join(line.text for line in lines("legal_basis"))),
                materials=materials,
                time_limit=_time_limit(by_key.get("time_limit", [])),
                fees=text("fees"),
                result=text("result"),
                place=text("place") or places_in_channels(lines("channel")),
                hours=text("hours"),
                channels=guide_channels,
                process=flat,
                processes=process_list,
                handling=[] if _body_as_handling(text("handling")) else handling(text("handling") or ""),
                phones=phones,
                contacts=contacts,
                source=ctx.source(f"办事指南 {name}", first.line),
                review=[ctx.draft_flag("name", raw)],
                note=note_of(extras),
            )
        )
    return records


def is_guide(extracted: Extracted) -> bool:
    """Whether the file reads as one or more guides: three or more known sections, and a title that says
    指南 or five known sections."""
    guides = split_guides(extracted)
    known = sum(1 for g in guides for s in g.sections if s.key is not None)
    titled = any("指南" in p.text for p in extracted.paragraphs[:5]) or any(g.title for g in guides)
    named = any(s.key in ("name", "main_item") for g in guides for s in g.sections)
    return known >= 3 and (titled or known >= 5 or (named and known >= 4))
