"""The built site in a real browser: headless Chromium at a phone-sized viewport.

Chromium is driven over the DevTools protocol through a pipe (`--remote-debugging-pipe`:
JSON messages separated by NUL bytes on file descriptors 3 and 4), so no websocket client
and no browser download are needed. If Chromium is missing the tests fail: CI installs it
(Debian: apt-get install chromium).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import http.server
import itertools
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from qingdan.site import build_site
from qingdan.urls import page_url
from qingdan.validate import validate

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "dist" / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


def find_chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate)
        if path:
            return path
    pytest.fail(
        "Chromium is not installed (looked for /usr/bin/chromium, chromium, chromium-browser, "
        "google-chrome); the browser tests need it: apt-get install chromium",
        pytrace=False,
    )


class Browser:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, executable: str, timeout: float = 30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="qingdan-chromium-")
        self._log = open(Path(self.profile).with_suffix(".log"), "w+b")  # noqa: SIM115 - closed in close()
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # move the child's ends above 9, so that `3<&N 4>&M` cannot clobber one with the other (bash, not
        # dash: dash takes one-digit descriptors only)
        to_browser_r, from_browser_w = (_above_nine(fd) for fd in (to_browser_r, from_browser_w))
        args = [
            "--headless",
            "--no-sandbox",
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
            f"--user-data-dir={self.profile}",
            "--window-size=390,844",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # the browser reads commands on fd 3 and writes replies on fd 4
        self.process = subprocess.Popen(
            [
                shutil.which("bash") or "/bin/bash",
                "-c",
                f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w}',
                executable,
                *args,
            ],
            pass_fds=(to_browser_r, from_browser_w),
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._ids = itertools.count(1)
        self._buffer = b""
        self.events: list[dict] = []
        self.session = None
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        target_id = page["targetId"] if page else self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target_id, flatten=True)["sessionId"]

    # --- protocol -----------------------------------------------------------------------

    def log_tail(self) -> str:
        self._log.flush()
        self._log.seek(0)
        lines = [line for line in self._log.read().decode("utf-8", "replace").splitlines() if "dbus" not in line]
        return "Chromium said:\n" + "\n".join(lines[-20:])

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            try:
                written = os.write(self._to_browser, data)
            except BrokenPipeError:
                self.process.wait(timeout=5)
                raise RuntimeError(f"Chromium exited (status {self.process.returncode})\n{self.log_tail()}") from None
            data = data[written:]

    def _receive(self, deadline: float) -> dict | None:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed the debugging pipe (did it crash?)\n{self.log_tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, **params):
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise TimeoutError(f"no reply to {method} within {self.timeout} s")
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            event = self._receive(deadline)
            if event is None:
                raise TimeoutError(f"no {method} event")
            self.events.append(event)

    # --- page helpers -------------------------------------------------------------------

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for: {expression}")

    def open(self, url: str) -> None:
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def click(self, selector: str) -> None:
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def type_text(self, value: str) -> None:
        """Text as an input method commits it (how Chinese is typed), then a key release."""
        self.call("Input.insertText", text=value)
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key="End", code="End", windowsVirtualKeyCode=35)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)


def _above_nine(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    """Serve a folder on 127.0.0.1 at a free port, in a thread; returns (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address
    return server, f"http://{host}:{port}/"


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The mini registry with one service renamed so its name holds the compound 医疗保险."""
    base = tmp_path_factory.mktemp("browser")
    registry = base / "mini"
    shutil.copytree(MINI, registry)
    path = registry / "demo-bureau" / "registry.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    name: 异地就医备案" in text
    path.write_text(text.replace("    name: 异地就医备案", "    name: 基本医疗保险异地就医备案", 1), encoding="utf-8")
    report = validate(registry)
    assert report.ok, [e.format() for e in report.errors]
    built = build_site(report, base / "dist", stamp={"version": "test", "date": "2026-01-01"})
    server, url = serve(built)
    yield report, built, url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    chrome = Browser(find_chromium())
    chrome.call("Page.enable")
    chrome.call("Runtime.enable")
    chrome.call("Network.enable")
    chrome.call("Emulation.setDeviceMetricsOverride", **PHONE)
    chrome.call("Emulation.setTouchEmulationEnabled", enabled=True)
    yield chrome
    chrome.close()


# --- tests -------------------------------------------------------------------------------


def test_guide_on_a_phone_shows_flowchart_and_steps(site, browser):
    report, _built, url = site
    power = report.registry.get("demo-power-b1")
    browser.open(url + page_url("power", power.id))
    browser.wait_for("document.fonts ? document.fonts.status === 'loaded' : true")
    state = browser.evaluate("""(() => {
      const vis = el => { if (!el) return null; const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        return {w: r.width, h: r.height, left: r.left, right: r.right,
                shown: s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0}; };
      const svg = document.querySelector('figure.qd-flow svg');
      const steps = [...document.querySelectorAll('ol.qd-steps > li')];
      return {
        title: document.querySelector('h1').textContent.trim(),
        svg: vis(svg), scroller: vis(document.querySelector('.qd-flow-scroll')),
        svgTexts: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent) : [],
        dashed: svg ? svg.querySelectorAll('.edge path[stroke-dasharray]').length : 0,
        steps: steps.map(li => ({text: li.querySelector('.qd-step-title').textContent, ...vis(li)})),
        innerWidth: innerWidth, docWidth: document.documentElement.scrollWidth,
      };
    })()""")
    assert state["title"] == power.name
    assert state["svg"] and state["svg"]["shown"], "the flowchart SVG is not visible"
    # the chart fits the phone's width or scrolls inside its own box; the page never scrolls sideways
    assert state["scroller"]["right"] <= state["innerWidth"] + 1
    assert state["docWidth"] <= state["innerWidth"] + 1, "the page is wider than the phone screen"
    template = report.registry.get(report.registry.get(power.flow).template)
    labels = [n.label for n in template.nodes]
    assert [s["text"] for s in state["steps"]] == labels
    assert all(s["shown"] for s in state["steps"])
    assert set(labels) <= set(state["svgTexts"])
    assert state["dashed"] == sum(e.reconstructed for e in template.edges)

    # nothing was requested from outside the site
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requests, "no network requests were recorded"
    outside = [u for u in requests if not u.startswith(url) and not u.startswith(("data:", "blob:", "about:"))]
    assert outside == []

    browser.call("Page.navigate", url=url + page_url("power", power.id) + "#qd-steps")
    time.sleep(0.5)
    shot = browser.screenshot(SCREENSHOTS / "guide-phone.png")
    assert shot.stat().st_size > 10_000
    browser.screenshot(SCREENSHOTS / "guide-phone-full.png", full_page=True)


def test_search_finds_a_word_inside_a_compound(site, browser):
    report, _built, url = site
    browser.open(url)
    browser.wait_for("!!document.querySelector('label[for=\"__search\"]')")
    browser.click('label[for="__search"]')
    browser.wait_for("document.activeElement && document.activeElement.name === 'query'")
    browser.type_text("保险")
    hrefs = browser.wait_for(
        "(() => { const a = [...document.querySelectorAll('.md-search-result__item a')].map(x => x.href);"
        " return a.length ? a : null; })()",
        timeout=30,
    )
    # every guide whose name holds 保险 inside a longer word is among the results
    expected = [g for g in report.registry.of("service") + report.registry.of("power") if "保险" in g.name]
    assert expected, "the test registry has no guide named with 保险"
    for guide in expected:
        kind = "power" if hasattr(guide, "code_scheme") else "service"
        assert any(page_url(kind, guide.id) in h for h in hrefs), f"{guide.name} not found by 保险: {hrefs}"
    browser.screenshot(SCREENSHOTS / "search-phone.png")


def test_home_search_form_opens_search_with_the_query(site, browser):
    """The home page's own search box (a plain GET form) hands its query to Material's search."""
    report, _built, url = site
    browser.open(url)
    browser.evaluate(
        "document.querySelector('#qd-q').value = '救助'; document.querySelector('form.qd-search').submit()"
    )
    browser.wait_event("Page.loadEventFired")
    hrefs = browser.wait_for(
        "(() => { const a = [...document.querySelectorAll('.md-search-result__item a')].map(x => x.href);"
        " return a.length ? a : null; })()",
        timeout=30,
    )
    boundary = next(b for b in report.registry.of("boundary") if "救助" in b.matter)
    assert any(page_url("boundary", boundary.id) in h for h in hrefs), hrefs
