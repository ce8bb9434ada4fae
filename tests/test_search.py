"""Search: no cold start, answers that explain themselves, every kind of record findable."""

import socket
import subprocess
import time

import httpx
import pytest

from qingdan.datasette_setup import write_metadata
from qingdan.db import build_database
from qingdan.validate import validate

from .conftest import REGISTRY


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory):
    report = validate(REGISTRY)
    assert report.ok, [e.format() for e in report.errors[:5]]
    path = tmp_path_factory.mktemp("search") / "qingdan.db"
    return build_database(report, path, site_url="http://127.0.0.1:8000/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_first_question_after_start_is_answered_within_a_tight_time_limit(seed_db, tmp_path):
    """The segmenter loads at startup, not inside the first query's SQL time limit."""
    from qingdan.datasette_setup import datasette_args

    port = _free_port()
    args = datasette_args(seed_db, write_metadata(tmp_path / "metadata.json"), port=port)
    args[args.index("sql_time_limit_ms") + 1] = "200"
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/qingdan"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "Datasette did not start"
                time.sleep(0.1)
        response = httpx.get(f"{base}/who_handles.json", params={"q": "异地就医备案", "_shape": "objects"}, timeout=30)
        assert response.status_code == 200, response.text[:300]
        assert any("异地就医" in row["title"] for row in response.json()["rows"][:3])
    finally:
        server.terminate()
        server.wait(timeout=10)
