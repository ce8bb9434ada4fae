"""Real-browser testing: the system Chromium driven by Playwright, and built sites served on free ports.

Playwright's own browser download cannot be reached here, so it drives the Chromium that
`make system-deps` installs (`executable_path`). The fixtures that use this live in conftest.py:
`browser` (one Chromium per session), `new_page` (a page at a phone or desktop viewport that
records every request it makes), `serve` (a folder over HTTP), `mini_site` and `seed_site`
(built once per session and served).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright already starts Chromium headless without its sandbox (needed as root); these keep it
# off the network (the machine's closed network refuses its background connections) and quiet.
CHROMIUM_FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
)
# new_context() settings of each viewport a test can ask for.
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
INSTALL_CHROMIUM = "make system-deps (Debian/Ubuntu: apt-get install chromium)"
INSTALL_GRAPHVIZ = "make system-deps (Debian/Ubuntu: apt-get install graphviz fonts-noto-cjk)"


def chromium_executable() -> str:
    """The system Chromium, or a failed test that says how to install it (never a skip)."""
    path = shutil.which("chromium")
    if not path:
        pytest.fail(f"Chromium is not installed (no `chromium` on PATH); the browser tests need it: {INSTALL_CHROMIUM}")
    return path


def require_dot() -> str:
    """Graphviz's `dot`, or a failed test that says how to install it (never a skip)."""
    path = shutil.which("dot")
    if not path:
        pytest.fail(f"Graphviz is not installed (no `dot` on PATH); this test needs it: {INSTALL_GRAPHVIZ}")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class FolderServer:
    """A folder served on 127.0.0.1 at a free port, from a thread, until `close()`."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass(frozen=True)
class BuiltSite:
    """A site built from a registry: its validation report, its folder, and where it is served."""

    report: object
    path: Path
    url: str

    @property
    def registry(self):
        return self.report.registry

    def page(self, url: str) -> str:
        """The HTML of a site-relative page URL (e.g. from `qingdan.urls.page_url`)."""
        return (self.path / url.split("#")[0] / "index.html").read_text(encoding="utf-8")


def outside_requests(page, base_url: str) -> list[str]:
    """Requests a page made to anywhere but the site it was opened from (data:, blob: and about: are local)."""
    return [
        url
        for url in page.requested_urls
        if not url.startswith(base_url) and not url.startswith(("data:", "blob:", "about:"))
    ]
