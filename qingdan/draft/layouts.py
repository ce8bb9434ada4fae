"""The layouts a bureau's file may hold its records in, tried in turn; each yields (section, records).

A layout reader takes the extracted file, the list's title and the drafting context, and returns the
records it found by section (`powers`, `services`, …). `draft` runs every reader, so one file may hold
several layouts (a 责任清单 with tables and 事中事后监管 rules); the names say what was tried when a file
yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from .columns import find_layout
from .context import Context
from .guide import build_guide, is_guide
from .model import Extracted, Paragraph, Table
from .supervision import build_supervision
from .tables import BUILDERS, USES, table_kind

Found = list[tuple[str, list[BaseModel]]]


@dataclass(frozen=True)
class LayoutReader:
    name: str  # what a user is told was tried, in Chinese
    read: Callable[[Extracted, str, Context], Found]


HEADING = re.compile(r"^[一二三四五六七八九十]+、|清单|登记表|目录|一览表|事项|职责|指南")


def heading_before(blocks: list, index: int, layout) -> str:
    """The heading a table stands under: its own title rows, else the paragraph just before it."""
    for row in layout.titles:
        text = next((c for c in row.cells if c), "")
        if text and not re.fullmatch(r"[\d\s年月日\-./:：]+|.*(单位|日期|时间)[:：].*", text):
            return text
    for block in reversed(blocks[max(0, index - 3) : index]):
        if isinstance(block, Paragraph) and len(block.text) <= 60 and HEADING.search(block.text):
            return block.text
    return ""


def grid_tables(extracted: Extracted, title: str, ctx: Context) -> Found:
    """Tables with a header row of column names, one record per row (or per group of rows)."""
    found: Found = []
    for index, block in enumerate(extracted.blocks):
        if not isinstance(block, Table):
            continue
        layout = find_layout(block, ctx.overrides)
        if layout is None:
            continue
        heading = heading_before(extracted.blocks, index, layout)
        kind = table_kind(layout, heading or title)
        if kind is None:
            continue
        ctx.layouts.append(layout)
        ctx.mapped.update(layout.mapped(USES[kind]))
        ctx.unmapped.update(layout.unmapped(USES[kind]))
        found.append((kind, BUILDERS[kind](layout, heading or title, ctx)))
    return found


def supervision_parts(extracted: Extracted, title: str, ctx: Context) -> Found:
    """The 事中事后监管 part of a 责任清单: numbered rules with their sections."""
    rules = build_supervision(extracted, ctx)
    return [("supervision_rules", rules)] if rules else []


def guide_sections(extracted: Extracted, title: str, ctx: Context) -> Found:
    """A 办事指南: labelled sections (一、事项名称 … or a label line and its value lines)."""
    return [("services", build_guide(extracted, title, ctx))] if is_guide(extracted) else []


LAYOUTS: tuple[LayoutReader, ...] = (
    LayoutReader("带表头的表格（每行一条）", grid_tables),
    LayoutReader("事中事后监管制度（编号条目）", supervision_parts),
    LayoutReader("办事指南（一、二、… 分节或“标签：内容”）", guide_sections),
)
