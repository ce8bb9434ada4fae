"""deploy/: the systemd units (checked by `systemd-analyze verify` and `security --offline`), the container
recipe and the compose file (checked against serve_prod's layout: no container engine runs here), and the
commands they run (`python -m qingdan.serve_prod nginx|replica`), run here as they would run there."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from qingdan.datasette_setup import write_metadata
from qingdan.serve_prod import Layout, ProdServer, command_parser, default_layout, nginx_config
from qingdan.settings import DATASETTE_PORT, HOST, REPLICA_HOST, REPLICAS, SITE_PORT

from .test_hostile_http import port_open, wait_for
from .test_serve_prod import free_ports, get

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
# The paths the units and the image use (README, "Deploying").
CHECKOUT, VENV_PYTHON, SERVED = "/opt/qingdan", "/opt/qingdan/.venv/bin/python", "/srv/qingdan"
LAYOUT = default_layout(Path(SERVED) / "dist", HOST, SITE_PORT, DATASETTE_PORT, REPLICAS)


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as sections of keys, each with its values in order (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        if found := re.fullmatch(r"\[(\w+)\]", line.strip()):
            current = sections.setdefault(found[1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def serve_prod_args(command: str | list[str]) -> object:
    """A `python -m qingdan.serve_prod …` command read with serve_prod's own parser."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:3] == [VENV_PYTHON, "-m", "qingdan.serve_prod"]:
        words = words[3:]
    return command_parser().parse_args(words)


def test_the_units_run_serve_prods_layout_hardened():
    replica = unit(UNITS / "qingdan-datasette@.service")
    nginx = unit(UNITS / "qingdan-nginx.service")
    target = unit(UNITS / "qingdan.target")
    for service in (replica["Service"], nginx["Service"]):
        for key, value in {
            "Restart": "on-failure",
            "DynamicUser": "yes",
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict",
            "ProtectHome": "yes",
            "PrivateTmp": "yes",
            "CapabilityBoundingSet": "",
        }.items():
            assert service.get(key) == [value], key
    # the replica: the port is the instance name, its inspect file in its own runtime folder
    args = serve_prod_args(replica["Service"]["ExecStart"][0].replace("%i", "8002"))
    assert args.command == "replica" and args.port == 8002 and args.dist == LAYOUT.dist
    assert str(args.runtime) == "/run/" + replica["Service"]["RuntimeDirectory"][0].replace("%i", "8002")
    # nginx: the configuration serve --prod writes, for as many replicas as the target starts
    args = serve_prod_args(nginx["Service"]["ExecStart"][0])
    assert args.command == "nginx" and args.dist == LAYOUT.dist
    assert str(args.runtime) == "/run/" + nginx["Service"]["RuntimeDirectory"][0]
    wanted = target["Unit"]["Wants"][0].split()
    ports = sorted(int(m[1]) for name in wanted if (m := re.fullmatch(r"qingdan-datasette@(\d+)\.service", name)))
    layout = default_layout(LAYOUT.dist, args.host, args.site_port, args.datasette_port, args.replicas)
    assert ports == layout.replica_ports
    assert "qingdan-nginx.service" in wanted
    reload = [serve_prod_args(c) for c in nginx["Service"]["ExecReload"] if "qingdan.serve_prod" in c]
    assert [(r.command, r.replicas, r.host, r.dist) for r in reload] == [
        ("nginx-config", args.replicas, args.host, args.dist)
    ]


def _units_here(tmp_path: Path) -> Path:
    """The units with this checkout's paths (systemd-analyze checks that each command exists)."""
    (tmp_path / "srv" / "dist").mkdir(parents=True)
    folder = tmp_path / "units"
    folder.mkdir()
    for path in UNITS.iterdir():
        text = path.read_text(encoding="utf-8")
        text = text.replace(VENV_PYTHON, sys.executable).replace(CHECKOUT, str(ROOT))
        (folder / path.name).write_text(text.replace(SERVED, str(tmp_path / "srv")), encoding="utf-8")
    return folder


def test_systemd_analyze_verifies_the_units(tmp_path):
    """`systemd-analyze` is in Debian's systemd package (`make system-deps` installs it when missing)."""
    folder = _units_here(tmp_path)
    names = ["qingdan-datasette@8002.service", "qingdan-datasette@8003.service", "qingdan-nginx.service"]
    verify = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(folder / n) for n in [*names, "qingdan.target"])],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    # unknown keys and bad values are only warnings (exit 0): none is allowed
    assert verify.returncode == 0 and not verify.stderr.strip() and not verify.stdout.strip(), verify.stderr
    for name in names:
        security = subprocess.run(
            [
                "systemd-analyze",
                "security",
                "--offline=yes",
                "--threshold=20",
                "--no-pager",
                str(folder / name),
            ],  # 2.0 shown
            capture_output=True,
            text=True,
            cwd=folder,
        )
        assert security.returncode == 0, security.stdout[-2000:] + security.stderr
        level = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", security.stdout)
        assert level and float(level[1]) <= 2 and level[2] == "OK", security.stdout[-300:]


def test_systemd_analyze_catches_a_broken_unit(tmp_path):
    """The check above is not blind: a mistyped option and a missing program are reported."""
    folder = _units_here(tmp_path)
    path = folder / "qingdan-nginx.service"
    path.write_text(path.read_text(encoding="utf-8").replace("ProtectSystem=strict", "ProtectSystem=strikt"))
    verify = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(path)], capture_output=True, text=True, cwd=folder
    )
    assert "protect system value" in verify.stderr


def containerfile() -> list[tuple[str, str]]:
    """The recipe's instructions (continuation lines joined, comments left out)."""
    lines, joined = [], ""
    for line in (DEPLOY / "Containerfile").read_text(encoding="utf-8").splitlines():
        if not joined and (not line.strip() or line.lstrip().startswith("#")):
            continue
        joined += line.rstrip().removesuffix("\\") + (" " if line.rstrip().endswith("\\") else "")
        if not line.rstrip().endswith("\\"):
            instruction, _, rest = joined.strip().partition(" ")
            lines.append((instruction.upper(), rest.strip()))
            joined = ""
    return lines


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_the_container_recipe_builds_the_registry_into_the_served_layout():
    steps = containerfile()
    assert steps[0][0] == "FROM" and re.fullmatch(r"debian:\w+-slim", steps[0][1])
    known = {"FROM", "RUN", "COPY", "WORKDIR", "ARG", "ENV", "USER", "EXPOSE", "ENTRYPOINT", "CMD"}
    assert {s for s, _ in steps} <= known
    runs = " ".join(rest for step, rest in steps if step == "RUN")
    for package in ("nginx", "graphviz", "fonts-noto-cjk", "python3-venv"):  # what make system-deps installs
        assert re.search(rf"\s{re.escape(package)}(\s|$)", runs), package
    build = re.search(r"qingdan build (\S+) --dist (\S+)", runs)
    assert build and build[2] == str(LAYOUT.dist) and build[1] == f"{CHECKOUT}/registry"
    ignored = {line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"}
    for step, rest in steps:
        if step == "COPY":
            *sources, _target = rest.split()
            for source in sources:
                assert (ROOT / source).exists() and source not in ignored, source
    users = [rest for step, rest in steps if step == "USER"]
    assert users and users[-1] not in ("root", "0")  # nginx and the replicas run unprivileged
    exposed = {int(p) for step, rest in steps if step == "EXPOSE" for p in rest.split()}
    assert exposed == {LAYOUT.site_port, LAYOUT.datasette_port}
    entrypoint = json.loads(next(rest for step, rest in steps if step == "ENTRYPOINT"))
    cmd = json.loads(next(rest for step, rest in steps if step == "CMD"))
    assert entrypoint == ["python", "-m", "qingdan.serve_prod"]
    assert cmd == compose()["services"]["nginx"]["command"]  # the image alone runs what compose's nginx runs


def test_compose_runs_nginx_and_two_replicas_in_serve_prods_layout():
    spec = compose()
    services = spec["services"]
    nginx = services["nginx"]
    args = serve_prod_args(nginx["command"])
    assert args.command == "nginx" and args.dist == LAYOUT.dist and args.host == "0.0.0.0"
    layout = default_layout(args.dist, args.host, args.site_port, args.datasette_port, args.replicas)
    assert (layout.site_port, layout.datasette_port) == (SITE_PORT, DATASETTE_PORT)
    assert nginx["ports"] == [f"{SITE_PORT}:{SITE_PORT}", f"{DATASETTE_PORT}:{DATASETTE_PORT}"]
    assert (ROOT / "deploy" / nginx["build"]["context"]).resolve() == ROOT
    assert (ROOT / nginx["build"]["dockerfile"]).resolve() == DEPLOY / "Containerfile"
    replicas = {name: service for name, service in services.items() if name != "nginx"}
    assert len(replicas) == args.replicas == 2
    ports = []
    for name, service in replicas.items():
        replica = serve_prod_args(service["command"])
        assert replica.command == "replica" and replica.dist == LAYOUT.dist
        assert name == f"datasette-{replica.port}"
        # in nginx's network namespace: nginx reaches them on REPLICA_HOST, as under serve --prod
        assert service["network_mode"] == "service:nginx" and "ports" not in service
        assert "nginx" in service["depends_on"]
        ports.append(replica.port)
        runtime_mounts = [m.split(":")[0] for m in service["tmpfs"]]
        assert any(Path(m) in [replica.runtime, *replica.runtime.parents] for m in runtime_mounts)
    assert sorted(ports) == layout.replica_ports
    assert REPLICA_HOST == "127.0.0.1"
    for service in services.values():  # read-only containers: only their runtime folders are written
        assert service["read_only"] is True and service["image"] == "qingdan:latest"
        assert service["cap_drop"] == ["ALL"] and service["restart"] == "on-failure"
    assert any(Path(m.split(":")[0]) in args.runtime.parents for m in nginx["tmpfs"])
    uid = re.search(r"--uid (\d+)", " ".join(rest for step, rest in containerfile() if step == "RUN"))[1]
    assert all(f"uid={uid}" in m for s in services.values() for m in s["tmpfs"] if m.startswith("/run/"))


def _tiny_dist(folder: Path) -> Path:
    dist = folder / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<p>清单</p>", encoding="utf-8")
    with sqlite3.connect(dist / "qingdan.db") as db:
        db.execute("create table agencies (id text primary key, name text)")
        db.execute("insert into agencies values ('demo', '示例局')")
    write_metadata(dist / "metadata.json", site_url="")
    return dist


@pytest.mark.slow
def test_the_deployed_commands_serve_the_layout(tmp_path):
    """What the units and compose run, run here: `nginx` and one `replica`, each in its own process."""
    dist = _tiny_dist(tmp_path)
    for _ in range(20):  # the replica listens on the port after Datasette's, as nginx expects
        site, ds = free_ports(2)
        replica_port = ds + 1
        if replica_port != site and not port_open(replica_port):
            break
    common = ["--dist", str(dist)]
    module = [sys.executable, "-m", "qingdan.serve_prod"]
    replica = subprocess.Popen(
        [*module, "replica", *common, "--port", str(replica_port), "--runtime", str(tmp_path / "replica")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = subprocess.Popen(
        [
            *module,
            "nginx",
            *common,
            "--runtime",
            str(tmp_path / "nginx"),
            "--site-port",
            str(site),
            "--datasette-port",
            str(ds),
            "--replicas",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: port_open(site) and port_open(replica_port), 60)
        status, _, body = get(f"http://127.0.0.1:{site}/qingdan/agencies.json?_shape=array")
        assert status == 200 and json.loads(body) == [{"id": "demo", "name": "示例局"}]
        assert get(f"http://127.0.0.1:{site}/")[2].decode() == "<p>清单</p>"
        # the same configuration serve --prod writes, and the inspect file beside the replica
        layout = Layout(dist.absolute(), (tmp_path / "nginx").absolute(), HOST, site, ds, [replica_port])
        assert (tmp_path / "nginx" / "nginx.conf").read_text(encoding="utf-8") == nginx_config(layout)
        assert (tmp_path / "replica" / "inspect.json").is_file()
        assert ProdServer(layout).replica_args(replica_port)[3:5] == ["serve", "--immutable"]
    finally:
        for process in (nginx, replica):
            process.terminate()
            process.wait(timeout=20)


def test_system_deps_installs_systemd_analyze():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert 'command -v systemd-analyze >/dev/null || missing="$$missing systemd"' in makefile
    assert shutil.which("systemd-analyze")
