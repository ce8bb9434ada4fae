"""Graphviz as a bounded child process: DOT source in, SVG out.

Through `children.run`, so `dot` dies with the build, and with a time limit, so a hostile or
huge graph cannot hold the build forever.
"""

from __future__ import annotations

import subprocess

from . import children

SECONDS = 120


class GraphvizError(RuntimeError):
    """Graphviz is missing, failed or took too long; the message says which, in plain words."""


def render(source: str, engine: str = "dot") -> str:
    """The SVG Graphviz lays out for `source` (the same as `graphviz.Source(...).pipe("svg")`)."""
    try:
        result = children.run(
            [engine, f"-K{engine}", "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=SECONDS
        )
    except FileNotFoundError:
        raise GraphvizError(
            f"Graphviz is not installed: the '{engine}' program was not found on PATH "
            "(Debian/Ubuntu: apt-get install graphviz fonts-noto-cjk)"
        ) from None
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz took more than {SECONDS} s to draw a chart and was stopped") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()[-500:]
        raise GraphvizError(f"Graphviz could not draw a chart (exit {result.returncode}): {detail}")
    return result.stdout.decode("utf-8")
