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

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from .. import children
from ..atomic import atomic_write_bytes, link_or_copy
from ..search import ABBREVIATIONS
from ..thesaurus import BROWSER_FILE, browser_table, registry_thesaurus, spot, table_forms

LANGUAGE = "und"
SITE_GROUP = "_site"  # the hand-written pages and records of unregistered agencies (no ID starts with "_")
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
# full term in the text → the short form people type for it: the abbreviations proper (医保 for
# 医疗保障); everyday words (生孩子 for 生育, 公司 for 单位) are found through the thesaurus when the
# query is read (`query_groups`), which can then say so (按“生孩子”找到“生育”)
SHORT_FORMS = ("医保", "社保", "医保局", "社保卡", "慢特病")
_SHORT_FORMS = [(full, short) for short in SHORT_FORMS for full in ABBREVIATIONS[short]]


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


def query_groups(text: str, table: dict) -> list[list[dict]]:
    """A query as the site searches it: cut at the thesaurus's words (`thesaurus.spot`, `table` as
    published in thesaurus.json), each such word a group of alternatives, the word itself then each
    of its terms ({"form": 生育, "words": query_words(生育)}); the text between them one group for
    each of its words (`query_words`). A lone Chinese character left between words is dropped when
    there is anything else to look for (能 in 生孩子能报销吗). The browser's twin is `queryGroups`
    in content/javascripts/search.js; keep them equal (the tests compare them)."""
    forms = table_forms(table)
    skip = table.get("skip", "").split()
    groups: list[list[dict]] = []
    lone: list[int] = []
    for piece, is_word in spot(unicodedata.normalize("NFKC", text or ""), forms, skip):
        if is_word:
            groups.append([{"form": form, "words": query_words(form)} for form in (piece, *forms[piece])])
            continue
        for word in query_words(piece):
            if len(word) == 1 and _CJK_RUNS.fullmatch(word):
                lone.append(len(groups))
            groups.append([{"form": word, "words": [word]}])
    if len(lone) < len(groups):
        groups = [group for i, group in enumerate(groups) if i not in lone]
    return groups


def write_thesaurus(registry, cache: Path) -> None:
    """The registry's thesaurus as search.js reads it, `cache/thesaurus.json` (published as
    pagefind/thesaurus.json), written only when its bytes change (the site tree keeps the file)."""
    thesaurus = registry_thesaurus(registry)
    data = browser_table(thesaurus if not any(p.is_error for p in thesaurus.problems) else type(thesaurus)())
    target = cache / BROWSER_FILE
    try:
        if target.read_bytes() == data:
            return
    except FileNotFoundError:
        cache.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, data)


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

    return _records(search_documents(registry))


def agency_records(ctx, agency_id: str) -> list[SearchRecord]:
    """An agency's records of `registry_records`, without reading the other agencies' (`ctx.by_agency`)."""
    agency, owned = ctx.registry.get(agency_id), ctx.by_agency.get(agency_id, {})
    return list(_records(_documents(ctx, lambda kind: [agency] if kind == "agency" else owned.get(kind, []))))


def site_records(ctx, built: Path, pages: Iterable[str]) -> list[SearchRecord]:
    """The hand-written pages (read from MkDocs' output `built`) and the records of unregistered agencies."""
    known = {agency.id for agency in ctx.registry.of("agency")}
    unregistered = [owned for agency, owned in ctx.by_agency.items() if agency not in known]

    def of(kind: str) -> list:
        return [record for owned in unregistered for record in owned.get(kind, [])] if kind != "agency" else []

    records = [replace(record, group=SITE_GROUP) for record in _records(_documents(ctx, of))]
    return records + list(page_records(built, pages))


def _documents(ctx, of):
    from ..db import search_documents

    return search_documents(ctx.registry, of=of, memberships_by_post=ctx.memberships_by_post)


def _records(documents) -> Iterable[SearchRecord]:
    for doc in documents:
        if doc["page_url"]:
            about = (doc.get(key) for key in ("agency_name", "units", "people", "phones", "channels", "place"))
            # the texts in traditional characters, also in simplified ones (db.search_documents)
            body = "\n".join(filter(None, [doc["body"], *about, *doc["simplified"].values()]))
            yield SearchRecord(doc["page_url"], doc["title"] or "", body, doc["agency"] or SITE_GROUP)


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
            yield SearchRecord(rel, _plain(title.group(1)), _plain(article.group(1)), SITE_GROUP)


def _plain(fragment: str) -> str:
    from html import unescape

    text = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", fragment, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", text)).replace("¶", " ")


def group_pages(records: Iterable[SearchRecord]) -> list[bytes]:
    """The indexed pages of one group's records, in order: up to GROUP_SIZE records each, a heading
    a record, written as `search/<group>/<n>/index.html` (its address for Pagefind, `write_group`).

    The words every record of a page holds (its agency's name and place, most often) are written
    once, before the first heading, and count for each record of the page (search.js): the same
    records match, and a frequent word's locations, which every query holding it downloads, are
    stored once a page instead of once a record. To gather records holding the same frequent words
    on a page, the records are ordered by which of their most frequent words they hold,
    SORTED_PAGES pages at a time: at a province's size the records' text is hundreds of megabytes,
    the records waiting for their pages at most that many pages."""
    pages: list[bytes] = []
    waiting: list[tuple[str, str, str]] = []  # (address, title, indexed words)
    for record in records:
        waiting.append((record.path, record.title, indexed_text(f"{record.title}\n{record.body}")))
        if len(waiting) == GROUP_SIZE * SORTED_PAGES:
            pages += _sorted_pages(waiting)
            waiting = []
    return pages + _sorted_pages(waiting) if waiting else pages


def _sorted_pages(waiting: list[tuple[str, str, str]]) -> list[bytes]:
    items = [(path, title, words.split()) for path, title, words in waiting]
    frequency = Counter(word for *_, words in items for word in words)
    frequent = [word for word, count in frequency.most_common(64) if count > 1]
    items.sort(key=lambda item: [word not in item[2] for word in frequent])
    pages = []
    for start in range(0, len(items), GROUP_SIZE):
        page = items[start : start + GROUP_SIZE]
        shared = set.intersection(*(set(words) for *_, words in page)) if len(page) > 1 else set()
        head = " ".join(word for word in page[0][2] if word in shared)
        sections = "".join(
            f'<section><h2 id="{escape(path)}">{escape(title)}</h2>'
            f"<p>{escape(' '.join(word for word in words if word not in shared))}</p></section>"
            for path, title, words in page
        )
        pages.append(f'<html lang="{LANGUAGE}"><body><p>{escape(head)}</p>{sections}</body></html>'.encode())
    return pages


def write_group(folder: Path, group: str, pages: list[bytes]) -> None:
    """Put a group's pages in `folder/search/<group>/`, each written only when its bytes differ from
    the file already there (the folder is kept between builds); its pages no longer made are removed."""
    group_folder = folder / "search" / group
    for number, data in enumerate(pages):
        page_file = group_folder / str(number) / "index.html"
        try:
            if page_file.read_bytes() == data:
                continue
        except FileNotFoundError:
            page_file.parent.mkdir(parents=True, exist_ok=True)
        page_file.write_bytes(data)
    if not pages:
        shutil.rmtree(group_folder, ignore_errors=True)
        return
    for page_folder in group_folder.iterdir():
        if not page_folder.name.isdigit() or int(page_folder.name) >= len(pages):
            shutil.rmtree(page_folder)


# --- the main index and its overlay ---------------------------------------------------------

OVERLAY_PAGES = 24  # more indexed pages than this in the overlay: the main index is made again
MAIN, OVERLAY = "main", "overlay"  # Pagefind's output in the cache, published as pagefind/ and pagefind/overlay/
OVERLAY_LIST = "overlay.json"  # published as pagefind/overlay.json, read by search.js
MANIFEST = ".manifest.json"  # in the main index's folder: what it holds (not published)


def update_search_index(
    keys: dict[str, str | None], records_of, site: Path | None, cache: Path, *, version: str
) -> dict:
    """Index each group's records (`records_of(group)`) into `site/pagefind/`; returns what was
    published in `pagefind/overlay.json`.

    `keys` gives each group the key of everything its records are made from (`records.owner_keys`),
    or None for a group whose records are always read again (the hand-written pages): a group's
    records are read and its pages made again only when its key changed since the last build
    (`cache/groups.json`). Pagefind's output for all groups, the main index, is kept in
    `cache/main/` with the hash of each group's pages as indexed; groups whose pages differ from it
    since (changed, new, or gone from the registry) form the overlay, indexed alone into
    `cache/overlay/`. search.js merges the overlay into the main index and drops the main index's
    pages it lists as hidden (`pagefind/overlay.json`). The main index is made again, and the
    overlay emptied, when there is none, when the code or Pagefind changed (`version`), or when
    the overlay would hold more than OVERLAY_PAGES pages. The files are linked into `site/pagefind/`
    (with `site` None they are left for the caller to publish: `published_files`)."""
    pages_folder = cache / "pages"
    state_file = cache / "groups.json"
    state = _read_json(state_file) if pages_folder.is_dir() else None
    if state is None:  # pages no key names: made again
        shutil.rmtree(pages_folder, ignore_errors=True)
    state = state or {}  # group → [key, hash of its pages, how many pages]
    made: dict[str, list[bytes]] = {}
    for group, key in keys.items():
        if key is None or state.get(group, [None])[0] != key:
            made[group] = group_pages(records_of(group))
    current = {group: state[group][1:] for group in keys if group not in made}
    current.update({group: [_digest(pages), len(pages)] for group, pages in made.items()})
    changed = [group for group in made if state.get(group, [None])[1:] != current[group]]
    gone = [group for group in state if group not in keys]
    if changed or gone:  # no key may name pages a stopped build left half written
        _write_json(state_file, {g: v for g, v in state.items() if g in keys and g not in changed})
        for group in changed:
            write_group(pages_folder, group, made[group])
        for group in gone:
            write_group(pages_folder, group, [])

    manifest = _read_json(cache / MAIN / MANIFEST)
    versions = {"code": version, "pagefind": _pagefind_version()}
    if manifest is None or manifest["versions"] != versions or _overlay_pages(manifest, current) > OVERLAY_PAGES:
        manifest = _index_main(cache, pages_folder, current, versions)
    listing = _index_overlay(cache, pages_folder, manifest, current)
    if site is not None:
        target = site / "pagefind"
        if target.exists():
            shutil.rmtree(target)
        _link_files(published_files(cache), target)
    _write_json(state_file, {group: [keys[group], *current[group]] for group in keys})
    return listing


def published_files(cache: Path) -> list[tuple[str, str]]:
    """The files of the site's pagefind/ folder (path under it, file in `cache`): the main index, the
    overlay under overlay/, and the overlay's list; not the dot files kept beside them."""
    files = []
    for source, prefix in ((cache / MAIN, ""), (cache / OVERLAY, "overlay/")):
        for folder, _dirs, names in os.walk(source):
            rel = os.path.relpath(folder, source)
            into = prefix + ("" if rel == "." else rel.replace(os.sep, "/") + "/")
            files += [(into + name, os.path.join(folder, name)) for name in names if not name.startswith(".")]
    thesaurus = [(BROWSER_FILE, str(cache / BROWSER_FILE))] if (cache / BROWSER_FILE).is_file() else []
    return files + [(OVERLAY_LIST, str(cache / OVERLAY_LIST))] + thesaurus


def _link_files(files: list[tuple[str, str]], target: Path) -> None:
    """Hard links to `files` under `target`: a folder made once for its files, not one pathlib call
    per file (thousands of files at a province's size)."""
    made = set()
    for rel, source in files:
        into = os.path.dirname(os.path.join(target, rel))
        if into not in made:
            os.makedirs(into, exist_ok=True)
            made.add(into)
        try:
            os.link(source, os.path.join(target, rel))
        except OSError:
            link_or_copy(Path(source), target / rel)


def _overlay_groups(manifest: dict, current: dict) -> tuple[list[str], list[str]]:
    """The groups whose pages differ from the main index's, and the groups it holds that are gone."""
    held = manifest["groups"]
    differ = [group for group, (digest, _count) in current.items() if held.get(group, {}).get("hash") != digest]
    return differ, sorted(group for group in held if group not in current)


def _overlay_pages(manifest: dict, current: dict) -> int:
    """The overlay's pages and the main index's pages it hides of groups gone: both grow what a search loads."""
    differ, gone = _overlay_groups(manifest, current)
    return sum(current[group][1] for group in differ) + sum(len(manifest["groups"][group]["ids"]) for group in gone)


def _index_main(cache: Path, pages_folder: Path, current: dict, versions: dict) -> dict:
    """Pagefind on every group's pages into `cache/main/` (replaced whole), with its manifest: each
    group's hash and the ids of its indexed pages (Pagefind's fragment names, which search.js sees)."""
    for group_folder in (pages_folder / "search").glob("*"):
        if group_folder.name not in current:  # left by a build stopped before it forgot them
            shutil.rmtree(group_folder)
    main = cache / MAIN
    new = main.with_name(MAIN + ".new")
    if new.exists():
        shutil.rmtree(new)
    count = sum(pages for _digest, pages in current.values())
    _pagefind(pages_folder, new, count)
    ids = _page_ids(new)
    manifest = {
        "versions": versions,
        "entry": (new / "pagefind-entry.json").read_text(encoding="utf-8"),
        "groups": {group: {"hash": digest, "ids": ids.get(group, [])} for group, (digest, _n) in current.items()},
    }
    _write_json(new / MANIFEST, manifest)
    if main.exists():
        shutil.rmtree(main)  # the published site keeps its own links to these files
    new.rename(main)
    return manifest


def _index_overlay(cache: Path, pages_folder: Path, manifest: dict, current: dict) -> dict:
    """The groups differing from the main index indexed alone into `cache/overlay/` (kept while they
    and the main index stay the same), and the list search.js reads: the overlay's groups, the
    groups gone, the main index's pages to drop, how many pages the site's index holds in all."""
    differ, gone = _overlay_groups(manifest, current)
    overlay = cache / OVERLAY
    made_from = {"main": manifest["entry"], "groups": {group: current[group][0] for group in differ}, "gone": gone}
    built = _read_json(overlay / MANIFEST)
    if built is None or built["made_from"] != made_from:
        new = overlay.with_name(OVERLAY + ".new")
        if new.exists():
            shutil.rmtree(new)
        new.mkdir(parents=True)
        count = sum(current[group][1] for group in differ)
        ids: set[str] = set()
        if count:
            with tempfile.TemporaryDirectory(dir=cache) as pages:  # the overlay's pages alone, linked
                for group in differ:
                    for page_file in (pages_folder / "search" / group).glob("*/index.html"):
                        link_or_copy(page_file, Path(pages) / page_file.relative_to(pages_folder))
                _pagefind(Path(pages), new, count)
            for name in ("pagefind.js", "pagefind-worker.js", *(p.name for p in new.glob("wasm.*"))):
                (new / name).unlink(missing_ok=True)  # a merged index uses the main index's
            ids = {page for pages_of in _page_ids(new).values() for page in pages_of}
        held = manifest["groups"]
        hidden = sorted({page for group in differ + gone for page in held.get(group, {}).get("ids", [])} - ids)
        listing = {"groups": differ, "removed": gone, "hidden": hidden, "merge": bool(count)}
        _write_json(new / MANIFEST, {"made_from": made_from, "listing": listing})
        if overlay.exists():
            shutil.rmtree(overlay)
        new.rename(overlay)
        built = _read_json(overlay / MANIFEST)
    listing = {**built["listing"], "pages": sum(count for _digest, count in current.values())}
    data = json.dumps(listing, ensure_ascii=False, sort_keys=True).encode()
    list_file = cache / OVERLAY_LIST
    if not list_file.is_file() or list_file.read_bytes() != data:
        atomic_write_bytes(list_file, data)
    return listing


def _pagefind(pages: Path, target: Path, count: int) -> None:
    run_pagefind(pages, target, cwd=pages)
    for name in UNUSED_FILES:
        (target / name).unlink(missing_ok=True)
    check_search_index(target, count)


def _page_ids(index: Path) -> dict[str, list[str]]:
    """Group → the ids Pagefind gave its pages (the fragments' names; their `url` names the group)."""
    ids: dict[str, list[str]] = {}
    for fragment in sorted((index / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        group = json.loads(data)["url"].strip("/").split("/")[1]
        ids.setdefault(group, []).append(fragment.name.removesuffix(".pf_fragment"))
    return ids


def _pagefind_version() -> str:
    from importlib.metadata import version

    return version("pagefind_bin_extended")


def _digest(pages: list[bytes]) -> str:
    digest = hashlib.sha256()
    for page in pages:
        digest.update(len(page).to_bytes(8, "big") + page)
    return digest.hexdigest()


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _write_json(path: Path, data) -> None:
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode())


def write_search_index(records: Iterable[SearchRecord], site: Path, cache: Path, *, version: str = "") -> dict:
    """Index these records, read once, into `site/pagefind/` (`update_search_index`, every group
    read again): for a search index made outside a site build (benchmarks/bench_site.py)."""
    groups: dict[str, list[SearchRecord]] = {}
    for record in records:
        groups.setdefault(record.group or SITE_GROUP, []).append(record)
    return update_search_index(dict.fromkeys(groups), groups.__getitem__, site, cache, version=version)


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
