"""The record model: one pydantic class per kind of record in the registry.

Vocabularies followed where they fit: Popolo (Organization → Agency/Unit, Post,
Person, Membership), EU CPSV-AP (PublicService, Evidence, Requirement,
Participation, LegalResource), GOV.UK step-by-step (ordered Flow steps).

These classes are the single schema: the JSON Schema for editors, the SQLite
tables and the registry documentation are all derived from them.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

ID_PATTERN = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
ID_MAX_LENGTH = 120


def is_valid_id(value: str | None) -> bool:
    """The ID rule, written once: lowercase ASCII letters and digits joined by single '-', '_' or '.'."""
    return bool(value) and len(value) <= ID_MAX_LENGTH and bool(ID_RE.match(value))


@dataclass(frozen=True)
class Ref:
    """Marks a field as a reference to the ID of another record of `kind`."""

    kind: str


def referenced_kind(info) -> str | None:
    """The record kind a field refers to (its `Ref` mark, possibly inside Optional or list)."""

    def walk(annotation) -> str | None:
        if typing.get_origin(annotation) is Annotated:
            for meta in annotation.__metadata__:
                if isinstance(meta, Ref):
                    return meta.kind
            return walk(typing.get_args(annotation)[0])
        return next(filter(None, map(walk, typing.get_args(annotation))), None)

    return next((m.kind for m in info.metadata if isinstance(m, Ref)), None) or walk(info.annotation)


def _check_id(value: str) -> str:
    if not is_valid_id(value):
        raise ValueError(
            f"{value!r} is not a valid ID: use lowercase ASCII letters, digits and "
            "single '-', '_' or '.' between them (at most 120 characters)"
        )
    return value


def _id_field(description: str, ref: str | None = None):
    """An ID string: checked with a plain-words message, and a pattern for editors."""
    meta = [AfterValidator(_check_id), Field(description=description, json_schema_extra={"pattern": ID_PATTERN})]
    if ref:
        meta.insert(0, Ref(ref))
    return Annotated[str, *meta]


RecordId = _id_field("Stable ASCII ID, unique in the registry")
AgencyRef = _id_field("ID of an agency", "agency")
UnitRef = _id_field("ID of a unit", "unit")
PostRef = _id_field("ID of a post", "post")
PersonRef = _id_field("ID of a person", "person")
FlowRef = _id_field("ID of a flow", "flow")
TemplateRef = _id_field("ID of a flow template", "flow_template")
DocumentRef = _id_field("ID of a document", "document")
SchemeRef = _id_field("ID of a code scheme", "code_scheme")
RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", description="GB/T 2260 region code (6 digits)")]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Unknown fields are errors: a typo must not silently drop data."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- provenance and review ------------------------------------------------------------


class Source(Strict):
    """Where a record came from: a document and a place in it."""

    document: DocumentRef
    locator: Text = Field(description="Place in the document as a reader finds it, e.g. 序号 3 or 职权编码")
    line: int | None = Field(None, ge=1, description="Line in the document's text file where the record starts")


class ReviewFlag(Strict):
    """Source text that is damaged or uncertain, kept raw for a human to review."""

    field: Text = Field(description="Name of the field holding the damaged text")
    raw: Text = Field(description="The text exactly as it is in the source")
    problem: Literal["ocr_damage", "illegible", "ambiguous", "missing", "unresolved_name", "draft"] = Field(
        description="draft: extracted by machine (qingdan draft) and not yet checked by a person"
    )
    explanation: Text
    proposed: str | None = Field(
        None, description="A proposed reading, only where context makes it certain; never replaces raw"
    )


class Record(Strict):
    id: RecordId
    source: Source
    review: list[ReviewFlag] = Field(default_factory=list)
    note: str | None = Field(None, description="Editor's note (not from the source)")


# --- documents, schemes, legal bases ---------------------------------------------------


class SourceDefect(Strict):
    """A defect of the published document itself, e.g. a table cut off mid-row."""

    kind: Literal["truncated", "lost_images", "repeated_headers", "missing_value", "other"]
    locator: Text
    line: int | None = Field(None, ge=1)
    description: Text


class DocumentLink(Strict):
    """Another document named by number: the one this document implements, or one it cites."""

    relation: Literal["implements", "cites"]
    title: Text = Field(
        description="Title as printed, e.g. 四川省医疗保障局关于进一步加强全省医疗保障系统行风建设的通知"
    )
    doc_number: str | None = Field(None, description="Document number, e.g. 川医保发〔2019〕31号")


class Document(Strict):
    id: RecordId
    title: Text
    file: Text = Field(description="File name of the text extraction in the seeds or sources folder")
    publisher: AgencyRef
    kind: Text = Field(description="Kind of list, e.g. 定岗定责表, 责任清单, 权力清单, 通知")
    doc_number: str | None = Field(None, description="Official document number, e.g. 绵医保发〔2019〕18号")
    date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    url: str | None = Field(None, description="Where the document was published")
    issuer: str | None = Field(None, description="Who issued it, as printed (发文机关)")
    issuer_inferred: bool = Field(False, description="True where the text never names the issuer")
    related: list[DocumentLink] = Field(
        default_factory=list, description="Documents it implements or cites, by title and number"
    )
    original: str | None = Field(None, description="File name of the original file (docx, xlsx, pdf …) in sources")
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the original file")
    defects: list[SourceDefect] = Field(default_factory=list)
    note: str | None = None


class CodeScheme(Strict):
    """How one province's power codes are built; provinces differ, so the scheme is data."""

    id: RecordId
    name: Text
    pattern: Text = Field(description="Regular expression with named groups (agency, category, item, subitem, region)")
    categories: dict[str, str] = Field(
        default_factory=dict, description="Category letter → power category it stands for"
    )
    source: Source
    note: str | None = None


class LegalBasis(Strict):
    """A legal resource cited by a record (CPSV-AP LegalResource)."""

    title: Text = Field(description="Title as cited, e.g. 海南省医疗救助实施办法")
    doc_number: str | None = Field(None, description="Document number, e.g. 琼府办〔2016〕299号")
    article: str | None = Field(None, description="Article cited, e.g. 第十二条")
    raw: str | None = Field(None, description="The citation as written, where it differs from the title")


# --- organisations ---------------------------------------------------------------------

Level = Literal["national", "province", "city", "county", "township", "village", "other"]
# How a person applies: a guide's channels and its processes use the same kinds
ChannelKind = Literal["window", "online", "mobile", "mail", "phone", "self_service", "other"]


class Agency(Record):
    """A body: a bureau, its affiliated centre, a committee, a bank, a leading group."""

    name: Text = Field(description="Canonical full name")
    aliases: list[Text] = Field(default_factory=list, description="Other names used in the sources")
    level: Level
    region: RegionCode | None = None
    kind: Literal[
        "government_department",
        "public_institution",
        "government",
        "party_body",
        "committee",
        "leading_group",
        "enterprise",
        "collective",
        "other",
    ]
    parent: AgencyRef | None = None
    name_stated: bool = Field(True, description="False where the source never names the body and the name was inferred")
    inference: str | None = Field(None, description="How the name, level or region was worked out")
    description: str | None = Field(None, description="What the body is for, as the source states it (宗旨和业务范围)")


class Unit(Record):
    """A 科室/股室/中心 inside an agency."""

    agency: AgencyRef
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    kind: Literal["office", "section", "center", "leadership", "other"] = "section"


class Person(Record):
    name: Text = Field(description="Name as written (split names are flagged, not joined)")


class Post(Record):
    """A 岗位 with its work items, as in a 定岗定责表."""

    agency: AgencyRef
    unit: UnitRef | None = None
    seq: str | None = Field(None, description="序号 as printed")
    name: Text
    work_items: list[WorkItem] = Field(default_factory=list)
    remark: str | None = None


class Membership(Record):
    """A person in a post or a group, with a role (Popolo Membership)."""

    person: PersonRef
    post: PostRef | None = None
    organization: AgencyRef | None = None
    role: Literal["lead", "assistant", "leader", "deputy_leader", "member", "office_director"]
    role_label: Text = Field(description="Role as written, e.g. 牵头负责人, 辅助人员, 组长")
    title: str | None = Field(None, description="Job title given beside the name")


# --- duties ----------------------------------------------------------------------------


class WorkItem(Strict):
    """A 工作事项: one task of a post or of a main duty."""

    id: RecordId
    text: str = Field(description="The work item as written (may be empty where the cell is blank)")
    function: str | None = Field(None, description="岗位职能描述")
    responsibility: str | None = Field(None, description="岗位责任描述")
    flows: list[FlowRef] = Field(default_factory=list, description="Workflow charts referred to (详见 …)")
    responsible_units: list[UnitRef] = Field(default_factory=list)
    responsible_raw: str | None = Field(None, description="责任处室 as written")
    remark: str | None = Field(None, description="备注 as written")
    delegation: Literal["not_delegated", "assists_higher_level"] | None = Field(
        None, description="not_delegated: kept by the higher level (市局未下放)"
    )
    kept_by: AgencyRef | None = Field(None, description="The higher-level body that keeps the item")
    source: Source
    review: list[ReviewFlag] = Field(default_factory=list)
    note: str | None = Field(None, description="Editor's note (not from the source)")


class Duty(Record):
    """A 主要职责 of an agency with its work items."""

    agency: AgencyRef
    seq: str | None = None
    text: Text
    work_items: list[WorkItem] = Field(default_factory=list)


class Party(Strict):
    """One body taking part in a shared matter (CPSV-AP Participation)."""

    agency: AgencyRef | None = Field(None, description="Resolved body; empty when the name cannot be resolved")
    unit: UnitRef | None = Field(None, description="The unit inside the agency, where the source names one")
    raw: Text = Field(description="Name as written in the source")
    division: str | None = Field(None, description="职责分工: this party's division of duty")


class Handover(Strict):
    """One body handing work to another in a worked case."""

    from_agency: AgencyRef
    to_agency: AgencyRef
    what: Text
    reconstructed: bool = Field(True, description="Read from the case narrative, not drawn in the source")


class Boundary(Record):
    """A 职责边界 matter shared by several bodies."""

    agency: AgencyRef = Field(description="The agency whose list registers the matter")
    seq: str | None = None
    matter: Text
    parties: list[Party] = Field(min_length=1)
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    case: str | None = Field(None, description="案例 as written")
    handovers: list[Handover] = Field(default_factory=list)


# --- powers, services, flows -----------------------------------------------------------


class Evidence(Strict):
    """A document to bring (CPSV-AP Evidence, 申请材料)."""

    name: Text
    required: Literal["common", "optional"] = Field(
        "common", description="common: 共同材料 every applicant brings; optional: 选择材料"
    )
    group: str | None = Field(None, description="Case the material belongs to, e.g. 门诊报销")
    copies: str | None = Field(
        None, description="Originals and copies to bring, as printed (原件/复印件 份数), e.g. 原件1份，复印件1份"
    )
    mandatory: bool | None = Field(
        None, description="是否必备 where the guide prints it: true 必备 (必须), false 非必备; empty where not printed"
    )


class Handling(Strict):
    """Who handles a power or service, possibly per step (承办机构)."""

    unit: UnitRef | None = None
    agency: AgencyRef | None = None
    raw: Text = Field(description="承办机构 as written, e.g. 基金监管股（立案）")
    steps: list[Text] = Field(default_factory=list, description="Steps this unit handles, if stated")


class Phone(Strict):
    number: Text = Field(description="As written; local numbers are kept without an area code")
    kind: Literal["service", "supervision", "consulting", "hotline"] = Field(
        "service", description="hotline: a public service hotline such as 12345"
    )


class Contact(Strict):
    """A way to reach or complain that is not a phone: 信访信箱, 局长信箱, 好差评, opening hours …"""

    kind: Literal["petition_mailbox", "director_mailbox", "rating", "website", "email", "opening_hours", "other"]
    value: Text = Field(description="As written: the mailbox, the address, the hours")
    label: str | None = Field(None, description="Heading as printed, e.g. 局长信箱")


class Process(Strict):
    """One named way to apply (办理流程): on site, or online through one platform, with its own steps."""

    name: Text = Field(description="As printed, e.g. 线下办理流程, 网上办理（天府通办）")
    channel: ChannelKind = Field(description="On site (window) or which kind of remote channel")
    platform: str | None = Field(None, description="The website, app or mini-program, as printed")
    steps: list[Text] = Field(default_factory=list, description="The process's own steps, as written")
    time_limit: str | None = Field(None, description="This process's own time limit, as written")
    fees: str | None = None
    flow: FlowRef | None = Field(None, description="Its flowchart, where the source draws one")


class Channel(Strict):
    """A way to apply (CPSV-AP Channel): a window, a website, by post …"""

    kind: ChannelKind
    detail: Text = Field(description="As written: the window, the address, the website or app")


class GuideRecord(Record):
    """What a power and a service share: the agency and the elements of a service guide (办事指南).

    A subclass lists all its fields in `field_order`, so that its own fields can sit among the
    shared ones: workbook columns, database columns, YAML keys and the JSON Schema follow it.
    """

    field_order: ClassVar[tuple[str, ...]] = ()

    agency: AgencyRef
    remark: str | None = Field(None, description="备注 as written")
    applicants: str | None = None
    materials: list[Evidence] = Field(default_factory=list)
    time_limit: str | None = None
    fees: str | None = None
    result: str | None = Field(None, description="结果名称 (办理结果) as printed, e.g. 参保登记信息")
    place: str | None = None
    hours: str | None = Field(None, description="办理时间 as printed, e.g. 法定工作日 9:00-17:00")
    channels: list[Channel] = Field(default_factory=list)
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    handling: list[Handling] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list, description="Mailboxes, 好差评, hours: not phones")
    processes: list[Process] = Field(
        default_factory=list, description="办理流程 by channel, each with its own steps and time limit"
    )
    flow: FlowRef | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.__pydantic_fields__
        order = (*Record.model_fields, *cls.field_order)
        if sorted(order) != sorted(fields):
            raise TypeError(f"{cls.__name__}.field_order must name each field once: {sorted(set(fields) - set(order))}")
        cls.__pydantic_fields__ = {name: fields[name] for name in order}
        cls.model_rebuild(force=True)


# The categories of administrative power, in the order lists print them.
PowerCategory = Literal[
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政征收",
    "行政给付",
    "行政检查",
    "行政确认",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
]


class Power(GuideRecord):
    """An administrative power (行政职权) from a 权力清单 or flowchart list."""

    field_order = (
        *("agency", "code", "code_scheme", "category", "category_raw", "name", "levels_raw", "implementer", "remark"),
        *("applicants", "conditions", "materials", "time_limit", "fees", "result", "place", "hours", "channels"),
        "legal_bases",
        *("handling", "phones", "contacts", "processes", "flow"),
    )

    code: Text | None = Field(None, description="职权编码 exactly as printed")
    code_scheme: SchemeRef | None = Field(None, description="The scheme the code follows, where one is known")
    category: PowerCategory
    category_raw: Text = Field(description="Category heading as printed, e.g. 行政检查和行政处罚类")
    name: Text
    levels_raw: str | None = Field(None, description="行使层级 as printed, e.g. 省级、市级、县级")
    implementer: str | None = Field(None, description="实施主体 as written, e.g. 县医保局")
    conditions: list[Text] = Field(default_factory=list, description="受理条件 / 支付条件 (CPSV-AP Requirement)")


class PublicService(GuideRecord):
    """A 公共服务事项 or 政务服务事项 (CPSV-AP PublicService)."""

    field_order = (
        *("agency", "seq", "main_item", "name", "category", "levels", "levels_raw", "content", "implementer", "remark"),
        *("applicants", "conditions", "legal_bases", "materials", "time_limit", "fees", "result", "place", "hours"),
        *("channels", "process", "processes", "handling", "phones", "contacts", "flow"),
    )

    seq: str | None = None
    main_item: str | None = Field(None, description="主项名称 where the service is a sub-item")
    name: Text = Field(description="Service name (子项名称 when there is a main item)")
    category: str | None = Field(None, description="主项类别 as printed, e.g. 行政确认, 公共服务")
    levels: list[Literal[Literal["A", "B", "C"], Level]] = Field(
        default_factory=list,
        description="办理层级: the A/B/C scheme some lists print (A province, B city, C county) or the level of "
        "administration (national … village)",
    )
    levels_raw: str | None = Field(None, description="办理层级 as printed, e.g. 县级、乡镇（街道）")
    content: str | None = Field(None, description="主要内容")
    implementer: str | None = Field(None, description="实施主体 as written")
    conditions: list[Text] = Field(default_factory=list)
    process: list[Text] = Field(default_factory=list, description="办事流程 steps as written")


class FlowNode(Strict):
    id: RecordId
    kind: Literal["start", "step", "decision", "end"]
    label: Text
    unit: UnitRef | None = None
    agency: AgencyRef | None = None
    unit_raw: str | None = Field(None, description="Handling unit as written beside the box")


class FlowEdge(Strict):
    from_node: Annotated[str, Field(alias="from")]
    to_node: Annotated[str, Field(alias="to")]
    label: str | None = Field(None, description="Condition, e.g. 符合条件 / 不符合条件")
    reconstructed: bool = Field(
        False, description="True where the arrow was lost and rebuilt from the words in the boxes"
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class UnitAssignment(Strict):
    """Which unit handles a template step in one use of the template."""

    node: RecordId
    unit: UnitRef | None = None
    agency: AgencyRef | None = None
    unit_raw: Text


class FlowTemplate(Record):
    """A procedure shared by many powers, e.g. the 行政处罚 procedure."""

    title: Text
    nodes: list[FlowNode] = Field(min_length=1)
    edges: list[FlowEdge] = Field(default_factory=list)


class Flow(Record):
    """A 流程图: drawn from its own nodes, from a template, or known only by its title."""

    agency: AgencyRef
    code: str | None = Field(None, description="Workflow number as printed, e.g. 01-3-1")
    title: Text
    availability: Literal["full", "title_only"] = Field(
        description="title_only: the chart image was lost and only its title survives"
    )
    nodes: list[FlowNode] = Field(default_factory=list)
    edges: list[FlowEdge] = Field(default_factory=list)
    template: TemplateRef | None = None
    assignments: list[UnitAssignment] = Field(default_factory=list)


# --- supervision, tasks, self-checks ---------------------------------------------------


class Section(Strict):
    heading: str | None = None
    text: Text


class SupervisionRule(Record):
    """A 事中事后监管 rule."""

    agency: AgencyRef
    seq: str | None = None
    title: Text
    scope: str | None = Field(None, description="What or whom the rule applies to")
    sections: list[Section] = Field(default_factory=list)


class Task(Record):
    """A task of a work plan with lead and responsible bodies and a deadline."""

    agency: AgencyRef
    seq: str | None = None
    title: Text
    content: str | None = None
    lead: list[Party] = Field(default_factory=list, description="牵头部门")
    responsible: list[Party] = Field(default_factory=list, description="责任部门")
    deadline: str | None = Field(None, description="完成时限 as written")


class SelfCheckItem(Record):
    """A requirement of a self-check table, under a goal."""

    agency: AgencyRef
    goal: Text
    seq: str | None = None
    requirement: Text
    deadline: str | None = None


def record_title(record) -> str:
    """What a reader calls a record: its name, title, matter or text, else its ID."""
    for attr in ("name", "title", "matter", "text", "requirement"):
        value = getattr(record, attr, None)
        if value:
            return str(value)
    return record.id


# --- the file format -------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of record, and where it goes: the one list that the loader, validator, database,
    site and workbook read. A new kind is one entry here and its model."""

    name: str  # as records, references and findings name it: "power"
    model: type[BaseModel]
    section: str | None  # its list in a registry file ("powers"); None for records nested in others
    table: str  # its database table
    zh: str  # its Chinese name, also its workbook sheet
    folder: str | None = None  # site folder of its own page ("guides")
    anchored: bool = False  # shown at an anchor of its agency's page
    sheet_last: bool = False  # reference material: its sheet follows the agency's own records


# In the order of a registry file (and of the JSON Schema, and of the database tables).
KINDS: tuple[Kind, ...] = (
    Kind("document", Document, "documents", "documents", "源文件", sheet_last=True),
    Kind("code_scheme", CodeScheme, "code_schemes", "code_schemes", "编码规则", sheet_last=True),
    Kind("agency", Agency, "agencies", "agencies", "机构", folder="agencies"),
    Kind("unit", Unit, "units", "units", "科室", anchored=True),
    Kind("person", Person, "persons", "persons", "人员"),
    Kind("post", Post, "posts", "posts", "岗位", anchored=True),
    Kind("membership", Membership, "memberships", "memberships", "任职"),
    Kind("duty", Duty, "duties", "duties", "主要职责", anchored=True),
    Kind("work_item", WorkItem, None, "work_items", "工作事项", anchored=True),
    Kind("boundary", Boundary, "boundaries", "boundaries", "职责边界", folder="boundaries"),
    Kind("power", Power, "powers", "powers", "职权", folder="guides"),
    Kind("service", PublicService, "services", "services", "公共服务", folder="guides"),
    Kind("flow_template", FlowTemplate, "flow_templates", "flow_templates", "流程模板"),
    Kind("flow", Flow, "flows", "flows", "流程图", anchored=True),
    Kind("supervision_rule", SupervisionRule, "supervision_rules", "supervision_rules", "监管制度", anchored=True),
    Kind("task", Task, "tasks", "tasks", "工作任务", anchored=True),
    Kind("self_check", SelfCheckItem, "self_checks", "self_checks", "自查事项", anchored=True),
)
KIND = {kind.name: kind for kind in KINDS}
RECORD_KINDS: dict[str, type[BaseModel]] = {kind.section: kind.model for kind in KINDS if kind.section}
KIND_OF_SECTION = {kind.section: kind.name for kind in KINDS if kind.section}


class _RegistryFileBase(Strict):
    model_config = ConfigDict(extra="forbid", title="qingdan registry file")


RegistryFile = create_model(
    "RegistryFile",
    __base__=_RegistryFileBase,
    __doc__="One YAML file of the registry: any of the record lists, each optional.",
    __module__=__name__,
    **{section: (list[model], Field(default_factory=list)) for section, model in RECORD_KINDS.items()},
)


Post.model_rebuild()
