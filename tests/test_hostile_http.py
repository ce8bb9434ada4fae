"""Hostile HTTP requests against the public servers: Datasette (with its plugins) and the site server of
`qingdan serve`. Each case states the expected refusal or safe result and a time bound."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from qingdan.datasette_setup import write_metadata
from qingdan.serve import site_server
from qingdan.web_security import inline_scripts, script_hash

from .conftest import public_datasette

FAST = 3.0  # seconds: every refusal must come well inside this on a shared machine


@contextmanager
def within(seconds: float):
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.2f} s (bound {seconds} s)"


@pytest.fixture(scope="module")
def db_path(seed_db):
    return seed_db


@pytest.fixture(scope="module")  # read only: one instance for the module
def ds(db_path):
    return public_datasette(db_path)


# --- Datasette -------------------------------------------------------------------------------------


async def test_a_thousand_facets_are_refused_at_once(ds):
    with within(FAST):
        response = await ds.client.get("/qingdan/powers?" + "&".join(["_facet=category"] * 1000))
    assert response.status_code == 400 and "查询参数过长" in response.text


async def test_more_than_a_handful_of_facets_is_refused_in_chinese(ds):
    with within(FAST):
        response = await ds.client.get("/qingdan/powers.json?" + "&".join(["_facet=category"] * 6))
    assert response.status_code == 400
    assert "分面" in response.json()["error"]
    few = await ds.client.get("/qingdan/powers.json?" + "&".join(["_facet=category"] * 2))
    assert few.status_code == 200


async def test_facet_kinds_count_together(ds):
    params = ["_facet=category"] * 2 + ["_facet_array=x"] * 2 + ["_facet_date=y"] * 2
    with within(FAST):
        response = await ds.client.get("/qingdan/powers.json?" + "&".join(params))
    assert response.status_code == 400


async def test_percent_encoded_parameter_names_are_checked_too(ds):
    """`%5Ffacet` is `_facet` to Datasette: the limits must see it, though plain `?q=` requests skip parsing."""
    with within(FAST):
        facets = await ds.client.get("/qingdan/powers.json?" + "&".join(["%5Ffacet=category"] * 6))
        sort = await ds.client.get("/qingdan/powers.json?%5fsort=nocol")
    assert facets.status_code == 400 and "分面" in facets.json()["error"]
    assert sort.status_code == 400


async def test_an_overlong_query_string_is_refused(ds):
    with within(FAST):
        response = await ds.client.get("/qingdan/who_handles", params={"q": "医保" * 3000})
    assert response.status_code == 400 and "过长" in response.text
    assert response.headers["content-type"].startswith("text/html")


async def test_post_to_a_canned_query_is_405_not_500(ds):
    with within(FAST):
        response = await ds.client.post("/qingdan/who_handles", data={"q": "医疗救助"})
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
async def test_writes_to_read_only_pages_are_405(ds, method):
    for path in ("/qingdan/powers", "/qingdan/powers.json", "/-/messages", "/qingdan/-/create"):
        response = await ds.client.request(method.upper(), path)
        assert response.status_code == 405, (method, path, response.status_code)


async def test_unknown_sort_column_is_400(ds):
    for params in ({"_sort": "nocol"}, {"_sort_desc": "nocol"}, {"_sort": "code); drop table x; --"}):
        with within(FAST):
            response = await ds.client.get("/qingdan/powers.json", params=params)
        assert response.status_code == 400, params
        assert "排序" in response.json()["error"]
    good = await ds.client.get("/qingdan/powers.json", params={"_sort_desc": "code", "_shape": "objects"})
    codes = [r["code"] for r in good.json()["rows"]]
    assert good.status_code == 200 and codes == sorted(codes, reverse=True)


async def test_empty_search_box_shows_every_row(ds, db_path):
    import sqlite3

    total = sqlite3.connect(db_path).execute("select count(*) from search_index").fetchone()[0]
    for value in ("", "   ", "？！"):
        with within(FAST):
            response = await ds.client.get("/qingdan/search_index.json", params={"_search": value, "_size": "1"})
        assert response.status_code == 200, (value, response.text[:200])
        assert response.json()["filtered_table_rows_count"] == total
    page = await ds.client.get("/qingdan/search_index", params={"_search": ""})
    assert page.status_code == 200 and "Invalid SQL" not in page.text


async def test_size_max_is_bounded(ds):
    from qingdan.settings import MAX_PAGE_SIZE

    with within(FAST):
        response = await ds.client.get("/qingdan/search_index.json", params={"_size": "max"})
    assert response.status_code == 200 and len(response.json()["rows"]) <= 1000
    huge = await ds.client.get("/qingdan/search_index.json", params={"_size": "1000000"})
    assert huge.status_code == 200 and len(huge.json()["rows"]) <= MAX_PAGE_SIZE  # capped (issue 25)


async def test_datasette_sends_security_headers_on_pages_and_errors(ds):
    for path in ("/", "/qingdan", "/qingdan/powers", "/qingdan/powers.json", "/qingdan/nosuchtable"):
        response = await ds.client.get(path)
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY"
        assert "referrer-policy" in headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


async def test_datasette_pages_run_under_their_policy(ds, db_path):
    """Every inline script Datasette renders is allowed by hash, so its pages keep working."""
    import sqlite3

    row_id = sqlite3.connect(db_path).execute("select id from powers limit 1").fetchone()[0]
    pages = ["/", "/qingdan", "/qingdan/powers", f"/qingdan/powers/{row_id}", "/qingdan/who_handles?q=稽核"]
    for path in pages:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        allowed = response.headers["content-security-policy"]
        for body in inline_scripts(response.content):
            assert script_hash(body) in allowed, (path, body[:80])


async def test_cors_preflight_still_works(ds):
    response = await ds.client.options("/qingdan/powers.json")
    assert response.status_code != 405


# --- the site server of `qingdan serve` -----------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "guides" / "g1").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "index.html").write_text(
        '<html><body><script>var ok=1;</script><form action="http://127.0.0.1:8001/qingdan/who_handles">'
        "</form></body></html>",
        encoding="utf-8",
    )
    (root / "guides" / "g1" / "index.html").write_text("<p>指南</p>", encoding="utf-8")
    (root / "assets" / "app.js").write_text("1", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    (root / "leak.txt").symlink_to(secret)
    server = site_server(root, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def raw_request(port: int, path: str, method: str = "GET") -> http.client.HTTPResponse:
    """Send the path exactly as written (no client-side normalisation of `..`)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=FAST)
    conn.putrequest(method, path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/guides/..%5c..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/leak.txt",
    ],
)
def test_site_server_never_serves_outside_the_site(site, path):
    with within(FAST):
        response = raw_request(site, path)
    assert response.status == 404, (path, response.status)
    assert b"root:" not in response.body and b"secret" not in response.body


def test_site_server_lists_no_folder(site):
    for path in ("/assets/", "/guides/"):
        response = raw_request(site, path)
        assert response.status == 404 and b"app.js" not in response.body and b"g1" not in response.body
    assert raw_request(site, "/guides/g1/").status == 200


def test_site_server_refuses_writes(site):
    for method in ("POST", "PUT", "DELETE"):
        response = raw_request(site, "/index.html", method)
        assert response.status == 405 and "GET" in response.getheader("Allow")


def test_site_server_sends_security_headers(site):
    response = raw_request(site, "/")
    assert response.status == 200
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy")
    csp = response.getheader("Content-Security-Policy")
    assert script_hash(b"var ok=1;") in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert re.search(r"form-action 'self' http://127\.0\.0\.1:8001(;|$)", csp)
    assert raw_request(site, "/nosuchpage").getheader("X-Frame-Options") == "DENY"


# --- stopping `qingdan serve` ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def dist(tmp_path, db_path):
    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<p>清单</p>", encoding="utf-8")
    (dist / "qingdan.db").write_bytes(db_path.read_bytes())
    write_metadata(dist / "metadata.json")
    return dist


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_serve_stops_datasette(dist, stop):
    site_port, ds_port = free_port(), free_port()
    qingdan = Path(sys.executable).parent / "qingdan"
    args = [str(qingdan), "serve", "--dist", str(dist), "--site-port", str(site_port), "--datasette-port", str(ds_port)]
    serve = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: port_open(ds_port) and port_open(site_port), 60), "serve did not start"
        os.kill(serve.pid, stop)
        with within(15):
            serve.wait(timeout=15)
            assert wait_for(lambda: not port_open(ds_port), 10), "Datasette still listening after serve stopped"
        assert not port_open(site_port)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


# --- the real site under its policy, in Chromium ------------------------------------------------------


@pytest.mark.browser
def test_site_search_and_scripts_run_under_the_policy(mini_site, new_page):
    """The built site served with its Content-Security-Policy: Material's scripts and the Pagefind search
    (WebAssembly) run, and the browser reports no violation."""
    server = site_server(mini_site.path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        page = new_page("desktop")
        violations = []
        page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
        page.on("pageerror", lambda e: violations.append(str(e)))
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/guides/")
        page.click(".md-search__input")
        page.keyboard.insert_text("医保")
        page.locator(".md-search-result__item a").first.wait_for()
        assert violations == []
    finally:
        server.shutdown()
        server.server_close()


# --- second round (issue 25): Host pinned, sizes capped, one client's share bounded (nginx in front) ---------------


def http_get(port: int, path: str, host: str, source: str = "127.0.0.1", extra: str = "") -> tuple[int | None, bytes]:
    """A raw GET from `source` with the Host header `host`: (status, whole answer), status None if nginx closed
    the connection without answering (444)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode())
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    if not answer:
        return None, b""
    return int(answer.split(b" ", 2)[1]), answer


@pytest.fixture
def prod_public(dist, tmp_path):
    """serve --prod (nginx, one replica) of a dist built with --site-url http://qingdan.example.org/."""
    from qingdan.serve_prod import Layout, ProdServer

    write_metadata(dist / "metadata.json", site_url="http://qingdan.example.org/")
    layout = Layout(dist, tmp_path / "runtime", "127.0.0.1", free_port(), free_port(), [free_port()])
    server = ProdServer(layout, quiet=True)
    try:
        server.start()
        yield layout
    finally:
        server.stop()


@pytest.mark.slow
def test_unknown_hosts_are_refused_and_links_never_carry_the_clients_host(prod_public):
    """Host: evil.example is closed unanswered (444) on both ports; a known Host is served and Datasette's links
    carry the configured address, whatever Host or X-Forwarded-Host the client sent; within 30 s."""
    started = time.monotonic()
    site, data = prod_public.site_port, prod_public.datasette_port
    for port, path in ((site, "/"), (site, "/qingdan/powers.json"), (site, "/-/versions.json"), (data, "/qingdan")):
        assert http_get(port, path, "evil.example")[0] is None, (port, path)
    for host in ("127.0.0.1", f"127.0.0.1:{site}", "localhost", "qingdan.example.org"):
        status, answer = http_get(
            site, "/qingdan/powers.json?_size=2", host, extra="X-Forwarded-Host: evil.example\r\n"
        )
        assert status == 200 and b"evil" not in answer, host
    status, answer = http_get(site, "/qingdan/powers?_size=2", "qingdan.example.org")
    assert status == 200 and b"evil" not in answer and b"qingdan.example.org" in answer
    status, answer = http_get(data, "/qingdan/powers.json?_size=2&_facet=category", "127.0.0.1")
    assert status == 200 and b"evil" not in answer
    assert time.monotonic() - started < 30


@contextmanager
def nginx_before_a_slow_upstream(tmp_path, delay: float = 1.0):
    """nginx from the template in front of a stand-in for the replica that answers every request after `delay`
    seconds and records the Host headers it is sent: (layout, hosts seen)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from qingdan.serve_prod import Layout, nginx_binary, nginx_config

    seen: list[str] = []

    class Slow(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the name http.server calls
            seen.append(self.headers.get("Host", ""))
            seen.extend(f"forwarded-host:{v}" for v in self.headers.get_all("X-Forwarded-Host") or [] if v)
            time.sleep(delay)
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<p>清单</p>", encoding="utf-8")
    write_metadata(dist / "metadata.json", site_url="http://qingdan.example.org/")
    layout = Layout(dist, tmp_path / "runtime", "127.0.0.1", free_port(), free_port(), [free_port()])
    upstream = ThreadingHTTPServer(("127.0.0.1", layout.replica_ports[0]), Slow)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    for folder in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (layout.runtime / folder).mkdir(parents=True)
    layout.nginx_conf.write_text(nginx_config(layout), encoding="utf-8")
    nginx = [nginx_binary(), "-p", str(layout.runtime), "-c", str(layout.nginx_conf), "-e", str(layout.runtime / "e")]
    process = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: port_open(layout.site_port) and port_open(layout.datasette_port), 20)
        yield layout, seen
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


@pytest.mark.slow
def test_one_client_has_at_most_its_share_of_database_requests_in_flight(tmp_path):
    """A client (127.0.0.2: any address but this machine's own counts) sending 12 database requests at once,
    each held 1 s by the database, gets 429 for those past its concurrency; another client (127.0.0.3) is
    answered meanwhile in about the database's time, not after the first client's queue."""
    from concurrent.futures import ThreadPoolExecutor

    from qingdan.settings import DB_CONCURRENCY

    with nginx_before_a_slow_upstream(tmp_path) as (layout, _), ThreadPoolExecutor(13) as pool:
        site = layout.site_port
        burst = [
            pool.submit(http_get, site, f"/qingdan/powers.json?n={i}", "127.0.0.1", "127.0.0.2") for i in range(12)
        ]
        time.sleep(0.3)
        started = time.monotonic()
        other = http_get(site, "/qingdan/powers.json?_size=1", "127.0.0.1", "127.0.0.3")
        other_seconds = time.monotonic() - started
        statuses = [f.result()[0] for f in burst]
    assert other[0] == 200 and other_seconds < 2.5, other_seconds
    assert statuses.count(200) == DB_CONCURRENCY and statuses.count(429) == 12 - DB_CONCURRENCY, statuses


@pytest.mark.slow
def test_the_database_is_sent_the_configured_host_whatever_the_client_says(tmp_path):
    with nginx_before_a_slow_upstream(tmp_path, delay=0) as (layout, seen):
        extra = "X-Forwarded-Host: evil.example\r\nForwarded: host=evil.example\r\n"
        assert http_get(layout.site_port, "/qingdan/powers.json", "127.0.0.1", extra=extra)[0] == 200
        assert http_get(layout.site_port, "/qingdan/powers.json", "qingdan.example.org")[0] == 200
        assert http_get(layout.datasette_port, "/qingdan/powers.json", "localhost")[0] == 200
        assert http_get(layout.site_port, "/qingdan/powers.json", "evil.example")[0] is None
    from urllib.parse import urlsplit

    from qingdan.settings import settings

    assert seen == ["qingdan.example.org", "qingdan.example.org", urlsplit(settings().datasette_url).netloc], seen


def test_page_and_facet_sizes_are_capped(ds):
    import asyncio

    from qingdan.settings import MAX_FACET_SIZE, MAX_PAGE_SIZE

    async def fetch():
        return await ds.client.get("/qingdan/powers.json?_size=max&_facet=category&_facet_size=max&_shape=objects")

    with within(FAST * 2):
        response = asyncio.run(fetch())
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["rows"]) <= MAX_PAGE_SIZE
    assert all(len(facet["results"]) <= MAX_FACET_SIZE for facet in body["facet_results"].values())
    import importlib.util

    from qingdan.settings import settings

    plugin = settings().datasette_config / "plugins" / "qingdan_limits.py"
    spec = importlib.util.spec_from_file_location("qingdan_limits_under_test", plugin)
    limits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(limits)
    capped_sizes = limits.capped_sizes  # the plugin's rule, at sizes the seed database cannot show

    pairs = [("_size", "max"), ("_facet_size", "100000"), ("_size", "20"), ("_facet_size", "max"), ("q", "max")]
    assert capped_sizes(pairs) == [
        ("_size", str(MAX_PAGE_SIZE)),
        ("_facet_size", str(MAX_FACET_SIZE)),
        ("_size", "20"),
        ("_facet_size", str(MAX_FACET_SIZE)),
        ("q", "max"),
    ]


def test_datasette_time_limits_keep_a_page_near_one_second():
    from qingdan.datasette_setup import datasette_args
    from qingdan.settings import FACET_TIME_LIMIT_MS, MAX_FACETS, SQL_TIME_LIMIT_MS

    args = datasette_args(Path("q.db"), Path("m.json"))
    assert args[args.index("facet_time_limit_ms") + 1] == str(FACET_TIME_LIMIT_MS)
    assert args[args.index("sql_time_limit_ms") + 1] == str(SQL_TIME_LIMIT_MS)
    assert 2 * SQL_TIME_LIMIT_MS + MAX_FACETS * FACET_TIME_LIMIT_MS <= 1100
