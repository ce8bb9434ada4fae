"""The command line in Chinese (gettext catalogs extracted with Babel, qingdan/i18n.py): a message a Chinese
reader would see untranslated fails here; LANG=en (or C) keeps the English."""

from __future__ import annotations

import gettext
import re
import shutil

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from qingdan.cli import cli
from qingdan.i18n import CATALOG, DOMAIN, LOCALE_DIR, help_texts, template_catalog

from .conftest import MINI

ZH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
EN = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}
COMMANDS = sorted(cli.commands)
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z]+\)s")


def catalog():
    with CATALOG.open("rb") as source:
        return read_po(source, locale="zh_CN")


def test_every_message_a_reader_may_see_is_translated():
    """Extracted again now (Babel, from the code as it is): none missing from the catalog or left empty,
    fuzzy or with other placeholders than the English."""
    translated = catalog()
    untranslated = []
    for message in template_catalog():
        if not message.id:
            continue
        found = translated.get(message.id)
        strings = (found.string if isinstance(found.string, tuple) else (found.string,)) if found else ()
        if found is None or found.fuzzy or not all(strings):
            untranslated.append(message.id)
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(set(PLACEHOLDER.findall(i)) for i in ids))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= wanted, (message.id, string)
    assert untranslated == [], "run `python -m qingdan.i18n` and translate: " + repr(untranslated[:10])
    assert len(help_texts(cli)) > 25  # every command's help and its options' are in the catalog


def test_the_compiled_catalog_is_the_po():
    """gettext reads the .mo: it says what the .po says (`python -m qingdan.i18n compile` after an edit)."""
    with (CATALOG.with_suffix(".mo")).open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for message in catalog():
        if message.id and not isinstance(message.id, tuple):
            assert compiled.gettext(message.id) == message.string, message.id
    assert gettext.find(DOMAIN, str(LOCALE_DIR), languages=["zh_CN"])


ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_every_help_is_chinese(command):
    result = CliRunner().invoke(cli, [*command, "--help"], env=ZH, prog_name="qingdan")
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        if line.lstrip().startswith(("-", "qingdan ", "用法")):  # an option's names and metavar, then its help
            line = re.sub(r"^\s*(?:-[-\w]*(?: [A-Z_.\[\]|a-z]+)?[, /]*)+", "", line)
        text = re.sub(r"\b[A-Z][A-Z_]{1,}\b|\[[^\]]*\]|--[\w-]+|\S+\.(?:xlsx|docx|pdf|txt|html|yaml)\b", "", line)
        assert not ENGLISH_RUN.search(text), (command, line)
    assert "用法：" in result.output and "显示本帮助后退出。" in result.output
    english = CliRunner().invoke(cli, [*command, "--help"], env=EN, prog_name="qingdan")
    assert "Usage:" in english.output and "Show this message and exit." in english.output


@pytest.fixture
def broken(tmp_path):
    shutil.copytree(MINI, tmp_path / "registry")
    (tmp_path / "registry" / "broken.yaml").write_text("powers:\n  - id: x\n", encoding="utf-8")
    return tmp_path / "registry"


def test_validate_speaks_chinese_with_file_line_and_field_exact(broken):
    result = CliRunner().invoke(cli, ["validate", str(broken)], env=ZH)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{broken}/broken.yaml:2: powers[0].source（来源）: 缺少这个必填字段" in lines
    assert re.fullmatch(r"\d+ 个错误，\d+ 个数据问题（.+）", lines[-2]) and lines[-1].startswith("记录：")
    assert "职权" in lines[-1]
    for line in lines[:-2]:  # each problem: file:line: field（label）: [severity] message, the message Chinese
        message = line.split(": ", 2)[2]
        assert re.search(r"[\u4e00-\u9fff]", message) and not ENGLISH_RUN.search(message), line
    english = CliRunner().invoke(cli, ["validate", str(broken)], env=EN)
    assert f"{broken}/broken.yaml:2: powers[0].source: this required field is missing" in english.output
    assert "errors," in english.output.splitlines()[-2]


def test_clicks_own_errors_are_chinese():
    result = CliRunner().invoke(cli, ["draft", "x.docx"], env=ZH)
    assert result.exit_code == 2 and "错误：缺少选项 '--agency'" in result.output
    assert "Error" not in result.output and "Missing" not in result.output
    result = CliRunner().invoke(cli, ["validate", "--format", "xml"], env=ZH)
    assert "的值无效" in result.output and "'xml' 不是以下之一" in result.output
