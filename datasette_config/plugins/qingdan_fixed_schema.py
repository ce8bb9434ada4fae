"""Datasette plugin: read the schemas once, not on every request.

Datasette checks before every request whether any database's schema changed (`refresh_schemas`:
three queries, each a round trip through its SQL thread pool, against one for the answer itself).
The public instance serves immutable files, whose schema cannot change: once read at start-up, the
check is dropped. An instance with a mutable database (`datasette serve` without `--immutable`)
keeps it.
"""

from datasette import hookimpl


@hookimpl
def startup(datasette):
    async def read_schemas_once():
        if any(db.is_mutable for name, db in datasette.databases.items() if name != "_internal"):
            return
        await datasette.refresh_schemas()

        async def schemas_are_fixed():
            return None

        datasette.refresh_schemas = schemas_are_fixed

    return read_schemas_once
