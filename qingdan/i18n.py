"""The command line in the reader's language: gettext catalogs (qingdan/locale/), extracted with Babel.

The language is gettext's: the first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set (`LANG=zh_CN.UTF-8`
→ Chinese, `LANG=en_US.UTF-8`, `C` or none → the English the code is written in). One domain, `qingdan`,
holds our messages and click's own (`Usage:`, `Options:`, `Error: Missing option …`): `setup()` makes it
the process's default domain, which click's `gettext` reads.

The catalog: `python -m qingdan.i18n extract` gathers the messages (`_()` in the command line, every
command's and option's help from the click tree, click's own strings from its source) into
`locale/messages.pot` with Babel and merges them into `locale/zh_CN/LC_MESSAGES/qingdan.po`;
`python -m qingdan.i18n compile` writes the `.mo` the program reads. tests/test_i18n.py fails when a
message a Chinese reader would see has no translation, or the `.mo` is older than the `.po`.
"""

from __future__ import annotations

import gettext as _gettext
import sys
from pathlib import Path

DOMAIN = "qingdan"
LOCALE_DIR = Path(__file__).with_name("locale")
CATALOG = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"
TEMPLATE = LOCALE_DIR / "messages.pot"


def setup() -> None:
    """Our catalog as the process's default gettext domain (click's strings included)."""
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN)


def _(message: str) -> str:
    """`message` in the reader's language (itself when the catalog has none)."""
    return _gettext.dgettext(DOMAIN, message)


def N_(message: str) -> str:
    """Marks `message` for the catalog where it is not translated at once (translated when shown)."""
    return message


def chinese() -> bool:
    """Whether messages are shown in Chinese now (the environment asks for a language we have)."""
    return _gettext.find(DOMAIN, str(LOCALE_DIR)) is not None


def help_texts(command) -> list[str]:
    """Every help text of a click command tree: commands' help and short help, options' help."""
    import click

    texts = []
    if command.help:
        texts.append(click.unstyle(command.help).strip())
    if getattr(command, "short_help", None):
        texts.append(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            texts.append(param.help)
    for sub in getattr(command, "commands", {}).values():
        texts.extend(help_texts(sub))
    return texts


def template_catalog():
    """The messages a reader may see, as Babel extracts them (a babel Catalog): `_()` and `_N()` in the
    command line, every help text of the click tree, click's own strings."""
    import click
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from .cli import cli

    template = Catalog(project="qingdan", charset="utf-8")
    root = Path(__file__).parent
    method_map = [("cli.py", "python")]
    keywords = {"_": None, "_N": None, "gettext": None, "ngettext": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, keywords=keywords, comment_tags=("TRANSLATORS:",)
    ):
        template.add(message, locations=[(f"qingdan/{filename}", lineno)], auto_comments=comments, context=context)
    for text in help_texts(cli):
        template.add(text, locations=[("qingdan/cli.py", 0)], auto_comments=["click help"])
    click_dir = Path(click.__file__).parent
    for filename, lineno, message, _comments, context in extract_from_dir(
        click_dir, [("*.py", "python")], keywords=keywords
    ):
        template.add(message, locations=[(f"click/{filename}", lineno)], auto_comments=["click"], context=context)
    return template


def extract() -> Path:
    """Gather the messages into the template (messages.pot) and merge them into the Chinese catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = template_catalog()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as out:
        write_po(out, template, omit_header=False, width=120, sort_output=True)
    if CATALOG.exists():
        with CATALOG.open("rb") as source:
            catalog = read_po(source, locale="zh_CN")
    else:
        catalog = Catalog(locale="zh_CN", project="qingdan", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    with CATALOG.open("wb") as out:
        write_po(out, catalog, width=120, sort_output=True, ignore_obsolete=True)
    return CATALOG


def compile_catalog() -> Path:
    """The .mo beside the .po (what gettext reads)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="zh_CN")
    target = CATALOG.with_suffix(".mo")
    with target.open("wb") as out:
        write_mo(out, catalog, use_fuzzy=False)
    return target


if __name__ == "__main__":  # pragma: no cover
    command = sys.argv[1:] or ["extract", "compile"]
    for step in command:
        print({"extract": extract, "compile": compile_catalog}[step]())
