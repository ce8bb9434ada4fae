"""What every record builder needs: the agency, the document, known code schemes, and what was seen."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..models import CodeScheme, Handling, Phone, ReviewFlag, Source, SourceDefect

SPLIT_NAMES = re.compile(r"[、，,；;／/\n]+")
# a number as lists print it: an area code and a dash (or a space), an extension (转 / -), a mobile, a 123xx hotline
PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}\s*[-－—\s]\s*)?\d{5,8}(?:\s*(?:[-－—]|转)\s*\d{1,5})?(?![\d])|1[3-9]\d{9}")
HOTLINE = re.compile(r"^123\d\d$")


def phone_type(number: str, kind: str) -> str:
    """A public service hotline (12345, 12393 …) is typed as one, whatever its column or section says."""
    return "hotline" if HOTLINE.match(re.sub(r"\D", "", number)) and "-" not in number else kind


@dataclass
class Context:
    agency_id: str
    agency_name: str
    document_id: str
    schemes: list[CodeScheme]
    aliases: set[str] = field(default_factory=set)
    counters: Counter = field(default_factory=Counter)
    mapped: set[str] = field(default_factory=set)
    unmapped: set[str] = field(default_factory=set)
    defects: list[SourceDefect] = field(default_factory=list)  # of the document, e.g. a table cut off
    overrides: dict[str, str] = field(default_factory=dict)  # --columns: normalised label → element key
    layouts: list = field(default_factory=list)  # the table layouts read (columns.Layout), for --dry-run
    tables_read: list = field(default_factory=list)  # the tables read as lists (one record per row)

    def next_id(self, kind: str) -> str:
        self.counters[kind] += 1
        return f"{self.agency_id}-{kind}-{self.counters[kind]}"

    def source(self, locator: str, line: int) -> Source:
        return Source(document=self.document_id, locator=locator, line=line or None)

    def draft_flag(self, field_name: str, raw: str) -> ReviewFlag:
        return ReviewFlag(
            field=field_name,
            raw=raw or "（空）",
            problem="draft",
            explanation="由 qingdan draft 从源文件自动提取，请对照原件核对后删去本标记",
        )

    def is_self(self, name: str) -> bool:
        """Whether a name printed in the list means the drafting agency itself (医保局 for 某县医疗保障局)."""
        name = re.sub(r"\s", "", name or "")
        if not name or not self.agency_name:
            return False
        if name == self.agency_name or name in self.aliases:
            return True
        if name[-1] != self.agency_name[-1] or len(name) < 2:
            return False
        rest = iter(self.agency_name)
        return all(ch in rest for ch in name)  # its characters in order: a short form of the full name

    def scheme_for(self, code: str) -> str | None:
        for scheme in self.schemes:
            try:
                if re.fullmatch(scheme.pattern, code):
                    return scheme.id
            except re.error:
                continue
        return None


def handling(text: str) -> list[Handling]:
    return [Handling(raw=part.strip()) for part in SPLIT_NAMES.split(text or "") if part.strip()]


def phones(text: str, kind: str = "service") -> list[Phone]:
    text = (text or "").strip()
    if not text:
        return []
    numbers = PHONE.findall(text)
    return [Phone(number=n.strip(), kind=phone_type(n, kind)) for n in numbers] or [Phone(number=text, kind=kind)]


def note_of(extras: dict[str, str]) -> str | None:
    """Columns that map to no field, kept on the record as they were printed."""
    parts = [f"{name}：{value}" for name, value in extras.items() if value]
    return ("源文件中未对应字段的栏目——" + "；".join(parts)) if parts else None
