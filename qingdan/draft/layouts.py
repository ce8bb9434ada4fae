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

from . import vertical
from .columns import find_layout
from .context import Context
from .flattened import read_flattened
from .flowdoc import is_flowdoc, read_flowcharts
from .guide import build_guide, is_guide
from .model import Extracted, Paragraph, Table
from .supervision import build_supervision
from .tables import BUILDERS, USES, split_services, table_kind
from .vocabulary import simplified

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
        if text and not re.fullmatch(r"[\d\s年月日\-./:：]+|.*(单位|日期|时间)[:：].*", simplified(text)):
            return text
    for block in reversed(blocks[max(0, index - 3) : index]):
        # 不予處罰清單 is a heading as 不予处罚清单 is: its words read in simplified characters
        if isinstance(block, Paragraph) and len(block.text) <= 60 and HEADING.search(simplified(block.text)):
            return block.text
    return ""


def grid_tables(extracted: Extracted, title: str, ctx: Context) -> Found:
    """Tables with a header row of column names, one record per row (or per group of rows)."""
    found: Found = []
    for index, block in enumerate(extracted.blocks):
        if not isinstance(block, Table) or vertical.is_label_table(block, ctx.overrides):
            continue  # a label/value table is a form (`label_tables`), whatever row looks like a header
        layout = find_layout(block, ctx.overrides)
        if layout is None:
            continue
        heading = heading_before(extracted.blocks, index, layout)
        kind = table_kind(layout, heading or title)
        if kind is None:
            continue
        ctx.layouts.append(layout)
        ctx.tables_read.append(block)
        ctx.mapped.update(layout.mapped(USES[kind]))
        ctx.unmapped.update(layout.unmapped(USES[kind]))
        defects = len(ctx.defects)
        if kind == "powers" and (parts := split_services(layout)):  # 事项类型 公共服务 rows are services
            found.append(("services", BUILDERS["services"](parts[1], heading or title, ctx)))
            layout = parts[0]
        found.append((kind, BUILDERS[kind](layout, heading or title, ctx)))
        if not any(d.kind == "truncated" for d in ctx.defects[defects:]):
            vertical.cut_off(layout.header, layout.body, heading or title, ctx)  # the last row stops mid-sentence
    return found


def supervision_parts(extracted: Extracted, title: str, ctx: Context) -> Found:
    """The 事中事后监管 part of a 责任清单: numbered rules with their sections."""
    rules = build_supervision(extracted, ctx)
    return [("supervision_rules", rules)] if rules else []


def _unread(extracted: Extracted, ctx: Context) -> Extracted:
    """The file without the tables already read as lists: a list's rows of 检查对象 | 事项类别 | … cells are
    not the label/value rows of a 办事指南, whatever their cells say."""
    if not ctx.tables_read:
        return extracted
    read = {id(t) for t in ctx.tables_read}
    return Extracted([b for b in extracted.blocks if id(b) not in read], extracted.text)


def _form_not_guide(extracted: Extracted, ctx: Context) -> bool:
    """Whether the file's label/value form is a list's form (职权名称, 职权类型, 法定主体, 责任事项 …), not a
    办事指南: it prints no element only a guide has (受理条件, 申请材料, 办理时限, 办理地点 …)."""
    keys = vertical.form_keys(extracted, ctx.overrides)
    return bool(keys) and not keys & vertical.GUIDE_KEYS


def label_tables(extracted: Extracted, title: str, ctx: Context) -> Found:
    """Tables whose first column holds labels and the next their values: one record per block of labels
    (in a 办事指南, the guide reader reads its label/value tables with the rest of the guide)."""
    rest = _unread(extracted, ctx)
    if is_guide(rest) and not _form_not_guide(rest, ctx):
        return []
    return vertical.table_forms(extracted, title, ctx)


def label_lines(extracted: Extracted, title: str, ctx: Context) -> Found:
    """A label line, then its value lines, block after block (a flowchart file's lines are read with its charts,
    a 办事指南's by the guide reader)."""
    rest = _unread(extracted, ctx)
    if is_flowdoc(extracted) or (is_guide(rest) and not _form_not_guide(rest, ctx)):
        return []
    return vertical.paragraph_forms(extracted, title, ctx)


def guide_sections(extracted: Extracted, title: str, ctx: Context) -> Found:
    """A 办事指南: labelled sections (一、事项名称 … or a label line and its value lines)."""
    rest = _unread(extracted, ctx)
    if not is_guide(rest) or is_flowdoc(extracted) or _form_not_guide(rest, ctx):
        return []  # a flowchart file's 承办机构 … lines, a list's form of 职权名称 … are read above
    return [("services", build_guide(rest, title, ctx))]


LAYOUTS: tuple[LayoutReader, ...] = (
    LayoutReader("带表头的表格（每行一条）", grid_tables),
    LayoutReader("标签—内容表格（首列为栏目名）", label_tables),
    LayoutReader("竖排表单（栏目名一行、内容一行，逐条重复）", label_lines),
    LayoutReader("网页表格转成的文字（表头一行，各条以空格分隔）", read_flattened),
    LayoutReader("行政职权运行流程图（职权名称、流程、承办机构、电话）", read_flowcharts),
    LayoutReader("事中事后监管制度（编号条目）", supervision_parts),
    LayoutReader("办事指南（一、二、… 分节或“标签：内容”）", guide_sections),
)
