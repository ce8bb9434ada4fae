"""The whole build: registry → database, graph files, CSV, metadata (the site has its own tests)."""

import json
import shutil

import pytest
import sqlite_utils

from qingdan.build import BuildError, build

from .conftest import MINI, edit

pytestmark = pytest.mark.slow  # a full build (database, graph, CSV)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    return build(MINI, dist, site=False, version="v-test", site_url="http://127.0.0.1:8000/")


def test_outputs_are_written(built):
    dist = built.dist
    for name in (
        "qingdan.db",
        "metadata.json",
        "graph/graph.graphml",
        "graph/graph.gexf",
        "graph/graph.json",
        "csv/powers.csv",
        "csv/quality_findings.csv",
    ):
        assert (dist / name).is_file(), name
    assert (dist / "csv" / "powers.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")


def test_database_has_graph_and_stamp(built):
    db = sqlite_utils.Database(built.dist / "qingdan.db")
    assert db["graph_nodes"].count > 0 and db["graph_edges"].count > 0
    assert next(db.query("select version from builds"))["version"] == "v-test"
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_metadata_is_derived_from_the_models(built):
    meta = json.loads((built.dist / "metadata.json").read_text(encoding="utf-8"))
    columns = meta["databases"]["qingdan"]["tables"]["boundary_parties"]["columns"]
    assert columns["division"] == "职责分工: this party's division of duty"


def test_registry_errors_stop_the_build_and_keep_the_last_good_output(built, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(MINI, broken)
    edit(broken, "    flow: demo-flow-b1", "    flow: demo-flow-nope")
    before = (built.dist / "qingdan.db").read_bytes()
    with pytest.raises(BuildError, match="powers\\[0\\].flow: refers to flow 'demo-flow-nope'"):
        build(broken, built.dist, site=False)
    assert (built.dist / "qingdan.db").read_bytes() == before
