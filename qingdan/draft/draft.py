"""From a bureau's own file to a draft registry folder: read, recognise, build records, write, validate."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .. import regions
from ..models import Agency, Document, SourceDefect, is_valid_id
from ..registry import Problem, load_registry
from ..validate import truncation
from .columns import HEADER_SCAN_ROWS, Layout, find_layout
from .context import Context
from .layouts import LAYOUTS, guide_sections
from .model import DraftError, Extracted, Table
from .notice import document_facts
from .reading import read_file
from .vocabulary import (
    BY_KEY,
    ELEMENTS,
    classify,
    normalise_label,
    normalise_text,
    parse_columns,
    simplified,
    tidy_name,
)
from .writer import dump, write_agency

# the kind of list a title names, read by meaning (tried in order, on the simplified title): pattern → kind
LIST_KINDS: tuple[tuple[str, str], ...] = (
    (r"权责清单|权力和责任清单|权力清单[和及与、]责任清单|权责事项(清单|目录)", "权责清单"),
    (r"行政执法事项(清单|目录)|执法事项清单", "行政执法事项清单"),
    (r"(免[于予]|不予)(行政)?处罚|减免责|从轻(或|、)?减轻", "不予处罚事项清单"),
    (r"法制审核(事项)?(目录|清单)", "法制审核目录"),
    (r"办事指南|服务指南|办理指南|业务指南", "办事指南"),
    (r"流程图", "行政职权运行流程图"),
    (r"公共服务(事项)?(清单|目录)", "公共服务事项清单"),
    (r"政务服务事项(清单|目录)|实施清单", "政务服务事项清单"),
    (r"责任清单|责任事项(清单|目录|梳理表)", "责任清单"),
    (r"权力清单|(行政)?权力(事项)?(清单|目录)|(行政)?职权(清单|目录)", "权力清单"),
    (r"定岗定责", "定岗定责表"),
)


def list_kind(title: str) -> str | None:
    """The kind of list a title names (行政权力事项清单 → 权力清单, 權責清單 → 权责清单), else None."""
    text = simplified(re.sub(r"\s", "", title or ""))
    return next((kind for pattern, kind in LIST_KINDS if re.search(pattern, text)), None)


KIND_LABEL = {
    "powers": "权力清单",
    "duties": "责任清单",
    "boundaries": "责任清单",
    "services": "公共服务事项清单",
    "posts": "定岗定责表",
    "supervision_rules": "责任清单",
    "flows": "行政职权运行流程图",
}
AGENCY_NAME = re.compile(r"[\u4e00-\u9fff]+?(?:局|委员会|委員會|委|中心|厅|廳|办公室|辦公室|政府|院|署|办事处|辦事處)")
SECTION_FILES = {
    kind: f"{kind}.yaml"
    for kind in ("powers", "services", "duties", "boundaries", "posts", "supervision_rules", "flows")
}


@dataclass
class DraftResult:
    folder: Path
    document: Document
    records: dict[str, list[BaseModel]]
    mapped: list[str]  # column names always read into a field
    unmapped: list[str]  # column names kept on a record as a note (in any table)
    findings: list[Problem] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)
    dry_run: bool = False  # nothing was written
    agency_name: str | None = None
    agency_named: str = ""  # how the agency's name was found: 标题, 文中, --name; "" when not at all
    readers: list[tuple[str, str, int]] = field(default_factory=list)  # (layout reader, section, records)
    layouts: list[Layout] = field(default_factory=list)  # the tables read, with their columns' readings

    def summary(self) -> str:
        counts = ", ".join(f"{len(r)} {k}" for k, r in self.records.items() if r)
        by_code = Counter((f.code, f.severity) for f in self.findings)
        findings = ", ".join(f"{n} {code} ({sev})" for (code, sev), n in by_code.most_common()) or "none"
        head = f"drafted {self.folder}/" if not self.dry_run else f"dry run: would draft {self.folder}/"
        lines = [
            f"{head} ({self.document.kind}: {self.document.title}): {counts}",
            f"columns mapped: {'、'.join(self.mapped) or 'none'}",
            f"columns not mapped (kept on each record as a note): {'、'.join(self.unmapped) or 'none'}",
        ]
        if self.dry_run:
            return "\n".join(lines + ["nothing was written (--dry-run)"])
        return "\n".join(
            lines
            + [
                f"findings: {findings}",
                f"sources: {', '.join(self.source_files)}",
                "every record carries a review flag (problem: draft): check it against the original, then remove it",
            ]
        )

    def preview(self) -> str:
        """What --dry-run shows: the layout found, how each column was read and why, the first three records."""
        named = {"标题": "named in the title", "文中": "named in the file", "--name": "given with --name"}
        agency = (
            f"{self.agency_name} ({named.get(self.agency_named, self.agency_named)})"
            if self.agency_name
            else "not named in the file: give its full name with --name"
        )
        lines = [
            f"document: {self.document.title} (kind: {self.document.kind}; date: {self.document.date or 'none'})",
            f"agency: {agency}",
            "layouts found:",
        ]
        found: dict[tuple[str, str], list[int]] = {}
        for reader, section, n in self.readers:
            found.setdefault((reader, section), []).append(n)
        for (reader, section), counts in found.items():
            where = f" (from {len(counts)} tables or parts)" if len(counts) > 1 else ""
            lines.append(f"  {reader}: {sum(counts)} {section}{where}")
        noted = set(self.unmapped)  # kept in a note by some record, whatever its column's reading
        for layout in self.layouts:
            used = layout.used or frozenset()
            if layout.table:
                lines.append(f"  table {layout.table} (header at {layout.header_at}):")
            else:  # a form or a flattened table: the labels were read from its lines
                first = layout.body[0].locator if layout.body else ""
                lines.append(f"  labels read from {first or 'the text'}:")
            for reading, field_name in zip(layout.readings, layout.fields, strict=True):
                if not reading.label:
                    continue
                label = reading.label.replace("\n", " ")
                if field_name and field_name in used and reading.normalised in noted:
                    into = f"kept in a note where a record cannot use it (read as {BY_KEY[field_name].zh})"
                elif field_name and field_name in used:
                    into = f"{field_name} ({BY_KEY[field_name].zh})"
                elif reading.key and not reading.kept_as_note:
                    into = f"kept in a note (read as {BY_KEY[reading.key].zh}; no field of these records holds it)"
                else:
                    into = "kept in a note"
                lines.append(f"    {label} → {into}: {reading.why}")
        shown = {r.normalised for layout in self.layouts for r in layout.readings}
        others = [label for label in (*self.mapped, *self.unmapped) if normalise_label(label) not in shown]
        if others:  # section labels of a guide, a form's labels
            lines.append("  other labels:")
            for label in others:
                reading = classify(label)
                into = "read into a field" if label in self.mapped else "kept in a note"
                lines.append(f"    {label} → {into}: {reading.why}")
        for defect in self.document.defects:
            where = f" (at {defect.locator})" if defect.locator else ""
            lines.append(f"the file looks damaged{where}: {defect.description}")
        lines.append("first records:")
        shown = 0
        for kind, items in self.records.items():
            if shown >= 3 or not items:
                continue
            first = [item.model_copy(update={"review": []}) for item in items[: 3 - shown]]
            text = dump({kind: first}, "preview")
            shown += len(items[: 3 - shown])
            body = [line for line in text.splitlines() if line and not line.startswith("#")]
            lines += ["  " + line for line in body]
        return "\n".join(lines + ["", self.summary()])


# a line that says where a page is, not what it is: a breadcrumb, a web address, a postal address
ADDRESS = re.compile(
    r"^(?:您(?:当前)?的?(?:位置|所在位置)|当前(?:所在)?位置|所在位置|位置)\s*[:：]"
    r"|^(?:网站)?首页\s*[>»›/＞]|[>»›＞]\s*[^>»›＞]+\s*[>»›＞]|https?://|www\.|\.(?:gov|com|cn)\b"
    r"|^(?:地址|网址|通讯地址|联系地址|办公地址)\s*[:：]"
)
# a browser's print header before the title: 2025/5/13 14:02
PRINT_HEADER = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}(?:\s+\d{1,2}:\d{2})?\s+")


def _title_text(text: str) -> str:
    return PRINT_HEADER.sub("", text.split("\n")[0].strip())


def _title(extracted: Extracted, overrides: dict[str, str] | None = None) -> str | None:
    """The list's title: the first paragraph or title row that names a kind of list, else the first paragraph.

    Addresses (a page's breadcrumb 您当前的位置：首页>…, a URL, 地址：…) are never a title; a browser's print
    header (2025/5/13 14:02) before it is dropped.
    """
    candidates = [p.text for p in extracted.paragraphs[:10]]
    for table in extracted.tables[:3]:
        layout = find_layout(table, overrides)
        if layout:
            candidates += [next((c for c in r.cells if c), "") for r in layout.titles]
    candidates = [_title_text(c) for c in candidates if c and not ADDRESS.search(simplified(c.split("\n")[0]))]
    candidates = [c for c in candidates if c]
    for text in candidates:
        if list_kind(text) or re.search(r"清单|登记表|目录|一览表", simplified(text)):
            return _in_full(text, candidates)
    return _in_full(candidates[0], candidates) if candidates else None


def _in_full(title: str, candidates: list[str]) -> str:
    """The title as printed in full where a later line repeats it with its place before it: a page's headline
    (医疗保障局行政检查事项) and the document's own title line (济源市医疗保障局行政检查事项)."""
    fuller = [c for c in candidates if c.endswith(title) and PLACE_BEFORE.fullmatch(c[: -len(title)])]
    return min(fuller, key=len) if fuller else title


# what a fuller title adds before a shortened one: a place (济源市, 某省某县)
PLACE_BEFORE = re.compile(r"[\u4e00-\u9fff]{1,12}(?:省|市|县|区|州|旗|盟|縣|區)")


# words before a name in running text: 通过煙臺市醫療保障局官網, 向某县医保局申请
LEADING_WORDS = re.compile(
    r"^(?:[可也还還须須需请請要应應均另]|通过|通過|经过|經過|经由|經由|由|经|經|向|到|在|于|於|从|從|按|对|對|为|為|与|與|和|及|登录|登錄)+"
    r"(?=[\u4e00-\u9fff]{2,}?(?:省|市|县|区|州|旗|盟|縣|區))"
)


def _agency_name(title: str) -> str | None:
    """The body named in a title such as 某县医疗保障局权力清单 or 目录（某县医疗保障局部分）."""
    for part in re.split(r"[（()）：:，,、\s]+", title):
        match = AGENCY_NAME.search(LEADING_WORDS.sub("", part))
        if match and not re.search(r"清单|目录|指南|登记表", match.group(0)):
            return match.group(0)
    return None


NAMING_LABELS = (
    "实施主体|实施机关|实施机构|实施部门|执法主体|法定主体|责任主体|检查主体|填报单位|发布单位|发布机构|编制单位|受理部门"
    "|受理机构|办理单位|办理部门|部门名称|单位"
)
NAMING_LABEL = re.compile(rf"^(?:[一二三四五六七八九十]+、)?\s*(?:{NAMING_LABELS})\s*(?:[:：]\s*(.*))?$")
# a full name at the start of a phrase, with its place: 某市医疗保障局, 煙臺市醫療保障局
PLACE_AGENCY = re.compile(
    r"^[\u4e00-\u9fff]{1,10}?(?:省|市|县|区|州|旗|盟|縣|區|苏木|蘇木)[\u4e00-\u9fff]{2,16}?(?:局|委员会|委員會|中心|厅|廳)"
)


# the places a name may start with (for a body to be named in full): province … county, banner, township, sumu
PLACE = r"(?:省|市|县|区|州|旗|盟|縣|區|乡|镇|鄉|鎮|苏木|蘇木|街道|自治)"
# a township, town, sub-district or sumu named in a title (武乡县上司乡行政执法检查事项清单, 某鎮權責清單), after
# the county it lies in if printed; 乡镇/城乡 are no names (two characters at least before 乡/镇)
TOWNSHIP = re.compile(
    r"(?:[旗县縣](?=[\u4e00-\u9fff]{3}))?"  # 旗白庙子镇: the banner's (county's) town, its name shortened so
    r"(?:[\u4e00-\u9fff]{1,8}?(?:省|市|县|区|州|旗|盟|縣|區))*"
    r"(?<![乡镇鄉鎮])(?:(?![省市县区州旗盟縣區])[\u4e00-\u9fff]){2,6}?(?:乡|镇|鄉|鎮|苏木|蘇木|街道)(?![村])"
    r"(?:人民政府|办事处|辦事處)?"
)
GOVERNMENT = r"(?:人民政府|办事处|辦事處)"


def is_generic(name: str | None) -> bool:
    """Whether a body's name says no place (民政局, 乡镇人民政府): it names a kind of body, not one body."""
    if not name:
        return False
    body = re.sub(rf"^(?:乡镇|鄉鎮|乡|镇|鄉|鎮|街道|县级|縣級|市级|市級){GOVERNMENT}?", "", name)
    return not body or not re.search(PLACE, re.sub(r"(?:市场|市場|城乡|城鄉)", "", body[:-1]))


def _township(title: str, text: str) -> str | None:
    """A township or town named in the title (it is the list's body): its full name where the file prints it
    (武乡县上司乡 → 武乡县上司乡人民政府 when the file says so), else as the title prints it."""
    plain = re.sub(r"\s", "", title or "")
    for part in re.split(r"[（()）：:，,、]+", plain):
        match = TOWNSHIP.match(LEADING_WORDS.sub("", part))
        if not match or re.search(r"清单|目录|指南", match.group(0)):
            continue
        name = match.group(0)
        if re.search(GOVERNMENT + "$", name):
            return name
        text = re.sub(r"\s", "", text)
        short = re.sub(r"^(?:[\u4e00-\u9fff]{1,8}?(?:县|区|市|旗|縣|區))+", "", name)
        for core in dict.fromkeys((name, short)):  # the name as the title prints it first, then without its county
            if fuller := re.search(rf"{re.escape(core)}{GOVERNMENT}", text):
                return fuller.group(0)
        return name
    return None


def _agency_in_column(records: dict[str, list]) -> str | None:
    """The body every record of the list names as its 实施主体 (检查主体, 责任主体 …) or 办理单位 when all (two at
    least) name the same body with its place (a township's list printing 上司乡人民政府 on each row); a generic name
    (乡镇人民政府) names no one body."""
    names: list[str] = []
    for items in records.values():
        for item in items:
            named = getattr(item, "implementer", None) or "、".join(h.raw for h in getattr(item, "handling", []))
            names.append(re.sub(r"\s", "", named or ""))
    names = [n for n in names if n]
    if len(names) < 2 or len(set(names)) != 1:  # one row naming a body says whose that matter is, not the list's
        return None
    name = _agency_name(names[0]) or names[0]
    return name if AGENCY_NAME.fullmatch(name) and not is_generic(name) else None


def _placed_township(value: str, text: str) -> str | None:
    """A 实施主体/责任主体 cell that is only a township's name (旗白庙子镇): the township, in full where printed."""
    if not TOWNSHIP.fullmatch(value):
        return None
    core = re.sub(r"^[旗县縣]", "", value)
    if core != value:  # 旗白庙子镇 printed in full elsewhere: 土默特左旗白庙子镇人民政府
        fuller = re.search(rf"[\u4e00-\u9fff]{{0,8}}?[旗县縣]{re.escape(core)}{GOVERNMENT}", re.sub(r"\s", "", text))
        if fuller:
            return re.sub(r"^.*?[:：]", "", fuller.group(0))
    return _township(value, text)


def _agency_named_in(extracted: Extracted) -> str | None:
    """The body a guide or list names as its 实施主体, 法定主体 or 受理部门 (same line, the next, or the next cell);
    a full name with its place (柳州市社会保险事业管理局) before a short one (社保局)."""
    found: list[str] = []
    paragraphs = extracted.paragraphs
    for i, paragraph in enumerate(paragraphs):
        match = NAMING_LABEL.match(simplified(paragraph.text))
        if match:
            value = re.split(r"[:：]", paragraph.text, maxsplit=1)[1].strip() if match.group(1) else ""
            value = value or (paragraphs[i + 1].text if i + 1 < len(paragraphs) else "")
            if name := _agency_name(value):
                found.append(name)
    for table in extracted.tables:
        for row in table.rows[:40]:
            for j, cell in enumerate(row.cells[:-1]):
                if re.fullmatch(NAMING_LABELS, normalise_label(cell)) and row.cells[j + 1] != cell:
                    value = re.sub(r"\s", "", row.cells[j + 1])
                    if name := _agency_name(value) or _placed_township(value, extracted.text):
                        found.append(name)
    return next((name for name in found if PLACE_AGENCY.match(name)), found[0] if found else None)


def _agency_in_text(extracted: Extracted) -> str | None:
    """The full name (place and body) the text gives most often at the start of a phrase, e.g. 煙臺市醫療保障局官網;
    in running text only: a table's cells name implementers and other bodies of each record."""
    text = "\n".join(p.text for p in extracted.paragraphs)
    phrases = re.split(r"[\s，,。：:；;、/／|（）()“”\"'《》【】\[\]]+", text)
    found = Counter(m.group(0) for p in phrases if (m := PLACE_AGENCY.match(LEADING_WORDS.sub("", p))))
    return found.most_common(1)[0][0] if found else None


DATE = re.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})(?:\s*[-月./]\s*(\d{1,2}))?")


DATE_LABEL = re.compile(r"日期|发布|印发|时间|發佈|發布|印發|時間")


def _date_in(text: str, labelled: bool) -> str | None:
    match = DATE.search(text)
    if match and (labelled or DATE_LABEL.search(text) or len(text) <= len(match.group(0)) + 2):
        year, month, day = match.groups()
        if 1 <= int(month) <= 12:
            return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day and 1 <= int(day) <= 31 else "")
    return None


def _date(extracted: Extracted) -> str | None:
    """The publication date printed near the title or under the list (发布日期：2021-06-30, 2021年10月), or in a
    title row or a page's info table above it (发布时间：2020/8/25 15:40:05, [ 成文日期 ] | 2026-01-15)."""
    for paragraph in extracted.paragraphs:
        if found := _date_in(paragraph.text, False):
            return found
    for table in extracted.tables:
        for row in table.rows[:6]:
            cells = list(dict.fromkeys(c for c in row.cells if c))
            for i, cell in enumerate(cells):
                if DATE_LABEL.search(cell) and len(cell) <= 40:
                    found = _date_in(cell, True) or (_date_in(cells[i + 1], True) if i + 1 < len(cells) else None)
                    if found:
                        return found
    return None


def _agency(agency_id: str, name: str, stated: bool, ctx: Context) -> Agency:
    region = agency_id.split("-")[0]
    region = region if re.fullmatch(r"\d{6}", region) and regions.lookup(region) else None
    level = "other" if region is None else "county"
    if region and region.endswith("00"):
        level = "province" if region.endswith("0000") else "city"
    return Agency(
        id=agency_id,
        name=name,
        aliases=sorted(ctx.aliases),
        level=level,
        region=region,
        kind="government_department",
        name_stated=stated,
        inference=None if stated else "源文件未写出该全称，系起草时由 --name 给出",
        source=ctx.source("标题", 1),
        review=[ctx.draft_flag("name", name)],
    )


def _last_texts(record) -> list[str]:
    """What of a list's last record a cut-off file leaves unfinished: its name, and its last citation (a PDF cut
    mid-cell leaves 《中华人民共和国食品安全法》第一百二十 or an unclosed 《…)."""
    texts = [getattr(record, "name", None) or getattr(record, "matter", None) or getattr(record, "text", "")]
    bases = getattr(record, "legal_bases", None) or []
    if bases:
        texts.append(bases[-1].raw or bases[-1].title)
    return texts


def _truncated(records: dict[str, list], seen: list[SourceDefect] = ()) -> list[SourceDefect]:
    """The last record of a list ending mid-sentence: the file was cut off there (once: not where a reader
    already found the cut at the record's line)."""
    defects = []
    cut_lines = {d.line for d in seen if d.kind == "truncated" and d.line}
    for items in records.values():
        if not items:
            continue
        last = items[-1]
        if last.source.line and last.source.line in cut_lines:
            continue
        text, reason = "", None
        for text in _last_texts(last):
            if reason := truncation(text):
                break
        if reason:
            defects.append(
                SourceDefect(
                    kind="truncated",
                    locator=last.source.locator,
                    line=last.source.line,
                    description=f"最后一条记录疑似被截断（{reason}）：{text[-30:]}",
                )
            )
    return defects


def _overrides(columns: str | dict[str, str] | None, extracted: Extracted, source: Path) -> dict[str, str]:
    """--columns as normalised label → element key; a clear DraftError for a bad one (unknown field, no such column)."""
    if isinstance(columns, dict):
        spec = ",".join(f"{label}={key}" for label, key in columns.items())
    else:
        spec = columns or ""
    try:
        overrides = parse_columns(spec)
    except ValueError as exc:
        raise DraftError(f"--columns: {exc}") from None
    if not overrides:
        return overrides
    seen = normalise_label(extracted.text).replace("\t", "")
    seen = re.sub(r"\s", "", simplified(seen))
    missing = [label for label in overrides if label not in seen]
    if missing:
        raise DraftError(
            f"--columns: {'、'.join(missing)} is no column name in {source.name}; "
            "write the names as the file prints them"
        )
    return overrides


def _largest_table(extracted: Extracted) -> Table | None:
    tables = [t for t in extracted.tables if t.rows]
    return max(tables, key=lambda t: (len(t.rows), max(len(r.cells) for r in t.rows))) if tables else None


def _no_record(source: Path, extracted: Extracted) -> DraftError:
    """Nothing found: which layouts were tried, the first rows of the largest table, how --columns helps."""
    tried = "；".join(reader.name for reader in LAYOUTS)
    lines = [f"{source}: no record found. Layouts tried: {tried}."]
    table = _largest_table(extracted)
    fields = ", ".join(f"{e.key} ({e.zh})" for e in ELEMENTS if not e.kept and e.key != "seq")
    if table is None:
        first = [p.text.split("\n")[0][:60] for p in extracted.paragraphs[:3]]
        lines.append("The file has no table; it begins:")
        lines += [f"  {line}" for line in first]
        return DraftError("\n".join(lines))
    lines.append(f"The largest table ({table.locator}, {len(table.rows)} rows) begins:")
    for row in table.rows[:HEADER_SCAN_ROWS][:4]:
        cells = [c.replace("\n", " ")[:24] for c in row.cells]
        lines.append("  | " + " | ".join(cells) + " |")
    readings = [classify(c) for row in table.rows[:4] for c in dict.fromkeys(row.cells) if c]
    unknown = [r.label for r in readings if r.key is None and r.why != "不是栏目名"]  # no number, no sentence
    example = f"{unknown[0]}=name" if unknown else "地方权力编码=code,审核事项=name"
    lines.append(
        "If a row above holds the column names, say what the unrecognised ones mean with --columns, e.g. "
        f'--columns "{example}" (one 栏目名=field per column; fields: {fields}); '
        "add --dry-run to see how each column is read before anything is written"
    )
    return DraftError("\n".join(lines))


def _read_records(extracted: Extracted, title: str, ctx: Context, source: Path):
    """Every layout reader in turn: records by section, which reader found what, and the kinds seen."""
    records: dict[str, list[BaseModel]] = {kind: [] for kind in SECTION_FILES}
    readers: list[tuple[str, str, int]] = []
    kinds: list[str] = []
    try:
        for reader in LAYOUTS:
            for kind, items in reader.read(extracted, title, ctx):
                if items:
                    records.setdefault(kind, []).extend(items)
                    readers.append((reader.name, kind, len(items)))
                    kinds.append("guide" if reader.read is guide_sections else kind)
    except ValidationError as exc:
        raise DraftError(f"{source}: a record could not be built: {exc.errors()[0]['msg']}") from None
    lines = extracted.text.split("\n")
    for kind, items in records.items():
        records[kind] = [_as_read(item, lines) for item in items]
    return records, readers, kinds


def _printed(text: str, line: str) -> str:
    """`text` (as read) as the line prints it, where compatibility characters differ (⽤⼈ for 用人)."""
    read = normalise_text(line)
    at = read.find(text) if read != line and len(read) == len(line) else -1
    return line[at : at + len(text)] if at >= 0 else text


def _as_read(record: BaseModel, lines: list[str]) -> BaseModel:
    """A record's name and 主项 as read: a line break inside joined, no serial before, no 。 after.

    The review flag keeps the name as printed (its `raw`, set when the record was built; where a reader
    gave it as read, it is looked up on the record's line of the extracted text)."""
    update: dict = {}
    for name in ("name", "main_item"):
        value = getattr(record, name, None)
        if isinstance(value, str) and (tidy := tidy_name(value)) != value:
            update[name] = tidy
    source, review = getattr(record, "source", None), getattr(record, "review", None)
    line = lines[source.line - 1] if source is not None and source.line and source.line <= len(lines) else ""
    if review and line:
        flags = [
            flag.model_copy(update={"raw": _printed(flag.raw, line)})
            if flag.problem == "draft" and flag.field == "name"
            else flag
            for flag in review
        ]
        if flags != review:
            update["review"] = flags
    return record.model_copy(update=update) if update else record


def draft(
    source: Path,
    agency_id: str,
    registry: Path,
    name: str | None = None,
    url: str | None = None,
    force: bool = False,
    columns: str | dict[str, str] | None = None,
    dry_run: bool = False,
) -> DraftResult:
    """Draft registry/<agency_id>/ from a bureau's file; raise DraftError (nothing written) on bad input.

    `columns` says what column names mean where the vocabulary cannot tell (`"地方权力编码=code,审核事项=name"`);
    `dry_run` reads and builds everything but writes nothing (no folder, no sources, no validation).
    The questions come in order: is there a list at all (records found), then whose it is (--name).
    """
    source, registry = Path(source), Path(registry)
    if not is_valid_id(agency_id):
        raise DraftError(f"--agency {agency_id!r}: an ID is lowercase ASCII letters, digits and single - _ . between")
    folder = registry / agency_id
    if folder.exists() and not force and not dry_run:
        raise DraftError(f"{folder} already exists; use --force to replace it")
    extracted, data = read_file(source)
    overrides = _overrides(columns, extracted, source)
    existing = load_registry(registry)
    if existing.errors:
        raise DraftError(f"{registry} has {len(existing.errors)} errors; run qingdan validate and fix them first")
    entry = existing.entries.get(agency_id)
    if not dry_run and entry is not None and not (force and folder.resolve() in Path(entry.file).resolve().parents):
        raise DraftError(f"the agency ID {agency_id} is already taken ({existing.relpath(entry.file)}); choose another")
    title = _title(extracted, overrides) or source.stem
    named = "--name" if name else ""
    generic = None  # a body named without its place (民政局): not enough alone
    if not name and (name := _agency_name(title) or _township(title, extracted.text)):
        named = "标题"
        if is_generic(name) and not _township(title, extracted.text):
            generic, name, named = name, None, ""
    if not name and (name := _agency_named_in(extracted) or _agency_in_text(extracted)):
        named = "文中"
    digest = hashlib.sha256(data).hexdigest()
    stem = f"{agency_id}_{digest[:16]}"
    text_file, original = f"{stem}.txt", f"{stem}.original{source.suffix.lower()}"
    doc_id = f"doc-{agency_id}"
    ctx = Context(agency_id, name or "", doc_id, existing.of("code_scheme"), overrides=overrides)
    records, readers, kinds = _read_records(extracted, title, ctx, source)
    if not any(records.values()):
        raise _no_record(source, extracted)
    counts = ", ".join(f"{len(items)} {kind}" for kind, items in records.items() if items)
    if not name and (name := _agency_in_column(records)):
        named = "文中"
    if not name and not dry_run:
        if generic:
            raise DraftError(
                f"{source}: found {counts} in “{title}”; the title names {generic} but not where (no province, "
                "city, county or township), and the file names it nowhere in full; give its full name with --name"
            )
        raise DraftError(
            f"{source}: found {counts} in “{title}”, but the file names no agency (no body in its title, no "
            "实施主体 or 填报单位); give its full name with --name"
        )
    facts = document_facts(extracted)
    title_kind = list_kind(title)
    kind_label = title_kind or ("办事指南" if "guide" in kinds else KIND_LABEL.get(kinds[0], kinds[0]))
    document = Document(
        id=doc_id,
        title=title,
        file=text_file,
        publisher=agency_id,
        kind=kind_label,
        doc_number=facts.get("doc_number"),
        issuer=facts.get("issuer"),
        date=facts.get("date") or _date(extracted),
        url=url,
        original=original,
        sha256=digest,
        defects=ctx.defects + _truncated(records, seen=ctx.defects),
        note=f"由 qingdan draft 从 {source.name} 起草（{len(extracted.tables)} 个表格），尚待人工核对。",
    )
    unmapped = sorted(ctx.unmapped)
    mapped = sorted(ctx.mapped - ctx.unmapped)  # a column kept as a note in any table is never listed as mapped
    result = DraftResult(
        folder=folder,
        document=document,
        records={k: v for k, v in records.items() if v},
        mapped=mapped,
        unmapped=unmapped,
        dry_run=dry_run,
        agency_name=name,
        agency_named=named,
        readers=readers,
        layouts=list(ctx.layouts),
    )
    if dry_run:
        return result
    agency = _agency(agency_id, name, name in extracted.text, ctx)
    head = f"{name}: drafted from {source.name}"
    files = {"agency.yaml": dump({"documents": [document], "agencies": [agency]}, head)}
    for kind, items in records.items():
        if items:
            files[SECTION_FILES.get(kind, f"{kind}.yaml")] = dump(
                {kind: items}, f"{kind} drafted from {source.name}; review every record"
            )
    report = write_agency(registry, agency_id, files, {original: data, text_file: extracted.text.encode()}, force)
    result.findings = [f for f in report.findings if f.agency == agency_id]
    result.source_files = [f"{registry}/sources/{original}", f"{registry}/sources/{text_file}"]
    return result
