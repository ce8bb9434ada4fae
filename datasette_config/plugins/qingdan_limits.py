"""Datasette plugin: bound what one request may ask for, refuse what a read-only instance cannot do,
and send the security headers.

- more than `MAX_FACETS` facet parameters, or a query string over `MAX_QUERY_STRING` bytes → 400
  (one request with 1,000 `_facet` parameters used to hold the server for 18–51 s);
- any method other than GET, HEAD and OPTIONS (CORS preflight) → 405 (a POST used to end in a 500);
- an empty search box shows every row instead of "Invalid SQL";
- `_size` and `_facet_size` (numbers or `max`) capped to `MAX_PAGE_SIZE` and `MAX_FACET_SIZE`;
- `_sort` / `_sort_desc` naming no column of the table → 400 (used to be a 500);
- every response carries a Content-Security-Policy allowing only this origin (Datasette's inline scripts
  by hash), X-Content-Type-Options, X-Frame-Options and Referrer-Policy.
"""

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import datasette
from datasette import hookimpl

from qingdan.search import fts_query
from qingdan.settings import MAX_FACET_SIZE, MAX_FACETS, MAX_PAGE_SIZE, MAX_QUERY_STRING, settings
from qingdan.web_security import BASE_HEADERS, content_security_policy, inline_scripts, script_hash

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
FACET_PARAMS = ("_facet", "_facet_array", "_facet_date")
SORT_PARAMS = ("_sort", "_sort_desc")
TEMPLATE_DIRS = (settings().datasette_config / "templates", Path(datasette.__file__).parent / "templates")
# /database/table or /database/table.json|.csv (our table names need no tilde-encoding).
TABLE_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<table>[^/.]+)(?:\.(?:json|csv))?$")


def datasette_script_hashes() -> set[str]:
    """Hashes of the inline scripts Datasette's pages (and our overrides) can contain."""
    hashes = set()
    for folder in TEMPLATE_DIRS:
        for template in folder.glob("*.html"):
            for body in inline_scripts(template.read_bytes()):
                if b"{{ datasette_allow_facet }}" in body:
                    hashes.update(
                        script_hash(body.replace(b"{{ datasette_allow_facet }}", v)) for v in (b"true", b"false")
                    )
                elif b"{{" not in body and b"{%" not in body:
                    hashes.add(script_hash(body))
    return hashes


def security_headers() -> list[tuple[bytes, bytes]]:
    headers = {**BASE_HEADERS, "Content-Security-Policy": content_security_policy(datasette_script_hashes())}
    return [(k.lower().encode(), v.encode()) for k, v in headers.items()]


async def refuse(send, path: str, status: int, message: str, headers: list[tuple[bytes, bytes]]):
    """A short error in Chinese: JSON for .json addresses, a small page otherwise."""
    if path.endswith(".json"):
        body = json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False)
        content_type = b"application/json; charset=utf-8"
    else:
        body = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>请求无法处理</title></head>'
            f"<body><h1>请求无法处理（{status}）</h1><p>{html.escape(message)}</p>"
            '<p><a href="/">返回</a></p></body></html>'
        )
        content_type = b"text/html; charset=utf-8"
    extra = [(b"allow", b"GET, HEAD, OPTIONS")] if status == 405 else []
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), *extra, *headers],
        }
    )
    await send({"type": "http.response.body", "body": body.encode("utf-8")})


async def unknown_sort_column(datasette, path: str, pairs: list[tuple[str, str]]) -> str | None:
    """The `_sort` value naming no column of the table at `path`, if any."""
    sorts = [v for k, v in pairs if k in SORT_PARAMS]
    match = TABLE_PATH.match(path)
    if not sorts or not match or match["database"] not in datasette.databases:
        return None
    db = datasette.databases[match["database"]]
    if match["table"] not in await db.table_names():
        return None
    columns = set(await db.table_columns(match["table"])) | {"rowid"}
    return next((s for s in sorts if s not in columns), None)


def too_long(query_string: bytes) -> str | None:
    if len(query_string) > MAX_QUERY_STRING:
        return f"查询参数过长（超过 {MAX_QUERY_STRING} 字节），请缩短后重试。"
    return None


def too_many_facets(pairs: list[tuple[str, str]]) -> str | None:
    facets = sum(1 for k, _ in pairs if k in FACET_PARAMS)
    if facets > MAX_FACETS:
        return f"一次最多按 {MAX_FACETS} 个字段分面统计（本次请求了 {facets} 个）。"
    return None


def checked_params(query_string: bytes) -> bool:
    """Whether the query string may hold a parameter these checks look at (`_facet…`, `_sort…`,
    `_search…`: all start with `_`, written as such or as %5F). Most requests (`?q=…`) hold none and
    are not parsed here a second time: parsing was about 5 % of the CPU of a canned query."""
    return b"_" in query_string or b"%5f" in query_string.lower()


SIZE_CAPS = {"_size": MAX_PAGE_SIZE, "_facet_size": MAX_FACET_SIZE}


def capped_sizes(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`_size` and `_facet_size` (a number or `max`) at most their caps: a page of every row, or facets of every
    value, held a replica for over a second."""
    out = []
    for key, value in pairs:
        cap = SIZE_CAPS.get(key)
        if cap is not None and (not value.strip().isdigit() or int(value) > cap):
            value = str(cap) if value.strip() == "max" or value.strip().isdigit() else value
        out.append((key, value))
    return out


def without_empty_search(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop search boxes left empty (or holding only punctuation): the page then shows every row."""
    nothing = fts_query("")
    return [
        (k, v) for k, v in pairs if not (k.startswith("_search") and k != "_searchmode" and fts_query(v) == nothing)
    ]


@hookimpl
def asgi_wrapper(datasette):
    headers = security_headers()

    def wrap(app):
        async def limited(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            path = scope.get("path", "")
            if scope.get("method", "GET").upper() not in READ_METHODS:
                return await refuse(send, path, 405, "这是只读的数据库，只接受查询（GET）请求。", headers)
            query_string = scope.get("query_string", b"")
            parse = checked_params(query_string) and not too_long(query_string)
            pairs = parse_qsl(query_string.decode("utf-8", "replace"), True) if parse else []
            message = too_long(query_string) or too_many_facets(pairs)
            if message:
                return await refuse(send, path, 400, message, headers)
            column = await unknown_sort_column(datasette, path, pairs)
            if column is not None:
                return await refuse(send, path, 400, f"无法按“{column}”排序：这张表没有这一列。", headers)
            kept = capped_sizes(without_empty_search(pairs))
            if kept != pairs:
                scope = dict(scope, query_string=urlencode(kept).encode("utf-8"))

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    present = {name.lower() for name, _ in message.get("headers", [])}
                    message = dict(
                        message, headers=[*message.get("headers", []), *(h for h in headers if h[0] not in present)]
                    )
                await send(message)

            await app(scope, receive, send_with_headers)

        return limited

    return wrap
