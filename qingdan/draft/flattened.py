"""Web tables flattened into text: a header line of column names, then each record as a run of text.

A page copied from a browser, or a table rendered without its cell boundaries, leaves
`序号 实施部门 事项名称 事项类型 设定依据 …` on one line and each record as words separated by
spaces. The cells are recovered from the header's columns and the shapes of values: a serial,
a category word (行政许可 … 公共服务), a legal citation (【法律】, 《…》), a code, a level (市级、区县级),
an agency (…局/…委员会, `/`-separated). The split of a record into its columns is the one that fits
these shapes best; where another split fits as well (two free-text columns side by side, say),
the record gets a review flag `ambiguous` naming the field and the run of text it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel

from ..models import ReviewFlag
from .context import Context
from .model import Extracted, Paragraph
from .vertical import Found, WholeRow, build_from_rows
from .vocabulary import _NAME_OF, classify, normalise_label

CATEGORY = re.compile(
    r"^(?:行政(?:许可|处罚|强制|征收|征用|给付|检查|确认|奖励|裁决|监督|备案)|其他(?:行政)?权力|其他|公共服务)"
    r"(?:类|事项)?(?:[-－—(（][^\s]{0,12})?$"
)
LEVEL_PART = r"(?:国家|中央|省|自治区|市|州|盟|区县|县|区|旗|乡镇|乡|镇|街道|镇街|村|社区)(?:级|本级)?"
LEVEL = re.compile(rf"^{LEVEL_PART}(?:[、，,/]{LEVEL_PART})*$")
CODE = re.compile(r"^(?=[0-9A-Z\-－]*\d)(?:[0-9A-Z]+(?:[-－][0-9A-Z]+){2,}|[0-9A-Z]{12}|[0-9A-Z]{31}|\d{6,20})$")
AGENCY_END = r"(?:局|委员会|委|部门|中心|政府|办公室|办|厅|院|署|所|队|站|股|科|处|室|公司|部)"
AGENCY_PART = rf"[\u4e00-\u9fff（）()]{{1,30}}?{AGENCY_END}"
AGENCY = re.compile(rf"^{AGENCY_PART}(?:[/、，,]{AGENCY_PART})*$")
AGENCY_END_AT = re.compile(rf"[\u4e00-\u9fff]{AGENCY_END}$")
LEGAL_START = re.compile(r"^(?:[（(]?\d{1,2}[.、．)）])?\s*[【《〈]")
SERIAL = re.compile(r"^(?:\d{1,5}|\*{1,5})$")  # a republished copy masks serials as *
TOKEN = re.compile(r"\S+")
NAME_END = re.compile(r"[。．]$")  # a trailing full stop is no part of a name
HEADING = re.compile(r"^(?!.*(?:日期|时间|来源)[:：]).{2,60}(?:清单|目录|一览表|事项表)")

# column shapes, by element key (legal: by a label ending in 依据)
ANCHORS = {"seq": SERIAL, "category": CATEGORY, "levels": LEVEL, "code": CODE}
AGENCY_KEYS = {"implementer", "guidance", "handling", "party"}
FIELD_OF_KEY = {
    "seq": "seq",
    "name": "name",
    "main_item": "main_item",
    "category": "category",
    "code": "code",
    "implementer": "implementer",
    "legal_basis": "legal_bases",
    "handling": "handling",
}
WRAPPED_TAIL = re.compile(r"[\u4e00-\u9fff]{1,6}")  # a short line of a run-together record: its first cell's end
ITEM_START = re.compile(r"^(?:\d{1,2}[.、．]|[（(]\d{1,2}[)）])(?=[\u4e00-\u9fff])")  # a numbered item begins
MIN_HEADER = 4
TIE = 0.01


def _shape(label: str, overrides: dict[str, str] | None) -> str:
    """What a column's values look like: an anchor shape's key, 'agency', 'legal' or 'free'."""
    key = classify(label, overrides).key
    if key in ANCHORS:
        return key
    if key in AGENCY_KEYS:
        return "agency"
    if key == "legal_basis" or normalise_label(label).endswith("依据"):
        return "legal"
    if re.match(r"责任事项(?:内容)?$", normalise_label(label)):
        return "items"  # 1.受理阶段责任：… 2.审查阶段责任：…
    return "free"


def header_of(text: str, overrides: dict[str, str] | None = None) -> list[str] | None:
    """A line of column names separated by spaces (most of them read as elements), or None."""
    if "\n" in text.strip():
        return None
    names = text.split()
    if len(names) < MIN_HEADER or len(set(names)) != len(names):
        return None
    known = [n for n in names if classify(n, overrides).key is not None and len(normalise_label(n)) <= 10]
    return names if len(known) >= MIN_HEADER - 1 and len(known) * 4 >= len(names) * 3 else None


@dataclass
class Token:
    text: str
    start: int
    end: int


def _matches(token: str, shape: str) -> bool:
    if shape in ANCHORS:
        return bool(ANCHORS[shape].match(token))
    if shape == "agency":
        return bool(AGENCY.match(token))
    if shape == "legal":
        return bool(LEGAL_START.match(token))
    return False


STRONG = ("category", "levels", "agency", "code")


MAX_ANCHOR = 4  # an anchored value is a word or a few (市级、 区县级): a longer run is no such value


@dataclass
class _Spans:
    """What the scores of a record's spans need, counted once: per shape, how many words match up to each word."""

    tokens: list[Token]
    matched: dict[str, list[int]]
    stray: list[int]  # words that read as a category, level, agency or code

    @classmethod
    def of(cls, tokens: list[Token], shapes: list[str]) -> _Spans:
        def prefix(flags: list[bool]) -> list[int]:
            out = [0]
            for flag in flags:
                out.append(out[-1] + flag)
            return out

        matched = {shape: prefix([_matches(t.text, shape) for t in tokens]) for shape in set(shapes) | set(STRONG)}
        stray = prefix([any(_matches(t.text, s) for s in STRONG) for t in tokens])
        return cls(tokens, matched, stray)

    def score(self, shape: str, t: int, u: int, required: bool) -> float:
        k = u - t
        if shape in ANCHORS or shape == "agency":
            if k == 0:
                return -3.0 if shape == "seq" else -2.0
            if self.matched[shape][u] - self.matched[shape][t] == k:
                return 4.0 - (k - 1) * 0.5
            return -5.0 - k * 0.1
        stray = (self.stray[u] - self.stray[t]) * 1.5  # a category or level word inside free text is unlikely
        if shape == "legal":
            if k == 0:
                return -1.0
            starts = self.matched["legal"][t + 1] - self.matched["legal"][t]
            return (2.0 if starts else -1.5) - stray + 0.001 * k
        if shape == "items" and k:
            return (1.0 if ITEM_START.match(self.tokens[t].text) else 0.0) - stray
        if k == 0:
            return -6.0 if required else -1.0
        return -stray


def split_record(
    text: str, shapes: list[str], required: list[bool], tokens: list[Token] | None = None
) -> tuple[list[str], list[int]]:
    """The record's text split into one cell per column (in order), and the columns whose boundary is uncertain.

    The words are the runs between spaces, unless `tokens` (a run-together record's pieces) are given."""
    if tokens is None:
        tokens = words(text)
    n, c = len(tokens), len(shapes)
    spans = _Spans.of(tokens, shapes)
    neg = float("-inf")
    best = [[neg] * (n + 1) for _ in range(c + 1)]
    back = [[0] * (n + 1) for _ in range(c + 1)]
    best[0][0] = 0.0
    for j in range(c):
        anchored = shapes[j] in ANCHORS or shapes[j] == "agency"
        for t in range(n + 1):
            if best[j][t] == neg:
                continue
            for u in range(t, min(n, t + MAX_ANCHOR) + 1 if anchored else n + 1):
                score = best[j][t] + spans.score(shapes[j], t, u, required[j])
                if score > best[j + 1][u] + 1e-9:
                    best[j + 1][u], back[j + 1][u] = score, t
    if best[c][n] == neg:  # the words cannot be shared out (an anchored column would need more): one cell each
        return [text.strip()] + [""] * (c - 1), list(range(1, c))
    bounds = [n]
    for j in range(c, 0, -1):
        bounds.append(back[j][bounds[-1]])
    bounds.reverse()  # bounds[j] .. bounds[j+1] are column j's tokens

    def total(b: list[int]) -> float:
        return sum(spans.score(shapes[j], b[j], b[j + 1], required[j]) for j in range(c))

    top = total(bounds)
    uncertain: list[int] = []
    for j in range(1, c):  # the boundary between column j-1 and column j
        for step in (-1, 1):
            moved = list(bounds)
            moved[j] += step
            if bounds[j - 1] <= moved[j] <= bounds[j + 1] and top - total(moved) < TIE:
                uncertain.append(j)
                break
    cells = []
    for j in range(c):
        t, u = bounds[j], bounds[j + 1]
        cells.append(text[tokens[t].start : tokens[u - 1].end].strip() if u > t else "")
    return cells, uncertain


def words(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(text)]


# --- a copy that lost its spaces too: 序号事项名称责任科室… then *对…进行监督基金监管科行政检查《…》… -----------------

COMPACT_MAX = 60
LEADING_SERIAL = re.compile(r"^(?:\d{1,5}|\*{1,5})(?=[^\d*\s.、．,，)）])")
CATEGORY_IN = re.compile(
    r"(?:行政(?:许可|处罚|强制|征收|征用|给付|检查|确认|奖励|裁决)|其他行政权力|公共服务)(?=[《【〈\s]|$)"
)


def compact_header(text: str, overrides: dict[str, str] | None = None) -> list[str] | None:
    """A header line of column names run together (序号事项名称责任科室是否涉企执法类型实施依据): the known names
    it is made of, fewest pieces first; a run of characters that is no known name is one column of its own."""
    text = text.strip()
    if not text or len(text) > COMPACT_MAX or re.search(r"\s|[，。；、,;:：]", text):
        return None
    names = set(_NAME_OF) | set(overrides or {})
    n = len(text)
    cost = [0.0] + [float("inf")] * n
    back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
    for i in range(1, n + 1):
        for j in range(max(0, i - 10), i):
            piece = text[j:i]
            if piece in names and cost[j] + 1 < cost[i]:
                cost[i], back[i] = cost[j] + 1, (j, True)
        if cost[i - 1] + 2 < cost[i]:
            cost[i], back[i] = cost[i - 1] + 2, (i - 1, False)
    pieces: list[tuple[str, bool]] = []
    i = n
    while i > 0:
        j, known = back[i]
        pieces.append((text[j:i], known))
        i = j
    pieces.reverse()
    merged: list[tuple[str, bool]] = []
    for piece, known in pieces:  # unknown characters side by side make one column
        if merged and not known and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        else:
            merged.append((piece, known))
    known_chars = sum(len(p) for p, k in merged if k)
    if len(merged) < MIN_HEADER or sum(1 for _, k in merged if k) < MIN_HEADER - 1 or known_chars * 10 < n * 7:
        return None
    return [p for p, _ in merged]


def _known_count(names: list[str], overrides: dict[str, str] | None) -> int:
    return sum(1 for name in names if classify(name, overrides).key is not None)


def _wrapped_header(
    lines: list[tuple[str, int]], k: int, overrides: dict[str, str] | None
) -> tuple[list[str], int] | None:
    """A run-together header wrapped over two or three lines where a long column name wrapped (…地方权力 / 编码 /
    实施依据…): (its column names, the lines it takes)."""
    found: list[tuple[list[str], int]] = []
    for span in (2, 3):
        parts = [text for text, _ in lines[k : k + span]]
        if len(parts) < span or any(re.search(r"\s", p) for p in parts):
            break
        if header := compact_header("".join(parts), overrides):
            found.append((header, span))
    return max(found, key=lambda f: _known_count(f[0], overrides), default=None)


GLUED_CODE = re.compile(r"(?<=[\u4e00-\u9fff）)])\d{6,20}(?=[【《\u4e00-\u9fff]|$)")
ITEM_AFTER_SENTENCE = re.compile(r"(?<=[。；;])\d{1,2}[.、．](?=[\u4e00-\u9fff])")


def _pieces(text: str) -> list[Token]:
    """A run-together record cut where a value's shape begins or ends: after its serial, around a category word,
    before a citation (《, 【)."""
    cuts = {0, len(text)}
    if m := LEADING_SERIAL.match(text):
        cuts.add(m.end())
        if glued := GLUED_BEFORE.match(text[m.end() :]):  # 1行政许可职业培训: the category column before the name
            cuts.add(m.end() + glued.end())
    for m in GLUED_CODE.finditer(text):  # …终止审批111004001【法律】: a code between a name and a citation
        cuts.update((m.start(), m.end()))
    for m in ITEM_AFTER_SENTENCE.finditer(text):  # …主管部门。1.受理阶段责任: the next column's numbered items
        cuts.add(m.start())
    for m in CATEGORY_IN.finditer(text):
        cuts.update((m.start(), m.end()))
    for m in re.finditer(r"[《【]", text):
        if m.start() and not text[m.start() - 1].isspace() and not (m.group(0) == "《" and text[m.start() - 1] == "】"):
            cuts.add(m.start())
    tokens: list[Token] = []
    edges = sorted(cuts)
    for a, b in zip(edges, edges[1:], strict=False):
        for w in words(text[a:b]):
            tokens.append(Token(w.text, a + w.start, a + w.end))
    return tokens


def _split_units(records: list[list[Token]]) -> tuple[list[list[Token]], bool]:
    """A unit run onto the text before it (…进行监督基金监管科): the ending every record shares that reads as a unit
    (基金监管科) cut off where the records differ. Certain when three records or more agree on it."""
    ends = [
        next((t for t in tokens if AGENCY_END_AT.search(t.text) and not AGENCY.match(t.text)), None)
        for tokens in records
    ]
    texts = [t.text for t in ends if t is not None]
    if len(texts) < 2:
        return records, False
    common = texts[0]
    for text in texts[1:]:
        k = 0
        while k < min(len(common), len(text)) and common[-1 - k] == text[-1 - k]:
            k += 1
        common = common[len(common) - k :] if k else ""
    while common and not AGENCY.match(common):
        common = common[1:]
    if not common or any(len(t) <= len(common) for t in texts):
        return records, False
    out = []
    for tokens, end in zip(records, ends, strict=True):
        if end is None:
            out.append(tokens)
            continue
        cut = end.end - len(common)
        k = tokens.index(end)
        text = end.text
        out.append(
            tokens[:k]
            + [Token(text[: len(text) - len(common)], end.start, cut), Token(common, cut, end.end)]
            + tokens[k + 1 :]
        )
    return out, len(texts) >= 3


GLUED_BEFORE = re.compile(
    r"^(行政(?:许可|处罚|强制|征收|征用|给付|检查|确认|奖励|裁决)|其他行政权力|公共服务)(?![类類]|事项|\s|$)"
)
GLUED_AFTER = re.compile(r"(?<=\S)(行政(?:许可|处罚|强制|征收|征用|给付|检查|确认|奖励|裁决)|其他行政权力|公共服务)$")


def _unglued(tokens: list[Token], keys: list[str | None]) -> list[Token]:
    """A name glued to its category where the page lost the space between two cells: 行政许可职业培训机构审批
    (the category column printed before the name's) or …机构审批行政许可 (after it) as two words. Only where the
    header has the two columns side by side, the category on that side."""
    if "category" not in keys:
        return tokens
    at = keys.index("category")
    before = at + 1 < len(keys) and keys[at + 1] in ("name", "main_item")
    after = at > 0 and keys[at - 1] in ("name", "main_item")
    out: list[Token] = []
    for token in tokens:
        glued = (GLUED_BEFORE.match(token.text) if before else None) or (
            GLUED_AFTER.search(token.text) if after else None
        )
        if glued is None or glued.group(0) == token.text:
            out.append(token)
            continue
        cut = token.start + (glued.end() if glued.start() == 0 else glued.start())
        out += [
            Token(token.text[: cut - token.start], token.start, cut),
            Token(token.text[cut - token.start :], cut, token.end),
        ]
    return out


def _lines(paragraphs: list[Paragraph]) -> list[tuple[str, int]]:
    out = []
    for p in paragraphs:
        for k, line in enumerate(p.text.split("\n")):
            if line.strip():
                out.append((line.strip(), p.line + k if p.line else 0))
    return out


def _starts_record(line: str, shapes: list[str]) -> bool:
    """A record begins with its serial, then (where the next column has a shape) a value of that shape."""
    words = line.split()
    if not words or not SERIAL.match(words[0]):
        return False
    if len(words) == 1:
        return False
    following = shapes[1] if len(shapes) > 1 else "free"
    glued = following == "category" and GLUED_BEFORE.match(words[1])  # 行政许可职业培训机构审批: see `_unglued`
    return following in ("free", "legal") or _matches(words[1], following) or bool(glued)


def read_flattened(extracted: Extracted, title: str, ctx: Context) -> Found:
    """Each header line of column names among the paragraphs, and the records that follow it."""
    lines = _lines(extracted.paragraphs)
    found: Found = []
    k = 0
    while k < len(lines):
        header = header_of(lines[k][0], ctx.overrides)
        compact = header is None and (header := compact_header(lines[k][0], ctx.overrides)) is not None
        wrapped = None if header_of(lines[k][0], ctx.overrides) else _wrapped_header(lines, k, ctx.overrides)
        if wrapped and (
            header is None or _known_count(wrapped[0], ctx.overrides) > _known_count(header, ctx.overrides)
        ):
            header, compact, k = wrapped[0], True, k + wrapped[1] - 1
        if header is None:
            k += 1
            continue
        heading = next((text for text, _ in reversed(lines[max(0, k - 3) : k]) if HEADING.search(text)), title)
        shapes = [_shape(h, ctx.overrides) for h in header]
        keys = [classify(h, ctx.overrides).key for h in header]
        required = [key in ("name", "main_item") for key in keys]
        records: list[tuple[str, int]] = []
        k += 1
        while k < len(lines) and header_of(lines[k][0], ctx.overrides) is None:
            text, line = lines[k]
            k += 1
            starts = LEADING_SERIAL.match(text) if compact else _starts_record(text, shapes)
            if shapes[0] != "seq" or starts:
                records.append((text, line))  # without a serial column, each line is a record
            elif records and compact and WRAPPED_TAIL.fullmatch(text) and "\n" not in records[-1][0]:
                records[-1] = (records[-1][0] + text, records[-1][1])  # 职业培训 / 机构审批: a cell wrapped in two
            elif records:
                records[-1] = (records[-1][0] + "\n" + text, records[-1][1])  # the record goes on

        rows, flags = [], {}
        pieces = [_pieces(text) if compact else _unglued(words(text), keys) for text, _ in records]
        units_certain = True
        if compact and "agency" in shapes:
            pieces, units_certain = _split_units(pieces)
        for (text, line), tokens in zip(records, pieces, strict=True):
            cells, uncertain = split_record(text, shapes, required, tokens)
            cells = [
                NAME_END.sub("", c) if key in ("name", "main_item") else c for key, c in zip(keys, cells, strict=True)
            ]
            row = WholeRow(cells, f"第{line}行", line)
            rows.append(row)
            flags[id(row)] = [_flag(header, keys, j, text) for j in uncertain]
            if not units_certain and "agency" in shapes:
                j = shapes.index("agency")
                flags[id(row)].append(_flag(header, keys, j, text, unit=True))
        if not rows:
            continue
        built = build_from_rows(header, rows, heading, ctx)
        found += [(kind, _with_flags(items, rows, flags)) for kind, items in built]
    return found


def _flag(header: list[str], keys: list[str | None], j: int, raw: str, unit: bool = False) -> ReviewFlag:
    if unit:  # the unit cut from the text before it by what fewer than three records share
        field = FIELD_OF_KEY.get(keys[j] or "") or "note"
        explanation = f"文字连在一起：“{header[j]}”一栏取各条共有的结尾，条目太少，分界不能确定，请对照原件核对"
    else:
        left, right = header[j - 1], header[j]
        field = FIELD_OF_KEY.get(keys[j - 1] or "") or FIELD_OF_KEY.get(keys[j] or "") or "note"
        explanation = (
            f"网页表格的栏目分隔已丢失：“{left}”与“{right}”两栏之间的分界不能确定（另一种分法同样成立），请对照原件核对"
        )
    return ReviewFlag(field=field, raw=raw, problem="ambiguous", explanation=explanation)


def _with_flags(items: list[BaseModel], rows: list[WholeRow], flags: dict[int, list[ReviewFlag]]) -> list[BaseModel]:
    """The records with the review flags of the rows they were built from (matched by the line they start on)."""
    by_line: dict[int, list[list[ReviewFlag]]] = {}
    for row in rows:
        by_line.setdefault(row.line, []).append(flags[id(row)])
    out = []
    for item in items:
        pending = by_line.get(item.source.line or 0)
        extra = pending.pop(0) if pending else []
        out.append(item.model_copy(update={"review": [*item.review, *extra]}) if extra else item)
    return out
