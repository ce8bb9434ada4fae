"""Datasette plugin: no line per request in uvicorn's access log.

Under load that log was about 9 % of a Datasette process's CPU (py-spy on `who_handles` at
100,000 powers: formatting and writing a line per answer). Behind nginx (`qingdan serve --prod`)
every request is in nginx's own access.log already. Errors and start-up messages are still
printed. uvicorn sets up its loggers after Datasette's start-up hooks, so this is done on the
first request.
"""

import logging

from datasette import hookimpl


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        quiet = False

        async def without_access_log(scope, receive, send):
            nonlocal quiet
            if not quiet and scope.get("type") == "http":
                logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
                quiet = True
            await app(scope, receive, send)

        return without_access_log

    return wrap
