"""The thesaurus: what people say for what the lists call it (`registry/thesaurus.yaml`).

Citizens do not know that 生孩子 is 生育, 公司 is 单位, 打零工 is 灵活就业. Each entry of the thesaurus
gives everyday words (`say`) and the lists' terms they mean (`means`), one way; an entry marked
`both` holds official near-synonyms that stand for each other (用人单位 / 企业). Every entry says why
(`note`) or where people were found asking that way (`source`). Editors extend it without code.

One file serves both searches:

- `who_handles` (Datasette, `qingdan.search`): a question's everyday words are found by `spot`
  (longest entry first, left to right) and searched together with the terms they stand for
  (`Thesaurus.forms`); the term counts as the word typed when records are ranked;
- the site search (content/javascripts/search.js): the same table, written by `browser_table`
  into `pagefind/thesaurus.json`, and the same `spot`, written again in JavaScript (the tests
  compare them).

A record page lists the everyday words it is found by (`aliases`: 也叫：…).

Validated like the rest of the registry (`check_thesaurus`, an error rule; `find_unmatched_terms`
in `validate.py`, a finding): a word given twice, a word that means itself, a chain of one-way
entries that comes back to its start, a single character (found inside every other word) are
errors (words that stand for each other are one `both` entry); a term that no record holds is a
finding (the entry finds nothing).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from .models import Strict
from .registry import Problem, Registry, plain_message
from .safefiles import MAX_YAML_BYTES, UnsafeFile, read_text
from .yamlload import YamlError, load_yaml

THESAURUS_FILE = "thesaurus.yaml"  # at the registry's root; read here, not by the record loader
BROWSER_FILE = "thesaurus.json"  # published as pagefind/thesaurus.json, read by search.js
MAX_WORD = 16  # characters of the longest word or term

# Words that say how a question is asked, not what it is about: the site search leaves them out of
# a question (who_handles has its own list, search.FILLER, and jieba). Sentence-final particles
# included (报销吗 is 报销, not 报销 + 销吗); not 的 or 了, which the lists' own phrases hold (的处罚).
QUESTION_WORDS = tuple(
    "怎么办 怎么样 怎么 怎样 如何 哪里 哪儿 在哪 去哪 哪个 哪些 什么 找谁 谁来 谁管 谁负责 我想 想要 需要 可以 "
    "能否 是否 请问 一下 的话 多少 有没有 能不能 可不可以 是不是 还能 吗 呢 吧 啊 呀".split()
)


class ThesaurusEntry(Strict):
    """Everyday words and the lists' terms they mean."""

    say: list[str] = Field(min_length=1, description="Words and phrases people use (一个或多个)")
    means: list[str] = Field(min_length=1, description="The terms the lists print for them")
    both: bool = Field(
        False, description="True: official near-synonyms, each standing for the others (用人单位 / 企业)"
    )
    official: bool = Field(
        False,
        description="True: the lists' own words (社会保险费 for 医疗保险费、生育保险费), used to group matters, "
        "not shown as everyday names; an entry with both: true is official too",
    )
    note: str | None = Field(None, description="Why these words mean these terms")
    source: str | None = Field(None, description="Where people were found asking this way (a page's address)")

    @model_validator(mode="after")
    def _said_why(self):
        if not (self.note or self.source):
            raise ValueError("an entry needs a note or a source")
        return self


class ThesaurusFile(Strict):
    entries: list[ThesaurusEntry] = Field(default_factory=list)


@dataclass
class Thesaurus:
    """The entries, and for each word the terms it stands for: those of its entry, one step (a term that
    is itself an everyday word of another entry is not followed further, so what an entry lists is
    what its words find)."""

    entries: list[ThesaurusEntry] = field(default_factory=list)
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def longest(self) -> int:
        return max(map(len, self.forms), default=0)


def thesaurus_path(registry: Registry) -> Path | None:
    return registry.root / THESAURUS_FILE if registry.root.is_dir() else None


def load_thesaurus(path: Path | None, rel: str | None = None) -> Thesaurus:
    """The thesaurus in `path` (absent: an empty one), with its errors naming line and field."""
    if path is None or not path.exists():
        return Thesaurus()
    rel = rel or str(path)
    try:
        loaded = load_yaml(read_text(path, MAX_YAML_BYTES, "the file"))
    except (YamlError, UnsafeFile) as exc:
        return Thesaurus(problems=[Problem("error", exc.code, rel, exc.line, "(file)", exc.message)])
    try:
        parsed = ThesaurusFile.model_validate(loaded.data or {})
    except ValidationError as exc:
        return Thesaurus(
            problems=[
                Problem("error", "invalid_thesaurus", rel, loaded.line_of(e["loc"]), _loc(e["loc"]), plain_message(e))
                for e in exc.errors()
            ]
        )

    def error(path: tuple, message: str) -> Problem:
        where = ("entries", *path)
        return Problem("error", "invalid_thesaurus", rel, loaded.line_of(where), _loc(where), message)

    problems: list[Problem] = []
    edges: dict[str, list[str]] = {}  # word → terms, one way
    said: dict[str, tuple] = {}  # word → where it was first given
    for i, entry in enumerate(parsed.entries):
        words = [*entry.say, *entry.means] if entry.both else entry.say
        for j, word in enumerate(words):
            where = (i, "say", j) if j < len(entry.say) else (i, "means", j - len(entry.say))
            if len(word) < 2 or len(word) > MAX_WORD or any(c.isspace() for c in word):
                problems.append(error(where, f"“{word}”: a word of 2 to {MAX_WORD} characters, no spaces, is needed"))
                continue
            if word in said:
                first = loaded.line_of(("entries", *said[word]))
                problems.append(error(where, f"“{word}” is given twice (first on line {first})"))
                continue
            said[word] = where
            terms = [t for t in (words if entry.both else entry.means) if t != word]
            if not entry.both and word in entry.means:
                problems.append(error(where, f"“{word}” means itself"))
            edges[word] = list(dict.fromkeys(terms))
        for j, term in enumerate(entry.means):
            if len(term) < 2 or len(term) > MAX_WORD or any(c.isspace() for c in term):
                problems.append(
                    error((i, "means", j), f"“{term}”: a term of 2 to {MAX_WORD} characters, no spaces, is needed")
                )
    one_way = {word: terms for word, terms in edges.items() if not _both_word(parsed, word)}
    cycle = _find_cycle(one_way)
    if cycle:
        problems.append(
            error(
                said[cycle[0]],
                "a cycle: " + " → ".join(cycle) + " (words that stand for each other are one entry with both: true)",
            )
        )
        return Thesaurus(parsed.entries, {}, problems)
    return Thesaurus(parsed.entries, {word: tuple(terms) for word, terms in edges.items() if terms}, problems)


def _both_word(parsed: ThesaurusFile, word: str) -> bool:
    return any(entry.both and (word in entry.say or word in entry.means) for entry in parsed.entries)


def _find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """A chain of one-way entries that comes back to its start (A → B → A), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(word: str) -> list[str] | None:
        state[word] = 1
        path.append(word)
        for term in edges.get(word, ()):
            if state.get(term) == 1:
                return path[path.index(term) :] + [term]
            if term not in state and (found := visit(term)):
                return found
        path.pop()
        state[word] = 2
        return None

    for word in edges:
        if word not in state and (found := visit(word)):
            return found
    return None


def _loc(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


def registry_thesaurus(registry: Registry) -> Thesaurus:
    path = thesaurus_path(registry)
    return load_thesaurus(path, registry.relpath(path) if path else None)


def check_thesaurus(registry: Registry) -> list[Problem]:
    """Validation rule: errors in `thesaurus.yaml`."""
    return registry_thesaurus(registry).problems


# --- the thesaurus the searches use -----------------------------------------------------------


def default_path() -> Path:
    """The thesaurus `who_handles` uses: `QINGDAN_THESAURUS`, else the registry of `QINGDAN_HOME` or the checkout."""
    from .settings import CHECKOUT

    env = os.environ
    if env.get("QINGDAN_THESAURUS"):
        return Path(env["QINGDAN_THESAURUS"])
    return Path(env.get("QINGDAN_HOME") or CHECKOUT) / "registry" / THESAURUS_FILE


@cache
def default_forms() -> dict[str, tuple[str, ...]]:
    """Word → the terms it stands for, from `default_path()`, read once (a thesaurus with errors: none)."""
    loaded = load_thesaurus(default_path())
    return {} if any(p.is_error for p in loaded.problems) else loaded.forms


def spot(text: str, forms: dict, skip=QUESTION_WORDS, longest: int | None = None) -> list[tuple[str, bool]]:
    """`text` cut at the thesaurus's words: (word, True) for each, (the text between, False) for the
    rest, left to right, the longest word at each place first; `skip` words (asked how, not what)
    are left out. The browser's twin is `spotWords` in content/javascripts/search.js; keep them equal."""
    if longest is None:  # of the words and the skipped words (the caller may know it)
        longest = max([*map(len, forms), *map(len, skip)], default=0)
    skipped = set(skip)
    out: list[tuple[str, bool]] = []
    plain = ""
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            piece = text[i : i + size]
            if (size > 1 and piece in forms) or piece in skipped:
                if plain:
                    out.append((plain, False))
                    plain = ""
                if piece in forms and size > 1:
                    out.append((piece, True))
                i += size
                break
        else:
            plain += text[i]
            i += 1
    if plain:
        out.append((plain, False))
    return out


def browser_table(thesaurus: Thesaurus) -> bytes:
    """What search.js needs, as compact JSON (it is downloaded on the first search): the words that
    stand for the same terms, space-separated, with those terms, each list of terms once; and the
    question words left out. `table_forms` reads it back (search.js: `formsOf`)."""
    by_terms: dict[tuple[str, ...], list[str]] = {}
    for word, terms in thesaurus.forms.items():
        by_terms.setdefault(terms, []).append(word)
    table = {
        "forms": [[" ".join(words), " ".join(terms)] for terms, words in by_terms.items()],
        "skip": " ".join(QUESTION_WORDS),
    }
    return json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def table_forms(table: dict) -> dict[str, tuple[str, ...]]:
    """The words and their terms in a table `browser_table` wrote."""
    return {word: tuple(terms.split(" ")) for words, terms in table.get("forms", []) for word in words.split(" ")}


def everyday_forms(thesaurus: Thesaurus) -> dict[str, tuple[str, ...]]:
    """What record pages show (也叫): for each one-way entry (what people say, not the lists'
    near-synonyms), its first ALIASES_PER_ENTRY words, with the entry's first term, the one it is about
    (看病 is about 就医, though it also finds 医疗)."""
    return {
        word: (entry.means[0],)
        for entry in thesaurus.entries
        if not (entry.both or entry.official)
        for word in entry.say[:ALIASES_PER_ENTRY]
    }


@cache
def default_everyday() -> dict[str, tuple[str, ...]]:
    loaded = load_thesaurus(default_path())
    return {} if any(p.is_error for p in loaded.problems) else everyday_forms(loaded)


MAX_ALIASES = 8
ALIASES_PER_ENTRY = 2


def aliases(title: str | None, forms: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The everyday words a record titled `title` is found by: those whose term its title holds
    (a title holding 生育 is found by 生孩子), the longest terms first (the most telling), at most
    MAX_ALIASES. `forms`: `everyday_forms` (default: the registry's, `default_everyday`)."""
    if not title:
        return []
    forms = default_everyday() if forms is None else forms
    found = [(word, terms) for word, terms in forms.items() if word not in title and any(t in title for t in terms)]
    found.sort(key=lambda item: -max(len(t) for t in item[1] if t in title))
    found = [word for word, _ in found]
    return found[:MAX_ALIASES]


# --- the finding: a term no record holds ---------------------------------------------------


def problem(severity: str, code: str, thesaurus_file: str, line: int, field_path: str, message: str, **extra):
    """A finding about the thesaurus file (it names no record)."""
    return Problem(severity, code, thesaurus_file, line, field_path, message, **extra)


def unmatched_terms(registry: Registry) -> list[tuple[str, int, str]]:
    """The thesaurus's terms (`means`) that no record's text holds, each once: (term, line, field).

    Each record's fields are read once, as JSON (its text unescaped); a term is looked for only
    until a record holds it, so the records are read against the few terms that find nothing."""
    path = thesaurus_path(registry)
    loaded_thesaurus = registry_thesaurus(registry)
    if path is None or not loaded_thesaurus.entries or any(p.is_error for p in loaded_thesaurus.problems):
        return []
    lines = load_yaml(read_text(path, MAX_YAML_BYTES, "the file"))
    waiting: dict[str, tuple] = {}
    for i, entry in enumerate(loaded_thesaurus.entries):
        for j, term in enumerate(entry.means):
            waiting.setdefault(term, (i, "means", j))
    for entry in registry.entries.values():
        if not waiting:
            break
        text = entry.record.model_dump_json()
        for term in [t for t in waiting if t in text]:
            del waiting[term]
    return [(term, lines.line_of(("entries", *where)), _loc(("entries", *where))) for term, where in waiting.items()]


def registry_everyday(root: Path) -> dict[str, tuple[str, ...]]:
    """`everyday_forms` of the thesaurus at a registry's root, read once per version of the file."""
    path = Path(root) / THESAURUS_FILE
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _everyday_of(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _everyday_of(path: str, _mtime: int, _size: int) -> dict[str, tuple[str, ...]]:
    loaded = load_thesaurus(Path(path))
    return {} if any(p.is_error for p in loaded.problems) else everyday_forms(loaded)


# --- the lists' near-synonyms, for grouping matters (matters.py) ----------------------------------

NEAR_NAME = 0.5  # bigram similarity of two names read with the near-synonyms as one word
NEAR_SUFFIX = 4  # names compared only within the same last characters (加收滞纳金), a bounded bucket


def official_canon(thesaurus: Thesaurus, normalise) -> list[tuple[str, str]]:
    """(word, the word standing for it) for the official entries (both, or official), each word as
    `normalise` reads it (matters.normalise: 医疗保险费 is 医保费 there), longest first: every word of
    an entry stands for its first."""
    pairs = {}
    for entry in thesaurus.entries:
        if entry.both or entry.official:
            canonical = normalise(entry.say[0])
            for word in [*entry.say[1:], *entry.means]:
                pairs.setdefault(normalise(word), canonical)
    return sorted(((w, c) for w, c in pairs.items() if w != c), key=lambda pair: -len(pair[0]))


def registry_canon(root: Path, normalise) -> list[tuple[str, str]]:
    path = Path(root) / THESAURUS_FILE
    try:
        stat = path.stat()
    except OSError:
        return []
    return _canon_of(str(path), stat.st_mtime_ns, stat.st_size, normalise)


@cache
def _canon_of(path: str, _mtime: int, _size: int, normalise) -> list[tuple[str, str]]:
    loaded = load_thesaurus(Path(path))
    return [] if any(p.is_error for p in loaded.problems) else official_canon(loaded, normalise)


def canonical_name(name: str, canon: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """A normalised name with each near-synonym read as the word standing for it (企业 → 用人单位;
    医保费、生育保险费 → 社会保险费, said once), and the readings used (“企业＝用人单位”)."""
    used = []
    for word, canonical in canon:
        if word in name:
            name = name.replace(word, canonical)
            used.append(f"{word}＝{canonical}")
    for canonical in dict.fromkeys(c for _, c in canon):
        while canonical + canonical in name:
            name = name.replace(canonical + canonical, canonical)
    return name, used


def near_name_links(records, normalise, similarity, canon, limit: int):
    """(record, record, evidence) for records whose names, read with the lists' near-synonyms, are
    near (NEAR_NAME) though they differ as printed: within buckets of the same last characters, each
    name the near-synonyms changed compared with the others (at most `limit` of each a bucket)."""
    if not canon:
        return
    buckets: dict[str, list] = {}
    readings = {}
    for record in records:
        plain = normalise(record.name)
        name, used = canonical_name(plain, canon)
        readings[record.id] = (plain, name, used)
        buckets.setdefault(name[-NEAR_SUFFIX:], []).append(record)
    for members in buckets.values():
        changed = [r for r in members if readings[r.id][2]][:limit]  # names the thesaurus read otherwise
        if not changed or len(members) < 2:
            continue
        seen = set()
        for a in changed:
            plain_a, name_a, used_a = readings[a.id]
            for b in members[:limit]:
                plain_b, name_b, used_b = readings[b.id]
                pair = tuple(sorted((a.id, b.id)))
                if a.agency == b.agency or plain_a == plain_b or pair in seen:
                    continue
                seen.add(pair)
                if similarity(name_a, name_b) >= NEAR_NAME:
                    used = "；".join(dict.fromkeys(used_a + used_b))
                    yield a, b, f"名称相近（按同义词表：{used}；读作“{name_a}”与“{name_b}”）"
