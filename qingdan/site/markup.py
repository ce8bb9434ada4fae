"""HTML helpers for generated pages. Every piece of registry text goes through `esc`.

Pages are Markdown files whose content is fixed Chinese headings (Markdown, so they reach
the table of contents) and raw HTML blocks holding registry text escaped with
`html.escape`: Markdown does not touch raw HTML blocks, so `*`, `_`, `[`, `|` and `<script>`
in a name show as the characters they are.
"""

from __future__ import annotations

import html
import json
import posixpath
import re

from ..bidi import BIDI_CONTROLS, visible

NOT_STATED = "源文件未载明"
NS = f'<span class="qd-ns">{NOT_STATED}</span>'


# Characters `str.splitlines` (and JavaScript before ES2019, and YAML) take for line ends, beyond \n and \r: in JSON
# and front matter they are written as \\u escapes, in HTML U+2028 and U+2029 as character references, so no later
# step splits a string or a script at them.
SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_HTML_SEPARATORS = re.compile("[\u2028\u2029]")


def json_safe(raw: str) -> str:
    """JSON text with every line or paragraph separator as a \\u escape (the data is unchanged)."""
    return SEPARATORS.sub(lambda match: f"\\u{ord(match.group()):04x}", raw)


def esc(value) -> str:
    """HTML-escaped text; bidi controls shown as visible marks (see qingdan/bidi.py); U+2028 and U+2029 as
    character references."""
    escaped = html.escape(visible(str(value)), quote=True)
    return _HTML_SEPARATORS.sub(lambda match: f"&#x{ord(match.group()):x};", escaped)


def text(value, empty: str = NS) -> str:
    """Escaped text with line breaks kept; `empty` (the not-stated notice) when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return empty
    return "<br>".join(esc(line) for line in str(value).splitlines())


def rel(from_url: str, to_url: str) -> str:
    """Relative address from the page at `from_url` to `to_url` (both site-relative).

    Page addresses end in '/' (directory URLs); '' is the home page; files have no slash.
    """
    if to_url.startswith("#"):
        return to_url
    target, _, fragment = to_url.partition("#")
    is_dir = target == "" or target.endswith("/")
    start = from_url.rstrip("/") or "."
    if not from_url.endswith("/") and from_url:
        start = posixpath.dirname(from_url) or "."
    path = _relpath(target.rstrip("/") or ".", start)
    if is_dir:
        path = "./" if path == "." else path + "/"
    return path + (f"#{fragment}" if fragment else "")


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for two site-relative paths, without its two getcwd() calls (a page has
    hundreds of links)."""
    if "." in path + start or "//" in path + start or "/" in (path[:1], start[:1]):  # (rare) normalise first
        path, start = posixpath.normpath(path), posixpath.normpath(start)
        if path.startswith(("/", "..")) or start.startswith(("/", "..")):
            return posixpath.relpath(path, start)
    to = [] if path == "." else path.split("/")
    here = [] if start == "." else start.split("/")
    if to and here and to[0] != here[0]:  # most links: to another folder
        return "../" * len(here) + path
    common = 0
    while common < min(len(to), len(here)) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def a(from_url: str, to_url: str | None, label_html: str, cls: str | None = None) -> str:
    """A link, or the bare label when there is nowhere to link to."""
    if not to_url and to_url != "":
        return label_html
    klass = f' class="{cls}"' if cls else ""
    return f'<a href="{esc(rel(from_url, to_url))}"{klass}>{label_html}</a>'


def block(*parts: str) -> str:
    """A raw HTML block: one element per line is fine, blank lines are not (they would end it)."""
    joined = "\n".join(p for p in parts if p)
    return "\n".join(line for line in joined.splitlines() if line.strip())


def heading(title: str, anchor: str, level: int = 2) -> str:
    """A Markdown heading with fixed (non-registry) text and an explicit ASCII anchor."""
    return f"{'#' * level} {title} {{#{anchor}}}"


def page(front: dict, *chunks: str) -> str:
    """Front matter (JSON strings are valid YAML) and chunks separated by blank lines."""
    lines = ["---"]
    for key, value in front.items():
        shown = visible(value) if isinstance(value, str) else value
        lines.append(f"{key}: {json_safe(json.dumps(shown, ensure_ascii=False))}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + "\n\n".join(c.strip("\n") for c in chunks if c) + "\n"


def dl(rows: list[tuple[str, str]], cls: str = "qd-facts") -> str:
    """A definition list; labels are fixed text, values are HTML already escaped."""
    inner = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="{cls}">{inner}</dl>'


def ul(items: list[str], cls: str | None = None, empty: str = NS) -> str:
    if not items:
        return f"<p>{empty}</p>"
    klass = f' class="{cls}"' if cls else ""
    return f"<ul{klass}>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def admonition(kind: str, title: str, body: str, collapsible: bool = False, opened: bool = True) -> str:
    """A Material admonition (or a <details> block, which opens and closes without JavaScript)."""
    if collapsible:
        attr = " open" if opened else ""
        return f'<details class="{kind}"{attr}><summary>{title}</summary>{body}</details>'
    return f'<div class="admonition {kind}"><p class="admonition-title">{title}</p>{body}</div>'


def table(headers: list[str], rows: list[list[str]], cls: str | None = None, body: str = "") -> str:
    """A table of `rows`, after the rows already written in `body` (`table_rows`)."""
    klass = f' class="{cls}"' if cls else ""
    head = "".join(f"<th>{h}</th>" for h in headers)
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}{table_rows(rows)}</tbody></table>"


def table_rows(rows: list[list[str]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)


def json_ld(data: dict) -> str:
    """A JSON-LD script element; '<', '>' and '&' are written as \\u escapes so no text can close it
    (and bidi controls, so none reorders the page source)."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # bidi controls as \u escapes too: the data stays exact, the page source holds none raw
    raw = BIDI_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", raw)
    raw = json_safe(raw)  # U+2028, U+2029, NEL …: a raw one is a line end to splitlines and old script parsers
    return f'<script type="application/ld+json">{raw}</script>'
