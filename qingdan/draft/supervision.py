"""The 事中事后监管 part of a 责任清单: rules （一）… (or 1、… under a group), each with its sections 一、…."""

from __future__ import annotations

import re

from ..models import Section, SupervisionRule
from .context import Context
from .model import Extracted

PART = re.compile(r"事中事后监")
RULE = re.compile(r"^(?P<seq>（[一二三四五六七八九十]+）|\d{1,2}[、.．])\s*(?P<title>[^。；，,;：:]{2,40})$")
SECTION = re.compile(r"^(?:[一二三四五六七八九十]+、\s*\S[^。；]{0,28}|监督检查[^。；，]{0,8})$")
LABELLED = re.compile(r"^(?P<label>[^：:。；，]{1,6})[：:](?P<value>[^。；]{1,40})$")
PART_END = re.compile(r"登记表|清单")


def build_supervision(extracted: Extracted, ctx: Context) -> list[SupervisionRule]:
    """Rules as printed; sections keep their headings and lines. A group heading with no text of its own
    (（二）对其他事项的事中事后监管措施 over 1、2、3、) numbers its rules （二）1, （二）2 …"""
    paragraphs = extracted.paragraphs
    start = next((i for i, p in enumerate(paragraphs) if PART.search(p.text) and len(p.text) <= 30), None)
    if start is None:
        return []
    heading = paragraphs[start].text
    found: list[dict] = []
    group, next_rule, next_sub = "", 1, 1
    for paragraph in paragraphs[start + 1 :]:
        text = paragraph.text
        if PART_END.search(text) and len(text) <= 30:
            break  # the next part of the list
        rule = RULE.match(text)
        number = _number(rule["seq"]) if rule else None
        if rule and rule["seq"].startswith("（") and number == next_rule and not _continues_items(found, number):
            group, next_rule, next_sub = rule["seq"], next_rule + 1, 1
            found.append({"seq": group, "title": rule["title"], "line": paragraph.line, "sections": []})
            continue
        in_group = bool(found) and found[-1]["seq"].startswith(group) and group
        if rule and not rule["seq"].startswith("（") and number == next_sub and in_group and _is_group(found, group):
            next_sub += 1
            found.append({"seq": f"{group}{number}", "title": rule["title"], "line": paragraph.line, "sections": []})
            continue
        if not found:
            continue
        sections = found[-1]["sections"]
        labelled = LABELLED.match(text)
        if SECTION.match(text):
            sections.append([text, []])
        elif labelled:  # 单位：衡水市医疗保障局 — a one-line section of its own
            sections.extend([[labelled["label"], [labelled["value"]]], [None, []]])
        else:
            if not sections:
                sections.append([None, []])
            sections[-1][1].append(text)
    rules = []
    for item in found:
        sections = [Section(heading=h, text="\n".join(lines)) for h, lines in item["sections"] if lines]
        if not sections:
            continue  # a group heading: its rules follow
        scope = next((s.text for s in sections if s.heading and "对象" in s.heading), None)
        rules.append(
            SupervisionRule(
                id=ctx.next_id("rule"),
                agency=ctx.agency_id,
                seq=item["seq"],
                title=item["title"],
                scope=scope,
                sections=sections,
                source=ctx.source(f"{heading} {item['seq']}", item["line"]),
                review=[ctx.draft_flag("title", item["title"])],
            )
        )
    return rules


NUMERALS = "一二三四五六七八九十"


def _number(seq: str) -> int | None:
    digits = seq.strip("（）、.．")
    if digits.isdigit():
        return int(digits)
    return NUMERALS.index(digits) + 1 if len(digits) == 1 and digits in NUMERALS else None


def _continues_items(found: list[dict], number: int) -> bool:
    """Whether （N） goes on a list of （N-1）… items inside the current section rather than starting a rule."""
    if not found or not found[-1]["sections"] or number < 2:
        return False
    previous = f"（{NUMERALS[number - 2]}）"
    return any(line.startswith(previous) for line in found[-1]["sections"][-1][1])


def _is_group(found: list[dict], group: str) -> bool:
    """Whether the rule numbered `group` is a heading over numbered rules (it has no text of its own)."""
    head = next(item for item in found if item["seq"] == group)
    return not head["sections"]
