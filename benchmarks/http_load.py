"""A light HTTP load generator, run as its own process (not a test, not a library).

`bench_datasette.py` used to send its load from 16 httpx threads in its own process: on a 2-core
machine that client's CPU competed with the server's and its time was counted in the latency. This
one is a single asyncio process with raw HTTP/1.1 keep-alive connections (a request line out, the
status line, headers and a Content-Length or chunked body in; no parsing of the body), so the
figures are the server's. It reports its own CPU seconds, so a run can say what the client cost.

    python benchmarks/http_load.py < spec.json > result.json

spec: {"host", "port", "paths": [...], "clients": 16, "seconds": 20}; each client takes the next
path in turn (the paths cycle) until the time is up. result: {"latencies": [...], "errors": n,
"wall_s", "cpu_s"}. An answer other than 200, or a broken connection, is an error.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; return its status."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, close = None, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    if close:
        raise ConnectionResetError("server closed the connection")
    return status


async def client(spec: dict, counter: list[int], deadline: float, latencies: list[float], errors: list[int]) -> None:
    host, port, paths = spec["host"], spec["port"], spec["paths"]
    reader = writer = None
    while time.perf_counter() < deadline:
        path = paths[counter[0] % len(paths)]
        counter[0] += 1
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: qingdan-bench\r\n\r\n".encode()
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status = await read_response(reader)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            status = 0
            if writer is not None:
                writer.close()
            reader = writer = None
        latencies.append(time.perf_counter() - start)
        if status != 200:
            errors[0] += 1
    if writer is not None:
        writer.close()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(spec: dict) -> dict:
    latencies: list[float] = []
    errors, counter = [0], [0]
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    deadline = started + spec["seconds"]
    await asyncio.gather(*(client(spec, counter, deadline, latencies, errors) for _ in range(spec.get("clients", 16))))
    wall = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors[0], "wall_s": wall, "cpu_s": cpu_seconds() - cpu_before}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
