"""Generated pages filled into shells that MkDocs and Material rendered once.

The record pages (guides, agencies, boundaries, an agency's changes), a matter's and a source's
page sit one folder deep and are not in the navigation, so Material wraps each in the same HTML:
the navigation, header, footer and scripts differ only by the page's title, description, address,
table of contents and content. MkDocs renders two placeholder pages per folder (`shell_pages`: one
with a table of contents, one without, since Material then leaves out the skip link). A generated
page in the navigation (home, the indexes, who handles what, quality …) gets a placeholder at its
own address instead, with a table of contents if the page has one, so that the navigation shows it
as the active item. `ShellRenderer` cuts the shells at the placeholders and, for each page,
converts its Markdown with the Markdown extensions of the site's configuration (one instance,
reset between pages; the hook's set-aside keeps the HTML blocks out of it), renders Material's
table-of-contents partial with the theme's own Jinja templates, and joins the pieces. MkDocs thus
renders nothing made from the registry. tests/test_shell.py checks the result is byte for byte
what MkDocs writes.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from . import hooks
from .markup import block, heading, page

SHELL = "_qd_shell"  # record IDs never start with '_' (models.is_valid_id), so no record has this name
SHELL_NO_TOC = "_qd_shell_notoc"
RECORD_FOLDERS = ("guides", "agencies", "boundaries", "changes")
# folders whose pages (but for their index) are not in the navigation: one pair of shells each
SHELL_FOLDERS = (*RECORD_FOLDERS, "matters", "sources")
_TITLE = "QDSHELLTITLE"
_DESCRIPTION = "QDSHELLDESCRIPTION"
_CONTENT = '<h1 id="qdshellcontent">QDSHELLCONTENT</h1>'
_ALLOWED_META = {"title", "description", "search"}
# `## 标题 {#anchor}` (markup.heading) whose title holds no character Python-Markdown's inline
# patterns could act on, so that Markdown would keep it as it is
_PLAIN_HEADING = re.compile(r"^(#{1,6}) (\S(?:[^\n]*\S)?) \{#([a-z][a-z0-9_-]*)\}$")
_MARKDOWN_PUNCTUATION = frozenset("\\`*_{}[]()#+-.!<>&|~\"'=:^$@%/;,?")


def _toc_key(items) -> tuple:
    return tuple((item.title, item.url, item.level, _toc_key(item.children)) for item in items)


class ShellError(RuntimeError):
    """A page the shell cannot render as MkDocs would (it would need MkDocs itself)."""


def _placeholder(with_toc: bool) -> str:
    front = {"title": _TITLE, "description": _DESCRIPTION}
    if with_toc:
        return page(front, block(_CONTENT), heading("QDSHELLTOC", "qdshelltoc"))
    return page(front, block(_CONTENT))


def has_own_shell(rel_md: str) -> bool:
    """Whether a generated page is rendered into a shell at its own address (a page in the
    navigation, whose shell shows it as the active item), not into its folder's shell."""
    folder, _, name = rel_md.rpartition("/")
    return folder not in SHELL_FOLDERS or name == "index.md"


def shell_pages(own: dict[str, bool] | None = None) -> dict[str, str]:
    """The placeholder pages MkDocs renders: Markdown file (relative to docs/) → its Markdown. Two
    per folder of `SHELL_FOLDERS`; one at the address of each page of `own` (Markdown path → with
    a table of contents?), in that page's place."""
    pages = {}
    for folder in SHELL_FOLDERS:
        pages[f"{folder}/{SHELL}.md"] = _placeholder(True)
        pages[f"{folder}/{SHELL_NO_TOC}.md"] = _placeholder(False)
    for rel_md, with_toc in (own or {}).items():
        pages[rel_md] = _placeholder(with_toc)
    return pages


def is_shell_output(rel: str) -> bool:
    """Whether a path in MkDocs' output (or a sitemap address) is a folder shell's, never published."""
    return any(f"{folder}/{name}/" in rel for folder in SHELL_FOLDERS for name in (SHELL, SHELL_NO_TOC))


def url_of(rel_md: str) -> str:
    """guides/x.md → guides/x/, guides/index.md → guides/, index.md → '' (directory URLs)."""
    stem = rel_md[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def output_of(rel_md: str) -> str:
    """guides/x.md → guides/x/index.html (directory URLs, as the site's MkDocs writes them)."""
    return url_of(rel_md) + "index.html"


class ShellRenderer:
    """Renders generated pages into the shells MkDocs wrote into `built` (its output folder)."""

    def __init__(self, config_file: Path, built: Path):
        import markdown
        from mkdocs.config import load_config

        config = load_config(str(config_file))
        self.config = config
        self.site_url = config.site_url
        if not config.site_description:
            raise ShellError("the site's configuration has no site_description (a page without one needs it)")
        self.markdown = markdown.Markdown(
            extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {}
        )
        self._heading_parts = {level: self._heading_template(level) for level in range(1, 7)}
        env = config.theme.get_env()
        self.toc_template = env.from_string(
            '{% import "partials/language.html" as lang with context %}{% include "partials/toc.html" %}'
        )
        self._tocs: dict[tuple, str] = {}
        self.built = built
        self._shells: dict[tuple[str, bool], list] = {}

    def _shell(self, rel_md: str, with_toc: bool) -> list:
        """The shell a page goes into, read from MkDocs' output at first use."""
        if has_own_shell(rel_md):
            shell_md = rel_md
        else:
            shell_md = f"{rel_md.rpartition('/')[0]}/{SHELL if with_toc else SHELL_NO_TOC}.md"
        pieces = self._shells.get((shell_md, with_toc))
        if pieces is None:
            try:
                html = (self.built / output_of(shell_md)).read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ShellError(f"MkDocs wrote no shell for {rel_md}") from None
            pieces = self._shells[shell_md, with_toc] = self._cut(html, shell_md, _placeholder(with_toc))
        return pieces

    # --- the pieces of one page --------------------------------------------------------

    def convert(self, source: str) -> tuple[dict, str, list]:
        """Front matter, content HTML and table of contents, as MkDocs and the site's hook make them.

        A page of plain headings with explicit ids (`markup.heading`) and raw HTML blocks is put
        together directly (Python-Markdown would only pass the blocks through and wrap the
        headings); any other page goes through Python-Markdown."""
        from markdown.extensions.toc import nest_toc_tokens
        from mkdocs.structure.toc import get_toc
        from mkdocs.utils.meta import get_data

        body, meta = get_data(source)
        parts, tokens = [], []
        for chunk in body.split("\n\n"):  # as the hook splits it: a block keeps a final newline
            if hooks.is_raw_block(chunk):
                parts.append(chunk)
                continue
            match = _PLAIN_HEADING.fullmatch(chunk.removesuffix("\n"))
            if match is None or not _MARKDOWN_PUNCTUATION.isdisjoint(match.group(2)):
                return meta, *self._markdown(body)
            level, title, anchor = len(match.group(1)), match.group(2), match.group(3)
            before, between, after = self._heading_parts[level]
            parts.append(f"{before}{anchor}{between}{title}{after.replace('#QDHEADINGID', '#' + anchor)}")
            tokens.append({"level": level, "id": anchor, "name": title, "children": []})
        return meta, "\n".join(parts), get_toc(nest_toc_tokens(tokens))

    def _markdown(self, body: str) -> tuple[str, list]:
        from mkdocs.structure.toc import get_toc

        text, blocks = hooks.set_aside(body)
        self.markdown.reset()
        html = self.markdown.convert(text)
        toc = get_toc(getattr(self.markdown, "toc_tokens", []))
        return hooks.put_back(html, blocks), toc

    def _heading_template(self, level: int) -> tuple[str, str, str]:
        """How Python-Markdown, with the site's extensions, writes a heading: the text around its id
        and title (the permalink repeats the id as #QDHEADINGID)."""
        html = self.markdown.convert(f"{'#' * level} QDHEADINGTITLE {{#QDHEADINGID}}")
        self.markdown.reset()
        before, rest = html.split("QDHEADINGID", 1)
        between, after = rest.split("QDHEADINGTITLE", 1)
        if "QDHEADING" in before + between or after.count("#QDHEADINGID") != 1:
            raise ShellError("Python-Markdown writes headings in an unexpected way; the shell cannot copy it")
        return before, between, after

    def _toc_html(self, toc) -> str:
        """Material's table-of-contents partial for this table; most pages of a folder have the
        same table, so each is rendered once."""
        key = _toc_key(toc)
        html = self._tocs.get(key)
        if html is None:
            html = self._tocs[key] = self.toc_template.render(config=self.config, page=SimpleNamespace(toc=toc))
        return html

    def _canonical(self, url: str) -> str | None:
        from urllib.parse import urljoin

        return urljoin(self.site_url, url) if self.site_url else None

    @staticmethod
    def _skip(toc, url: str) -> str:
        from mkdocs.utils import normalize_url

        return normalize_url(str(next(iter(toc)).url), page=SimpleNamespace(url=url)) if toc else ""

    def _slots(self, meta: dict, content: str, toc, url: str) -> dict[str, str]:
        """Each placeholder's text in the page: Material's markup around the value where the value
        alone could also appear elsewhere."""
        slots = {
            "title": meta["title"],
            "description": f'content="{meta.get("description") or self.config.site_description}"',
            "toc": self._toc_html(toc),
            "content": content,
        }
        if toc:
            slots["skip"] = f'<a href="{self._skip(toc, url)}" class="md-skip">'
        canonical = self._canonical(url)
        if canonical:
            slots["canonical"] = f'<link rel="canonical" href="{canonical}">'
        return slots

    def _cut(self, html: str, rel_md: str, source: str) -> list:
        """The shell as static text and slot names, each placeholder found where expected."""
        meta, content, toc = self.convert(source)
        marks = self._slots(meta, content, toc, url_of(rel_md))
        # a page in the navigation shows its table of contents also as the active item's (on narrow screens)
        expected = {"title": 2, "toc": 2 if toc and has_own_shell(rel_md) else 1}
        found = []
        for name, text in marks.items():
            start, count = 0, 0
            while (at := html.find(text, start)) >= 0:
                found.append((at, at + len(text), name))
                start, count = at + len(text), count + 1
            if count != expected.get(name, 1):
                raise ShellError(f"the shell {rel_md} holds its {name} {count} time(s); the theme changed")
        found.sort()
        pieces: list = []
        position = 0
        for start, end, name in found:
            if start < position:
                raise ShellError(f"the shell {rel_md} has overlapping placeholders; the theme changed")
            pieces += [html[position:start], name]
            position = end
        pieces.append(html[position:])
        return pieces

    # --- a whole page ------------------------------------------------------------------

    @property
    def digest(self) -> str:
        """What the shells add to a page: a page's parts joined into other shells must be joined again."""
        import hashlib

        digest = hashlib.sha256()
        for folder in RECORD_FOLDERS:
            for with_toc in (True, False):
                for piece in self._shell(f"{folder}/x.md", with_toc):
                    digest.update(piece.encode("utf-8") + b"\0")
        return digest.hexdigest()

    def parts(self, rel_md: str, source: str, drawings: dict[str, str]) -> tuple[bool, dict[str, str]]:
        """What the page puts into its shell: (with a table of contents?, the placeholders' text).
        Its drawings are put in from `drawings` (key → SVG, `SiteContext.inlines`) as the hook does."""
        meta, content, toc = self.convert(source)
        if not meta.get("title") or not set(meta) <= _ALLOWED_META:
            raise ShellError(f"{rel_md}: a record page needs a title and no other front matter than {_ALLOWED_META}")
        if "<h1" not in content:
            raise ShellError(f"{rel_md}: a record page carries its own <h1> (Material would add one)")
        content = hooks.fill_drawings(content, drawings.__getitem__)
        return bool(toc), self._slots(meta, content, toc, url_of(rel_md))

    def join(self, rel_md: str, parts: tuple[bool, dict[str, str]]) -> bytes:
        """The page's HTML as MkDocs would write it."""
        with_toc, slots = parts
        pieces = self._shell(rel_md, with_toc)
        html = "".join(piece if i % 2 == 0 else slots[piece] for i, piece in enumerate(pieces))
        return html.encode("utf-8", errors="xmlcharrefreplace")

    def render(self, rel_md: str, source: str, drawings: dict[str, str]) -> bytes:
        return self.join(rel_md, self.parts(rel_md, source, drawings))
