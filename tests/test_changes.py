"""Diffs between registry versions, the change history from git, and the Atom feed."""

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from qingdan.changes import WORKING_COPY, atom_feed, change_history, change_rows
from qingdan.cli import cli
from qingdan.diff import DiffError, diff

from .conftest import MINI, edit

ATOM = "{http://www.w3.org/2005/Atom}"


def make_v2(path):
    edit(path, "    name: 对骗取医疗保障基金行为的处罚\n", "    name: 对欺诈骗取医疗保障基金行为的处罚\n")
    edit(path, "      - {id: n2, kind: step, label: 调查}", "      - {id: n2, kind: step, label: 调查取证}")
    edit(path, "  - id: demo-check-1\n", "  - id: demo-check-2\n")


@pytest.fixture
def versions(tmp_path):
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    shutil.copytree(MINI, v1)
    shutil.copytree(MINI, v2)
    make_v2(v2)
    return v1, v2


def test_diff_matches_by_id(versions):
    changes = {(c.kind, c.record_id): c for c in diff(*map(str, versions))}
    renamed = changes[("changed", "demo-power-b1")]
    assert [(f.field, f.old, f.new) for f in renamed.fields] == [
        ("name", "对骗取医疗保障基金行为的处罚", "对欺诈骗取医疗保障基金行为的处罚")
    ]
    assert renamed.agency == "demo-ybj"
    template = changes[("changed", "demo-tpl-penalty")]
    assert [(f.field, f.old, f.new) for f in template.fields] == [("nodes[1].label", "调查", "调查取证")]
    assert ("removed", "demo-check-1") in changes and ("added", "demo-check-2") in changes
    assert len(changes) == 4


def test_diff_of_identical_registries_is_empty():
    assert diff(str(MINI), str(MINI)) == []


def test_diff_rejects_an_unknown_side():
    with pytest.raises(DiffError, match="neither a registry folder nor a git revision"):
        diff(str(MINI), "no-such-revision-xyz")


@pytest.fixture
def repo(tmp_path):
    """A git repository whose registry/ went through two versions, plus an uncommitted edit."""
    root = tmp_path / "repo"
    shutil.copytree(MINI, root / "registry")

    def git(*args):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "empty")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first list")
    make_v2(root / "registry")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "2021 revision")
    edit(root / "registry", "    title: 行风教育\n", "    title: 深入开展行风教育\n")
    return root


def test_diff_between_git_revisions(repo, monkeypatch):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "changed power demo-power-b1" in result.output
    assert "name: 对骗取医疗保障基金行为的处罚 → 对欺诈骗取医疗保障基金行为的处罚" in result.output
    assert "removed self_check demo-check-1" in result.output
    working = CliRunner().invoke(cli, ["diff", "HEAD", "registry"])
    assert "title: 行风教育 → 深入开展行风教育" in working.output


def test_change_history_newest_first_with_the_working_copy(repo):
    sets = change_history(repo / "registry")
    assert [s.message for s in sets] == ["未提交的修改（工作副本）", "2021 revision", "first list"]
    assert sets[0].revision == WORKING_COPY
    assert len(sets[1].changes) == 4
    assert all(c.kind == "added" for c in sets[2].changes)
    rows = change_rows(sets)
    assert {r["change"] for r in rows} == {"added", "removed", "changed"}


def test_change_history_outside_git_is_empty(tmp_path):
    shutil.copytree(MINI, tmp_path / "registry")
    assert change_history(tmp_path / "registry") == []


def test_feed_is_valid_atom(repo):
    sets = change_history(repo / "registry")
    feed = ET.fromstring(atom_feed(sets, site_url="http://127.0.0.1:8000/"))
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}")
        assert entry.find(f"{ATOM}link").get("rel") == "alternate"
        assert entry.findtext(f"{ATOM}updated").endswith("Z")


def test_feed_escapes_registry_text(repo):
    edit(repo / "registry", "    title: 深入开展行风教育\n", '    title: "<script>alert(1)</script> & more"\n')
    raw = atom_feed(change_history(repo / "registry"), site_url="http://x/")
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw


@pytest.mark.slow
def test_site_shows_what_changed(repo, tmp_path):
    from qingdan.site import build_site
    from qingdan.validate import validate

    report = validate(repo / "registry")
    sets = change_history(repo / "registry", current=report.registry)
    site = build_site(
        report, tmp_path / "dist", build_dir=tmp_path / "build", changes=sets, site_url="http://127.0.0.1:8000/"
    )
    overview = (site / "changes" / "index.html").read_text(encoding="utf-8")
    assert "2021 revision" in overview and "未提交的修改" in overview
    assert "对骗取医疗保障基金行为的处罚 → 对欺诈骗取医疗保障基金行为的处罚" in overview
    agency = (site / "changes" / "demo-ybj" / "index.html").read_text(encoding="utf-8")
    assert "demo-check-1" in agency and "删除" in agency
    assert 'href="../../changes/demo-ybj/"' in (site / "agencies" / "demo-ybj" / "index.html").read_text(
        encoding="utf-8"
    )
    feed = ET.fromstring((site / "changes.xml").read_bytes())
    assert len(feed.findall(f"{ATOM}entry")) == 3
