"""The workbook layout, derived from the models: sheets, columns, notes and choices.

Walking `model_fields` generically means a new field appears in the workbook without editing
this code:

- scalars (text, numbers, true/false, closed choices) → one column each;
- a single nested model (`source`) → its fields flattened into columns (来源文件, 来源位置, 来源行);
- a list of plain values → one cell, one value per line;
- a mapping of plain values → one cell, one `key=value` per line;
- a list of nested models → a child sheet whose rows name their parent (所属ID) and position (顺序).
  Child sheets are shared by every parent with the same list field of the same model (one
  审核标记 sheet for the review flags of every kind), which works because IDs are unique.
- anything else → one cell holding JSON.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..labels import field_key, zh_label
from ..models import ID_PATTERN, KIND, KIND_OF_SECTION, KINDS, RECORD_KINDS, Ref
from .labels import (
    FIELDS,
    ID_RULE,
    PATTERNS_ZH,
    VALUE_HINTS,
)

PARENT_LABEL = "所属ID"
POSITION_LABEL = "顺序"
TRAILING_FIELDS = ("source", "note")  # shown after a record's own fields
LIST_SEPARATOR = "、"  # between values of a multi-choice cell (办理层级: B、C)
MAX_COMBINATIONS = 4  # offer every combination in the drop-down up to this many values


@dataclass(eq=False)
class Column:
    path: tuple[str, ...]  # YAML keys (aliases): ("code",), ("source", "line")
    label: str
    note: str
    kind: str  # str int float bool choice list dict json parent position
    required: bool = False
    blank_is_empty: bool = False  # a blank cell means "" (required text that may be empty)
    choices: tuple[str, ...] = ()  # closed values (choice, or items of a list)
    item_kind: str | None = None  # for list: str int float choice
    ref: str | None = None  # referenced record kind

    @property
    def dropdown(self) -> tuple[str, ...]:
        """The values offered in the cell's drop-down list."""
        if self.kind == "bool":
            return ("是", "否")
        if self.kind == "choice":
            return self.choices
        if self.kind == "list" and self.item_kind == "choice":
            if len(self.choices) <= MAX_COMBINATIONS:
                return tuple(
                    LIST_SEPARATOR.join(c)
                    for n in range(1, len(self.choices) + 1)
                    for c in combinations(self.choices, n)
                )
            return self.choices
        return ()


@dataclass(eq=False)
class Sheet:
    name: str
    model: type[BaseModel]
    section: str | None = None  # top-level sheets: the YAML section
    list_key: str | None = None  # child sheets: the parents' list field (YAML key)
    columns: list[Column] = field(default_factory=list)
    children: list[tuple[str, bool, Sheet]] = field(default_factory=list)  # (key, required, sheet)
    parents: list[Sheet] = field(default_factory=list)

    @property
    def is_child(self) -> bool:
        return self.section is None

    @property
    def has_id(self) -> bool:
        return "id" in self.model.model_fields

    def column(self, path: tuple[str, ...]) -> Column | None:
        return next((c for c in self.columns if c.path == path), None)


@dataclass
class Layout:
    sheets: list[Sheet]  # in workbook order

    def by_name(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    def top(self, section: str) -> Sheet:
        return next(s for s in self.sheets if s.section == section)

    @property
    def top_sheets(self) -> list[Sheet]:
        return [s for s in self.sheets if not s.is_child]


# --- types ---------------------------------------------------------------------------------


@dataclass
class _Type:
    core: object
    optional: bool
    meta: list


def _unwrap(annotation) -> _Type:
    meta: list = []
    optional = False
    tp = annotation
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            meta.extend(tp.__metadata__)
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(tp))
            if len(args) == 1:
                tp = args[0]
                continue
        break
    return _Type(tp, optional, meta)


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _scalar_kind(tp) -> str | None:
    if typing.get_origin(tp) is typing.Literal:
        return "choice"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is str:
        return "str"
    return None


def _all_meta(info: FieldInfo, unwrapped: _Type) -> list:
    meta = [info] + list(info.metadata) + list(unwrapped.meta)
    for item in list(meta):
        if isinstance(item, FieldInfo):
            meta.extend(item.metadata)
    return meta


def _ref(meta: list) -> str | None:
    return next((m.kind for m in meta if isinstance(m, Ref)), None)


def _min_length(meta: list) -> int:
    return max([getattr(m, "min_length", 0) or 0 for m in meta] or [0])


def _pattern(meta: list) -> str | None:
    for m in meta:
        pattern = getattr(m, "pattern", None)
        if isinstance(pattern, str):
            return pattern
        extra = getattr(m, "json_schema_extra", None)
        if isinstance(extra, dict) and isinstance(extra.get("pattern"), str):
            return extra["pattern"]
    return None


def _constrained(meta: list) -> bool:
    """Whether anything beyond the type checks the value (a length, a pattern, a validator)."""
    return (
        _min_length(meta) > 0 or _pattern(meta) is not None or any(type(m).__name__.endswith("Validator") for m in meta)
    )


def _description(info: FieldInfo, meta: list) -> str | None:
    if info.description:
        return info.description
    return next((m.description for m in meta if isinstance(m, FieldInfo) and m.description), None)


# --- labels and notes ------------------------------------------------------------------------


def label_for(
    model: type[BaseModel],
    name: str,
    key: str,
    info: FieldInfo,
    meta: list,
    prefix: str | None = None,
    prefix_label: str | None = None,
) -> tuple[str, str]:
    """(column label, what it holds) from the label table, else from the field's description.

    A field of a flattened model (`source.line`) has its own entry ("source.line"), or is named
    after the field holding the model (来源·行号)."""
    if prefix and f"{prefix}.{key}" in FIELDS:
        return FIELDS[f"{prefix}.{key}"]
    for candidate in (f"{model.__name__}.{key}", f"{model.__name__}.{name}", key, name):
        if candidate in FIELDS:
            label, what = FIELDS[candidate]
            break
    else:
        description = _description(info, meta)
        label, what = (description or key), (description or key)
    if prefix:
        label = f"{prefix_label or prefix}·{label}"
    return label, what


def _choices_note(key: str, values: tuple[str, ...]) -> str:
    """Each value with its label (and a hint where one helps), e.g. common（共同材料，每个申请人都要提交）."""
    notes = []
    for value in values:
        words = [w for w in (zh_label(key, value), VALUE_HINTS.get(key, {}).get(value)) if w and w != value]
        notes.append(f"{value}（{'，'.join(words)}）" if words else value)
    return "可选值：" + "；".join(notes)


def _note(what: str, column: Column, pattern: str | None, default, key: str) -> str:
    parts = [what]
    if column.blank_is_empty:
        parts.append("必填列，原件空白时可留空")
    elif column.required:
        parts.append("必填")
    elif default not in (None, [], {}):
        shown = ("是" if default else "否") if isinstance(default, bool) else default
        parts.append(f"选填，留空即“{shown}”")
    else:
        parts.append("选填")
    if column.kind == "choice":
        parts.append("从下拉列表选择。" + _choices_note(key, column.choices))
    elif column.kind == "bool":
        parts.append("填“是”或“否”")
    elif column.kind in ("int", "float"):
        parts.append("填数字")
    elif column.kind == "list":
        if column.item_kind == "choice":
            parts.append(f"可多选，用“{LIST_SEPARATOR}”隔开或每行一项。" + _choices_note(key, column.choices))
        else:
            parts.append("每行一项（单元格内换行：Alt+Enter）")
    elif column.kind == "dict":
        parts.append("每行一项，写成 键=值，如 B=行政处罚")
    elif column.kind == "json":
        parts.append("JSON 格式")
    if column.path == ("id",) and column.ref is None:
        parts.append(ID_RULE)
    elif column.ref:
        parts.append(
            f"填写已有的{KIND[column.ref].zh if column.ref in KIND else column.ref}ID（本工作簿或“可引用ID”表中）"
        )
    elif pattern and pattern != ID_PATTERN:
        parts.append("格式：" + PATTERNS_ZH.get(pattern, pattern))
    return "。".join(p.rstrip("。") for p in parts) + "。"


# --- the walk --------------------------------------------------------------------------------


def _columns(
    model: type[BaseModel],
    builder: _Builder,
    sheet: Sheet,
    prefix: tuple[str, ...] = (),
    prefix_label: str | None = None,
    prefix_required: bool = True,
) -> None:
    fields = list(model.model_fields.items())
    if not prefix:  # a record's own fields first, provenance and notes last
        fields.sort(key=lambda item: TRAILING_FIELDS.index(item[0]) + 1 if item[0] in TRAILING_FIELDS else 0)
    for name, info in fields:
        key = info.alias or name
        unwrapped = _unwrap(info.annotation)
        meta = _all_meta(info, unwrapped)
        core = unwrapped.core
        required = info.is_required() and prefix_required
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        label, what = label_for(
            model, name, key, info, meta, prefix=".".join(prefix) or None, prefix_label=prefix_label
        )
        origin = typing.get_origin(core)
        column = Column(path=prefix + (key,), label=label, note="", kind="json", required=required, ref=_ref(meta))
        if _is_model(core):
            if prefix:  # a model inside a flattened model: one JSON cell
                column.kind = "json"
            else:
                _columns(core, builder, sheet, (key,), prefix_label=label, prefix_required=required)
                continue
        elif origin is list:
            item = _unwrap(typing.get_args(core)[0])
            if _is_model(item.core):
                if prefix:
                    column.kind = "json"
                else:
                    child = builder.child(sheet, key, item.core, label, what)
                    sheet.children.append((key, required, child))
                    continue
            elif _scalar_kind(item.core):
                column.kind = "list"
                column.item_kind = _scalar_kind(item.core)
                if column.item_kind == "choice":
                    column.choices = tuple(typing.get_args(item.core))
                column.ref = column.ref or _ref(item.meta)
        elif origin is dict:
            key_type, value_type = (_unwrap(a).core for a in typing.get_args(core))
            column.kind = "dict" if key_type is str and _scalar_kind(value_type) in ("str", "int") else "json"
        elif _scalar_kind(core):
            column.kind = _scalar_kind(core)
            if column.kind == "choice":
                column.choices = tuple(typing.get_args(core))
            if column.kind == "str" and required and not _constrained(meta):
                column.blank_is_empty = True
        column.note = _note(what, column, _pattern(meta), default, field_key(model, name))
        sheet.columns.append(column)


class _Builder:
    def __init__(self):
        self.top: list[Sheet] = []
        self.children: dict[tuple[str, type], Sheet] = {}
        self.names: set[str] = {kind.zh for kind in KINDS if kind.section}

    def child(self, parent: Sheet, key: str, model: type[BaseModel], label: str, what: str) -> Sheet:
        sheet = self.children.get((key, model))
        if sheet is None:
            name = self._unique_name(label, parent)
            sheet = Sheet(name=name, model=model, list_key=key)
            self.children[(key, model)] = sheet
            parent_note = (
                f"上级记录的ID（{parent.name}等表的ID列）"
                if parent.has_id
                else f"上级行的键（上级ID/{parent.name}/顺序）"
            )
            sheet.columns.append(
                Column(
                    ("#parent",), PARENT_LABEL, f"本行所属的上级记录。{parent_note}。必填。", "parent", required=True
                )
            )
            sheet.columns.append(
                Column(
                    ("#position",),
                    POSITION_LABEL,
                    f"在同一上级记录的{label}中的排列顺序，从1开始。选填，留空排在最后。",
                    "position",
                )
            )
            _columns(model, self, sheet)
        if parent not in sheet.parents:
            sheet.parents.append(parent)
        return sheet

    def _unique_name(self, label: str, parent: Sheet) -> str:
        name = _sheet_name(label)
        if name in self.names:
            name = _sheet_name(f"{parent.name}-{label}")
        base, n = name, 2
        while name in self.names:
            name = _sheet_name(f"{base}{n}")
            n += 1
        self.names.add(name)
        return name


def _sheet_name(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, "_")
    return text[:31]


@cache
def layout() -> Layout:
    builder = _Builder()
    sheets = {kind.section: kind.zh for kind in sorted(KINDS, key=lambda kind: kind.sheet_last) if kind.section}
    order = list(sheets) + [s for s in RECORD_KINDS if s not in sheets]
    for section in order:
        if section not in RECORD_KINDS:
            continue
        name = sheets.get(section) or _sheet_name(section)
        builder.names.add(name)
        sheet = Sheet(name=name, model=RECORD_KINDS[section], section=section)
        builder.top.append(sheet)
    for sheet in builder.top:
        _columns(sheet.model, builder, sheet)
        _unique_labels(sheet)
    for sheet in builder.children.values():
        _unique_labels(sheet)
    return Layout(_ordered(builder.top))


def _unique_labels(sheet: Sheet) -> None:
    seen: set[str] = set()
    for column in sheet.columns:
        if column.label in seen:
            column.label = f"{column.label}（{'.'.join(column.path)}）"
        seen.add(column.label)


def _ordered(top: list[Sheet]) -> list[Sheet]:
    """Top-level sheets in order; each child sheet after the last sheet that holds it."""

    def descendants(sheet: Sheet, out: list[Sheet]) -> list[Sheet]:
        for _, _, child in sheet.children:
            if child not in out:
                out.append(child)
                descendants(child, out)
        return out

    last: dict[int, int] = {}
    for position, sheet in enumerate(top):
        for child in descendants(sheet, []):
            last[id(child)] = position
    result: list[Sheet] = []
    placed: set[int] = set()
    for position, sheet in enumerate(top):
        result.append(sheet)
        for child in descendants(sheet, []):
            if last[id(child)] == position and id(child) not in placed:
                result.append(child)
                placed.add(id(child))
    return result


def kind_of_section(section: str) -> str:
    return KIND_OF_SECTION.get(section, section)
