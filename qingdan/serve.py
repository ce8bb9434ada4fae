"""Serve dist/site and the Datasette instance on loopback, together, until interrupted."""

from __future__ import annotations

import functools
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .datasette_setup import DEFAULT_PORT, datasette_args


def site_server(site_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site_dir))
    return ThreadingHTTPServer((host, port), handler)


def serve_both(dist: Path, host: str = "127.0.0.1", site_port: int = 8000, datasette_port: int = DEFAULT_PORT) -> None:
    dist = Path(dist)
    for needed in (dist / "site" / "index.html", dist / "qingdan.db", dist / "metadata.json"):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: run `make build` (or `qingdan build`) first")
    datasette = subprocess.Popen(datasette_args(dist / "qingdan.db", dist / "metadata.json", host, datasette_port))
    server = site_server(dist / "site", host, site_port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"site:      http://{host}:{site_port}/")
    print(f"datasette: http://{host}:{datasette_port}/qingdan")
    try:
        datasette.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        datasette.terminate()
        datasette.wait(timeout=10)
