"""What the site build refuses before it builds anything: it leaves the last good site as it was."""

from __future__ import annotations

import pytest

from qingdan import graphviz_svg
from qingdan.site import SiteBuildError, build_site
from qingdan.validate import validate

from .conftest import MINI, edit


def test_missing_graphviz_fails_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(graphviz_svg.shutil, "which", lambda name: None)
    with pytest.raises(graphviz_svg.GraphvizMissing, match="Graphviz is not installed.*apt-get install graphviz"):
        build_site(validate(MINI), tmp_path / "dist")
    assert not (tmp_path / "dist" / "site").exists()


def test_a_registry_with_errors_is_refused_and_the_last_site_kept(tmp_path, mini):
    last = tmp_path / "dist" / "site"
    last.mkdir(parents=True)
    (last / "index.html").write_text("the last good site", encoding="utf-8")
    edit(mini, "flow: demo-flow-b1", "flow: no-such-flow")
    broken = validate(mini)
    assert broken.errors
    with pytest.raises(SiteBuildError, match="the registry has 1 error"):
        build_site(broken, tmp_path / "dist")
    assert (last / "index.html").read_text(encoding="utf-8") == "the last good site"
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["site"]
