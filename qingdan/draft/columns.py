"""Column names as bureaus print them, mapped to the fields of our records; the header row found.

A header may sit below title rows, be split over two rows (事项 / 类型, or 项目名称 over 主项 and
子项) or have spaces inside a cell (事项 类型). Columns that map to no field are kept on the
record as a note, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Row, Table

# field → the names bureaus give its column (compared without spaces or line breaks)
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号"),
    "main_item": ("主项", "主项名称", "项目名称主项", "事项名称主项", "职权名称主项"),
    "name": (
        "事项名称",
        "职权名称",
        "项目名称",
        "权力名称",
        "权力事项名称",
        "权力事项",
        "服务事项",
        "服务事项名称",
        "公共服务事项",
        "公共服务事项名称",
        "事项",
        "子项",
        "子项名称",
        "项目名称子项",
        "事项名称子项",
        "职权名称子项",
    ),
    "category": (
        "事项类型",
        "职权类型",
        "项目类型",
        "类型",
        "事项类别",
        "职权类别",
        "权力类型",
        "权力类别",
        "类别",
        "主项类别",
    ),
    "implementer": ("实施主体", "实施部门", "执法主体", "法定主体", "实施机关", "行使主体"),
    "legal_basis": (
        "设定依据",
        "法律依据",
        "法律法规规章依据",
        "实施依据",
        "设定和实施依据",
        "依据",
        "相关依据",
        "法定依据",
        "设定依据及实施依据",
    ),
    "code": ("职权编码", "事项编码", "编码", "权力编码", "基本编码"),
    "handling": ("承办机构", "责任处室", "责任科室", "承办科室", "承办处室", "内设机构", "责任股室", "承办股室"),
    "remark": ("备注",),
    "duty": ("主要职责", "部门职责"),
    "work_item": ("具体工作事项", "工作事项"),
    "matter": ("管理事项", "职责边界事项", "边界事项"),
    "party": ("相关部门", "相关单位", "涉及部门"),
    "division": ("职责分工", "分工"),
    "case": ("案例", "典型案例"),
    "content": ("主要内容", "服务内容", "内容"),
    "phone": ("联系电话", "服务电话", "咨询电话", "电话", "联系方式"),
    "supervision_phone": ("监督电话", "投诉电话", "监督投诉电话"),
    "post": ("岗位名称", "岗位"),
    "function": ("岗位职能描述", "岗位职能"),
    "responsibility": ("岗位责任描述", "岗位责任"),
}
# Columns bureaus print that have no field of ours: recognised (to find the header), kept as a note.
KNOWN_UNMAPPED = (
    "行使层级",
    "指导部门",
    "主管部门",
    "责任事项",
    "追责情形",
    "追责依据",
    "专业类别",
    "办理时限",
    "收费标准",
    "职责",
    "权力运行流程",
    "监督方式",
    "责任主体",
    "行政相对人",
    "办理层级",
)
FIELD_OF = {name: field for field, names in COLUMNS.items() for name in names}
HEADER_SCAN_ROWS = 8


def normalise(name: str) -> str:
    return re.sub(r"[\s*＊:：]", "", name)


def field_for(name: str) -> str | None:
    return FIELD_OF.get(normalise(name))


def _known(names: list[str]) -> int:
    return sum(1 for n in set(map(normalise, names)) if n in FIELD_OF or n in KNOWN_UNMAPPED)


@dataclass
class Layout:
    """Where the header of a table is and what each column means."""

    header: list[str]  # column names as printed (two-row headers joined)
    fields: list[str | None]  # the field of each column, None where unmapped
    titles: list[Row]  # rows above the header (the list's title, its unit, its date)
    body: list[Row]  # rows below the header

    def column(self, field: str) -> int | None:
        return self.fields.index(field) if field in self.fields else None

    @property
    def mapped(self) -> list[str]:
        return [normalise(h) for h, f in zip(self.header, self.fields, strict=True) if f and h]

    @property
    def unmapped(self) -> list[str]:
        return [normalise(h) for h, f in zip(self.header, self.fields, strict=True) if not f and h]


def _joined(upper: list[str], lower: list[str]) -> list[str]:
    """A header split over two rows: each column's two parts, once each (merged cells repeat)."""
    out = []
    for a, b in zip(upper, lower + [""] * (len(upper) - len(lower)), strict=False):
        out.append(a if a == b or not b else (b if not a else a + b))
    return out


def find_layout(table: Table) -> Layout | None:
    """The header among the first rows: the first with two or more known column names."""
    for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        if _known(row.cells) < 2:
            continue
        header, start = row.cells, i + 1
        if start < len(table.rows):
            candidate = _joined(header, table.rows[start].cells)
            lower = table.rows[start].cells
            if _known(candidate) > _known(header) or (_known(lower) and not any(c.isdigit() for c in lower)):
                header, start = candidate, start + 1
        fields = [field_for(h) for h in header]
        seen: set[str] = set()
        for j, f in enumerate(fields):  # one column per field: a repeated name is kept as a note
            if f in seen:
                fields[j] = None
            seen.add(f)
        return Layout(header, fields, table.rows[:i], table.rows[start:])
    return None
