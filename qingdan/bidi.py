"""Bidi controls in registry text: kept in the registry, reported, shown as visible marks.

Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) change the order in which
the characters after them are displayed: a phone number or a name can read backwards, or text
can hide what it really says. A source may hold one (pasted from a word processor), so the
registry keeps the text as it is (fidelity); the validator reports it (`bidi_control`), and
pages, drawings and the feed show each as a mark such as [U+202E], which reorders nothing.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def mark(char: str) -> str:
    return f"[U+{ord(char):04X}]"


def visible(text: str) -> str:
    """`text` with each bidi control written as a visible mark; everything else as it is."""
    return BIDI_CONTROLS.sub(lambda match: mark(match.group()), text)
