"""What a column or section label means: the elements of a list or guide, recognised by meaning, not spelling.

Bureaus name the same element many ways (事项名称, 职权名称, 行政權力名稱, 权利类型 for 权力类型, `审核 事项`).
A label is normalised (compatibility characters, traditional characters, spaces and line breaks inside,
serials and colons around), then classified: a known name of an element (the national element set of a
政务服务事项, GB/T 39046-2020, and what lists print), else its head noun and qualifiers (…名称, …编码,
…类型, …依据, 承办 + 科室 …), else a one-character slip of a known name. Each answer says why, so
`qingdan draft --dry-run` can show the user how each column was read, and `--columns` can correct it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    """An element of a list or guide: the key the record builders read, its name, the names bureaus give it."""

    key: str
    zh: str
    names: tuple[str, ...] = ()
    kept: bool = False  # recognised (it helps find a header), but no field holds it: kept on the record as a note


ELEMENTS: tuple[Element, ...] = (
    Element("seq", "序号", ("序号", "序", "编号", "顺序号", "排序")),
    Element(
        "main_item", "主项名称", ("主项", "主项名称", "项目名称主项", "事项名称主项", "职权名称主项", "主项事项名称")
    ),
    Element(
        "name",
        "事项名称",
        (
            "事项名称",
            "职权名称",
            "项目名称",
            "权力名称",
            "权力事项名称",
            "权力事项",
            "服务事项",
            "服务事项名称",
            "公共服务事项",
            "公共服务事项名称",
            "事项",
            "子项",
            "子项名称",
            "项目名称子项",
            "事项名称子项",
            "职权名称子项",
            "行政权力名称",
            "行政职权名称",
            "权责事项",
            "权责事项名称",
            "办理事项",
            "审核事项",
            "审批事项",
            "执法事项",
            "执法事项名称",
            "事项子项名称",
            "子项事项名称",
            "违法行为",
            "违法行为名称",
            "违法事项",
            "处罚事项",
            "行政处罚事项",
            "职责名称",
        ),
    ),
    Element(
        "category",
        "事项类型",
        (
            "事项类型",
            "职权类型",
            "项目类型",
            "类型",
            "事项类别",
            "职权类别",
            "权力类型",
            "权力类别",
            "类别",
            "主项类别",
            "权责类型",
            "执法类别",
            "执法类型",
            "事项种类",
            "事项性质",
            "审批类别",
        ),
    ),
    Element("code", "基本编码", ("职权编码", "事项编码", "编码", "权力编码", "基本编码", "地方权力编码", "目录编码")),
    Element("main_code", "主项编码", ("主项编码",), kept=True),
    Element("implementation_code", "实施编码", ("实施编码", "实施清单编码", "业务办理项编码"), kept=True),
    Element(
        "implementer",
        "实施主体",
        ("实施主体", "实施部门", "执法主体", "法定主体", "实施机关", "行使主体", "实施机构", "实施主体名称")
        + ("责任主体", "部门名称", "实施部门名称", "实施机关名称", "实施机构名称"),
    ),
    Element(
        "legal_basis",
        "设定依据",
        (
            "设定依据",
            "法律依据",
            "法律法规规章依据",
            "实施依据",
            "设定和实施依据",
            "依据",
            "相关依据",
            "法定依据",
            "设定依据及实施依据",
            "办理依据",
            "执法依据",
            "政策依据",
        ),
    ),
    Element(
        "handling",
        "承办机构",
        (
            "承办机构",
            "责任处室",
            "责任科室",
            "承办科室",
            "承办处室",
            "内设机构",
            "责任股室",
            "承办股室",
            "办理机构",
            "受理机构",
            "承办单位",
            "责任单位",
            "承办部门",
            "责任部门",
        ),
    ),
    Element("remark", "备注", ("备注", "说明", "备注说明")),
    Element("duty", "主要职责", ("主要职责", "部门职责")),
    Element("work_item", "具体工作事项", ("具体工作事项", "工作事项")),
    Element("matter", "职责边界事项", ("管理事项", "职责边界事项", "边界事项")),
    Element("party", "相关部门", ("相关部门", "相关单位", "涉及部门")),
    Element("division", "职责分工", ("职责分工", "分工")),
    Element("case", "典型案例", ("案例", "典型案例")),
    Element("content", "主要内容", ("主要内容", "服务内容", "内容", "事项内容")),
    Element("phone", "咨询电话", ("联系电话", "服务电话", "咨询电话", "电话", "联系方式", "咨询方式", "咨询")),
    Element(
        "supervision_phone",
        "监督电话",
        ("监督电话", "投诉电话", "监督投诉电话", "监督投诉方式", "投诉举报电话", "监督投诉", "投诉渠道", "监督方式"),
    ),
    Element("post", "岗位名称", ("岗位名称", "岗位")),
    Element("function", "岗位职能", ("岗位职能描述", "岗位职能")),
    Element("responsibility", "岗位责任", ("岗位责任描述", "岗位责任")),
    Element("applicants", "服务对象", ("申请对象", "服务对象", "适用对象", "办理对象", "行政相对人", "申请人")),
    Element("conditions", "受理条件", ("受理条件", "申请条件", "办理条件", "受理标准", "准予批准的条件")),
    Element("materials", "申请材料", ("申请材料", "所需材料", "申请材料目录", "提交材料", "办理材料", "材料")),
    Element("process", "办理流程", ("办理流程", "办事流程", "办理程序", "办理步骤", "权力运行流程", "流程")),
    Element(
        "time_limit",
        "承诺办结时限",
        ("办理时限", "承诺时限", "法定时限", "承诺办结时限", "法定办结时限", "办结时限", "时限"),
    ),
    Element(
        "fees",
        "是否收费",
        ("收费标准", "是否收费", "收费依据及标准", "收费情况", "收费依据", "收费", "办理费用", "费用"),
    ),
    Element("place", "办理地点", ("办理地点", "受理地点", "办公地址", "办理地址", "地点", "窗口地址")),
    Element("hours", "办理时间", ("办理时间", "受理时间", "办公时间", "工作时间")),
    Element("channel", "办理形式", ("办理方式", "申请方式", "网上办理地址", "办理形式", "办理渠道", "申办方式")),
    Element("levels", "行使层级", ("行使层级", "办理层级", "层级", "实施层级")),
    Element("result", "结果名称", ("结果名称", "办理结果", "审批结果", "结果", "结果样本")),
    Element("rating", "好差评", ("好差评", "服务评价", "评价")),
    Element("accountability", "追责情形", ("追责情形", "追责依据", "责任事项", "责任事项依据"), kept=True),
    Element("guidance", "指导部门", ("指导部门", "主管部门", "业务指导部门"), kept=True),
    Element("other_kept", "其他", ("专业类别", "职责", "办件类型", "通办范围", "中介服务", "数量限制"), kept=True),
)
BY_KEY = {e.key: e for e in ELEMENTS}
KEYS = tuple(BY_KEY)
_NAME_OF = {name: e.key for e in ELEMENTS for name in e.names}

# Head nouns and qualifiers, tried in order when a label is no known name: (pattern, key, why).
# A label ends with its head noun (…名称, …编码); the words before it qualify it (实施 编码 ≠ 权力 编码).
HEAD_RULES: tuple[tuple[str, str, str], ...] = (
    (r"^序号?$|^顺序|序号$", "seq", "序号"),
    (r"实施.*编[码号]$|实施清单", "implementation_code", "实施编码"),
    (r"主项.*(编码|代码|编号)$", "main_code", "主项编码"),
    (r"(编码|代码|编号)$", "code", "…编码"),
    (r"主项.*(名称|事项)?$", "main_item", "主项"),
    (r"子项", "name", "子项"),
    (r"岗位(名称)?$", "post", "岗位"),
    (r"材料", "materials", "…材料"),
    (r"(追责|问责|责任事项)", "accountability", "追责、责任事项"),
    (r"(监督|投诉|举报)", "supervision_phone", "监督、投诉"),
    (r"(电话|热线|联系方式|咨询方式)$", "phone", "…电话"),
    (r"^(是否)?收费|收费(标准|依据|情况|项目|金额|方式)", "fees", "收费"),
    (r"依据$", "legal_basis", "…依据"),
    (r"(实施|执法|法定|行使|责任|检查|监管|处罚|审批)(主体|机关)|实施(部门|机构)$", "implementer", "实施/执法主体"),
    (r"(科室|处室|股室)$|(承办|责任|内设|办理|受理|经办|职能|业务)(机构|单位|部门)$", "handling", "承办、责任科室"),
    (r"(类型|类别|种类)$", "category", "…类型、类别"),
    (r"(时限|期限)", "time_limit", "…时限"),
    (r"(时间)$", "hours", "…时间"),
    (r"(地点|地址)$", "place", "…地点"),
    (r"条件$", "conditions", "…条件"),
    (r"(流程|程序|步骤)(图)?$", "process", "…流程"),
    (r"对象$|相对人$", "applicants", "…对象"),
    (r"层级$", "levels", "…层级"),
    (r"评价", "rating", "评价"),
    (r"(方式|形式|渠道)$", "channel", "办理方式、形式"),
    (r"结果", "result", "…结果"),
    (r"(部门|机构|机关|单位)名称$", "implementer", "部门、机关名称"),
    (r"(名称|事项|项目)$", "name", "…名称、事项"),
)
MAX_LABEL = 16  # a label is short (a note in brackets after it aside): a longer cell is a value
SERIAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．)）]|[①-⑳])")
NOISE = re.compile(r"[\s*＊:：\u3000]")
TRAILING_NOTE = re.compile(r"[（(][^（）()]{1,24}[)）]$")
SENTENCE = re.compile(r"[，。；;！？!?]|^\d+(?:[.．]\d+)?$")  # a sentence or a number is a value, never a column name
PART_NOTE = {"主项": "main_item", "子项": "name"}  # 事项名称（主项） / 事项名称（子项）


@dataclass(frozen=True)
class Reading:
    """How a label was read: the element (None: no element; still kept as a note) and why, in Chinese."""

    label: str  # as printed
    normalised: str
    key: str | None
    why: str
    exact: bool = False  # a known name (or what the user said), not a guess by head noun or slip

    @property
    def weight(self) -> float:
        """How much this cell says its row is a header: a known name 1, a guess by head noun or slip ½."""
        return 0.0 if self.key is None else (1.0 if self.exact else 0.5)

    @property
    def kept_as_note(self) -> bool:
        return self.key is None or BY_KEY[self.key].kept


def simplified(text: str) -> str:
    """Traditional characters as simplified, for reading a label (the wording stays as printed)."""
    from ..search import t2s_converter

    return t2s_converter().convert(text) if text else text


# compatibility characters read as their ordinary forms: Kangxi radicals and CJK radicals (⾏ ⼈ ⽤, which
# browsers' PDF printing puts in text layers), CJK compatibility ideographs, full-width letters and digits.
# Full-width punctuation （）：，； is how Chinese is printed: it stays.
COMPAT = re.compile(r"[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


# a mirror's reading aid: pinyin in brackets after a character, 監(jiān)督 (never wording: lower-case, tone marks)
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_GLOSS = re.compile(rf"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[{TONED}])[a-zü{TONED}]{{1,7}}\)")


def normalise_text(text: str) -> str:
    """Text as read: compatibility characters (NFKC) as ordinary ones, ⾏ → 行, Ａ１ → A1, and a mirror's pinyin
    glosses dropped, 監(jiān)督 → 監督; punctuation and traditional characters as printed."""
    if not text:
        return text
    if COMPAT.search(text):
        text = COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return PINYIN_GLOSS.sub("", text) if "(" in text else text


def normalise_label(label: str) -> str:
    """The label as compared: NFKC, simplified, no spaces, line breaks, colons, asterisks or serial."""
    text = NOISE.sub("", simplified(unicodedata.normalize("NFKC", label or "")))
    return SERIAL.sub("", text)


def _one_slip(word: str) -> str | None:
    """The known name `word` differs from by one character (权利类型 → 权力类型), when exactly one does."""
    if len(word) < 3:
        return None
    found = {
        name
        for name in _NAME_OF
        if len(name) == len(word) and sum(a != b for a, b in zip(name, word, strict=True)) == 1
    }
    keys = {_NAME_OF[n] for n in found}
    return sorted(found)[0] if len(keys) == 1 else None


def classify(label: str, overrides: dict[str, str] | None = None) -> Reading:
    """Read one column or section label; `overrides` (normalised label → key) are what the user said."""
    text = normalise_label(label)
    changed = text != NOISE.sub("", label or "")
    note = f"（读作“{text}”）" if changed and text else ""
    if overrides and text in overrides:
        return Reading(label, text, overrides[text], "由 --columns 指定", exact=True)
    bare = TRAILING_NOTE.sub("", text)
    if not bare or len(bare) > MAX_LABEL or SENTENCE.search(bare):
        return Reading(label, text, None, "不是栏目名")
    if text in _NAME_OF:
        element = BY_KEY[_NAME_OF[text]]
        said = f"即“{element.zh}”" if element.key != "other_kept" else f"已知栏目“{text}”，无对应字段"
        return Reading(label, text, element.key, f"{said}{note}", exact=True)
    inside = text[len(bare) + 1 : -1] if bare != text else ""
    if inside in PART_NOTE and bare in _NAME_OF and _NAME_OF[bare] in ("name", "main_item"):
        element = BY_KEY[PART_NOTE[inside]]
        return Reading(label, text, element.key, f"即“{element.zh}”（括号内注明{inside}）", exact=True)
    if bare != text and bare in _NAME_OF:
        element = BY_KEY[_NAME_OF[bare]]
        return Reading(label, text, element.key, f"即“{element.zh}”（括号内为说明）", exact=True)
    for pattern, key, why in HEAD_RULES:
        if re.search(pattern, bare):
            return Reading(label, text, key, f"按中心词“{why}”归入“{BY_KEY[key].zh}”{note}")
    slip = _one_slip(bare)
    if slip:
        element = BY_KEY[_NAME_OF[slip]]
        return Reading(label, text, element.key, f"疑为“{slip}”之误（差一字），即“{element.zh}”")
    return Reading(label, text, None, "未能识别，原文保留在备注中")


def is_label(text: str) -> bool:
    """Whether a short cell or line reads as a known element's name (a header cell, a section label)."""
    reading = classify(text)
    return reading.key is not None and reading.why != "不是栏目名"


NAME_SERIAL = re.compile(  # never before another numeral: 二、三级医院评审, 1、2型 are wording
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[①-⑳]"
    r"|\d{1,3}(?:[.．]\d{1,3})*[、.．)）])(?![\d一二三四五六七八九十])\s*"
)


# a space between two CJK characters (or CJK punctuation) of a name: where a PDF's line wrapped (行驶 的处罚)
WRAP_SPACE = re.compile(
    r"(?<=[\u4e00-\u9fff\u3001-\u3011\uff08\uff09\uff0c\uff1b])[ \u3000\t]+(?=[\u4e00-\u9fff\uff08\uff09])"
)


def join_wrapped(text: str) -> str:
    """A name whose line wraps left spaces inside (对铁轮车、履带 车…擅自在公路上行驶 的处罚) as one run of text."""
    return WRAP_SPACE.sub("", text)


def tidy_name(name: str) -> str:
    """A record's name as read: a line break inside joined, no serial number before it (1. （一） 一、), no 。 after.

    Only for names: legal bases, steps and conditions keep their lines and numbers.
    """
    lines = [line.strip() for line in (name or "").split("\n") if line.strip()]
    text = ""
    for line in lines:
        ascii_pair = text[-1:].isascii() and text[-1:].isalnum() and line[0].isascii() and line[0].isalnum()
        text += (" " if ascii_pair else "") + line
    text = join_wrapped(NAME_SERIAL.sub("", text, count=1)).rstrip("。 ")
    return text or (name or "").strip()


def parse_columns(spec: str | None) -> dict[str, str]:
    """`--columns "地方权力编码=code,审核事项=事项名称"`: label → element key (by key or by its Chinese name)."""
    out: dict[str, str] = {}
    for part in re.split(r"[,，;；\n]+", spec or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"“{part.strip()}”: write 栏目名=字段, e.g. 地方权力编码=code")
        label, target = (p.strip() for p in part.split("=", 1))
        key = target if target in BY_KEY else next((e.key for e in ELEMENTS if target in (e.zh, *e.names)), None)
        if key is None:
            known = ", ".join(f"{e.key}（{e.zh}）" for e in ELEMENTS if not e.kept)
            raise ValueError(f"“{target}” is no field; one of: {known}")
        out[normalise_label(label)] = key
    return out


# --- 办事指南: more names of the elements guides print, and the columns of a materials table ----------------
# (appended here so the one vocabulary holds them; read by qingdan.draft.guide)

GUIDE_NAMES: dict[str, tuple[str, ...]] = {
    "implementer": ("部门名称", "实施单位"),
    "applicants": ("适用范围", "服务范围", "申请人范围", "申请主体", "办理范围"),
    "legal_basis": ("设定依据及条款", "法律依据及条款", "设立依据"),
    "channel": ("手工办理方式", "网上办理方式", "系统名称", "链接地址", "网办地址", "办理途径", "申请途径"),
    "place": ("受理窗口", "办理窗口", "服务窗口"),
    "hours": ("受理窗口工作时间", "窗口工作时间"),
    "time_limit": ("办理期限", "承诺办理时限", "法定办理时限", "承诺期限", "法定期限"),
    "result": ("办理结果名称", "结果名称及样本", "审批结果名称", "办结结果"),
    "conditions": ("申请条件及标准", "受理范围"),
    "rating": ("好差评评价", "政务服务好差评"),
    "remark": ("注意事项", "办事须知", "温馨提示", "特别提示", "备注事项"),
    "materials": ("申办材料", "申请材料清单", "材料清单"),
}
GUIDE_ELEMENTS: tuple[Element, ...] = (
    Element(
        "query",
        "查询方式",
        ("查询方式", "查询渠道", "结果查询", "办理进程和结果查询", "办理进度查询", "进度查询", "网上查询"),
    ),
    Element("notice", "其他说明", ("常见问题", "附件信息", "资料转递途径", "决定机构", "事项设定层级"), kept=True),
)


def _register_guide_names() -> None:
    """Add the guide elements and names (a name already known keeps its element)."""
    global ELEMENTS, KEYS
    for element in GUIDE_ELEMENTS:
        BY_KEY.setdefault(element.key, element)
        for name in element.names:
            _NAME_OF.setdefault(name, element.key)
    for key, names in GUIDE_NAMES.items():
        for name in names:
            _NAME_OF.setdefault(name, key)
    ELEMENTS = ELEMENTS + tuple(e for e in GUIDE_ELEMENTS if e not in ELEMENTS)
    KEYS = tuple(BY_KEY)


_register_guide_names()

# The columns of a materials table inside a guide (材料名称 | 材料形式 | 份数 | 是否必须 | 出具单位 | 纸质/电子 | 备注).
MATERIAL_COLUMNS: tuple[Element, ...] = (
    Element("seq", "序号", ("序号", "序", "编号")),
    Element(
        "name",
        "材料名称",
        ("材料名称", "申请材料名称", "材料", "申请材料", "所需材料", "提交材料", "办理材料", "材料目录", "名称"),
    ),
    Element(
        "form",
        "材料形式",
        ("材料类型", "材料形式", "原件复印件", "原件/复印件", "原件或复印件", "材料规格", "规格", "形式", "类型"),
    ),
    Element("copies", "份数", ("份数", "数量", "规格份数", "材料份数", "纸质材料份数", "份数要求")),
    Element("originals", "原件份数", ("原件份数", "原件数量", "原件")),
    Element("photocopies", "复印件份数", ("复印件份数", "复印件数量", "复印件")),
    Element(
        "mandatory",
        "是否必备",
        ("是否必须", "是否必要", "是否必备", "必要性", "是否必需", "必要", "是否必交", "必须", "必备", "必要程度"),
    ),
    Element(
        "issuer",
        "出具单位",
        ("出具单位", "来源渠道", "材料来源", "来源", "出具机关", "来源渠道说明", "出具部门", "来源说明"),
    ),
    Element(
        "medium",
        "纸质/电子",
        ("纸质/电子", "纸质电子", "电子/纸质", "介质要求", "材料介质", "载体形式", "材料载体", "纸质或电子"),
    ),
    Element("group", "适用情形", ("情形", "适用情形", "情形名称", "办理情形")),
    Element(
        "remark",
        "备注",
        ("备注", "填报须知", "审查要点", "受理标准", "说明", "要求", "材料要求", "材料说明", "填写说明"),
    ),
)
_MATERIAL_NAME_OF = {name: e.key for e in MATERIAL_COLUMNS for name in e.names}


def classify_material_column(label: str) -> str | None:
    """The column of a materials table a header cell names (`name`, `copies`, `mandatory` …), or None."""
    text = normalise_label(label)
    if text in _MATERIAL_NAME_OF:
        return _MATERIAL_NAME_OF[text]
    bare = TRAILING_NOTE.sub("", text)
    if bare in _MATERIAL_NAME_OF:
        return _MATERIAL_NAME_OF[bare]
    for pattern, key in (
        (r"材料.*名称|名称$", "name"),
        (r"份数|数量", "copies"),
        (r"是否(必|需)|必要", "mandatory"),
        (r"来源|出具", "issuer"),
        (r"纸质|电子|介质|载体", "medium"),
        (r"原件|复印件|形式|类型", "form"),
        (r"情形", "group"),
        (r"备注|说明|要求|要点|须知", "remark"),
    ):
        if len(text) <= MAX_LABEL and re.search(pattern, text):
            return key
    return None
