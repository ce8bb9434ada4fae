"""Cell values: a field value as the workbook shows it, and back.

- a blank cell is "no value" (the field's default); text that is really empty is written `""`
  (a cell holding only quote characters loses one pair on import);
- lists of values hold one value per line, or a JSON array when a value has a line break;
- true/false is 是/否, closed choices are their registry values (explained in the notes row).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from .sheets import LIST_SEPARATOR, Column

QUOTES_RE = re.compile(r'"{2,}')  # a cell of quote characters only: one pair is the escape
CHOICE_SPLIT_RE = re.compile(r"[、,，;；\s]+")
TRUE_WORDS = {"是", "true", "yes", "y", "1", "对", "√"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "×"}


class _Omit:
    def __repr__(self):
        return "OMIT"

    def __reduce__(self):  # one object, also after the trip back from the child process that parses a workbook
        return "OMIT"


OMIT = _Omit()


def encode(column: Column, value):
    """The cell value for a field value (text, a number or None)."""
    if value is None:
        return None
    kind = column.kind
    if kind in ("str", "parent"):
        value = str(value)
        if value == "" and column.blank_is_empty:
            return None
        if value == "" or QUOTES_RE.fullmatch(value):
            return f'"{value}"'
        return value
    if kind == "bool":
        return "是" if value else "否"
    if kind in ("int", "float", "position"):
        return value
    if kind == "choice":
        return str(value)
    if kind == "list":
        return _encode_list(column, value)
    if kind == "dict":
        return _encode_dict(value)
    return json.dumps(value, ensure_ascii=False)


def _encode_list(column: Column, items: list):
    if not items:
        return None
    texts = [item if isinstance(item, str) else str(item) for item in items]
    if column.item_kind == "choice":
        if all(t and not CHOICE_SPLIT_RE.search(t) for t in texts):
            return LIST_SEPARATOR.join(texts)
    elif all(t and "\n" not in t and "\r" not in t and t == t.strip() for t in texts) and not texts[0].startswith("["):
        return "\n".join(texts)
    return json.dumps(items, ensure_ascii=False)


def _encode_dict(mapping: dict):
    if not mapping:
        return None
    pairs = [(str(k), str(v)) for k, v in mapping.items()]
    plain = all(
        k and k == k.strip() and "=" not in k and "\n" not in k and "\n" not in v and v == v.strip() for k, v in pairs
    ) and not pairs[0][0].startswith("{")
    if plain:
        return "\n".join(f"{k}={v}" for k, v in pairs)
    return json.dumps(mapping, ensure_ascii=False)


def cell_text(raw) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat()
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def _number(raw, kind: str):
    if isinstance(raw, bool):
        return raw  # the model reports it
    if isinstance(raw, (int, float)):
        if kind in ("int", "position") and isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    text = cell_text(raw).strip()
    try:
        return int(text) if kind in ("int", "position") else float(text)
    except ValueError:
        return text


def decode(column: Column, raw):
    """The field value for a cell (OMIT: no value, the field's default applies)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.blank_is_empty:
            return ""
        return [] if column.kind == "list" and column.required else OMIT
    kind = column.kind
    if kind == "parent":
        return cell_text(raw).strip()
    if kind == "str":
        text = cell_text(raw)
        stripped = text.strip()
        return stripped[1:-1] if QUOTES_RE.fullmatch(stripped) else text
    if kind == "choice":
        text = cell_text(raw).strip()
        return next((c for c in column.choices if str(c) == text), text)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        word = cell_text(raw).strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else cell_text(raw)
    if kind in ("int", "float", "position"):
        return _number(raw, kind)
    if kind == "list":
        return _decode_list(column, raw)
    if kind == "dict":
        return _decode_dict(raw)
    text = cell_text(raw)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _decode_list(column: Column, raw) -> list:
    if not isinstance(raw, str):
        raw = cell_text(raw)
    stripped = raw.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError:
            items = None
        if isinstance(items, list):
            return items
    if column.item_kind == "choice":
        items = CHOICE_SPLIT_RE.split(stripped)
    else:
        items = [line.strip() for line in stripped.splitlines()]
    items = [item for item in items if item]
    if column.item_kind == "choice":
        return [next((c for c in column.choices if str(c) == item), item) for item in items]
    if column.item_kind in ("int", "float"):
        return [_number(item, column.item_kind) for item in items]
    return items


def _decode_dict(raw):
    text = cell_text(raw).strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    mapping = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if "=" not in line:
            return text  # the model reports "expected a mapping"
        key, value = line.split("=", 1)
        mapping[key.strip()] = value.strip()
    return mapping
