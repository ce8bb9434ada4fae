"""Serve dist/site and the Datasette instance on loopback, together, until interrupted.

The site server sends the security headers, answers only GET and HEAD, never lists a folder and never
serves a file from outside the site. Datasette stops with it: on SIGINT, SIGTERM and SIGHUP, and (on
Linux) even when this process is killed outright.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import subprocess
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import children
from .datasette_setup import datasette_args
from .settings import DATASETTE_PORT, HOST, SITE_PORT
from .web_security import site_headers

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of the built site: no folder listings, nothing outside the site, security headers."""

    security_headers: dict[str, str] = {}

    def end_headers(self):
        for name, value in self.security_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def send_head(self):
        target = Path(self.translate_path(self.path)).resolve()
        root = Path(self.directory).resolve()
        if target != root and root not in target.parents:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def _refuse_method(self):
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method


def site_server(site_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    headers = site_headers(site_dir)
    handler_class = type("QingdanSiteHandler", (SiteHandler,), {"security_headers": headers})
    handler = functools.partial(handler_class, directory=str(site_dir))
    return ThreadingHTTPServer((host, port), handler)


def start_child(args: list[str], **kwargs) -> subprocess.Popen:
    """A child process that cannot outlive this one (SIGTERM when this one dies, even by SIGKILL)."""
    return children.popen(args, death_signal=signal.SIGTERM, **kwargs)


@contextlib.contextmanager
def stop_on_signals():
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt, so `finally` blocks stop the children."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, interrupt) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def serve_without_signals(server: ThreadingHTTPServer) -> None:
    """Serve in a thread that never receives the stop signals (nor do its request threads), so Linux
    delivers them to the main thread, which stops the children."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    server.serve_forever(poll_interval=0.1)  # stops within 0.1 s of shutdown()


def stop_children(children: list[subprocess.Popen], timeout: float = 10) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def check_dist(dist: Path) -> None:
    for needed in (dist / "site" / "index.html", dist / "qingdan.db", dist / "metadata.json"):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: run `make build` (or `qingdan build`) first")


def serve_both(dist: Path, host: str = HOST, site_port: int = SITE_PORT, datasette_port: int = DATASETTE_PORT) -> None:
    dist = Path(dist)
    check_dist(dist)
    with stop_on_signals():
        server = site_server(dist / "site", host, site_port)
        thread = threading.Thread(target=serve_without_signals, args=(server,), daemon=True)
        children = []
        try:
            thread.start()
            children.append(
                start_child(datasette_args(dist / "qingdan.db", dist / "metadata.json", host, datasette_port))
            )
            print(f"site:      http://{host}:{site_port}/", flush=True)
            print(f"datasette: http://{host}:{datasette_port}/qingdan", flush=True)
            children[0].wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop_children(children)
            if thread.is_alive():
                server.shutdown()
            server.server_close()
