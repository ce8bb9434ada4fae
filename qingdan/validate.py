"""Validation: errors (the registry is broken) and findings (the official data has defects).

Errors stop a build. Findings are published: they are what auditors and journalists read
in the data-quality report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import regions
from .bidi import BIDI_CONTROLS, mark
from .codes import CodeError, SchemeError, category_for_letter, parse_code, scheme_pattern
from .guide_findings import GUIDE_FINDING_RULES, source_strings
from .labels import zh_label
from .matters import Matter, check_decisions, find_missing_vs_peers, match_matters
from .models import record_title
from .registry import SEVERITIES, Problem, Registry, load_registry
from .safefiles import MAX_ORIGINAL_BYTES, UnsafeFile, file_sha256
from .urls import PATH_KINDS, SITE_NAMES, is_site_name

CATEGORY_WORDS = ("许可", "处罚", "强制", "征收", "给付", "检查", "确认", "奖励", "裁决")
# A local number: 7 or 8 digits with no leading 0 (area codes and mobiles start 0 or 1).
LOCAL_PHONE = re.compile(r"^[2-9]\d{6,7}$")


@dataclass
class Report:
    registry: Registry
    errors: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @cached_property
    def matters(self) -> list[Matter]:
        """The same matter across agencies (`matters.match_matters`), grouped once: validation's gaps
        against peers, the database, the graph and the site all read this grouping."""
        return match_matters(self.registry)

    def as_dict(self) -> dict:
        by_severity = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES[1:]}
        return {
            "errors": [p.as_dict() for p in self.errors],
            "findings": [p.as_dict() for p in self.findings],
            "summary": {
                "errors": len(self.errors),
                "findings": len(self.findings),
                "findings_by_severity": by_severity,
                "records": {kind: len(items) for kind, items in sorted(self.registry.by_kind.items())},
            },
        }


def validate(path: Path | str) -> Report:
    registry = load_registry(path)
    return check(registry)


def check(registry: Registry) -> Report:
    report = Report(registry, errors=list(registry.errors))
    for rule in ERROR_RULES:
        report.errors.extend(rule(registry))
    if not registry.errors:  # findings need references that resolve
        for rule in FINDING_RULES:  # the gaps against peers read the grouping the build reuses
            report.findings.extend(rule(registry, report.matters) if rule is find_missing_vs_peers else rule(registry))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    # a file emptied by mistake first: the dangling references it causes follow from it
    report.errors.sort(key=lambda p: (p.code != "emptied_file", p.file, p.line))
    report.findings.sort(key=lambda p: (order[p.severity], p.file, p.line))
    return report


# --- error rules -----------------------------------------------------------------------


def check_codes(registry: Registry):
    bad_schemes = set()
    for scheme in registry.of("code_scheme"):
        try:
            scheme_pattern(scheme.pattern)
        except SchemeError as exc:
            bad_schemes.add(scheme.id)
            yield registry.problem("error", "malformed_code", scheme.id, "pattern", str(exc))
    schemes = {scheme.id: scheme for scheme in registry.of("code_scheme")}
    for power in registry.of("power"):
        scheme = schemes.get(power.code_scheme)
        if scheme is None or scheme.id in bad_schemes or power.code is None:
            continue  # no code or scheme, a dangling reference or a bad pattern (reported as such)
        try:
            parse_code(power.code, scheme)
        except CodeError as exc:
            yield registry.problem("error", "malformed_code", power.id, "code", str(exc))


def check_regions(registry: Registry):
    for agency in registry.of("agency"):
        if agency.region and regions.lookup(agency.region) is None:
            yield registry.problem(
                "error", "malformed_code", agency.id, "region", f"{agency.region} is not a GB/T 2260 region code"
            )


def check_flows(registry: Registry):
    for flow in registry.of("flow_template") + registry.of("flow"):
        node_ids = [n.id for n in flow.nodes]
        seen = set()
        for i, node_id in enumerate(node_ids):
            if node_id in seen:
                yield registry.problem(
                    "error",
                    "duplicate_id",
                    flow.id,
                    f"nodes[{i}].id",
                    f"the node ID {node_id!r} is used twice in this flow",
                )
            seen.add(node_id)
        for i, edge in enumerate(flow.edges):
            for end, value in (("from", edge.from_node), ("to", edge.to_node)):
                if value not in seen:
                    yield registry.problem(
                        "error",
                        "dangling_reference",
                        flow.id,
                        f"edges[{i}].{end}",
                        f"refers to node {value!r}, which is not a node of this flow",
                    )
        if getattr(flow, "availability", None) is None:
            continue
        if flow.availability == "title_only" and (flow.nodes or flow.template):
            yield registry.problem(
                "error", "inconsistent", flow.id, "availability", "a title_only flow must not have nodes or a template"
            )
        if flow.availability == "full" and not (flow.nodes or flow.template):
            yield registry.problem(
                "error", "inconsistent", flow.id, "availability", "a full flow needs nodes or a template"
            )
        if flow.nodes and flow.template:
            yield registry.problem(
                "error", "inconsistent", flow.id, "template", "a flow has either its own nodes or a template, not both"
            )
        template = registry.get(flow.template)
        if template is not None:
            template_nodes = {n.id for n in template.nodes}
            for i, assignment in enumerate(flow.assignments):
                if assignment.node not in template_nodes:
                    yield registry.problem(
                        "error",
                        "dangling_reference",
                        flow.id,
                        f"assignments[{i}].node",
                        f"template {template.id} has no node {assignment.node!r}",
                    )


def check_memberships(registry: Registry):
    for m in registry.of("membership"):
        if not (m.post or m.organization):
            yield registry.problem(
                "error", "missing_field", m.id, "post", "a membership needs a post or an organization"
            )


def check_sources(registry: Registry):
    line_counts: dict[str, int] = {}
    for doc in registry.of("document"):
        try:
            line_counts[doc.file] = len(registry.source_text(doc.file).splitlines())
        except UnsafeFile as exc:
            code = "missing_source" if exc.code == "missing_path" else exc.code
            where = f" (in {registry.sources_dir()})" if code == "missing_source" else ""
            yield registry.problem("error", code, doc.id, "file", exc.message + where)
        yield from _check_original(registry, doc)
        if doc.url and not doc.url.lower().startswith(("http://", "https://")):
            yield registry.problem(
                "error", "malformed_value", doc.id, "url", f"{doc.url[:80]!r} is not an http:// or https:// address"
            )
    for entry in registry.entries.values():
        source = getattr(entry.record, "source", None)
        if source is None or source.line is None:
            continue
        doc = registry.get(source.document)
        if doc is None or getattr(doc, "file", None) is None:
            continue
        count = line_counts.get(doc.file)
        if count is not None and source.line > count:
            yield registry.problem(
                "error",
                "bad_locator",
                entry.id,
                "source.line",
                f"line {source.line} is past the end of {doc.file} ({count} lines)",
            )


def check_site_names(registry: Registry):
    for kind in PATH_KINDS:
        for record in registry.of(kind):
            if is_site_name(record.id):
                yield registry.problem(
                    "error",
                    "reserved_id",
                    record.id,
                    "id",
                    f"{record.id!r} is a name the site uses for its own pages and folders "
                    f"({', '.join(sorted(SITE_NAMES))}); choose another ID",
                )


def check_source_names(registry: Registry):
    """A document's page is sources/<ID>/ and its text is published as sources/<file name>: an ID equal to a
    document's file name would make the build write a page where a file is (or the reverse)."""
    files = {Path(doc.file).name: doc.id for doc in registry.of("document") if doc.file and "/" not in doc.file}
    for doc in registry.of("document"):
        if doc.id in files:
            yield registry.problem(
                "error",
                "reserved_id",
                doc.id,
                "id",
                f"{doc.id!r} is the name of the source file of {files[doc.id]!r}, published as sources/{doc.id}; "
                "a document's page would take the same place: choose another ID",
                message_zh=f"编号“{doc.id}”与文件 sources/{doc.id} 同名，网页无法同时发布二者，请换一个编号",
            )


def _check_original(registry: Registry, doc):
    """The original file, when named, is a regular file in sources/ whose SHA-256 is the one recorded."""
    if doc.original is None:
        if doc.sha256:
            yield registry.problem("error", "missing_field", doc.id, "original", "sha256 is given but no original file")
        return
    what = f"the original file {doc.original!r}"
    try:
        digest = file_sha256(registry.source_path(doc.original), MAX_ORIGINAL_BYTES, what)
    except UnsafeFile as exc:
        code = "missing_source" if exc.code == "missing_path" else exc.code
        yield registry.problem("error", code, doc.id, "original", exc.message)
        return
    if doc.sha256 and digest != doc.sha256:
        yield registry.problem(
            "error",
            "checksum_mismatch",
            doc.id,
            "sha256",
            f"{what} has SHA-256 {digest}, not the one recorded: the file was changed or replaced",
        )


ERROR_RULES = [
    check_codes,
    check_regions,
    check_flows,
    check_memberships,
    check_sources,
    check_site_names,
    check_source_names,
    check_decisions,
]


# --- finding rules ---------------------------------------------------------------------


def find_duplicate_codes(registry: Registry):
    groups = defaultdict(list)
    for power in registry.of("power"):
        if power.code:
            groups[(power.agency, power.code)].append(power)
    for (_, code), powers in groups.items():
        if len(powers) > 1:
            names = "；".join(p.name[:30] for p in powers)
            yield registry.problem(
                "high",
                "duplicate_code",
                powers[0].id,
                "code",
                f"the official code {code} is used by {len(powers)} different powers: {names}",
                message_zh=f"职权编码 {code} 被 {len(powers)} 项不同的职权重复使用：{names}",
                records=[p.id for p in powers],
            )


def parsed_powers(registry: Registry):
    """(power, scheme, parsed code) for every power whose code its scheme can parse."""
    for power in registry.of("power"):
        scheme = registry.get(power.code_scheme)
        try:
            yield power, scheme, parse_code(power.code, scheme)
        except CodeError:
            continue  # reported as an error by check_codes


def find_category_mismatch(registry: Registry):
    for power, scheme, parsed in parsed_powers(registry):
        letter_category = category_for_letter(parsed, scheme)
        named = [w for w in CATEGORY_WORDS if w in power.category_raw]
        if letter_category and letter_category != power.category:
            yield registry.problem(
                "high",
                "category_mismatch",
                power.id,
                "category",
                f"category {power.category} disagrees with the code letter {parsed.category}, "
                f"which stands for {letter_category} in scheme {scheme.id}",
                message_zh=f"职权类别“{power.category}”与编码字母 {parsed.category}（代表“{letter_category}”）不一致",
            )
        elif len(named) > 1:
            yield registry.problem(
                "medium",
                "category_mismatch",
                power.id,
                "category_raw",
                f"the heading {power.category_raw} names {len(named)} categories, but the code letter "
                f"{parsed.category} stands for one ({letter_category or power.category})",
                message_zh=f"类别标题“{power.category_raw}”含 {len(named)} 个类别，而编码字母 {parsed.category} "
                f"只代表一个（{letter_category or power.category}）",
            )


def find_mixed_headings(registry: Registry):
    """One code letter printed under different category headings in the same list."""
    groups = defaultdict(list)
    for power, scheme, parsed in parsed_powers(registry):
        if parsed.category:
            groups[(power.agency, scheme.id, parsed.category)].append(power)
    for (_, _, letter), powers in groups.items():
        headings = sorted({p.category_raw for p in powers})
        if len(headings) > 1:
            counts = "，".join(f"{h}（{sum(p.category_raw == h for p in powers)}）" for h in headings)
            yield registry.problem(
                "low",
                "mixed_headings",
                powers[0].id,
                "category_raw",
                f"code letter {letter} is printed under {len(headings)} different headings: {counts}",
                message_zh=f"编码字母 {letter} 的职权分列在 {len(headings)} 个不同的类别标题下：{counts}",
                records=[p.id for p in powers],
            )


def find_code_region_mismatch(registry: Registry):
    for power, _, parsed in parsed_powers(registry):
        agency = registry.get(power.agency)
        if parsed.region and agency.region and not regions.within(parsed.region, agency.region):
            yield registry.problem(
                "high",
                "code_region_mismatch",
                power.id,
                "code",
                f"the code's region {parsed.region} is not the region of {agency.name} ({agency.region})",
                message_zh=f"编码中的行政区划代码 {parsed.region} 与{agency.name}的区划代码 {agency.region} 不符",
            )


def find_no_legal_basis(registry: Registry):
    for kind, word in (("power", "职权"), ("service", "服务事项")):
        for record in registry.of(kind):
            if not record.legal_bases:
                yield registry.problem(
                    "medium",
                    "no_legal_basis",
                    record.id,
                    "legal_bases",
                    f"the {kind} {record.name[:40]} states no legal basis in the source",
                    message_zh=f"{word}“{record.name[:40]}”在源文件中未载明设定依据",
                )


def find_damaged_text(registry: Registry):
    for record_id, entry in registry.entries.items():
        for i, flag in enumerate(getattr(entry.record, "review", []) or []):
            if flag.problem == "draft":
                continue  # reported once per document by find_drafts
            proposed = f"; proposed reading (not applied): {flag.proposed}" if flag.proposed else ""
            severity = "medium" if flag.problem == "unresolved_name" else "low"
            yield registry.problem(
                severity,
                flag.problem,
                record_id,
                f"review[{i}]",
                f"{flag.field}: source text {flag.raw!r} needs review: {flag.explanation}{proposed}",
                message_zh=f"源文件文字“{flag.raw}”：{zh_label('ReviewFlag.problem', flag.problem)}，原样保留待核对"
                + (f"；建议读法（未采用）：{flag.proposed}" if flag.proposed else ""),
            )


def find_bidi_controls(registry: Registry):
    """Bidi controls in any text of a record: kept as written, shown on pages as marks (qingdan/bidi.py)."""
    for record_id, entry in registry.entries.items():
        for field_path, text in source_strings(entry.record, skip={"id"}):  # in an ID they are errors
            found = sorted(set(BIDI_CONTROLS.findall(text)))
            if found:
                marks = ", ".join(mark(char) for char in found)
                yield registry.problem(
                    "medium",
                    "bidi_control",
                    record_id,
                    field_path,
                    f"{field_path} holds bidi control characters ({marks}) that can reorder or hide how the text "
                    "is displayed; pages show them as visible marks, the registry keeps them",
                    message_zh=f"文字含双向文本控制字符（{marks}），可使显示顺序颠倒或遮盖内容；"
                    "网页以可见标记显示，原文未改动",
                )


def find_source_defects(registry: Registry):
    for doc in registry.of("document"):
        for i, defect in enumerate(doc.defects):
            severity = "medium" if defect.kind in ("truncated", "missing_value") else "low"
            yield registry.problem(
                severity,
                f"source_{defect.kind}",
                doc.id,
                f"defects[{i}]",
                f"{doc.file} {defect.locator}: {defect.description}",
                message_zh=f"源文件缺陷（{zh_label('SourceDefect.kind', defect.kind)}）："
                f"{defect.locator}：{defect.description}",
            )


def find_unresolved_names(registry: Registry):
    for kind, attr in (("boundary", "parties"), ("task", "lead"), ("task", "responsible")):
        for record in registry.of(kind):
            for i, party in enumerate(getattr(record, attr)):
                if party.agency is None:
                    yield registry.problem(
                        "medium",
                        "unresolved_name",
                        record.id,
                        f"{attr}[{i}]",
                        f"the body {party.raw!r} cannot be resolved to a known agency",
                        message_zh=f"“{party.raw}”无法确定是哪一个机构",
                    )


def find_local_phones(registry: Registry):
    for kind in ("power", "service"):
        for record in registry.of(kind):
            for i, phone in enumerate(record.phones):
                if LOCAL_PHONE.match(phone.number.replace("-", "").replace(" ", "")):
                    yield registry.problem(
                        "low",
                        "phone_without_area_code",
                        record.id,
                        f"phones[{i}]",
                        f"the phone number {phone.number} has no area code; "
                        "callers outside the city cannot dial it as printed",
                        message_zh=f"电话 {phone.number} 未写区号，外地来电无法照此拨打",
                    )


def find_unnamed_agencies(registry: Registry):
    for agency in registry.of("agency"):
        if not agency.name_stated:
            yield registry.problem(
                "medium",
                "agency_not_named",
                agency.id,
                "name",
                f"the source never names this body; {agency.inference or 'its name was inferred'}",
                message_zh=f"源文件未写明该机构名称，“{agency.name}”系推断：{agency.inference or ''}",
            )


def find_obsolete_regions(registry: Registry):
    for agency in registry.of("agency"):
        region = regions.lookup(agency.region) if agency.region else None
        if region and not region.current:
            yield registry.problem(
                "low",
                "obsolete_region",
                agency.id,
                "region",
                f"region code {region.code} ({region.name}) was withdrawn in {region.valid_to}",
                message_zh=f"行政区划代码 {region.code}（{region.name}）已于 {region.valid_to} 年撤销",
            )


def find_missing_flows(registry: Registry):
    for flow in registry.of("flow"):
        if flow.availability == "title_only":
            yield registry.problem(
                "info",
                "flow_not_available",
                flow.id,
                "availability",
                f"flowchart {flow.code or ''} {flow.title}: not available in the source "
                "(only its title survives)".replace("  ", " "),
                message_zh=f"流程图 {flow.code or ''} {flow.title}：源文件中只保留了标题，图未保留".replace("  ", " "),
            )
        elif any(e.reconstructed for e in flow.edges) or (
            flow.template and any(e.reconstructed for e in registry.get(flow.template).edges)
        ):
            yield registry.problem(
                "info",
                "flow_reconstructed",
                flow.id,
                "edges",
                f"flowchart {flow.title}: arrows lost in the source, rebuilt from the words in the boxes",
                message_zh=f"流程图“{flow.title}”的箭头在源文件中丢失，系根据框内文字重建",
            )


def find_drafts(registry: Registry):
    """Records drafted by machine and not yet reviewed: one finding per source document."""
    groups = defaultdict(list)
    for record_id, entry in registry.entries.items():
        if any(flag.problem == "draft" for flag in getattr(entry.record, "review", []) or []):
            groups[entry.record.source.document].append(record_id)
    for document, records in groups.items():
        yield registry.problem(
            "info",
            "draft",
            records[0],
            "review",
            f"{len(records)} records were drafted by machine from document {document} and are not yet reviewed",
            message_zh=f"{len(records)} 条记录由 qingdan draft 从源文件 {document} 自动起草，尚未经人工核对",
            records=records,
        )


# Characters a complete name or citation does not end with.
OPEN_ENDINGS = "、，,：:；;（(《〔【“的及和与或"
BRACKETS = ("《》", "（）", "()", "〔〕", "【】", "“”")


def truncation(text: str | None) -> str | None:
    """Why `text` looks cut off mid-way (an unclosed bracket, a dangling 、 or 的), or None; reusable for any field."""
    text = (text or "").strip()
    if not text:
        return None
    for pair in BRACKETS:
        if text.count(pair[0]) > text.count(pair[1]):
            return f"“{pair[0]}”未闭合"
    if text[-1] in OPEN_ENDINGS:
        return f"以“{text[-1]}”结尾"
    return None


def _texts_to_check(kind: str, record):
    """(field, text) pairs of a record that a reader would notice cut off."""
    main = {"power": "name", "service": "name", "boundary": "matter", "duty": "text"}[kind]
    yield main, getattr(record, main)
    for i, basis in enumerate(getattr(record, "legal_bases", [])):
        yield f"legal_bases[{i}]", basis.raw or basis.title
    for i, contact in enumerate(getattr(record, "contacts", [])):
        yield f"contacts[{i}].value", contact.value
    for i, process in enumerate(getattr(record, "processes", [])):
        if process.steps:
            yield f"processes[{i}].steps[{len(process.steps) - 1}]", process.steps[-1]


def find_truncated(registry: Registry):
    for kind in ("power", "service", "boundary", "duty"):
        for record in registry.of(kind):
            for field_name, text in _texts_to_check(kind, record):
                reason = truncation(text)
                if reason:
                    yield registry.problem(
                        "medium",
                        "truncated",
                        record.id,
                        field_name,
                        f"{field_name} looks cut off ({reason}): {text[-40:]!r}",
                        message_zh=f"内容疑似被截断（{reason}）：“{text[-40:]}”",
                    )


BODY_END = re.compile(r"(局|委|委员会|中心|办公室|办|厅|部|院|政府|所|站|队|处|科|股)$")
NAME_SEPARATORS = re.compile(r"[/／、，,；;]|\s+")


def find_joint_implementers(registry: Registry):
    for kind in ("power", "service"):
        for record in registry.of(kind):
            names = [n for n in NAME_SEPARATORS.split(record.implementer or "") if n]
            if len(names) > 1 and all(BODY_END.search(n) for n in names):
                yield registry.problem(
                    "medium",
                    "joint_implementer",
                    record.id,
                    "implementer",
                    f"the implementer {record.implementer!r} names {len(names)} bodies: who answers for it is unclear",
                    message_zh=f"实施主体“{record.implementer}”列了 {len(names)} 个机构，责任归属不清",
                )


SHARED = re.compile(r"(与|会同|联合|配合|协同)[^，。；]{1,20}?(共同|联合|协同)?(承担|负责|实施|办理|执法|查处|开展)")


def find_shared_responsibility(registry: Registry):
    for kind in ("power", "service"):
        for record in registry.of(kind):
            if record.remark and SHARED.search(record.remark):
                yield registry.problem(
                    "low",
                    "shared_responsibility",
                    record.id,
                    "remark",
                    f"the remark says another body shares the matter: {record.remark[:60]!r}",
                    message_zh=f"备注写明该事项与其他部门共同承担：“{record.remark[:60]}”",
                )


# How legal texts name the department holding a power, by the kind of bureau (the key in its name).
DEPARTMENT_TERMS = {
    "医疗保障": ("医疗保障行政部门", "医疗保障部门", "医疗保障主管部门"),
    "医保": ("医疗保障行政部门", "医疗保障部门", "医疗保障主管部门"),
    "人力资源和社会保障": ("人力资源和社会保障行政部门", "社会保险行政部门", "劳动保障行政部门"),
    "卫生健康": ("卫生健康主管部门", "卫生健康行政部门", "卫生行政部门"),
    "市场监督管理": ("市场监督管理部门",),
}


def find_basis_other_department(registry: Registry):
    for kind in ("power", "service"):
        for record in registry.of(kind):
            agency = registry.get(record.agency)
            own = next((terms for key, terms in DEPARTMENT_TERMS.items() if key in agency.name), None)
            if own is None:
                continue
            others = {t for terms in DEPARTMENT_TERMS.values() if terms != own for t in terms}
            for i, basis in enumerate(record.legal_bases):
                text = basis.raw or basis.title
                named = sorted(t for t in others if t in text)
                if named and not any(t in text for t in own):
                    yield registry.problem(
                        "low",
                        "basis_names_other_department",
                        record.id,
                        f"legal_bases[{i}]",
                        f"the cited text gives the power to {named[0]}, not to {agency.name}",
                        message_zh=f"所引依据将该职权赋予“{named[0]}”，而非实施机构{agency.name}",
                    )


def find_missing_codes(registry: Registry):
    groups = defaultdict(list)
    for power in registry.of("power"):
        if not power.code:
            groups[power.source.document].append(power.id)
    for document, records in groups.items():
        yield registry.problem(
            "info",
            "no_code",
            records[0],
            "code",
            f"{len(records)} powers of document {document} have no official code (职权编码)",
            message_zh=f"源文件 {document} 中有 {len(records)} 项职权未印职权编码",
            records=records,
        )


# --- legal bases as cited ------------------------------------------------------------------

_NUM = r"[一二三四五六七八九十百千零〇两\d]+"
_PART = rf"第{_NUM}[款项目]|第?[（(]{_NUM}[)）][项目]?"
CITED_ARTICLE = re.compile(rf"第{_NUM}(?:[、，,和及与]{_NUM})*条(?:之{_NUM})?(?:{_PART})*")
# What a title may hold besides articles and still name no law: connectives, 依据 …, 本法 (which law?).
NO_LAW_WORDS = re.compile(
    r"[\s、，,；;。：:．.和及与或至到]+|以及|依据|根据|按照|依照|参照|详见|见|同上|(?:本|该|同|上述)(?:法|条例|办法|规定|细则)"
)


def article_without_law(basis) -> bool:
    """A citation that names an article and no document: `第十五条`, `依据第三十条`, `本法第十条`."""
    title = basis.title or ""
    if not (basis.article or CITED_ARTICLE.search(title)):
        return False
    return not NO_LAW_WORDS.sub("", CITED_ARTICLE.sub("", title))


def _legal_records(registry: Registry):
    for kind in ("power", "service", "boundary"):
        yield from registry.of(kind)


def find_article_without_law(registry: Registry):
    for record in _legal_records(registry):
        seen = set()
        for i, basis in enumerate(record.legal_bases):
            text = basis.raw or basis.title
            if text in seen or not article_without_law(basis):
                continue  # one citation of two articles is one finding
            seen.add(text)
            name = record_title(record)
            yield registry.problem(
                "medium",
                "article_without_law",
                record.id,
                f"legal_bases[{i}]",
                f"{name[:40]}: the legal basis {text[:60]!r} cites an article without naming the law or "
                "document it belongs to",
                message_zh=f"“{name[:40]}”的依据“{text[:60]}”只写了条款，未写明是哪部法律法规或文件的条款",
            )


# A document number: its issuer's short name, the year in brackets, the serial and 号 (琼府办〔2016〕299号),
# or an order's number (国务院令第735号). Incomplete: the serial without its 号 (咸医保办发〔2023〕14,
# 渝府令第231), or the year with 号 and no serial (咸医保办发〔2023〕号). Outside a document number field the
# year form counts only after the characters 文号 end their issuer's part with (发, 函, 字, 办 …), so a
# year in brackets after a code or a name (部门代码（3400）) is not taken for one.
_YEAR = r"[〔﹝\[（(【]\d{4}[〕﹞\]）)】]"
_SERIAL_WITHOUT_HAO = r"\s*第?\d+(?!\d)(?!\s*号)(?![条款项章节])"
_ORDER_WITHOUT_HAO = r"令第\d+(?!\d)(?!\s*号)(?![条款项章节])"
_INCOMPLETE = rf"{_YEAR}(?:{_SERIAL_WITHOUT_HAO}|\s*号)"
INCOMPLETE_NUMBER = re.compile(
    rf"[\u4e00-\u9fff]{{0,12}}?[发函字办令规告复电通秘]{_INCOMPLETE}|[\u4e00-\u9fff]{{1,12}}?{_ORDER_WITHOUT_HAO}"
)
INCOMPLETE_NUMBER_FIELD = re.compile(
    rf"[\u4e00-\u9fff]{{1,12}}?(?:{_INCOMPLETE}|{_YEAR}\s*$)|[\u4e00-\u9fff]{{1,12}}?{_ORDER_WITHOUT_HAO}"
)


def incomplete_doc_number(text: str | None, *, number_field: bool = False) -> str | None:
    """The incomplete document number in `text` as written, or None."""
    match = (INCOMPLETE_NUMBER_FIELD if number_field else INCOMPLETE_NUMBER).search(text or "")
    return match.group(0).strip() if match else None


def _number_texts(registry: Registry):
    """(record, field, text, whether the field holds only a document number) wherever a document number is written."""
    for record in _legal_records(registry):
        for i, basis in enumerate(record.legal_bases):
            yield record, f"legal_bases[{i}].doc_number", basis.doc_number, True
            yield record, f"legal_bases[{i}]", basis.raw or basis.title, False
    for doc in registry.of("document"):
        yield doc, "doc_number", doc.doc_number, True
        for i, link in enumerate(doc.related):
            yield doc, f"related[{i}].doc_number", link.doc_number, True
            yield doc, f"related[{i}].title", link.title, False


def find_incomplete_doc_numbers(registry: Registry):
    reported = set()
    for record, field_path, text, number_field in _number_texts(registry):
        number = incomplete_doc_number(text, number_field=number_field)
        if not number or (record.id, number) in reported:
            continue
        reported.add((record.id, number))
        name = record_title(record)
        yield registry.problem(
            "low",
            "incomplete_doc_number",
            record.id,
            field_path,
            f"{name[:40]}: the document number {number!r} is incomplete (no serial or no 号): "
            "the document cannot be looked up by it",
            message_zh=f"“{name[:40]}”所引文号“{number}”不完整（缺少序号或“号”字），无法据此查到文件",
        )


def find_malformed_item_codes(registry: Registry):
    """A national item code printed wrong: a 基本编码 whose 3rd-4th characters are no 事项类型, a 实施编码 whose
    统一社会信用代码 fails its check character or whose 行使层级 is no level (`kinds.read_code`)."""
    from .kinds import read_code

    for record in (*registry.of("power"), *registry.of("service")):
        code = getattr(record, "code", None)
        reading = read_code(code) if code else None
        if reading is None or reading.problem is None:
            continue
        name = record_title(record)
        yield registry.problem(
            "low",
            "malformed_item_code",
            record.id,
            "code",
            f"{name[:40]}: the {reading.kind} {code!r} is malformed ({reading.problem})",
            message_zh=f"“{name[:40]}”的{reading.kind}“{code}”有误：{reading.problem}",
        )


FINDING_RULES = [
    find_duplicate_codes,
    find_malformed_item_codes,
    find_category_mismatch,
    find_mixed_headings,
    find_code_region_mismatch,
    find_no_legal_basis,
    find_damaged_text,
    find_bidi_controls,
    find_source_defects,
    find_unresolved_names,
    find_local_phones,
    find_unnamed_agencies,
    find_obsolete_regions,
    find_missing_flows,
    find_drafts,
    find_truncated,
    find_joint_implementers,
    find_shared_responsibility,
    find_basis_other_department,
    find_missing_codes,
    find_article_without_law,
    find_incomplete_doc_numbers,
    find_missing_vs_peers,
    *GUIDE_FINDING_RULES,
]


# --- the thesaurus (registry/thesaurus.yaml, qingdan/thesaurus.py) ------------------------------


def find_unmatched_terms(registry: Registry):
    """A term of the thesaurus that no record holds: the everyday words that stand for it find nothing."""
    from . import thesaurus

    file = registry.relpath(thesaurus.thesaurus_path(registry)) if thesaurus.thesaurus_path(registry) else ""
    for term, line, field_path in thesaurus.unmatched_terms(registry):
        yield thesaurus.problem(
            "info",
            "thesaurus_unmatched",
            file,
            line,
            field_path,
            f"the thesaurus term {term!r} is held by no record: the words standing for it find nothing",
            message_zh=f"同义词表中的“{term}”在任何记录中都没有出现，以它为目标的口语词找不到结果",
        )


def _check_thesaurus(registry: Registry):
    from .thesaurus import check_thesaurus

    return check_thesaurus(registry)


ERROR_RULES.append(_check_thesaurus)
FINDING_RULES.append(find_unmatched_terms)
