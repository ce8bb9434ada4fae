"""Findings about service guides (办事指南) as bureaus publish them.

Each rule yields `registry.problem(...)` findings with a stable code, like the rules in
`validate.py`, which lists them in `FINDING_RULES`. They report defects of the official text
(a word broken by a PDF line break, a phone that is no number, two time limits that disagree)
and never change the registry.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from .registry import Registry
from .safefiles import UnsafeFile
from .segmenter import jieba

GUIDE_KINDS = ("power", "service")
# Fields that are not the source's own wording, or that already describe damage.
NOT_SOURCE_TEXT = {"id", "source", "review", "note", "defects", "inference", "work_items", "raw", "explanation"}

# --- split_word ------------------------------------------------------------------------

_GAP = re.compile(r"([\u4e00-\u9fff]{1,6})([ \t\u3000\r\n]+)(?=([\u4e00-\u9fff]{1,6}))")


def source_strings(value, path: str = "", skip: set[str] = NOT_SOURCE_TEXT):
    """(field path, text) for every string a record holds in the source's own words (every string
    but those under the fields in `skip`)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in skip:
                yield from source_strings(getattr(value, name), f"{path}.{name}" if path else name, skip)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from source_strings(item, f"{path}[{i}]", skip)


def split_words(text: str):
    """(raw, proposed) for each whitespace inside a word: 医疗保 障 → 医疗保障 (jieba cuts a word across the gap)."""
    for match in _GAP.finditer(text):
        left, gap, right = match.group(1), match.group(2), match.group(3)
        position = 0
        for word in jieba.cut(left + right, HMM=False):
            start, position = position, position + len(word)
            if start < len(left) < position:
                yield left[start - len(left) :] + gap + right[: position - len(left)], word
                break


def _drafted_as_printed(record) -> list[tuple[str, str]]:
    """(field, text as printed) a drafted record keeps in its `draft` review flags: the name before a wrapping
    space or line break was joined (qingdan draft reads 行驶 的处罚 as 行驶的处罚 and keeps the printed text there)."""
    return [(flag.field, flag.raw) for flag in getattr(record, "review", []) if flag.problem == "draft" and flag.raw]


def find_split_words(registry: Registry):
    for record_id, entry in registry.entries.items():
        # a space the editor flagged as ambiguous (李 四: one person or two?) is not reported as a broken word
        ambiguous = [flag.raw for flag in getattr(entry.record, "review", []) if flag.problem == "ambiguous"]
        seen = set()
        for field_path, text in [*source_strings(entry.record), *_drafted_as_printed(entry.record)]:
            for raw, proposed in split_words(text):
                if (field_path, raw) in seen or any(raw in flagged for flagged in ambiguous):
                    continue
                seen.add((field_path, raw))
                shown = raw.replace("\n", "⏎")
                yield registry.problem(
                    "low",
                    "split_word",
                    record_id,
                    field_path,
                    f"{shown!r} looks like one word broken by a space or line break; proposed reading "
                    f"(not applied): {proposed}",
                    message_zh=f"“{shown}”疑为被空格或换行断开的词，可能应为“{proposed}”（未改动原文）",
                )


# --- vague_contact ---------------------------------------------------------------------

VAGUE_PLACE = re.compile(r"各地|各级|当地|所在地|就近|向社会公布|官网公示|另行公布|相关部门|有关部门")
DIGIT = re.compile(r"\d")


def vague_phone(number: str) -> bool:
    """A 'phone' with fewer than three digits names no number (各地医疗保障局官网公示电话)."""
    return len(DIGIT.findall(number)) < 3


def find_vague_contacts(registry: Registry):
    for kind in GUIDE_KINDS:
        for record in registry.of(kind):
            for i, phone in enumerate(record.phones):
                if vague_phone(phone.number):
                    yield registry.problem(
                        "medium",
                        "vague_contact",
                        record.id,
                        f"phones[{i}].number",
                        f"the phone {phone.number!r} gives no number to call",
                        message_zh=f"电话“{phone.number}”没有写出可拨打的号码",
                    )
            if record.place and VAGUE_PLACE.search(record.place):
                yield registry.problem(
                    "medium",
                    "vague_contact",
                    record.id,
                    "place",
                    f"the place {record.place[:60]!r} names no address to go to",
                    message_zh=f"办理地点“{record.place[:60]}”没有写出具体地址",
                )


# --- conflicting_time_limit --------------------------------------------------------------

_IMMEDIATE = re.compile(r"即时办结|即办|当场办结|当即办结|立即办结|即时")
_DAYS = re.compile(r"([0-9０-９]+|[一二两三四五六七八九十]+)\s*个?\s*(工作日|自然日|日|天)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0)
    return _CN_DIGITS.get(text, 0)


def days_of(text: str | None) -> int | None:
    """The time limit a text states, in days (0 for 即时办结), or None when it states none."""
    if not text:
        return None
    promised = re.search(r"承诺[^；;：:]{0,8}[：:]([^；;]+)", text)  # 法定…；承诺…: the promise is what is kept to
    if promised and promised.group(1) != text:
        return days_of(promised.group(1))
    match = _DAYS.search(text)
    if match:
        return _number(match.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return 0 if _IMMEDIATE.search(text) else None


def _process_limits(process):
    if days_of(process.time_limit) is not None:
        yield process.time_limit, days_of(process.time_limit)
    for step in process.steps:
        if "办结" in step or "时限" in step:
            days = days_of(step)
            if days is not None:
                yield step, days


def find_conflicting_time_limits(registry: Registry):
    """A process that takes longer than the guide's own 时限 promises (即时办结 against 1个工作日内办结)."""
    for kind in GUIDE_KINDS:
        for record in registry.of(kind):
            overall = days_of(record.time_limit)
            if overall is None:
                continue
            for i, process in enumerate(record.processes):
                for text, days in _process_limits(process):
                    if days > overall:
                        yield registry.problem(
                            "medium",
                            "conflicting_time_limit",
                            record.id,
                            f"processes[{i}]",
                            f"the time limit {record.time_limit!r} disagrees with {process.name}: {text[:60]!r}",
                            message_zh=f"办理时限“{record.time_limit}”与“{process.name}”中的“{text[:60]}”不一致",
                        )
                        break


# --- unresolved_handler ------------------------------------------------------------------


def find_unresolved_handlers(registry: Registry):
    for kind in GUIDE_KINDS:
        for record in registry.of(kind):
            for i, handling in enumerate(record.handling):
                if handling.unit is None and handling.agency is None:
                    yield registry.problem(
                        "medium",
                        "unresolved_handler",
                        record.id,
                        f"handling[{i}]",
                        f"the handler {handling.raw!r} resolves to no agency or unit in the registry",
                        message_zh=f"承办机构“{handling.raw}”无法对应到已知的机构或科室",
                    )


# --- issuer_not_named --------------------------------------------------------------------


def find_unnamed_issuers(registry: Registry):
    """A document whose text never names who issued it: the publisher is an inference."""
    for doc in registry.of("document"):
        publisher = registry.get(doc.publisher)
        names = [n for n in (doc.issuer, getattr(publisher, "name", None), *getattr(publisher, "aliases", [])) if n]
        try:
            text = registry.source_text(doc.file)
        except UnsafeFile:
            continue  # reported as an error by check_sources
        if doc.issuer_inferred or not any(name in text for name in names):
            yield registry.problem(
                "low",
                "issuer_not_named",
                doc.id,
                "issuer" if doc.issuer else "publisher",
                f"the text of {doc.file} never names who issued it; {doc.issuer or doc.publisher} is inferred",
                message_zh=f"文件正文未写明发文机关，“{doc.issuer or getattr(publisher, 'name', doc.publisher)}”系推断",
            )


# --- truncated (the document's own text stops mid-sentence) --------------------------------

_SENTENCE_END = "。！？；.!?;）)」』”\"'》】"


def ends_mid_sentence(line: str) -> bool:
    """A last line that stops inside a sentence: on a broken character, or on a Chinese character
    after a clause (a heading or a chart title, short and without punctuation, is not one)."""
    line = line.strip().split("\t")[-1].strip()  # the last cell of a table row
    if not line or line[-1] in _SENTENCE_END:
        return False
    if line.endswith("\ufffd"):
        return True
    return "\u4e00" <= line[-1] <= "\u9fff" and (len(line) >= 20 or any(c in line for c in "，、“（"))


def find_truncated_documents(registry: Registry):
    """A document whose text stops mid-sentence, and the records holding its last words."""
    for doc in registry.of("document"):
        try:
            lines = [line for line in registry.source_text(doc.file).splitlines() if line.strip()]
        except UnsafeFile:
            continue  # reported as an error by check_sources
        if not lines or not ends_mid_sentence(lines[-1]):
            continue
        last = lines[-1].strip()
        yield registry.problem(
            "medium",
            "truncated",
            doc.id,
            "file",
            f"the text of {doc.file} stops mid-sentence: {last[-30:]!r}",
            message_zh=f"源文件在句子中间中断：“{last[-30:]}”",
        )
        tail = re.sub(r"\s+", "", last.rstrip("\ufffd"))[-8:]
        for record_id, entry in registry.entries.items():
            source = getattr(entry.record, "source", None)
            if source is None or source.document != doc.id:
                continue
            for field_path, text in source_strings(entry.record):
                if len(tail) >= 4 and re.sub(r"\s+", "", text).endswith(tail):
                    yield registry.problem(
                        "medium",
                        "truncated",
                        record_id,
                        field_path,
                        f"{field_path} ends where the source stops mid-sentence: {text[-30:]!r}",
                        message_zh=f"内容止于源文件中断处：“{text[-30:]}”",
                    )


GUIDE_FINDING_RULES = [
    find_truncated_documents,
    find_split_words,
    find_vague_contacts,
    find_conflicting_time_limits,
    find_unresolved_handlers,
    find_unnamed_issuers,
]
