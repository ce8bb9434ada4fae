"""MkDocs hook: put the drawings (flowcharts, relation graphs) into the rendered pages.

The generated Markdown holds an empty slot per drawing (`SiteContext.inline_svg`); the SVGs
are written beside the Markdown, in the folder named by `extra.qingdan_inline` of the
generated mkdocs.yml. Filling the slots after rendering (`on_post_page`, which runs after the
search plugin has indexed the page) keeps the drawings out of Markdown parsing and search
indexing, where they cost time and would add nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SLOT = re.compile(r'<div class="qd-flow-scroll" data-qd-inline="([0-9a-f]{32})"></div>')


@lru_cache(maxsize=4096)
def _svg(folder: str, key: str) -> str:
    path = Path(folder) / f"{key}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(f"qingdan: the drawing {path} for a page is missing; rebuild the site") from None


def on_post_page(output: str, page, config) -> str:
    folder = (config.get("extra") or {}).get("qingdan_inline")
    if not folder or "data-qd-inline=" not in output:
        return output
    # focusable, so that a keyboard can scroll a drawing wider than the screen
    return SLOT.sub(lambda m: f'<div class="qd-flow-scroll" tabindex="0">{_svg(folder, m.group(1))}</div>', output)
