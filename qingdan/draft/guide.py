"""A 办事指南 as text: sections 一、… 十、 (or a label line followed by value lines) into one service."""

from __future__ import annotations

import re

from ..models import Channel, Evidence, PublicService
from .context import Context, handling, note_of, phones
from .legal import split_legal_bases
from .model import Extracted, Paragraph

# field → the section labels guides print (compared without spaces)
LABELS: dict[str, tuple[str, ...]] = {
    "name": ("事项名称", "服务事项名称", "服务事项", "办理事项"),
    "category": ("事项类型", "事项类别"),
    "implementer": ("实施主体", "实施机关", "实施机构"),
    "legal_basis": ("设定依据", "法律依据", "办理依据", "实施依据", "设定和实施依据"),
    "applicants": ("申请对象", "服务对象", "适用对象", "办理对象"),
    "conditions": ("受理条件", "申请条件", "办理条件"),
    "materials": ("申请材料", "所需材料", "申请材料目录", "提交材料"),
    "process": ("办理流程", "办事流程", "办理程序", "办理步骤"),
    "time_limit": ("办理时限", "承诺时限", "法定时限", "承诺办结时限"),
    "fees": ("收费标准", "是否收费", "收费依据及标准", "收费情况"),
    "place": ("办理地点", "受理地点", "办公地址", "办理地址"),
    "handling": ("办理机构", "承办机构", "受理机构", "承办科室"),
    "phone": ("咨询电话", "联系电话", "咨询方式"),
    "supervision_phone": ("监督电话", "投诉电话", "监督投诉电话", "监督投诉方式"),
    "channel": ("办理方式", "申请方式", "网上办理地址"),
}
FIELD_OF = {label: field for field, labels in LABELS.items() for label in labels}
NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)\s*(?P<label>[^：:]{1,16})[：:]?\s*(?P<rest>.*)$"
)
LABEL_LINE = re.compile(r"^(?P<label>[^：:]{2,10})[：:]\s*(?P<rest>.*)$")
SIGNATURE = re.compile(r"^(?:\d{4}年\d{1,2}月(?:\d{1,2}日)?|[\u4e00-\u9fff]{2,20}(?:局|委员会|中心|政府|办公室))$")
ITEM_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.、．)]|[（(]\d{1,2}[)）]|[①-⑳])\s*")


def _heading(text: str) -> tuple[str, str, bool] | None:
    """(label, rest of line, numbered) when a paragraph opens a section."""
    match = NUMBERED.match(text)
    if match:
        return match["label"].replace(" ", ""), match["rest"], True
    match = LABEL_LINE.match(text)
    if match and match["label"].replace(" ", "") in FIELD_OF:
        return match["label"].replace(" ", ""), match["rest"], False
    if text.replace(" ", "") in FIELD_OF:
        return text.replace(" ", ""), "", False
    return None


def _sections(paragraphs: list[Paragraph]) -> list[tuple[str, list[str], Paragraph]]:
    sections: list[tuple[str, list[str], Paragraph]] = []
    for p in paragraphs:
        head = _heading(p.text)
        if head:
            label, rest, _ = head
            sections.append((label, [rest] if rest else [], p))
        elif sections:
            sections[-1][1].append(p.text)
    if sections:  # the issuer and date signed under the last section are not part of it
        lines = sections[-1][1]
        cut = next((i for i, line in enumerate(lines) if i and SIGNATURE.match(line)), len(lines))
        del lines[cut:]
    return sections


def is_guide(extracted: Extracted) -> bool:
    paragraphs = extracted.paragraphs
    if not paragraphs:
        return False
    known = sum(1 for label, _, _ in _sections(paragraphs) if label in FIELD_OF)
    return known >= 3 and (any("办事指南" in p.text or "服务指南" in p.text for p in paragraphs[:5]) or known >= 5)


def _items(lines: list[str]) -> list[str]:
    return [ITEM_NUMBER.sub("", line).strip() for line in lines if ITEM_NUMBER.sub("", line).strip()]


def build_guide(extracted: Extracted, title: str, ctx: Context) -> list[PublicService]:
    sections = _sections(extracted.paragraphs)
    values: dict[str, list[str]] = {}
    extras: dict[str, str] = {}
    for label, lines, _ in sections:
        field = FIELD_OF.get(label)
        if field:
            values.setdefault(field, []).extend(lines)
            ctx.mapped.add(label)
        else:
            extras[label] = "\n".join(lines)
            ctx.unmapped.add(label)

    def text(field: str) -> str | None:
        return "\n".join(values.get(field, [])) or None

    name = text("name") or re.sub(r"(办事|服务)指南$", "", title).strip() or title
    first = sections[0][2] if sections else extracted.paragraphs[0]
    return [
        PublicService(
            id=ctx.next_id("service"),
            agency=ctx.agency_id,
            name=name.split("\n")[0],
            category=text("category"),
            implementer=text("implementer"),
            applicants=text("applicants"),
            conditions=_items(values.get("conditions", [])),
            legal_bases=split_legal_bases(text("legal_basis") or ""),
            materials=[Evidence(name=item) for item in _items(values.get("materials", []))],
            time_limit=text("time_limit"),
            fees=text("fees"),
            place=text("place"),
            channels=[Channel(kind="other", detail=line) for line in values.get("channel", []) if line],
            process=_items(values.get("process", [])),
            handling=handling(text("handling") or ""),
            phones=phones(text("phone") or "") + phones(text("supervision_phone") or "", "supervision"),
            source=ctx.source(f"办事指南 {name.split(chr(10))[0]}", first.line),
            review=[ctx.draft_flag("name", name)],
            note=note_of(extras),
        )
    ]
