"""serve-prod: nginx in front of the site and Datasette replicas (qingdan.serve_prod)."""

import contextlib
import gzip
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from qingdan.build import build
from qingdan.datasette_setup import write_metadata
from qingdan.serve_prod import Layout, ProdServer, nginx_binary, nginx_config

from .conftest import REGISTRY
from .test_hostile_http import port_open, wait_for


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def layout_for(dist, tmp_path) -> Layout:
    site, ds, *replicas = free_ports(4)
    return Layout(dist, tmp_path / "runtime", "127.0.0.1", site, ds, replicas)


def get(url: str, headers: dict | None = None, method: str = "GET", data: bytes | None = None):
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_nginx_config_comes_from_the_template_and_nginx_accepts_it(tmp_path):
    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<script>var a=1;</script>", encoding="utf-8")
    layout = layout_for(dist, tmp_path)
    text = nginx_config(layout)
    assert not re.search(r"@[A-Z_]+@", text)
    assert text.count(f"server 127.0.0.1:{layout.replica_ports[0]} ") == 1
    assert f"pid {layout.runtime}/nginx.pid;" in text and "/var/" not in text
    assert "Content-Security-Policy" in text and "'sha256-" in text
    for folder in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (layout.runtime / folder).mkdir(parents=True)
    conf = layout.runtime / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    nginx = [nginx_binary(), "-p", str(layout.runtime), "-c", str(conf), "-e", str(layout.runtime / "error.log")]
    result = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_deployment_can_keep_its_own_template(tmp_path, monkeypatch):
    (tmp_path / "dist" / "site").mkdir(parents=True)
    own = tmp_path / "mine.conf.template"
    own.write_text("# ours\nlisten @HOST@:@SITE_PORT@; root @SITE_DIR@;\n", encoding="utf-8")
    monkeypatch.setenv("QINGDAN_NGINX_TEMPLATE", str(own))
    layout = layout_for(tmp_path / "dist", tmp_path)
    assert nginx_config(layout) == f"# ours\nlisten 127.0.0.1:{layout.site_port}; root {tmp_path / 'dist' / 'site'};\n"


def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (urllib would refuse a malformed request) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), head + b"\r\n\r\n" + body


@pytest.mark.slow
def test_nginx_answers_its_own_refusals_in_chinese(tmp_path):
    """414, 400, 413 and 502 are made by nginx itself: Chinese pages, the status kept. No replica runs, so
    the database is unreachable (502)."""
    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<p>清单</p>", encoding="utf-8")
    layout = layout_for(dist, tmp_path)
    for folder in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (layout.runtime / folder).mkdir(parents=True)
    layout.nginx_conf.write_text(nginx_config(layout), encoding="utf-8")
    nginx = [nginx_binary(), "-p", str(layout.runtime), "-c", str(layout.nginx_conf), "-e", str(layout.runtime / "e")]
    process = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: port_open(layout.site_port) and port_open(layout.datasette_port), 20)
        for port in (layout.site_port, layout.datasette_port):
            close = b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"
            cases = {
                414: b"GET /qingdan/powers?q=" + b"a" * 10_000 + b" HTTP/1.1\r\n" + close,
                400: b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 10_000 + b"\r\n" + close,
                413: b"POST /qingdan/powers HTTP/1.1\r\nContent-Length: 100000\r\n" + close + b"x" * 100_000,
                502: b"GET /qingdan/powers.json HTTP/1.1\r\n" + close,
            }
            for expected, request in cases.items():
                status, answer = raw_request(port, request)
                text = answer.decode("utf-8")
                assert status == expected, text
                assert "text/html; charset=utf-8" in text and "请求无法处理" in text, text
                assert "nginx" not in text.partition("\r\n\r\n")[2]
            assert "网址过长" in raw_request(port, cases[414])[1].decode()
            assert "数据库暂时无法访问" in raw_request(port, cases[502])[1].decode()
        assert "请求过于频繁" in layout.nginx_conf.read_text(encoding="utf-8")  # 429: loopback is never limited
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def seed_dist(tmp_path_factory):
    dist = tmp_path_factory.mktemp("prod") / "dist"
    build(REGISTRY, dist, site_url="http://127.0.0.1:8000/", version="test")
    return dist


@pytest.fixture(scope="module")
def prod(seed_dist, tmp_path_factory):
    layout = layout_for(seed_dist, tmp_path_factory.mktemp("prod-runtime"))
    server = ProdServer(layout, quiet=True)
    try:
        server.start()
        yield server
    finally:
        server.stop()
    for port in (layout.site_port, layout.datasette_port, *layout.replica_ports):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open after stop"


@pytest.mark.slow
def test_serve_prod_serves_the_seed_build_through_nginx_and_two_replicas(prod):
    base = f"http://127.0.0.1:{prod.layout.site_port}"
    assert len(prod.replicas) == 2 and all(p.poll() is None for p in prod.replicas.values())
    # The first question after start succeeds (no cold start inside the SQL time limit).
    status, _, body = get(f"{base}/qingdan/who_handles.json?q=%E5%BC%82%E5%9C%B0%E5%B0%B1%E5%8C%BB&_shape=objects")
    assert status == 200 and b"rows" in body
    status, headers, body = get(f"{base}/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert "清单".encode() in gzip.decompress(body)
    assert (
        headers["X-Content-Type-Options"] == "nosniff"
        and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    )
    assert headers["Referrer-Policy"] and headers["Cache-Control"] == "no-cache"
    site = prod.layout.dist / "site"
    bundle = next(site.glob("assets/javascripts/bundle.*.min.js")).relative_to(site).as_posix()
    status, headers, _ = get(f"{base}/{bundle}")
    assert status == 200 and "immutable" in headers["Cache-Control"] and "max-age=31536000" in headers["Cache-Control"]
    assert get(f"{base}/-/versions.json")[0] == 200
    assert get(f"http://127.0.0.1:{prod.layout.datasette_port}/qingdan/powers.json")[0] == 200
    assert get(f"{base}/qingdan/powers", method="POST", data=b"x")[0] == 405
    status, _, body = get(f"{base}/qingdan/powers", method="POST", data=b"x" * 100_000)
    assert status == 413 and "请求内容过大" in body.decode()
    assert get(f"{base}/assets/")[0] == 404
    assert get(f"{base}/qingdan/powers?" + "&".join(["_facet=category"] * 1000))[0] in (400, 414)


@pytest.mark.slow
def test_a_request_succeeds_while_a_replica_is_killed(prod):
    base = f"http://127.0.0.1:{prod.layout.site_port}"
    port, victim = next(iter(prod.replicas.items()))
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    statuses = [get(f"{base}/qingdan/powers.json?_size={1 + i}")[0] for i in range(20)]
    assert statuses == [200] * 20
    prod.start_replica(port)


@pytest.mark.slow
def test_a_new_build_is_served_without_a_failed_request(tmp_path):
    """`dist` switched to a new build (a symlink replaced in one rename, as `qingdan build` does): the
    replicas are restarted one at a time on it while clients keep asking, and none of them sees an error."""
    db = build(REGISTRY, tmp_path / "db-only", site=False, version="test").dist / "qingdan.db"
    versions = []
    for n in (1, 2):
        version = tmp_path / "build" / f"dist.v-{n}"
        (version / "site").mkdir(parents=True)
        (version / "site" / "index.html").write_text(f"<p>清单 {n}</p>", encoding="utf-8")
        (version / "qingdan.db").write_bytes(db.read_bytes())
        with contextlib.closing(sqlite3.connect(version / "qingdan.db")) as conn, conn:
            conn.execute("update builds set version = ?", (f"v{n}",))
        write_metadata(version / "metadata.json")
        versions.append(version)
    dist = tmp_path / "dist"
    dist.symlink_to(versions[0])
    server = ProdServer(layout_for(dist, tmp_path), quiet=True)
    base = f"http://127.0.0.1:{server.layout.site_port}"

    def served_version() -> str:
        return json.loads(get(f"{base}/qingdan/builds.json?_shape=array")[2])[0]["version"]

    statuses: list[int] = []
    done = threading.Event()

    def ask():
        while not done.is_set():
            statuses.append(get(f"{base}/qingdan/powers.json?_size=1")[0])

    try:
        server.start()
        assert served_version() == "v1" and server.reload_if_rebuilt() is False
        old = {port: process.pid for port, process in server.replicas.items()}
        clients = [threading.Thread(target=ask) for _ in range(4)]
        for client in clients:
            client.start()
        link = tmp_path / "build" / "dist.link"
        link.symlink_to(versions[1])
        os.replace(link, dist)
        assert server.reload_if_rebuilt() is True
        done.set()
        for client in clients:
            client.join()
        assert len(statuses) > 20 and set(statuses) == {200}, statuses
        assert all(server.replicas[port].pid != pid for port, pid in old.items())
        assert served_version() == "v2" and served_version() == "v2"  # both replicas
        assert "清单 2" in get(f"{base}/")[2].decode()
        assert server.reload_if_rebuilt() is False
    finally:
        done.set()
        server.stop()


@pytest.mark.slow
def test_sigterm_stops_nginx_and_every_replica(tmp_path):

    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<p>清单</p>", encoding="utf-8")
    db = build(REGISTRY, tmp_path / "db-only", site=False, version="test").dist / "qingdan.db"
    (dist / "qingdan.db").write_bytes(db.read_bytes())
    write_metadata(dist / "metadata.json")
    site_port, ds_port = free_ports(2)
    ports = [site_port, ds_port, ds_port + 1, ds_port + 2]
    qingdan = Path(sys.executable).parent / "qingdan"
    args = [str(qingdan), "serve", "--prod", "--dist", str(dist), "--runtime", str(tmp_path / "rt")]
    args += ["--site-port", str(site_port), "--datasette-port", str(ds_port)]
    serve = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: all(port_open(p) for p in ports), 90), "serve --prod did not start"
        assert get(f"http://127.0.0.1:{site_port}/qingdan/powers.json")[0] == 200
        os.kill(serve.pid, signal.SIGTERM)
        start = time.monotonic()
        serve.wait(timeout=20)
        assert wait_for(lambda: not any(port_open(p) for p in ports), 10), "something still listening"
        assert time.monotonic() - start < 25
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
