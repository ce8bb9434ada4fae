"""The same matter across agencies: powers and services of different bodies grouped into matters.

Each agency's list stands alone; auditors ask across them (does every county list 医疗救助?).
Records are linked by what the lists print: the official code (category letter and serial within
a province's scheme), the name normalised (对……的处罚, punctuation, 医保 = 医疗保障 / 医疗保险,
参保申报 = 参保登记) and, backing a near name, a legal basis cited down to the article. A matter
holds at most one record per agency: two records of one body are never the same matter merely
because they share a code. Groupings are proposals until an editor confirms them in
`registry/matters.yaml` (absent: everything is a proposal).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from .codes import CodeError, parse_code
from .models import RecordId, Strict
from .regions import lookup
from .registry import Problem, Registry, plain_message
from .safefiles import MAX_YAML_BYTES, UnsafeFile, read_text
from .yamlload import YamlError, load_yaml

MATTERS_FILE = "matters.yaml"  # at the registry's root; read here, not by the record loader
MATTER_KINDS = ("power", "service")
LINK_THRESHOLD = 0.6
PEER_SHARE = 0.6  # a gap: a matter listed by at least this share of an agency's peers
MIN_PEERS = 3
MAX_FINDING_RECORDS = 20  # a gap names this many of the peers' records at most
MAX_BASIS_BUCKET = 200  # a much-cited article is compared among this many records at most

# Longer forms first: 城乡居民基本医疗保险 → 城乡居民医保.
SYNONYMS = (
    ("基本医疗保险", "医保"),
    ("医疗保障", "医保"),
    ("医疗保险", "医保"),
    ("参保申报", "参保登记"),
)
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_PENALTY = re.compile(r"^对(.+?)(?:的)?(?:行政)?处罚$")
_CLAUSES = re.compile(r"[、，,；;：:]")


# --- editors' decisions ---------------------------------------------------------------


class MatterDecision(Strict):
    """An editor's decision on one matter: these records are the same matter, or are each their own."""

    id: RecordId = Field(description="Stable ID of the matter")
    title: str | None = Field(None, description="Title to show; default: the shortest name printed")
    decision: Literal["confirmed", "separate"] = Field(
        "confirmed", description="confirmed: exactly these records are one matter; separate: never group them"
    )
    records: list[RecordId] = Field(min_length=1, description="IDs of powers or services")
    note: str | None = None


class MattersFile(Strict):
    matters: list[MatterDecision] = Field(default_factory=list)


def matters_path(registry: Registry) -> Path | None:
    return registry.root / MATTERS_FILE if registry.root.is_dir() else None


def load_decisions(registry: Registry) -> tuple[list[MatterDecision], list[Problem]]:
    """The editors' decisions, and errors naming file, line and field (an absent file: no decisions)."""
    path = matters_path(registry)
    if path is None or not path.exists():
        return [], []
    rel = registry.relpath(path)
    try:
        loaded = load_yaml(read_text(path, MAX_YAML_BYTES, "the file"))
    except (YamlError, UnsafeFile) as exc:
        return [], [Problem("error", exc.code, rel, exc.line, "(file)", exc.message)]
    try:
        parsed = MattersFile.model_validate(loaded.data or {})
    except ValidationError as exc:
        return [], [
            Problem("error", "invalid_matter", rel, loaded.line_of(tuple(e["loc"])), _loc(e["loc"]), plain_message(e))
            for e in exc.errors()
        ]
    problems, seen_ids, confirmed_records = [], set(), set()
    for i, decision in enumerate(parsed.matters):
        if decision.id in seen_ids:
            problems.append(_decision_problem(rel, loaded, (i, "id"), f"the matter ID {decision.id} is used twice"))
        seen_ids.add(decision.id)
        for j, record_id in enumerate(decision.records):
            entry = registry.entries.get(record_id)
            if entry is None or entry.kind not in MATTER_KINDS:
                problems.append(
                    _decision_problem(
                        rel, loaded, (i, "records", j), f"{record_id} is not the ID of a power or service"
                    )
                )
            elif decision.decision == "confirmed" and record_id in confirmed_records:
                problems.append(
                    _decision_problem(rel, loaded, (i, "records", j), f"{record_id} is in two confirmed matters")
                )
            if decision.decision == "confirmed":
                confirmed_records.add(record_id)
    return parsed.matters, problems


def _loc(loc) -> str:
    """matters[1].records[0], as the record loader names fields."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


def _decision_problem(rel: str, loaded, path: tuple, message: str) -> Problem:
    return Problem(
        "error", "invalid_matter", rel, loaded.line_of(("matters", *path)), _loc(("matters", *path)), message
    )


def check_decisions(registry: Registry):
    """Validation rule: errors in `matters.yaml`."""
    return load_decisions(registry)[1]


# --- normalising names ----------------------------------------------------------------


def normalise(name: str) -> str:
    """A name reduced to what identifies the matter: no punctuation, one word for each synonym."""
    text = _NOT_WORD.sub("", name)
    penalty = _PENALTY.match(text)
    if penalty:
        text = "处罚" + penalty.group(1).removesuffix("行为").removesuffix("的")
    for long, short in SYNONYMS:
        text = text.replace(long, short)
    return text.removesuffix("等")


def name_keys(name: str) -> dict[str, str]:
    """Keys a name is matched by: the whole name, and its first clause when the name lists several."""
    keys = {"name": normalise(name)}
    head = normalise(_CLAUSES.split(name, maxsplit=1)[0])
    if len(head) >= 4 and head != keys["name"]:
        keys["head"] = head
    return keys


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y)


# --- grouping -------------------------------------------------------------------------


@dataclass
class Member:
    record: str
    kind: str
    agency: str
    confidence: float
    evidence: list[str] = field(default_factory=list)


@dataclass
class Matter:
    id: str
    title: str
    status: str  # "proposed" or "confirmed"
    members: list[Member]

    @property
    def agencies(self) -> list[str]:
        return [m.agency for m in self.members]

    @property
    def confidence(self) -> float:
        return min((m.confidence for m in self.members), default=1.0)


def _records(registry: Registry) -> dict[str, object]:
    return {r.id: r for kind in MATTER_KINDS for r in registry.of(kind)}


def _code_key(registry: Registry, record) -> tuple | None:
    """The code without its region: the same serial in the same province's scheme."""
    try:
        parsed = parse_code(getattr(record, "code", None), registry.get(getattr(record, "code_scheme", None)))
    except CodeError:
        return None
    if not parsed.category or not parsed.item:
        return None
    return (parsed.scheme, parsed.agency, parsed.category, parsed.item, parsed.subitem)


def _basis_keys(record) -> set[tuple[str, str]]:
    return {(normalise(b.title), _NOT_WORD.sub("", b.article)) for b in record.legal_bases if b.article}


def candidate_links(registry: Registry, records: dict) -> list[tuple[float, str, str, str]]:
    """(confidence, record, record, evidence) for records of different agencies that look like one matter."""
    links: dict[tuple[str, str], tuple[float, list[str]]] = {}

    def link(a, b, confidence: float, evidence: str) -> None:
        if a.agency == b.agency:
            return
        pair = tuple(sorted((a.id, b.id)))
        old_confidence, old_evidence = links.get(pair, (0.0, []))
        links[pair] = (max(old_confidence, confidence), [*old_evidence, evidence])

    buckets: dict[tuple, list] = defaultdict(list)
    for record in records.values():
        code = _code_key(registry, record)
        if code:
            buckets[("code", code)].append(record)
        for key in name_keys(record.name).values():
            buckets[("name", key)].append(record)
        for basis in _basis_keys(record):
            buckets[("basis", basis)].append(record)
    for (kind, key), members in buckets.items():
        if kind == "basis":  # a near name: compared pair by pair, among a bounded number
            members = members[:MAX_BASIS_BUCKET]
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if similarity(normalise(a.name), normalise(b.name)) >= 0.5:
                        link(a, b, 0.65, f"引用同一依据同一条款（{key[0]}{key[1]}），名称相近")
            continue
        # The same code or name: each record linked to the first records of two agencies is enough
        # to join them all (3,000 counties listing 医疗救助 are 6,000 links, not 4.5 million).
        anchors = list({r.agency: r for r in reversed(members)}.values())[::-1][:2]
        for b in members:
            for a in anchors:
                if kind == "code":
                    link(a, b, 0.95, f"编码类别与序号相同（{a.code} / {b.code}）")
                else:
                    exact = normalise(a.name) == normalise(b.name)
                    link(a, b, 0.85 if exact else 0.7, f"名称{'相同' if exact else '主体相同'}（规范化后：{key}）")
    # Names near once the lists' near-synonyms are read as one word (registry/thesaurus.yaml: 企业 =
    # 用人单位, 医疗保险费、生育保险费 = 社会保险费).
    from .thesaurus import near_name_links, registry_canon

    canon = registry_canon(registry.root, normalise) if registry.root.is_dir() else []
    for a, b, evidence in near_name_links(records.values(), normalise, similarity, canon, MAX_BASIS_BUCKET):
        link(a, b, 0.65, evidence)
    # Shared articles back a link found by name or code.
    out = []
    for (a, b), (confidence, evidence) in links.items():
        shared = _basis_keys(records[a]) & _basis_keys(records[b])
        if shared and not any("依据" in e for e in evidence):
            confidence = min(0.99, confidence + 0.05)
            evidence.append("引用同一依据同一条款（" + "；".join(t + art for t, art in sorted(shared)) + "）")
        if confidence >= LINK_THRESHOLD:
            out.append((confidence, a, b, "；".join(evidence)))
    return sorted(out, key=lambda x: (-x[0], x[1], x[2]))


def match_matters(registry: Registry) -> list[Matter]:
    """Every power and service in a matter: editors' confirmed matters, then proposals, then singletons."""
    records = _records(registry)
    decisions, problems = load_decisions(registry)
    if problems:
        decisions = []  # reported by validation; a build stops before it gets here
    matters: list[Matter] = []
    placed: set[str] = set()
    apart: dict[str, set[str]] = defaultdict(set)
    for decision in decisions:
        if decision.decision == "separate":
            for record_id in decision.records:
                apart[record_id].update(set(decision.records) - {record_id})
            continue
        members = [
            Member(r, _kind(registry, r), records[r].agency, 1.0, ["编辑已确认"])
            for r in decision.records
            if r in records and r not in placed
        ]
        placed.update(m.record for m in members)
        if members:
            title = decision.title or _title([records[m.record] for m in members])
            matters.append(Matter(decision.id, title, "confirmed", members))

    # Greedy union by confidence: a group never takes a second record of an agency, nor records kept
    # apart. Each group keeps its agencies and the records kept apart from it; the smaller joins the larger.
    group_of = {r: r for r in records if r not in placed}
    groups = {r: {r} for r in group_of}
    agencies_of = {r: {records[r].agency} for r in group_of}
    apart_of = {r: set(apart.get(r, ())) for r in group_of}
    member_info: dict[str, tuple[float, list[str]]] = {}
    for confidence, a, b, evidence in candidate_links(registry, records):
        if a not in group_of or b not in group_of or group_of[a] == group_of[b]:
            continue
        keep, gone = group_of[a], group_of[b]
        if len(groups[keep]) < len(groups[gone]):
            keep, gone = gone, keep
        if agencies_of[keep] & agencies_of[gone] or apart_of[keep] & groups[gone]:
            continue
        for r in (a, b):
            old = member_info.get(r, (0.0, []))
            member_info[r] = (max(old[0], confidence), list(dict.fromkeys([*old[1], evidence])))
        for r in groups[gone]:
            group_of[r] = keep
        groups[keep] |= groups.pop(gone)
        agencies_of[keep] |= agencies_of.pop(gone)
        apart_of[keep] |= apart_of.pop(gone)
    taken = {m.id for m in matters}
    for ids in sorted(groups.values(), key=min):  # by first record, so a shared short ID goes the same way
        members = [
            Member(r, _kind(registry, r), records[r].agency, *member_info.get(r, (1.0, []))) for r in sorted(ids)
        ]
        status = "proposed" if len(members) > 1 else "single"
        matters.append(Matter(_matter_id(min(ids), taken), _title([records[r] for r in ids]), status, members))
    return sorted(matters, key=lambda m: (-len(m.members), m.title, m.id))


def _kind(registry: Registry, record_id: str) -> str:
    return registry.entries[record_id].kind


def _title(records) -> str:
    return min((r.name for r in records), key=lambda name: (len(name), name))


def _matter_id(record_id: str, taken: set[str]) -> str:
    """Stable while the matter keeps its first record: the ID of that record, hashed short (10 hex
    digits), longer when another matter has those: among 1,000,000 records two share 10 digits about
    one time in three (a 1,000,000-power build failed on it)."""
    digest = hashlib.sha256(record_id.encode()).hexdigest()
    matter_id = next(f"matter-{digest[:n]}" for n in (10, 16, 64) if f"matter-{digest[:n]}" not in taken)
    taken.add(matter_id)
    return matter_id


def shared_matters(matters: list[Matter]) -> list[Matter]:
    """Matters listed by more than one agency: those worth comparing."""
    return [m for m in matters if len(m.members) > 1]


def matter_of(matters: list[Matter]) -> dict[str, Matter]:
    """Record ID → its matter."""
    return {member.record: matter for matter in matters for member in matter.members}


# --- gaps against peers ---------------------------------------------------------------


def body_type(registry: Registry, agency) -> str:
    """The agency's name without its place names: 襄垣县医疗保障局 → 医疗保障局."""
    name = agency.name
    region = agency.region
    places = []
    if region:
        places = [r.name for c in dict.fromkeys((region[:2] + "0000", region[:4] + "00", region)) if (r := lookup(c))]
    changed = True
    while changed:
        changed = False
        for place in places:
            if place and name.startswith(place) and len(name) > len(place):
                name = name[len(place) :]
                changed = True
    return name


def peer_groups(registry: Registry) -> dict[tuple, list[str]]:
    """Agencies that list powers or services, by level, kind and type of body."""
    listing = {r.agency for kind in MATTER_KINDS for r in registry.of(kind)}
    groups: dict[tuple, list[str]] = defaultdict(list)
    for agency in registry.of("agency"):
        if agency.id in listing:
            groups[(agency.level, agency.kind, body_type(registry, agency))].append(agency.id)
    return groups


def find_missing_vs_peers(registry: Registry, matters: list[Matter] | None = None):
    """Finding rule: matters that most of an agency's peers list and it does not (may be legitimate)."""
    matters = match_matters(registry) if matters is None else matters
    listed: dict[str, set[str]] = defaultdict(set)
    for matter in matters:
        for agency in matter.agencies:
            listed[agency].add(matter.id)
    by_id = {m.id: m for m in matters}
    for agencies in peer_groups(registry).values():
        peers = len(agencies) - 1
        if peers < MIN_PEERS:
            continue
        counts: dict[str, int] = defaultdict(int)  # agencies of the group listing each matter
        for agency_id in agencies:
            for matter_id in listed[agency_id]:
                counts[matter_id] += 1
        # an agency lacking the matter has all those listing it among its peers
        common = sorted(m for m, count in counts.items() if count / peers >= PEER_SHARE)
        group = set(agencies)
        for agency_id in agencies:
            for matter_id in common:
                if matter_id in listed[agency_id]:
                    continue
                count, matter = counts[matter_id], by_id[matter_id]
                yield registry.problem(
                    "low",
                    "missing_vs_peers",
                    agency_id,
                    "name",
                    f"{count} of {peers} peer agencies list the matter {matter.title}; this one does not "
                    "(it may be legitimate: the matter may be handled elsewhere or named differently)",
                    message_zh=f"同级同类的 {peers} 个机构中有 {count} 个列有“{matter.title}”，本机构清单未列。"
                    "这可能是正当的（该事项可能由其他机构办理，或以其他名称列出），请核对",
                    records=[m.record for m in matter.members if m.agency in group][:MAX_FINDING_RECORDS],
                )
