"""Datasette plugin: Chinese search that segments the query the way the index was segmented.

- `qingdan_fts_query(q)`: SQL function turning a query in a person's words into an FTS5
  expression (used by the canned queries);
- `_search=` on table pages is rewritten through the same function, so the search box and
  the canned queries give the same answers;
- the segmenter is loaded when Datasette starts, so the first question is not the one
  that waits for jieba's dictionary (and runs out of SQL time);
- `/robots.txt` tells crawlers to stay away.
"""

from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from qingdan.search import fts_query, load_segmenter


@hookimpl
def startup(datasette):
    load_segmenter()


@hookimpl
def prepare_connection(conn):
    conn.create_function("qingdan_fts_query", 1, fts_query, deterministic=True)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rewrite_search(scope, receive, send):
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                pairs = parse_qsl(scope["query_string"].decode("utf-8"), keep_blank_values=True)
                pairs = [(k, fts_query(v) if k == "_search" and v and not v.startswith('"') else v) for k, v in pairs]
                scope = dict(scope, query_string=urlencode(pairs).encode("utf-8"))
            await app(scope, receive, send)

        return rewrite_search

    return wrap


@hookimpl
def register_routes():
    async def robots(request):
        return Response.text("User-agent: *\nDisallow: /\n")

    return [(r"^/robots\.txt$", robots)]
