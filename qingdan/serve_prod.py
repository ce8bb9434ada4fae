"""Production serving on one machine: nginx in front of the static site and several Datasette replicas.

nginx (configured from `deploy/nginx.conf.template`) serves `dist/site` and proxies the database to the
replicas, retrying on the next one when a replica fails, so killing one loses no request. The replicas
are immutable and start from an inspect file (no table counts at start-up). A replica that dies is
started again; everything stops together on SIGINT, SIGTERM or SIGHUP.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .datasette_setup import datasette_args
from .serve import check_dist, start_child, stop_children, stop_on_signals
from .settings import (
    DATASETTE_PORT,
    DATASETTE_RATE,
    HOST,
    MAX_BODY,
    REPLICA_HOST,
    REPLICAS,
    SITE_PORT,
    SITE_RATE,
    settings,
)
from .web_security import site_headers

NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")


class ProdError(Exception):
    """serve-prod cannot start: said in plain words."""


@dataclass
class Layout:
    """Where everything listens and writes. nginx answers on the site port (site, /qingdan/, /-/) and on
    Datasette's usual port; the replicas listen on `replica_ports`."""

    dist: Path
    runtime: Path
    host: str = HOST
    site_port: int = SITE_PORT
    datasette_port: int = DATASETTE_PORT
    replica_ports: list[int] = field(default_factory=lambda: [DATASETTE_PORT + 1 + i for i in range(REPLICAS)])

    @property
    def inspect_file(self) -> Path:
        return self.runtime / "inspect.json"

    @property
    def nginx_conf(self) -> Path:
        return self.runtime / "nginx.conf"


def default_layout(dist: Path, host: str, site_port: int, datasette_port: int, replicas: int) -> Layout:
    dist = Path(dist).absolute()
    ports = [datasette_port + 1 + i for i in range(replicas)]
    return Layout(dist, dist.parent / "build" / "serve-prod", host, site_port, datasette_port, ports)


def nginx_binary() -> str:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise ProdError("nginx is not installed: run `make system-deps` (Debian package nginx)")


def nginx_config(layout: Layout) -> str:
    """The configuration for `layout`, from the one template in the repository."""
    headers = site_headers(layout.dist / "site")
    values = {
        "USER": f"user {getpass.getuser()};" if os.geteuid() == 0 else "# (not root: workers run as this user)",
        "RUNTIME": str(layout.runtime),
        "SITE_DIR": str(layout.dist / "site"),
        "HOST": layout.host,
        "SITE_PORT": str(layout.site_port),
        "DATASETTE_PORT": str(layout.datasette_port),
        "REPLICAS": "\n".join(
            f"        server {REPLICA_HOST}:{port} max_fails=1 fail_timeout=3s;" for port in layout.replica_ports
        ),
        "TRIES": str(len(layout.replica_ports) + 1),
        "DATASETTE_RATE": str(DATASETTE_RATE),
        "SITE_RATE": str(SITE_RATE),
        "MAX_BODY": MAX_BODY,
        "SITE_HEADERS": "\n".join(
            f'            add_header {name} "{value}" always;' for name, value in headers.items()
        ),
    }
    text = re.sub(r"@([A-Z_]+)@", lambda m: values[m[1]], settings().nginx_template.read_text(encoding="utf-8"))
    return text


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_for_port(host: str, port: int, process: subprocess.Popen, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not port_open(host, port):
        if process.poll() is not None:
            raise ProdError(f"{what} stopped while starting (exit {process.returncode}); see the output above")
        if time.monotonic() > deadline:
            raise ProdError(f"{what} did not answer on {host}:{port} within {seconds:.0f} s")
        time.sleep(0.1)


class ProdServer:
    """nginx and the replicas as child processes; `start()`, `stop()`, and a replica can be killed and
    started again (the load test does)."""

    def __init__(self, layout: Layout, quiet: bool = False):
        self.layout = layout
        self.output = subprocess.DEVNULL if quiet else None
        self.replicas: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None

    def replica_args(self, port: int) -> list[str]:
        dist = self.layout.dist
        args = datasette_args(dist / "qingdan.db", dist / "metadata.json", REPLICA_HOST, port)
        return [*args, "--inspect-file", str(self.layout.inspect_file)]

    def write_inspect_file(self) -> None:
        db = self.layout.dist / "qingdan.db"
        command = [
            sys.executable,
            "-m",
            "datasette",
            "inspect",
            str(db),
            "--inspect-file",
            str(self.layout.inspect_file),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise ProdError(f"`datasette inspect` failed on {db}: {result.stderr.strip()[-500:]}")

    def start_replica(self, port: int) -> subprocess.Popen:
        if port_open(REPLICA_HOST, port):
            raise ProdError(f"port {port} is already in use: stop what runs there or choose other ports")
        process = start_child(self.replica_args(port), stdout=self.output, stderr=self.output)
        self.replicas[port] = process
        return process

    def start(self, timeout: float = 60) -> None:
        check_dist(self.layout.dist)
        binary = nginx_binary()
        runtime = self.layout.runtime
        for folder in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (runtime / folder).mkdir(parents=True, exist_ok=True)
        self.write_inspect_file()
        self.layout.nginx_conf.write_text(nginx_config(self.layout), encoding="utf-8")
        nginx = [binary, "-p", str(runtime), "-c", str(self.layout.nginx_conf), "-e", str(runtime / "error.log")]
        test = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            raise ProdError(f"nginx refused the configuration {self.layout.nginx_conf}: {test.stderr.strip()}")
        for port in (self.layout.site_port, self.layout.datasette_port):
            if port_open(self.layout.host, port):
                raise ProdError(f"port {port} is already in use: stop what runs there or choose other ports")
        for port in self.layout.replica_ports:
            self.start_replica(port)
        for port, process in self.replicas.items():
            wait_for_port(REPLICA_HOST, port, process, timeout, f"Datasette replica {port}")
        self.nginx = start_child([*nginx, "-g", "daemon off;"], stdout=self.output, stderr=self.output)
        wait_for_port(self.layout.host, self.layout.site_port, self.nginx, timeout, "nginx")

    def restart_dead_replicas(self) -> list[int]:
        dead = [port for port, process in self.replicas.items() if process.poll() is not None]
        for port in dead:
            if not port_open(REPLICA_HOST, port):
                self.start_replica(port)
        return dead

    def stop(self) -> None:
        stop_children([p for p in [self.nginx, *self.replicas.values()] if p is not None])


def serve_prod(layout: Layout) -> None:
    """Run until interrupted; a replica that dies is started again, nginx dying ends the run."""
    server = ProdServer(layout)
    with stop_on_signals():
        try:
            server.start()
            print(f"site:      http://{layout.host}:{layout.site_port}/  (nginx)", flush=True)
            print(
                f"datasette: http://{layout.host}:{layout.site_port}/qingdan  (replicas on ports "
                f"{', '.join(map(str, layout.replica_ports))})",
                flush=True,
            )
            print(f"runtime:   {layout.runtime}", flush=True)
            while server.nginx.poll() is None:
                for port in server.restart_dead_replicas():
                    print(f"replica {port} stopped; started again", flush=True)
                time.sleep(1)
            raise ProdError(f"nginx stopped (exit {server.nginx.returncode}); see {layout.runtime / 'error.log'}")
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
