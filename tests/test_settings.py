"""The package finds content/, mkdocs.yml and datasette_config/ through one settings object, which can move them."""

import shutil
from pathlib import Path

import pytest

from qingdan.datasette_setup import datasette_args, metadata
from qingdan.settings import settings
from qingdan.site import build as site_build

CHECKOUT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("QINGDAN_HOME", "QINGDAN_CONTENT", "QINGDAN_MKDOCS_YML", "QINGDAN_DATASETTE_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_are_the_checkout():
    s = settings()
    assert s.content == CHECKOUT / "content" and s.content.is_dir()
    assert s.mkdocs_yml == CHECKOUT / "mkdocs.yml" and s.mkdocs_yml.is_file()
    assert s.datasette_config == CHECKOUT / "datasette_config" and (s.datasette_config / "metadata.yml").is_file()


def test_a_home_moves_all_three_and_one_variable_moves_one(monkeypatch, tmp_path):
    monkeypatch.setenv("QINGDAN_HOME", str(tmp_path))
    monkeypatch.setenv("QINGDAN_MKDOCS_YML", str(tmp_path / "other.yml"))
    s = settings()
    assert (s.content, s.mkdocs_yml, s.datasette_config) == (
        tmp_path / "content",
        tmp_path / "other.yml",
        tmp_path / "datasette_config",
    )


def test_datasette_reads_the_configuration_where_the_settings_say(monkeypatch, tmp_path):
    config = tmp_path / "datasette_config"
    shutil.copytree(CHECKOUT / "datasette_config", config)
    text = (config / "metadata.yml").read_text(encoding="utf-8")
    (config / "metadata.yml").write_text(
        text.replace("title: 清单 · 权责清单查询", "title: 别处的配置"), encoding="utf-8"
    )
    monkeypatch.setenv("QINGDAN_DATASETTE_CONFIG", str(config))
    assert metadata()["title"] == "别处的配置"
    args = datasette_args(tmp_path / "q.db", tmp_path / "m.json")
    assert args[args.index("--plugins-dir") + 1] == str(config / "plugins")


def test_the_site_takes_its_pages_from_the_settings(monkeypatch, tmp_path):
    content = tmp_path / "pages"
    content.mkdir()
    (content / "about.md").write_text("# 别处的页面\n", encoding="utf-8")
    monkeypatch.setenv("QINGDAN_CONTENT", str(content))
    docs = tmp_path / "docs"
    docs.mkdir()
    site_build._copy_content(docs)
    assert (docs / "about.md").read_text(encoding="utf-8") == "# 别处的页面\n"

    monkeypatch.setenv("QINGDAN_CONTENT", str(tmp_path / "nowhere"))
    with pytest.raises(site_build.SiteBuildError, match="nowhere"):
        site_build._copy_content(docs)


def test_the_cache_folder_is_the_users_own(monkeypatch, tmp_path):
    monkeypatch.delenv("QINGDAN_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert settings().cache == tmp_path / "xdg" / "qingdan"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert settings().cache == Path.home() / ".cache" / "qingdan"
    monkeypatch.setenv("QINGDAN_CACHE", str(tmp_path / "mine"))
    assert settings().cache == tmp_path / "mine"


def test_private_folders_are_readable_by_their_owner_only(tmp_path):
    from qingdan.segmenter import private_folder

    folder = private_folder(tmp_path / "a" / "jieba")
    assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o700
