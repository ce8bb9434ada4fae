"""Kinds of matter (事项类型, GB/T 39046-2020 Annex A.1) and what a reader expects of each: the one table.

A guide page (`guides.guide_page`) shows, for the kind of its record, the sections `MATTERS` lists, in
that order, each holding the elements it names; an element the source did not give is not an empty
section but a word in one line (源文件未载明：申请材料、办理时限). What an element is made of (the record's
fields, or the source's own columns kept verbatim in the draft's note) is in `ELEMENTS`; how it is drawn
is in `guides.RENDER`, one function per element.

Also here: the 行使层级 codes (Annex A.2) and the recognition of national item codes as lists print
them (基本编码, 12 characters; 实施编码, 31 or 33: the implementing body's unified social credit code,
the level, the 基本编码), and the reader's form of a record's name (no serial, no label).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

# Annex A.1 事项类型 (00 is 行政权力 as a whole, never an item's own type)
MATTER_TYPES: dict[str, str] = {
    "行政许可": "01",
    "行政处罚": "02",
    "行政强制": "03",
    "行政征收": "04",
    "行政给付": "05",
    "行政检查": "06",
    "行政确认": "07",
    "行政奖励": "08",
    "行政裁决": "09",
    "其他行政权力": "10",
    "公共服务": "20",
}

# Annex A.2 行使层级, for the registry's levels of administration (7 分级管理 is printed, never inferred)
LEVEL_CODES: dict[str, tuple[str, str]] = {
    "national": ("1", "国家级"),
    "province": ("2", "省级"),
    "city": ("3", "市级"),
    "county": ("4", "县级"),
    "township": ("5", "乡镇（街道）级"),
    "village": ("6", "村（社区）级"),
}

# The draft importer keeps columns it maps to no field in the note, after this prefix (draft/context.py note_of).
SOURCE_COLUMNS_PREFIX = "源文件中未对应字段的栏目——"


@dataclass(frozen=True)
class Element:
    """One thing a reader may look for on a record's page.

    `fields`: the record's attributes that give it (any non-empty one; `processes.time_limit` looks
    inside each way to apply); `columns`: a pattern of the labels of source columns kept verbatim that
    give it; `anchor`: its sub-heading's, where its part holds several elements."""

    key: str
    label: str
    anchor: str
    fields: tuple[str, ...] = ()
    columns: str | None = None


ELEMENTS: dict[str, Element] = {
    e.key: e
    for e in (
        Element("code", "事项编码", "qd-code", ("code",), r"编码|编号"),
        Element("level", "行使层级", "qd-level", ("levels", "levels_raw"), r"层级"),
        Element("implementer", "实施主体", "qd-implementer", ("implementer",), r"实施主体"),
        Element("handling", "承办机构", "qd-handling", ("handling",), r"承办|责任(?:处|科|股)室"),
        Element("content", "主要内容", "qd-content", ("content",), r"主要内容|事项内容"),
        Element("applicants", "申请对象", "qd-applicants", ("applicants",), r"服务对象|申请对象|对象"),
        Element("conditions", "受理条件", "qd-conditions", ("conditions",), r"条件"),
        Element("materials", "申请材料", "qd-materials-list", ("materials",), r"材料"),
        Element("time_limit", "办理时限", "qd-time", ("time_limit", "processes.time_limit"), r"时限"),
        Element("fees", "收费标准", "qd-fees", ("fees", "processes.fees"), r"收费|费用"),
        Element("procedure", "办理流程", "qd-ways", ("processes", "channels", "process", "flow"), r"流程|程序"),
        Element("flowchart", "流程图", "qd-flowchart", ("flow",)),
        Element("result", "办理结果", "qd-result", ("result",), r"结果"),
        Element("place", "办理地点", "qd-place-where", ("place",), r"地点|地址"),
        Element("hours", "办理时间", "qd-hours", ("hours",), r"办理时间|办公时间|工作时间"),
        Element("phones", "咨询电话", "qd-phones", ("phones:consulting,service",), r"咨询"),
        Element("legal_basis", "设定依据", "qd-basis-list", ("legal_bases",), r"^(?!追责|问责).*依据"),  # not 追责依据
        Element("checked", "检查内容", "qd-checked", ("content",), r"检查(?:对象|内容|事项|范围)"),
        Element("frequency", "检查频次", "qd-frequency", (), r"频次|频率|周期|抽查比例"),
        Element("discretion", "裁量基准", "qd-discretion-text", (), r"裁量"),
        Element("remedies", "救济途径", "qd-remedies-text", (), r"救济|复议|诉讼"),
        Element(
            "complain",
            "监督投诉渠道",
            "qd-complain-list",
            ("phones:supervision,hotline", "contacts:petition_mailbox,director_mailbox,email,rating,other"),
            r"监督|投诉",
        ),
    )
}


@dataclass(frozen=True)
class Part:
    """A section of the page: its anchor, its heading and the elements it holds, in order. The first part
    of every kind is `qd-basic`: the facts (what it is, who) come first in it."""

    anchor: str
    title: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class Matter:
    """What a reader of one kind of matter needs, in order.

    `facts`: lines under 是什么 (after the kind, the agency and the region); `parts`: the sections after
    it; `first`: what the line under the title sums up (the first thing a reader acts on; a phone only
    where nothing before it is given); `labels`: this
    kind's wording of an element (a 处罚's legal basis is 处罚依据); `optional`: elements shown where
    given but not counted as expected (never listed as 源文件未载明); `remedy`: the law that gives the
    right to 复议 and 诉讼 for this kind, said on the page (marked as the law's, not the source's)."""

    name: str
    facts: tuple[str, ...]
    parts: tuple[Part, ...]
    first: tuple[str, ...]
    labels: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    optional: frozenset[str] = frozenset()
    remedy: str | None = None

    @property
    def code(self) -> str:
        return MATTER_TYPES[self.name]

    def label(self, key: str) -> str:
        return self.labels.get(key) or ELEMENTS[key].label

    @cached_property
    def elements(self) -> tuple[str, ...]:
        """Every element the page of this kind may show, in page order."""
        return self.facts + tuple(k for part in self.parts for k in part.elements)

    @cached_property
    def others(self) -> tuple[str, ...]:
        """Elements this kind does not call for, shown where given (never dropped), in ELEMENTS order;
        not those made of the same fields as one it calls for (a 检查's 检查内容 is a service's 主要内容)."""
        taken = {f for k in self.elements for f in ELEMENTS[k].fields}
        return tuple(k for k, e in ELEMENTS.items() if k not in self.elements and not taken.intersection(e.fields))

    @cached_property
    def expected(self) -> tuple[str, ...]:
        """The elements a reader of this kind expects: listed as 源文件未载明 when not given."""
        return tuple(k for k in self.elements if k not in self.optional)


def _labels(**labels: str) -> MappingProxyType:
    return MappingProxyType(labels)


# --- the one table ------------------------------------------------------------------------

# What a citizen applying for something needs (办事指南 elements, GB/T 39046-2020).
APPLY = (
    Part("qd-basic", "是什么、谁可以办", ("applicants", "conditions")),
    Part("qd-materials", "需要带什么", ("materials",)),
    Part("qd-steps", "怎么办理", ("procedure", "time_limit", "fees", "result", "flowchart")),
    Part("qd-place", "在哪里办、什么时间、打哪个电话", ("place", "hours", "phones")),
    Part("qd-basis", "设定依据", ("legal_basis",)),
    Part("qd-complain", "怎么投诉和评价", ("complain",)),
)
APPLY_FACTS = ("code", "content", "implementer", "handling", "level")
APPLY_FIRST = ("procedure", "place", "time_limit", "phones")  # the phone where none of the others is given
APPLY_OPTIONAL = frozenset({"flowchart", "result", "hours", "code", "level", "content", "implementer"})


def _apply(name: str, drop: tuple[str, ...] = (), **labels: str) -> Matter:
    parts = tuple(Part(p.anchor, p.title, tuple(k for k in p.elements if k not in drop)) for p in APPLY)
    return Matter(name, APPLY_FACTS, parts, APPLY_FIRST, _labels(**labels), APPLY_OPTIONAL)


# What a reader of an enforcement power needs: what is punished and the article, who enforces and
# decides, the procedure, the 裁量基准 where given, the remedies.
ENFORCE_OPTIONAL = frozenset({"flowchart", "discretion", "remedies", "code", "level", "implementer", "content"})


def _enforce(name: str, basis: str, remedy: str) -> Matter:
    return Matter(
        name,
        ("code", "content", "implementer", "level"),
        (
            Part("qd-basic", "是什么", ()),
            Part("qd-basis", f"违法行为和{basis}", ("legal_basis",)),
            Part("qd-enforcer", "谁执法、谁决定", ("handling",)),
            Part("qd-steps", "执法程序", ("procedure", "flowchart")),
            Part("qd-discretion", "裁量基准", ("discretion",)),
            Part("qd-remedies", "不服怎么办", ("remedies",)),
            Part("qd-complain", "监督和投诉", ("complain", "phones")),
        ),
        ("legal_basis", "handling"),
        _labels(legal_basis=basis, handling="执法机构", procedure="执法程序", phones="咨询电话"),
        ENFORCE_OPTIONAL | {"phones"},
        remedy,
    )


MATTER_LIST: tuple[Matter, ...] = (
    _apply("行政许可"),
    _enforce(
        "行政处罚",
        "处罚依据",
        "依照《中华人民共和国行政处罚法》第七条，当事人对行政处罚享有陈述权、申辩权；"
        "对行政处罚不服的，有权依法申请行政复议或者提起行政诉讼。",
    ),
    _enforce(
        "行政强制",
        "强制依据",
        "依照《中华人民共和国行政强制法》第八条，当事人对行政机关实施行政强制享有陈述权、申辩权；"
        "有权依法申请行政复议或者提起行政诉讼。",
    ),
    _apply("行政征收", drop=("result",), applicants="征收对象", fees="征收标准", materials="需提交的材料"),
    _apply("行政给付", drop=("fees",), applicants="给付对象", conditions="给付条件"),
    Matter(
        "行政检查",
        ("code", "implementer", "level"),
        (
            Part("qd-basic", "是什么", ()),
            Part("qd-check", "检查什么、多久一次、由谁检查", ("checked", "frequency", "handling")),
            Part("qd-basis", "检查依据", ("legal_basis",)),
            Part("qd-steps", "检查程序", ("procedure", "flowchart")),
            Part("qd-complain", "监督和投诉", ("complain", "phones")),
        ),
        ("handling", "frequency"),
        _labels(legal_basis="检查依据", handling="检查机构", procedure="检查程序", phones="咨询电话"),
        frozenset({"flowchart", "procedure", "code", "level", "implementer", "phones"}),
    ),
    _apply("行政确认"),
    _apply("行政奖励", drop=("fees",), applicants="奖励对象", conditions="奖励条件"),
    _apply("行政裁决", applicants="申请人", conditions="受理条件"),
    Matter(
        "其他行政权力",
        ("code", "content", "implementer", "level"),
        (
            Part("qd-basic", "是什么", ()),
            Part("qd-basis", "设定依据", ("legal_basis",)),
            Part("qd-enforcer", "由谁办理", ("handling",)),
            Part("qd-steps", "办理流程", ("procedure", "time_limit", "flowchart")),
            Part("qd-place", "在哪里办、打哪个电话", ("place", "phones")),
            Part("qd-complain", "监督和投诉", ("complain",)),
        ),
        ("legal_basis", "handling"),
        optional=frozenset({"flowchart", "code", "level", "implementer", "content", "time_limit", "place"}),
    ),
    _apply("公共服务", applicants="服务对象"),
)
MATTERS: dict[str, Matter] = {m.name: m for m in MATTER_LIST}


def matter_of(record) -> Matter:
    """The kind of matter of a power (its category) or a service (its category where it names one of
    the types, 行政给付类 as 行政给付; otherwise 公共服务)."""
    category = (getattr(record, "category", None) or "").strip()
    if category.endswith("类") and category[:-1] in MATTERS:
        category = category[:-1]
    if category in MATTERS:
        return MATTERS[category]
    return MATTERS["其他行政权力"] if hasattr(record, "category_raw") else MATTERS["公共服务"]


# --- what the source gave ---------------------------------------------------------------------


def source_columns(record) -> list[tuple[str, str]]:
    """The source's own columns kept verbatim by the draft importer (label, text as printed), in order;
    [] when the note is an editor's note."""
    note = getattr(record, "note", None) or ""
    if not note.startswith(SOURCE_COLUMNS_PREFIX):
        return []
    columns: list[tuple[str, str]] = []
    for part in note[len(SOURCE_COLUMNS_PREFIX) :].split("；"):
        label, sep, value = part.partition("：")
        if sep and 0 < len(label) <= 16 and not re.search(r"[，。,.；;、]", label):
            columns.append((label.strip(), value.strip()))
        elif columns:  # a value holding "；" continues the column before
            columns[-1] = (columns[-1][0], columns[-1][1] + "；" + part)
        else:
            columns.append(("", part))
    return columns


def editor_note(record) -> str | None:
    """The record's note when an editor wrote it (not the source's columns kept verbatim)."""
    note = getattr(record, "note", None)
    return None if not note or note.startswith(SOURCE_COLUMNS_PREFIX) else note


def columns_for(record, key: str, matter: Matter | None = None) -> list[tuple[str, str]]:
    """The source columns kept verbatim that give element `key` (the first element of the page whose
    pattern a column's label matches takes it)."""
    matter = matter or matter_of(record)
    out = []
    for label, value in source_columns(record):
        if value and owner_of_column(label, matter) == key:
            out.append((label, value))
    return out


def owner_of_column(label: str, matter: Matter) -> str | None:
    """The element of `matter` a source column's label belongs to; None: shown as other source text."""
    for key in ("remedies", "discretion", "frequency", "checked", *matter.elements):
        element = ELEMENTS[key]
        if key in matter.elements and element.columns and re.search(element.columns, label):
            return key
    return None


def _filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def _spec(spec: str) -> tuple[str, str | None, frozenset[str] | None]:
    """`processes.time_limit` → (processes, time_limit, None); `phones:consulting,service` → (phones, None, kinds)."""
    name, _, kinds_ = spec.partition(":")
    outer, _, inner = name.partition(".")
    return outer, inner or None, frozenset(kinds_.split(",")) if kinds_ else None


_SPECS = {key: tuple(_spec(spec) for spec in element.fields) for key, element in ELEMENTS.items()}


def _field_given(record, outer: str, inner: str | None, wanted: frozenset[str] | None) -> bool:
    value = getattr(record, outer, None)
    if inner is not None:
        return any(_filled(getattr(item, inner, None)) for item in value or [])
    if wanted is not None and isinstance(value, list):
        return any(getattr(item, "kind", None) in wanted for item in value)
    return _filled(value)


def given(record, key: str, matter: Matter | None = None, columns: frozenset[str] | None = None) -> bool:
    """Whether the registry has element `key` for the record (its fields, or a source column);
    `columns`: the elements its source columns give, if already known (`column_elements`)."""
    if key == "code" and shown_code(record):
        return True
    for spec in _SPECS[key]:
        if _field_given(record, *spec):
            return True
    if columns is None:
        columns = column_elements(record, matter or matter_of(record))
    return key in columns


def column_elements(record, matter: Matter) -> frozenset[str]:
    """The elements of `matter` that the record's source columns kept verbatim give."""
    note = getattr(record, "note", None)
    if not note or not note.startswith(SOURCE_COLUMNS_PREFIX):
        return frozenset()
    return frozenset(filter(None, (owner_of_column(label, matter) for label, value in source_columns(record) if value)))


def absent(record, matter: Matter | None = None) -> list[str]:
    """The expected elements of the record's kind the source did not give (keys), in page order."""
    matter = matter or matter_of(record)
    columns = column_elements(record, matter)
    return [k for k in matter.expected if not given(record, k, matter, columns)]


def missing(record, matter: Matter | None = None) -> list[str]:
    """The expected elements of the record's kind the source did not give, in page order, as labels."""
    matter = matter or matter_of(record)
    return [matter.label(k) for k in absent(record, matter)]


# --- codes ------------------------------------------------------------------------------------

_CODE_IN_LOCATOR = re.compile(r"(?:职权编码|事项编码|基本编码|实施编码|编码)[：:\s]*([0-9A-Za-z][0-9A-Za-z\-]{3,40})")
BASIC_CODE = re.compile(r"^[0-9A-Z]{12}$")


def shown_code(record) -> str | None:
    """The one item code a page shows: the code as printed, else the code its source's locator names."""
    code = getattr(record, "code", None)
    if code:
        return code
    source = getattr(record, "source", None)
    match = _CODE_IN_LOCATOR.search(source.locator) if source is not None else None
    return match.group(1) if match else None


def _uscc_valid(value: str) -> bool:
    try:
        from stdnum.cn import uscc
    except ImportError:  # pragma: no cover - python-stdnum is a dependency of the venv
        return bool(re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", value))
    return uscc.is_valid(value)


@dataclass(frozen=True)
class CodeReading:
    """What a printed item code is: its kind (基本编码, 实施编码, or a province's own code) and, for a
    national code, its parts and whether it is well formed."""

    code: str
    kind: str
    type_code: str | None = None
    level_code: str | None = None
    problem: str | None = None


def read_code(code: str) -> CodeReading:
    """Recognise a national item code (GB/T 39046-2020 practice: 基本编码 of 12 characters; 实施编码 of 31
    or 33: 统一社会信用代码 (18, its check character verified), 行使层级 (1), 基本编码 (12), an optional
    2-character suffix); any other code is read as the list's own 职权编码, kept as printed."""
    compact = re.sub(r"\s", "", code).upper()
    if BASIC_CODE.match(compact) and not compact.isalpha():
        type_code = compact[2:4]
        problem = None if type_code in MATTER_TYPES.values() else f"第3–4位“{type_code}”不是事项类型代码"
        return CodeReading(code, "基本编码", type_code, None, problem)
    if len(compact) in (31, 33) and re.fullmatch(r"[0-9A-Z]+", compact):
        credit, level, basic = compact[:18], compact[18], compact[19:31]
        problems = []
        if not _uscc_valid(credit):
            problems.append("统一社会信用代码校验位不符")
        if level not in {c for c, _ in LEVEL_CODES.values()} | {"7"}:
            problems.append(f"行使层级代码“{level}”不在 1–7 之内")
        if basic[2:4] not in MATTER_TYPES.values():
            problems.append(f"基本编码第3–4位“{basic[2:4]}”不是事项类型代码")
        return CodeReading(code, "实施编码", basic[2:4], level, "；".join(problems) or None)
    return CodeReading(code, "职权编码")


# --- names ------------------------------------------------------------------------------------

_SERIAL = re.compile(
    r"^\s*(?:"
    r"[（(]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[）)]"  # （一） (3)
    r"|(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[、.．](?!\d)"  # 1. 1、 一、 (not 1.5)
    r"|\d{1,3}\s*[）)]"  # 1)
    r"|第[一二三四五六七八九十\d]{1,4}项\s*[：:、.．]?"
    r")\s*"
)
_LABEL = re.compile(r"^\s*(?:事项名称|职权名称|权力名称|项目名称|子项名称|子项|名称)\s*[：:]\s*")


def reader_title(name: str) -> str:
    """A record's name as a reader reads it: without a leading serial (1. 1、 （一） 第3项) or label
    (事项名称：); the name as printed stays in the registry. Never empty: a name that is all serial stays."""
    title = name
    for _ in range(2):
        title = _LABEL.sub("", _SERIAL.sub("", title, count=1), count=1)
    return title.strip() or name
