"""Production serving on one machine: nginx in front of the static site and several Datasette replicas.

nginx (configured from `deploy/nginx.conf.template`) serves `dist/site` and proxies the database to the
replicas, retrying on the next one when a replica fails, so killing one loses no request. The replicas
are immutable and start from an inspect file (no table counts at start-up). A replica that dies is
started again; everything stops together on SIGINT, SIGTERM or SIGHUP.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .datasette_setup import datasette_args
from .error_pages import ERROR_STYLE_HASH, ERRORS_FOLDER
from .serve import check_dist, start_child, stop_children, stop_on_signals
from .settings import (
    DATASETTE_PORT,
    DATASETTE_RATE,
    DB_CONCURRENCY,
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
# nginx leaves a replica that failed out for this long (counted in whole seconds). Two replicas must not both
# look failed at once (nginx then answers 502 without trying either), so a restart of the next one waits
# that long and two seconds more after the one before answers again.
FAIL_TIMEOUT_S = 3


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


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _authority(url: str) -> tuple[str, str] | None:
    """(host as nginx's $host holds it, host[:port] as a Host header) of an http(s) address, or None."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname.lower()
    return host, host + (f":{parts.port}" if parts.port else "")


def public_addresses(layout: Layout) -> tuple[list[str], str, str]:
    """The Host names nginx accepts, and the Host it sends Datasette for the site's port and for Datasette's:
    from the configuration only (the build's --site-url in dist/metadata.json, the Datasette address pages link
    to, the address nginx listens on and this machine's loopback names)."""
    try:
        site_url = json.loads((layout.dist / "metadata.json").read_text(encoding="utf-8")).get("qingdan_site_url")
    except (OSError, ValueError, AttributeError):
        site_url = None
    listen = layout.host if layout.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    listen = f"[{listen}]" if ":" in listen else listen
    site = _authority(site_url) or (listen, f"{listen}:{layout.site_port}")
    datasette = _authority(settings().datasette_url) or (listen, f"{listen}:{layout.datasette_port}")
    names = list(dict.fromkeys([*LOOPBACK_NAMES, listen, site[0], datasette[0], "_"]))
    return names, site[1], datasette[1]


def nginx_config(layout: Layout) -> str:
    """The configuration for `layout`, from the one template in the repository."""
    headers = site_headers(layout.dist / "site")
    names, site_authority, datasette_authority = public_addresses(layout)
    values = {
        "KNOWN_HOSTS": "\n".join(f'        "{name}" 1;' for name in names),
        "SITE_AUTHORITY": site_authority,
        "DATASETTE_AUTHORITY": datasette_authority,
        "DB_CONCURRENCY": str(DB_CONCURRENCY),
        "USER": f"user {getpass.getuser()};" if os.geteuid() == 0 else "# (not root: workers run as this user)",
        "RUNTIME": str(layout.runtime),
        "SITE_DIR": str(layout.dist / "site"),
        "HOST": layout.host,
        "SITE_PORT": str(layout.site_port),
        "DATASETTE_PORT": str(layout.datasette_port),
        "REPLICAS": "\n".join(
            f"        server {REPLICA_HOST}:{port} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;"
            for port in layout.replica_ports
        ),
        "TRIES": str(len(layout.replica_ports) + 1),
        "DATASETTE_RATE": str(DATASETTE_RATE),
        "SITE_RATE": str(SITE_RATE),
        "MAX_BODY": MAX_BODY,
        "ERRORS_FOLDER": ERRORS_FOLDER,
        "ERROR_STYLE_HASH": ERROR_STYLE_HASH,
        "SITE_HEADERS": "\n".join(
            f'            add_header {name} "{value}" always;' for name, value in headers.items()
        ),
    }
    text = re.sub(r"@([A-Z_]+)@", lambda m: values[m[1]], settings().nginx_template.read_text(encoding="utf-8"))
    return text


def build_fingerprint(dist: Path) -> tuple[int, int, int] | None:
    """Which build `dist` holds: its database file's device, inode and modification time (every build
    writes a new file). None while there is none."""
    try:
        found = (Path(dist) / "qingdan.db").stat()
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino, found.st_mtime_ns)


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


NGINX_TEMP_FOLDERS = ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")


def write_deployed_nginx_config(layout: Layout, output: Path) -> Path:
    """For the systemd unit and the container (`python -m qingdan.serve_prod nginx-config`): the
    configuration, written atomically, with its runtime folders made. They run it unprivileged; started
    as root, its workers run as root's user too, as under `serve --prod`."""
    for folder in NGINX_TEMP_FOLDERS:
        (layout.runtime / folder).mkdir(parents=True, exist_ok=True)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    candidate = output.with_name(output.name + ".new")
    candidate.write_text(nginx_config(layout), encoding="utf-8")
    os.replace(candidate, output)
    return output


class ProdServer:
    """nginx and the replicas as child processes; `start()`, `stop()`, and a replica can be killed and
    started again (the load test does)."""

    def __init__(self, layout: Layout, quiet: bool = False):
        self.layout = layout
        self.output = subprocess.DEVNULL if quiet else None
        self.replicas: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None
        self.serving: tuple[int, int, int] | None = None  # build_fingerprint of the build being served

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

    def nginx_command(self) -> list[str]:
        runtime = self.layout.runtime
        return [nginx_binary(), "-p", str(runtime), "-c", str(self.layout.nginx_conf), "-e", str(runtime / "error.log")]

    def write_nginx_config(self) -> None:
        """Write and test the configuration; nothing is written when nginx refuses it."""
        candidate = self.layout.runtime / "nginx.conf.new"
        candidate.write_text(nginx_config(self.layout), encoding="utf-8")
        command = self.nginx_command()
        command[command.index("-c") + 1] = str(candidate)
        test = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            raise ProdError(f"nginx refused the configuration {candidate}: {test.stderr.strip()}")
        os.replace(candidate, self.layout.nginx_conf)

    def start(self, timeout: float = 60) -> None:
        check_dist(self.layout.dist)
        runtime = self.layout.runtime
        for folder in NGINX_TEMP_FOLDERS:
            (runtime / folder).mkdir(parents=True, exist_ok=True)
        self.serving = build_fingerprint(self.layout.dist)
        self.write_inspect_file()
        self.write_nginx_config()
        for port in (self.layout.site_port, self.layout.datasette_port):
            if port_open(self.layout.host, port):
                raise ProdError(f"port {port} is already in use: stop what runs there or choose other ports")
        for port in self.layout.replica_ports:
            self.start_replica(port)
        for port, process in self.replicas.items():
            wait_for_port(REPLICA_HOST, port, process, timeout, f"Datasette replica {port}")
        self.nginx = start_child([*self.nginx_command(), "-g", "daemon off;"], stdout=self.output, stderr=self.output)
        wait_for_port(self.layout.host, self.layout.site_port, self.nginx, timeout, "nginx")

    def restart_dead_replicas(self) -> list[int]:
        dead = [port for port, process in self.replicas.items() if process.poll() is not None]
        for port in dead:
            if not port_open(REPLICA_HOST, port):
                self.start_replica(port)
        return dead

    def restart_replica(self, port: int, timeout: float = 60) -> None:
        """Stop a replica (it finishes the requests it holds) and start it again; return once it answers."""
        stop_children([self.replicas[port]])
        process = self.start_replica(port)
        wait_for_port(REPLICA_HOST, port, process, timeout, f"Datasette replica {port}")

    def reload_if_rebuilt(self, timeout: float = 60) -> bool:
        """When `dist` holds a new build: restart the replicas one at a time on it and reload nginx."""
        current = build_fingerprint(self.layout.dist)
        if current is None or current == self.serving:
            return False
        try:
            check_dist(self.layout.dist)
        except SystemExit:
            return False  # not whole yet: next time
        self.write_inspect_file()
        self.write_nginx_config()
        self.nginx.send_signal(signal.SIGHUP)  # nginx reloads gracefully: workers finish their requests
        for i, port in enumerate(self.layout.replica_ports):
            if i:
                time.sleep(FAIL_TIMEOUT_S + 2)  # the replica before is no longer counted as failed
            self.restart_replica(port, timeout)
        self.serving = current
        return True

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
                if server.reload_if_rebuilt():
                    print("new build: replicas restarted one at a time on it, nginx reloaded", flush=True)
                time.sleep(1)
            raise ProdError(f"nginx stopped (exit {server.nginx.returncode}); see {layout.runtime / 'error.log'}")
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()


def exec_replica(dist: Path, port: int, runtime: Path) -> None:
    """Become one Datasette replica of `dist` on REPLICA_HOST:`port`, as `serve --prod` starts each (its
    inspect file in `runtime`): what the systemd unit and the container run. Does not return."""
    layout = Layout(Path(dist).absolute(), Path(runtime).absolute(), replica_ports=[port])
    check_dist(layout.dist)
    layout.runtime.mkdir(parents=True, exist_ok=True)
    server = ProdServer(layout)
    server.write_inspect_file()
    args = server.replica_args(port)
    sys.stdout.flush()
    os.execv(args[0], args)


def exec_nginx(layout: Layout) -> None:
    """Write the configuration (unprivileged), test it and become nginx in the foreground. Does not return."""
    check_dist(layout.dist)
    write_deployed_nginx_config(layout, layout.nginx_conf)
    command = ProdServer(layout).nginx_command()
    test = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if test.returncode != 0:
        raise ProdError(f"nginx refused the configuration {layout.nginx_conf}: {test.stderr.strip()}")
    sys.stdout.flush()
    os.execv(command[0], [*command, "-g", "daemon off;"])


def command_parser():
    """The command line of `python -m qingdan.serve_prod` (tests/test_deploy.py reads the units' and the
    compose file's commands with it)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m qingdan.serve_prod")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, what in (
        ("nginx-config", "write nginx's configuration (default RUNTIME/nginx.conf) and its folders"),
        ("nginx", "write nginx's configuration, test it and run nginx in the foreground"),
    ):
        sub = commands.add_parser(name, help=what)
        sub.add_argument("--dist", type=Path, required=True, help="the build nginx serves (dist/)")
        sub.add_argument("--runtime", type=Path, required=True, help="nginx's writable folder (pid, logs, bodies)")
        sub.add_argument("--host", default=HOST, help="the address nginx listens on")
        sub.add_argument("--site-port", type=int, default=SITE_PORT)
        sub.add_argument("--datasette-port", type=int, default=DATASETTE_PORT)
        sub.add_argument("--replicas", type=int, default=REPLICAS, help="replicas on the ports after --datasette-port")
        if name == "nginx-config":
            sub.add_argument("-o", "--output", type=Path, help="default: RUNTIME/nginx.conf")
    replica = commands.add_parser("replica", help="run one Datasette replica in the foreground")
    replica.add_argument("--dist", type=Path, required=True)
    replica.add_argument("--port", type=int, required=True, help=f"the port on {REPLICA_HOST}")
    replica.add_argument("--runtime", type=Path, required=True, help="a writable folder for its inspect file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """`python -m qingdan.serve_prod nginx-config|nginx|replica …`: the parts of `serve --prod` one at a
    time, for a supervisor that runs them itself (deploy/systemd, deploy/compose.yaml): the same layout,
    the same configuration and Datasette arguments."""
    args = command_parser().parse_args(argv)
    try:
        if args.command == "replica":
            exec_replica(args.dist, args.port, args.runtime)
        layout = default_layout(args.dist, args.host, args.site_port, args.datasette_port, args.replicas)
        layout.runtime = args.runtime.absolute()
        if args.command == "nginx":
            exec_nginx(layout)
        print(write_deployed_nginx_config(layout, args.output or layout.nginx_conf))
    except ProdError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
