"""The site's search index, written by Pagefind (the `pagefind[extended]` package's binary).

What is searchable is what the database's full-text search holds (`qingdan.db.search_documents`:
every record a person may ask about, with its agency, units, people, phones, channels and place),
plus the hand-written pages. The text is
prepared here and the query in the browser (`content/javascripts/search.js`) with the same rules:
every run of Chinese characters is indexed as its overlapping character pairs (医疗保险 → 医疗 疗保
保险) and a query's runs are cut into pairs side by side (参保登记 → 参保 登记), so any word of two
or more characters is found inside a longer one, and words apart as the database finds them,
and Pagefind is told the text is of no particular language (`und`), so neither its jieba
segmentation of the index nor the browser's `Intl.Segmenter` splitting of the query (Pagefind
1.5 does both for `zh`, and they disagree) cuts anything differently. Short forms people type
(医保) are added where the text has the full term (医疗保险).

Records are grouped, up to `GROUP_SIZE` to an indexed "page", each record a heading whose id is
its own address: Pagefind's per-page overhead (~8 bytes a page in the metadata every visitor
loads first) would otherwise pass 300 KB at 50,000 guides. The browser script turns each
matching heading back into a result linking to the record's own page. What a first search
downloads besides Pagefind's script and wasm (114 KB) is that metadata and the index chunks of
the query's words, which hold every location of each word: so a record's words are indexed once
each, and the words all records of a page hold once for the page (`write_group_pages`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .. import children
from ..search import ABBREVIATIONS

LANGUAGE = "und"
GROUP_SIZE = 48
SORTED_PAGES = 8  # a group's records are ordered by their frequent words this many pages at a time
# Pagefind writes these besides the index; the site uses its own search box, not Pagefind's UIs.
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

_CJK_RUNS = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_OTHER_WORD = re.compile(r"[^\W_]+")
# full term in the text → the short form people type for it
_SHORT_FORMS = [(full, short) for short, fulls in ABBREVIATIONS.items() for full in fulls]


@dataclass(frozen=True)
class SearchRecord:
    path: str  # site-relative address, e.g. "guides/x/" or "agencies/a/#post-1"
    title: str
    body: str
    group: str  # records of one group are indexed together (an agency's, or the site's pages)


def _words(text: str, pairs) -> list[str]:
    words: list[str] = []
    for i, piece in enumerate(_CJK_RUNS.split(unicodedata.normalize("NFKC", text or ""))):
        if i % 2:  # a run of Chinese characters
            words.extend(pairs(piece))
        else:
            words.extend(word.lower() for word in _OTHER_WORD.findall(piece))
    return words


def search_words(text: str) -> list[str]:
    """The words of a text as indexed: every pair of adjacent Chinese characters, other words lowercased."""
    return _words(text, lambda run: [run] if len(run) == 1 else [run[k : k + 2] for k in range(len(run) - 1)])


def query_words(text: str) -> list[str]:
    """The words of a query: its Chinese runs cut into pairs side by side (参保登记 → 参保 登记; an odd run's
    last pair overlaps: 医保局 → 医保 保局), so a record holding the words apart is found too, as
    the database finds it (jieba cuts 参保登记 into 参保 + 登记). Without duplicates.

    The browser's twin is `queryWords` in content/javascripts/search.js; keep them equal.
    """

    def pairs(run: str) -> list[str]:
        if len(run) < 3:
            return [run]
        return [run[k : k + 2] for k in range(0, len(run) - 1, 2)] + ([run[-2:]] if len(run) % 2 else [])

    return list(dict.fromkeys(_words(text, pairs)))


def indexed_text(text: str) -> str:
    """A record's text as Pagefind indexes it: its words and the short forms of full terms in it, each
    once. A word's every location is in the index chunk a query loads (医疗 in nearly every record at
    50,000 guides); once per record is enough to find the record, and results are ordered by their
    titles and the groups' ranks."""
    words = search_words(text)
    for full, short in _SHORT_FORMS:
        if full in text:
            words.extend(search_words(short))
    return " ".join(dict.fromkeys(words))


def registry_records(registry) -> Iterable[SearchRecord]:
    """What the database's full-text search holds, at the same addresses."""
    from ..db import search_documents

    for doc in search_documents(registry):
        if doc["page_url"]:
            about = (doc.get(key) for key in ("agency_name", "units", "people", "phones", "channels", "place"))
            body = "\n".join(filter(None, [doc["body"], *about]))
            yield SearchRecord(doc["page_url"], doc["title"] or "", body, doc["agency"] or "")


def page_records(site: Path, paths: Iterable[str]) -> Iterable[SearchRecord]:
    """Built pages (the hand-written ones) as records: the title and text of their article."""
    for rel in paths:
        html_file = site / rel / "index.html" if rel.endswith("/") or not rel else site / rel
        if not html_file.is_file():
            continue
        page = html_file.read_text(encoding="utf-8")
        article = re.search(r"<article[^>]*>(.*?)</article>", page, re.DOTALL)
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
        if article and title:
            yield SearchRecord(rel, _plain(title.group(1)), _plain(article.group(1)), "")


def _plain(fragment: str) -> str:
    from html import unescape

    text = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", fragment, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", text)).replace("¶", " ")


def write_group_pages(records: Iterable[SearchRecord], folder: Path) -> int:
    """Write each indexed page, up to GROUP_SIZE records of one group with a heading each, as
    `folder/search/<group>/<n>/index.html` (its address for Pagefind); returns how many.

    The words every record of a page holds (its agency's name and place, most often) are written
    once, before the first heading, and count for each record of the page (search.js): the same
    records match, and a frequent word's locations, which every query holding it downloads, are
    stored once a page instead of once a record. To gather records holding the same frequent words
    on a page, a group's records are ordered by which of their most frequent words they hold,
    SORTED_PAGES pages at a time: at a province's size the records' text is hundreds of megabytes,
    the records waiting for their pages at most that many pages per group.

    Each page is written once, and only when its bytes differ from the file already there: the
    folder is kept between builds, so after one agency changes only its pages are written again.
    Pages no longer made are removed."""
    waiting: dict[str, list[tuple[str, str, str]]] = {}  # group → (address, title, indexed words)
    counts: dict[str, int] = {}
    made: set[Path] = set()

    def put(group: str, body: str) -> None:
        page_file = folder / "search" / group / str(counts.get(group, 0)) / "index.html"
        counts[group] = counts.get(group, 0) + 1
        data = f'<html lang="{LANGUAGE}"><body>{body}</body></html>'.encode()
        made.add(page_file)
        try:
            if page_file.read_bytes() == data:
                return
        except FileNotFoundError:
            page_file.parent.mkdir(parents=True, exist_ok=True)
        page_file.write_bytes(data)

    def write(group: str) -> None:
        items = [(path, title, words.split()) for path, title, words in waiting.pop(group)]
        frequency = Counter(word for *_, words in items for word in words)
        frequent = [word for word, count in frequency.most_common(64) if count > 1]
        items.sort(key=lambda item: [word not in item[2] for word in frequent])
        for start in range(0, len(items), GROUP_SIZE):
            page = items[start : start + GROUP_SIZE]
            shared = set.intersection(*(set(words) for *_, words in page)) if len(page) > 1 else set()
            head = " ".join(word for word in page[0][2] if word in shared)
            sections = "".join(
                f'<section><h2 id="{escape(path)}">{escape(title)}</h2>'
                f"<p>{escape(' '.join(word for word in words if word not in shared))}</p></section>"
                for path, title, words in page
            )
            put(group, f"<p>{escape(head)}</p>{sections}")

    for record in records:
        group = record.group or "site"
        items = waiting.setdefault(group, [])
        items.append((record.path, record.title, indexed_text(f"{record.title}\n{record.body}")))
        if len(items) == GROUP_SIZE * SORTED_PAGES:
            write(group)
    for group in list(waiting):
        write(group)
    for page_file in folder.glob("search/*/*/index.html"):
        if page_file not in made:
            page_file.unlink()
            for empty in (page_file.parent, page_file.parent.parent):
                if not any(empty.iterdir()):
                    empty.rmdir()
    return len(made)


def write_search_index(records: Iterable[SearchRecord], site: Path, pages: Path) -> Path:
    """Index the records with Pagefind into `site/pagefind/`; returns that folder. `pages` holds
    the grouped pages Pagefind reads (`write_group_pages`), kept between builds.

    The pages are indexed by Pagefind's own command line (the binary of `pagefind[extended]`),
    which writes the same files as its Python service in half the time: the service writes the
    whole index twice (once when asked, once more when its block ends) and its client polls for
    every answer. The output is checked (`check_search_index`) all the same: a broken index is
    refused, never published."""
    target = site / "pagefind"
    count = write_group_pages(records, pages)
    if target.exists():
        shutil.rmtree(target)
    run_pagefind(pages, target, cwd=pages)
    for name in UNUSED_FILES:
        (target / name).unlink(missing_ok=True)
    check_search_index(target, count)
    return target


def run_pagefind(pages: Path, target: Path, *, cwd: Path) -> None:
    """Pagefind's command line on `pages`, writing to `target`; run in `cwd` with no PAGEFIND_
    variables, so no configuration file or setting of the caller's changes the index."""
    from pagefind_bin_extended import get_executable

    command = [str(get_executable()), "--site", str(pages.absolute()), "--output-path", str(target.absolute())]
    command += ["--force-language", LANGUAGE, "--silent"]
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("PAGEFIND")}
    result = children.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise SearchIndexError(f"Pagefind exited with status {result.returncode}: {tail}")


class SearchIndexError(RuntimeError):
    """Pagefind failed, or reported success but its output is not a usable index."""


def check_search_index(target: Path, pages: int) -> None:
    """What a browser loads first must be there and whole: the entry file (JSON naming each language's
    index), each language's metadata file, and index chunks and fragments when anything was indexed.
    Pagefind once wrote an empty pagefind-entry.json and reported success: search then broke silently."""
    entry = target / "pagefind-entry.json"
    if not entry.is_file() or entry.stat().st_size == 0:
        raise SearchIndexError(f"{entry.name} is missing or empty")
    try:
        languages = json.loads(entry.read_text(encoding="utf-8"))["languages"]
    except (ValueError, KeyError, TypeError) as error:
        raise SearchIndexError(f"{entry.name} is not Pagefind's entry file ({error})") from None
    if not isinstance(languages, dict) or not languages:
        raise SearchIndexError(f"{entry.name} names no index")
    for language, about in languages.items():
        meta = target / f"pagefind.{about.get('hash') if isinstance(about, dict) else None}.pf_meta"
        if not meta.is_file() or meta.stat().st_size == 0:
            raise SearchIndexError(f"the metadata of the {language!r} index ({meta.name}) is missing or empty")
        if isinstance(about, dict) and about.get("page_count") != pages:
            raise SearchIndexError(f"the {language!r} index holds {about.get('page_count')} pages, not {pages}")
    for folder, suffix in (("index", ".pf_index"), ("fragment", ".pf_fragment")):
        files = list((target / folder).glob(f"*{suffix}")) if pages else []
        if pages and (not files or any(f.stat().st_size == 0 for f in files)):
            raise SearchIndexError(f"Pagefind's {folder} files are missing or empty")
