"""Datasette plugin: Chinese search that segments the query the way the index was segmented.

- `qingdan_fts_query(q[, region[, mode]])`: SQL function turning a question in a person's words
  into an FTS5 expression (used by the canned queries), `qingdan_rank_key(q, title, body, …)`:
  where a record holds the question's words, for ranking (`who_handles`), and
  `qingdan_snippet(q, text, …)`: the line of a record's original text that holds the question's words,
  `qingdan_found_by(q, text, …)`: which everyday word of the question found the record through
  which of the lists' terms (按“生孩子”找到“生育”; the thesaurus the database was built with, its
  `thesaurus` table, read at start-up);
- `_search=` on table pages is rewritten through the same function, so the search box and
  the canned queries give the same answers;
- the segmenter is loaded when Datasette starts, so the first question is not the one
  that waits for jieba's dictionary (and runs out of SQL time);
- `/robots.txt` tells crawlers to stay away.
"""

import json
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from qingdan.search import found_by, fts_query, load_segmenter, rank_key, snippet, use_thesaurus


@hookimpl
def startup(datasette):
    async def inner():
        # the thesaurus the database was built with (db.THESAURUS_TABLE), before any question is asked
        for database in datasette.databases.values():
            if await database.table_exists("thesaurus"):
                rows = await database.execute("select word, terms from thesaurus")
                use_thesaurus({row["word"]: tuple(json.loads(row["terms"])) for row in rows})
                break
        load_segmenter()

    return inner


@hookimpl
def prepare_connection(conn):
    for arguments in (1, 2, 3):
        conn.create_function("qingdan_fts_query", arguments, fts_query, deterministic=True)
    conn.create_function("qingdan_snippet", -1, snippet, deterministic=True)
    conn.create_function("qingdan_rank_key", -1, rank_key, deterministic=True)
    conn.create_function("qingdan_found_by", -1, found_by, deterministic=True)


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
