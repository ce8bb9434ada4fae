"""HTTP response headers shared by every server that publishes qingdan (the site server, Datasette, nginx).

The Content-Security-Policy allows only the site's own origin. Inline scripts are allowed by hash, never by
'unsafe-inline': the hashes are taken from the built pages (MkDocs Material's few inline scripts) or from
Datasette's templates, so a script injected into any page would not run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

# Scripts the browser runs: no type, or a JavaScript type (JSON and JSON-LD blocks are data, not code).
# Pages are scanned as bytes: ten times faster than as text on a large site.
_INLINE_SCRIPT = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPE = re.compile(rb"""type\s*=\s*["']?application/(ld\+)?json""", re.I)
_FORM_ORIGIN = re.compile(rb"""<form[^>]*\saction\s*=\s*["'](?P<origin>https?://[^/"']+)""", re.I)

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def inline_scripts(html: bytes) -> list[bytes]:
    """The bodies (UTF-8) of the executable inline <script> elements of a page."""
    return [
        m["body"]
        for m in _INLINE_SCRIPT.finditer(html)
        if b"src=" not in m["attrs"].lower() and not _DATA_TYPE.search(m["attrs"])
    ]


def script_hash(body: bytes) -> str:
    digest = hashlib.sha256(body).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script_hashes: Iterable[str] = (), form_origins: Iterable[str] = ()) -> str:
    """A policy allowing only the site itself (and `form_origins`, where its forms send people, e.g.
    Datasette on its own port), inline scripts only by hash. Inline styles stay allowed: Material and
    Datasette set `style=` attributes, and styles cannot run code. 'wasm-unsafe-eval' lets the site's
    search (Pagefind) compile its WebAssembly; it allows no JavaScript eval."""
    others = " ".join(sorted(set(form_origins)))
    scripts = " ".join(sorted(set(script_hashes)))
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'wasm-unsafe-eval' {scripts}".strip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        f"form-action 'self' {others}".strip(),
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def site_headers(site_dir: Path) -> dict[str, str]:
    """The security headers of the static site built in `site_dir`: its inline scripts (a handful,
    Material's, varying with page depth) by hash, and the origins its forms submit to (Datasette)."""
    hashes, origins = set(), set()
    for page in Path(site_dir).rglob("*.html"):
        html = page.read_bytes()
        hashes.update(script_hash(body) for body in inline_scripts(html))
        origins.update(m["origin"].decode("ascii", "replace") for m in _FORM_ORIGIN.finditer(html))
    return {**BASE_HEADERS, "Content-Security-Policy": content_security_policy(hashes, origins)}
