"""Graphviz, the one place it is called: DOT source in, SVG out, for flowcharts and graph drawings.

Through `children.run`, so `dot` dies with the build, and with a time limit, so a hostile or
huge graph cannot hold the build forever. Drawings are cached by their DOT source (layout is
the slow part): in memory, and on disk where the caller keeps a cache folder between builds.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import threading
from pathlib import Path

from . import children
from .atomic import atomic_write_text

SECONDS = 120
FONT = "Noto Sans CJK SC"  # installed with fonts-noto-cjk; drawn text is Chinese
CLOSING = "）)，、。；：」』”’》〕】,.;:"  # never starts a wrapped line
MEMORY_CACHE_SIZE = 256


class GraphvizError(RuntimeError):
    """Graphviz is missing, failed or took too long; the message says which, in plain words."""


class GraphvizMissing(GraphvizError):
    """The Graphviz program is not installed."""


def _missing(engine: str) -> GraphvizMissing:
    return GraphvizMissing(
        f"Graphviz is not installed: the '{engine}' program was not found on PATH (it draws the flowcharts "
        "and graph drawings). Install it (Debian/Ubuntu: apt-get install graphviz fonts-noto-cjk) and build again."
    )


def require(engine: str = "dot") -> str:
    """Path of the Graphviz program, or a clear error telling how to install it."""
    path = shutil.which(engine)
    if not path:
        raise _missing(engine)
    return path


def render(source: str, engine: str = "dot") -> str:
    """The SVG Graphviz lays out for `source` (the same as `graphviz.Source(...).pipe("svg")`)."""
    try:
        result = children.run(
            [engine, f"-K{engine}", "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=SECONDS
        )
    except FileNotFoundError:
        raise _missing(engine) from None
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz took more than {SECONDS} s to draw a chart and was stopped") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()[-500:]
        raise GraphvizError(f"Graphviz could not draw a chart (exit {result.returncode}): {detail}")
    return result.stdout.decode("utf-8")


_MEMORY: dict[str, str] = {}
_MEMORY_LOCK = threading.Lock()  # flowcharts are drawn from a thread pool


def render_cached(source: str, engine: str = "dot", cache_dir: Path | None = None) -> str:
    """`render`, reusing a drawing of the same source: from memory, or from `cache_dir/<sha256>.svg`
    (which is written whenever it is missing, so the next build finds every chart of this one)."""
    digest = hashlib.sha256(f"{engine}\n{source}".encode()).hexdigest()
    cached = Path(cache_dir) / f"{digest}.svg" if cache_dir else None
    with _MEMORY_LOCK:
        svg = _MEMORY.get(digest)
    if svg is None and cached is not None and cached.is_file():
        svg = cached.read_text(encoding="utf-8")
    if svg is None:
        require(engine)
        svg = render(source, engine)
    if cached is not None and not cached.is_file():
        atomic_write_text(cached, svg)
    with _MEMORY_LOCK:
        if digest not in _MEMORY and len(_MEMORY) >= MEMORY_CACHE_SIZE:
            _MEMORY.pop(next(iter(_MEMORY)))
        _MEMORY[digest] = svg
    return svg


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# What a drawing inlined in a page must never hold, looked for in its tags only (a label is text: Graphviz escapes
# it, so `javascript:1` written in a step is shown, not obeyed). Labels are escaped before Graphviz sees them,
# so finding one of these means the escaping failed: the drawing is refused, not repaired.
_TAG = re.compile(r"<[^>]*>")
_SCRIPT_TAG = re.compile(r"^<\s*/?\s*(?:script|foreignobject|iframe|object|embed|handler|set|animate)\b|\son\w+\s*=")
_SCRIPT_URL = re.compile(r"(?:href|src|from|to|values)=[\"']?(?:javascript|vbscript|data):")
_URL_NOISE = re.compile(r"[\x00-\x20]")
_ABSOLUTE_LINK = re.compile(r"(?:href|src)\s*=\s*[\"'](https?:[^\"']*)")


def _scripted(svg: str) -> bool:
    """Any tag of the drawing with a script element, an event attribute or a scripted address (entities decoded
    and, for addresses, spaces and controls dropped, as a browser reads an attribute)."""
    for tag in _TAG.findall(svg):
        tag = html.unescape(tag)
        if _SCRIPT_TAG.search(tag) or _SCRIPT_URL.search(_URL_NOISE.sub("", tag)):
            return True
    return False


def clean(svg: str, links_to: str | None = None) -> str | None:
    """Graphviz's SVG made inlinable: the XML prolog and comments dropped; None if anything is scripted
    (script elements, javascript: URLs, event attributes, foreign objects) or links to another site
    (an absolute address not under `links_to`, the site address a drawing was asked to link to)."""
    start = svg.find("<svg")
    if start < 0:
        return None
    svg = _COMMENT.sub("", svg[start:])
    lowered = svg.lower()
    allowed = links_to.lower() if links_to and "://" in links_to else None
    if _scripted(lowered) or any(
        not (allowed and link.startswith(allowed)) for link in _ABSOLUTE_LINK.findall(lowered)
    ):
        return None
    return "\n".join(line for line in svg.splitlines() if line.strip())


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of about `width` characters (CJK has no spaces to break at)."""
    lines: list[str] = []
    for para in str(text).splitlines() or [""]:
        para = para.strip()
        while len(para) > width:
            cut = width
            # prefer breaking after punctuation near the limit
            for i in range(width, max(width // 2, 1), -1):
                if para[i - 1] in "，、；。,;:：）)":
                    cut = i
                    break
            while cut < len(para) and para[cut] in CLOSING:
                cut += 1  # never start a line with closing punctuation
            lines.append(para[:cut])
            para = para[cut:]
        lines.append(para)
    return [line for line in lines if line] or [""]
