"""Datasette plugin: no CSRF token made for a request that cannot use one.

Datasette's CSRF layer (asgi-csrf) signs a fresh token for every request that comes without its
cookie (API clients, most visitors): a random secret and an HMAC, about 7 % of a replica's CPU
under load (py-spy, `who_handles` at 100,000 powers). A token only protects a form that POSTs, and
this instance refuses every method but GET, HEAD and OPTIONS before Datasette sees it
(`qingdan_limits.py`); an anonymous page shows no such form. So a cookie-less GET or HEAD goes
straight to Datasette's router, with an empty token for any template that asks. Requests with
cookies, the first request (which starts Datasette up) and an instance tracing its queries
(`trace_debug`) take the usual way.
"""

from datasette import hookimpl
from datasette.app import DatasetteRouter

WITHOUT_TOKEN = {"GET", "HEAD"}


def no_token() -> str:
    return ""


def without_cookies(scope) -> bool:
    return not any(name.lower() == b"cookie" for name, _ in scope.get("headers", ()))


def private_if_setting_cookies(send):
    """What Datasette does outside its CSRF layer: a response that sets a cookie is not cached."""

    async def private_send(message):
        if message["type"] == "http.response.start":
            headers = message.get("headers", [])
            if any(name.lower() == b"set-cookie" for name, _ in headers):
                headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                message = dict(message, headers=[*headers, (b"cache-control", b"private, no-store")])
        await send(message)

    return private_send


@hookimpl(tryfirst=True)  # innermost: the limits, search rewriting and quiet log wrap this one
def asgi_wrapper(datasette):
    if datasette.setting("trace_debug"):  # Datasette's tracer sits outside its router: keep the usual way
        return None

    def wrap(app):
        router = None
        started = False

        async def skip_csrf_token(scope, receive, send):
            nonlocal router, started
            if started and scope.get("method") in WITHOUT_TOKEN and without_cookies(scope):
                if router is None:
                    router = DatasetteRouter(datasette, datasette._routes())
                return await router({**scope, "csrftoken": no_token}, receive, private_if_setting_cookies(send))
            await app(scope, receive, send)
            started = started or scope.get("type") == "http"

        return skip_csrf_token

    return wrap
