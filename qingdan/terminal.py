"""Text for a terminal: control codes and bidi overrides from the registry shown, never obeyed."""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, bidi marks, embeddings, overrides and isolates, line separators.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with each unsafe character written as an escape (`\\x1b`, `\\u202e`): one line, inert."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
