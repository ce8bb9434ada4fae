"""nginx's own refusals (400, 403, 404, 405, 413, 414, 429, 50x) are Chinese pages in the site's look, written
by the build into the site (qingdan/error_pages.py) and sent by the template's error_page lines, the status
kept, on the site's port and on Datasette's."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess

import pytest

from qingdan.error_pages import ERROR_STYLE, ERROR_STYLE_HASH, ERRORS, ERRORS_FOLDER, error_pages
from qingdan.serve_prod import NGINX_TEMP_FOLDERS, nginx_binary, nginx_config

from .test_hostile_http import port_open, wait_for
from .test_serve_prod import layout_for, raw_request

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_each_page_is_chinese_self_contained_and_allowed_by_its_style_hash():
    pages = error_pages()
    assert sorted(pages) == sorted(f"{ERRORS_FOLDER}/{code}.html" for code in ERRORS)
    assert set(ERRORS) == {"400", "403", "405", "413", "414", "429", "50x"}  # 404 is the site's own page
    digest = base64.b64encode(hashlib.sha256(ERROR_STYLE.encode()).digest()).decode()
    assert ERROR_STYLE_HASH == f"sha256-{digest}"
    for rel, data in pages.items():
        text = data.decode("utf-8")
        assert '<html lang="zh-CN">' in text and "nginx" not in text.lower()
        title, message = ERRORS[rel.split("/")[1].removesuffix(".html")]
        assert f"<h1>{title}</h1>" in text and message in text
        assert f"<style>{ERROR_STYLE}</style>" in text  # exactly the hashed text
        assert "<script" not in text and not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched
        # every word a reader sees is Chinese (the site's name, status codes, KB, GET and HEAD apart)
        visible = re.sub(
            r"<style>.*?</style>|<[^>]+>|qingdan|HTTP \d+|\d+|[（）()、，。：:.·\s-]", "", text, flags=re.S
        )
        assert visible and all(HAN.match(ch) or ch in "KB5x" or ch in "GETHEAD" for ch in visible), visible


def test_the_template_sends_every_status_to_its_page(tmp_path):
    (tmp_path / "dist" / "site").mkdir(parents=True)
    text = nginx_config(layout_for(tmp_path / "dist", tmp_path))
    for server in text.split("    server {")[1:]:
        pages = dict(re.findall(r"error_page ([\d ]+) (\S+);", server))
        sent = {code: page for codes, page in pages.items() for code in codes.split()}
        for code in ("400", "494", "403", "405", "413", "414", "429", "500", "502", "503", "504"):
            name = "400" if code == "494" else "50x" if code.startswith("5") else code
            assert sent[code] == f"/{ERRORS_FOLDER}/{name}.html", code
        assert f"style-src '{ERROR_STYLE_HASH}'" in server
    assert "error_page 404 /404.html;" in text


@pytest.mark.slow
def test_nginx_answers_with_the_sites_chinese_pages(tmp_path):
    dist = tmp_path / "dist"
    site = dist / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<p>清单</p>", encoding="utf-8")
    (site / "404.html").write_text("<h1>找不到这个页面</h1>", encoding="utf-8")  # the build's: MkDocs' shell
    for rel, data in error_pages().items():
        (site / rel).parent.mkdir(exist_ok=True)
        (site / rel).write_bytes(data)
    layout = layout_for(dist, tmp_path)
    for folder in NGINX_TEMP_FOLDERS:
        (layout.runtime / folder).mkdir(parents=True)
    layout.nginx_conf.write_text(nginx_config(layout), encoding="utf-8")
    nginx = [nginx_binary(), "-p", str(layout.runtime), "-c", str(layout.nginx_conf), "-e", str(layout.runtime / "e")]
    process = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    close = b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"  # a Host it serves (others are refused)
    try:
        assert wait_for(lambda: port_open(layout.site_port) and port_open(layout.datasette_port), 20)
        cases = {
            414: (b"GET /qingdan/powers?q=" + b"a" * 10_000 + b" HTTP/1.1\r\n" + close, "414"),
            400: (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 10_000 + b"\r\n" + close, "400"),
            413: (b"POST /qingdan/powers HTTP/1.1\r\nContent-Length: 100000\r\n" + close + b"x" * 100_000, "413"),
            502: (b"GET /qingdan/powers.json HTTP/1.1\r\n" + close, "50x"),  # no replica runs
        }
        # (403 has no request that makes it here, the tests running as root: the template's line is checked above)
        site_only = {
            405: (b"POST /index.html HTTP/1.1\r\nContent-Length: 2\r\n" + close + b"{}", "405"),
        }
        for port, asked in ((layout.site_port, {**cases, **site_only}), (layout.datasette_port, cases)):
            for expected, (request, page) in asked.items():
                status, answer = raw_request(port, request)
                head, _, body = answer.decode("utf-8").partition("\r\n\r\n")
                assert status == expected, head
                assert body == error_pages()[f"{ERRORS_FOLDER}/{page}.html"].decode(), (port, expected, body[:300])
                assert f"style-src '{ERROR_STYLE_HASH}'" in head and "text/html; charset=utf-8" in head
        status, answer = raw_request(layout.site_port, b"GET /no/such/page/ HTTP/1.1\r\n" + close)
        assert status == 404 and "找不到这个页面" in answer.decode()
        # the pages cannot be opened as addresses of their own
        status, answer = raw_request(layout.site_port, f"GET /{ERRORS_FOLDER}/414.html HTTP/1.1\r\n".encode() + close)
        assert status == 404 and "找不到这个页面" in answer.decode()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_build_writes_the_pages_into_the_site_with_its_stamp(mini_build):
    site = mini_build.dist / "site"
    for rel in error_pages():
        text = (site / rel).read_text(encoding="utf-8")
        assert "版本 stamp-aaaa" in text and '<a href="/">返回首页</a>' in text
    assert (
        error_pages("https://example.org/qingdan/")[f"{ERRORS_FOLDER}/429.html"].count(b'href="/qingdan/') == 3
    )  # header, home, guides
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert "<h1>找不到这个页面</h1>" in not_found and "Not found" not in not_found
    assert 'href="/assets/stylesheets/' in not_found  # MkDocs' shell: the site's look at any address
