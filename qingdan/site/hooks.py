"""MkDocs hooks: keep the generated HTML out of Markdown, and put the drawings into the pages.

The generated pages are Markdown headings between blocks of HTML (`markup.block`). Python-Markdown
would pass those blocks through unchanged, but only after parsing them, which is most of its time:
`on_page_markdown` puts each such block aside behind a placeholder paragraph and `on_page_content`
puts it back, so Markdown sees only the headings (and still builds the table of contents).

The generated Markdown also holds an empty slot per drawing (`SiteContext.inline_svg`); the SVGs
are written beside the Markdown, in the folder named by `extra.qingdan_inline` of the generated
mkdocs.yml, and `on_post_page` fills the slots, so the drawings are never parsed at all.

The build fills every generated page into a shell itself (`shell.py`, with `set_aside`, `put_back`
and `fill_drawings` from here): MkDocs renders none, so the build leaves that folder empty. The
hooks are what MkDocs does with a generated page, which tests/test_shell.py compares the shells with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from markdown.util import BLOCK_LEVEL_ELEMENTS

SLOT = re.compile(r'<div class="qd-flow-scroll" data-qd-inline="([0-9a-f]{32})"></div>')
# a chunk (between blank lines) that starts with a block-level tag and ends with one's closing tag:
# Markdown would keep it as it is (a hand-written block with blank lines inside does not match)
_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)[\s>/]")
_CLOSE = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)>$")
_PLACEHOLDER = re.compile(r"<p>QDRAWBLOCK(\d+)QD</p>")
_BLOCK_LEVEL = set(BLOCK_LEVEL_ELEMENTS)
_set_aside: dict[str, list[str]] = {}


def is_raw_block(chunk: str) -> bool:
    opening, closing = _OPEN.match(chunk), _CLOSE.search(chunk)
    return bool(opening and closing and {opening.group(1).lower(), closing.group(1).lower()} <= _BLOCK_LEVEL)


def set_aside(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each raw HTML block replaced by a placeholder paragraph, and the blocks."""
    blocks: list[str] = []
    chunks = markdown.split("\n\n")
    for i, chunk in enumerate(chunks):
        if is_raw_block(chunk):
            chunks[i] = f"QDRAWBLOCK{len(blocks)}QD"
            blocks.append(chunk)
    if not blocks:
        return markdown, blocks
    return "\n\n".join(chunks), blocks


def put_back(html: str, blocks: list[str]) -> str:
    if not blocks:
        return html
    return _PLACEHOLDER.sub(lambda m: blocks[int(m.group(1))], html)


def on_page_markdown(markdown: str, page, config, files) -> str:
    text, blocks = set_aside(markdown)
    if blocks:
        _set_aside[page.file.src_uri] = blocks
    return text


def on_page_content(html: str, page, config, files) -> str:
    return put_back(html, _set_aside.pop(page.file.src_uri, None) or [])


@lru_cache(maxsize=4096)
def _svg(folder: str, key: str) -> str:
    path = Path(folder) / f"{key}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(f"qingdan: the drawing {path} for a page is missing; rebuild the site") from None


def fill_drawings(output: str, svg_of) -> str:
    """Each drawing's slot filled with `svg_of(key)` (focusable, so that a keyboard can scroll a
    drawing wider than the screen)."""
    if "data-qd-inline=" not in output:
        return output
    return SLOT.sub(lambda m: f'<div class="qd-flow-scroll" tabindex="0">{svg_of(m.group(1))}</div>', output)


def on_post_page(output: str, page, config) -> str:
    folder = (config.get("extra") or {}).get("qingdan_inline")
    return fill_drawings(output, lambda key: _svg(folder, key)) if folder else output
