"""A notice around a list: 关于印发…的通知, its 文号, the issuer and date it is signed with, then the table.

A bureau often publishes its list as the attachment of a notice: the title (某局关于印发…的通知), the
document number on a line of its own (X医保发〔2023〕14号, 宁政发【2013】84号), the addressees and body,
the issuer and date signed under it, and only then the table. The table is read by the other
layouts; the notice gives the Document its `doc_number`, `issuer` and `date`.
"""

from __future__ import annotations

import re

from .model import Extracted, Paragraph, Table
from .vocabulary import simplified

OPEN, CLOSE = r"〔﹝\[【（(［", r"〕﹞\]】）)］"
DOC_NUMBER = re.compile(rf"[\u4e00-\u9fff]{{1,14}}[{OPEN}]\s*\d{{4}}\s*[{CLOSE}]\s*第?\s*\d{{1,5}}\s*[号號]")
LABELLED_NUMBER = re.compile(rf"(?:发文字号|文号|文件编号)\s*[:：\]］】]?\s*({DOC_NUMBER.pattern})")
TITLE_ISSUER = re.compile(
    r"^(?P<issuer>[\u4e00-\u9fff（）()、]{2,60}?)关于(?:印发|公布|发布|调整|公开)?.{0,80}的(?:通知|公告|决定|批复|意见)$"
)
AGENCY = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(?:局|委员会|委|政府|办公室|办公厅|厅|中心|院|署|部)$")
DIGITS_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
NUMERAL = "〇○零O０一二三四五六七八九"
NUMERAL_VALUE = {c: (0 if i < 5 else i - 4) for i, c in enumerate(NUMERAL)}
CHINESE_DATE = re.compile(rf"([{NUMERAL}]{{4}})年([{NUMERAL}十]{{1,3}})月([{NUMERAL}十]{{1,4}})日")
LABELLED_DATE = re.compile(
    r"(?:成文日期|发文日期|印发日期|发布日期|日期)\s*[:：\]］】]?\s*(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})"
)
LABELLED_ISSUER = re.compile(r"^(?:发布机构|发文机关|发文单位|发布单位)\s*[:：]\s*(\S.{1,40})$")
DATE_STAMP = re.compile(r"^(?:[^\d\s]{1,20}[-－])?(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
SCAN = 60  # paragraphs read before the first table (or from the top, when there is none)


def _number(text: str) -> int:
    """一 … 三十一 as a number."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (NUMERAL_VALUE.get(tens, 1) if tens else 1) * 10 + (NUMERAL_VALUE.get(units, 0) if units else 0)
    return NUMERAL_VALUE.get(text, 0)


def date_of(text: str) -> str | None:
    """A date printed as 2023年5月6日 or 二〇二三年五月六日, as YYYY-MM-DD."""
    text = text.strip()
    if m := DIGITS_DATE.search(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := CHINESE_DATE.search(text):
        year = int("".join(str(NUMERAL_VALUE[c]) for c in m[1]))
        month, day = _number(m[2]), _number(m[3])
    else:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _front(extracted: Extracted) -> tuple[list[Paragraph], dict[str, str]]:
    """The notice: the paragraphs before the list, and what a page's info table says ([ 发布机构 ] | 某局)."""
    out: list[Paragraph] = []
    meta: dict[str, str] = {}
    for block in extracted.blocks:
        if len(out) >= SCAN:
            break
        if isinstance(block, Table):
            found = _metadata(block)
            if not found:
                break  # the list itself
            for key, value in found.items():
                meta.setdefault(key, value)
            continue
        out.append(block)
    return out, meta


META_LABELS = {
    "doc_number": ("发文字号", "文号", "文件编号"),
    "issuer": ("发布机构", "发文机关", "发文单位", "发布单位", "成文机关"),
    "date": ("成文日期", "发文日期", "印发日期", "发布日期"),
}
META_OF = {label: key for key, labels in META_LABELS.items() for label in labels}


def _metadata(table: Table) -> dict[str, str]:
    """A page's info table: cells label | value (索引号, 发文字号, 发布机构, 成文日期 …)."""
    found: dict[str, str] = {}
    dates: list[tuple[int, str]] = []
    for row in table.rows:
        cells = row.cells
        for k in range(0, len(cells) - 1):
            label = re.sub(r"[\s\[\]【】［］:：]", "", cells[k])
            value = cells[k + 1].strip()
            key = META_OF.get(label)
            if key is None or not value or META_OF.get(re.sub(r"[\s\[\]【】［］:：]", "", value)):
                continue
            if key == "date":
                if m := re.fullmatch(r"(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})日?", value):
                    dates.append((META_LABELS["date"].index(label), f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"))
            elif key == "doc_number":
                if DOC_NUMBER.fullmatch(re.sub(r"\s", "", value)):
                    found.setdefault(key, re.sub(r"\s", "", value))
            else:
                found.setdefault(key, value)
    if dates:
        found["date"] = min(dates)[1]  # 成文日期 before 发布日期
    return found


def _lines(paragraphs: list[Paragraph]) -> list[str]:
    return [line.strip() for p in paragraphs for line in p.text.split("\n") if line.strip()]


def document_facts(extracted: Extracted) -> dict[str, str]:
    """The notice's 文号, issuer and date, where it prints them (keys doc_number, issuer, date)."""
    front, meta = _front(extracted)
    lines = _lines(front)
    facts: dict[str, str] = {}
    for line in lines:
        compact = re.sub(r"\s", "", line)
        if m := LABELLED_NUMBER.search(compact):
            facts["doc_number"] = m[1]
            break
        if DOC_NUMBER.fullmatch(compact):
            facts["doc_number"] = compact
            break
    for k, line in enumerate(lines):  # the issuer signed above the date
        compact = re.sub(r"\s", "", line)
        if len(compact) <= 20 and (date := date_of(compact)) and len(compact) == len(_date_text(compact)):
            facts.setdefault("date", date)
            before = re.sub(r"\s", "", lines[k - 1]) if k else ""
            if AGENCY.match(simplified(before)):
                facts.setdefault("issuer", before)
            if "issuer" in facts:
                break
    for line in lines:
        if (m := LABELLED_ISSUER.match(line)) and "issuer" not in meta:
            meta["issuer"] = m[1].strip()
    for key, value in meta.items():
        facts.setdefault(key, value)
    if "date" not in facts:
        for line in lines:
            if m := LABELLED_DATE.search(line):
                if 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
                    facts["date"] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
                    break
    if "date" not in facts:  # a page's time stamp on a line of its own: 2025-07-07 00:00:00, 河南/济源-2025-07-07
        for line in lines[:12]:
            if (m := DATE_STAMP.match(line)) and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
                facts["date"] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
                break
    if "issuer" not in facts:
        for line in lines[:8]:
            m = TITLE_ISSUER.match(re.sub(r"\s", "", line))
            if m and AGENCY.match(simplified(m["issuer"])):
                facts["issuer"] = m["issuer"]
                break
    return facts


def _date_text(text: str) -> str:
    m = DIGITS_DATE.search(text) or CHINESE_DATE.search(text)
    return m.group(0) if m else ""
