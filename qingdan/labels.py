"""Chinese labels for every allowed value: the one place where each is worded.

The registry stores closed choices as English values (`government_department`, `supervision`);
readers see these labels on the site, in workbooks and in findings. Keys are "Model.field" of
the model that declares the field (`field_key`), plus "severity" (of findings) and "finding"
(finding codes). `tests/test_labels.py` checks that every value of every Literal in the models,
every severity and every finding code has a label here. `zh_label` never fails: a value without a
label is shown as it is.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "Agency.level": {
        "national": "国家级",
        "province": "省级",
        "city": "市级",
        "county": "县级",
        "township": "乡镇级",
        "village": "村级",
        "other": "其他",
    },
    "Agency.kind": {
        "government_department": "政府工作部门",  # official usage: 人民政府工作部门 (not 政府部门)
        "public_institution": "事业单位",
        "government": "人民政府",
        "party_body": "党的机构",  # as in 中国共产党机构编制工作条例 (not 党的机关)
        "committee": "委员会",
        "leading_group": "领导小组",
        "enterprise": "企业",
        "collective": "基层群众自治组织",  # 宪法 art. 111: 村民委员会, 居民委员会 (not 集体组织)
        "other": "其他",
    },
    "Unit.kind": {
        "office": "办公室",
        "section": "科室、股室",
        "center": "中心",
        "leadership": "领导机构",  # 党组 is 党的领导机构 (党组工作条例), not 领导班子
        "other": "其他",
    },
    "Membership.role": {
        "lead": "牵头负责人",
        "assistant": "辅助人员",
        "leader": "组长",
        "deputy_leader": "副组长",
        "member": "成员",
        "office_director": "办公室主任",
    },
    "WorkItem.delegation": {"not_delegated": "未下放，由上级保留", "assists_higher_level": "协助上级办理"},
    "ReviewFlag.problem": {
        "ocr_damage": "文字识别损坏",
        "illegible": "无法辨认",
        "ambiguous": "有歧义",
        "missing": "缺失",
        "unresolved_name": "名称无法对应到机构",
        "draft": "机器起草，尚未人工核对",
    },
    "SourceDefect.kind": {
        "truncated": "内容中断",
        "lost_images": "图片丢失",
        "repeated_headers": "表头重复",
        "missing_value": "缺少内容",
        "other": "其他",
    },
    "Evidence.required": {"common": "共同材料", "optional": "选择材料"},
    "Phone.kind": {
        "service": "服务电话",
        "consulting": "咨询电话",
        "supervision": "监督电话",  # as the sources print it (not 监督投诉电话)
        "hotline": "服务热线",
    },
    "Contact.kind": {
        "petition_mailbox": "信访信箱",
        "director_mailbox": "局长信箱",
        "rating": "好差评",
        "website": "网站",
        "email": "电子邮箱",
        "opening_hours": "办公时间",
        "other": "其他",
    },
    "Channel.kind": {
        "window": "窗口办理",
        "online": "网上办理",
        "mobile": "掌上办理",
        "mail": "邮寄办理",
        "phone": "电话办理",
        "self_service": "自助办理",
        "other": "其他",
    },
    "Process.channel": {
        "window": "现场办理",
        "online": "网上办理",
        "mobile": "掌上办理",
        "mail": "邮寄办理",
        "phone": "电话办理",
        "self_service": "自助办理",
        "other": "其他",
    },
    "PublicService.levels": {
        "A": "省级",
        "B": "市级",
        "C": "县级",
        "national": "国家级",
        "province": "省级",
        "city": "市级",
        "county": "县级",
        "township": "乡镇（街道）",
        "village": "村（社区）",
        "other": "其他",
    },
    "DocumentLink.relation": {"implements": "贯彻落实", "cites": "引用"},
    "FlowNode.kind": {"start": "开始", "step": "步骤", "decision": "判断", "end": "结束"},
    "Flow.availability": {"full": "完整", "title_only": "图已丢失，只有标题"},
    "severity": {"error": "错误", "high": "严重", "medium": "中等", "low": "轻微", "info": "提示"},
    "finding": {
        "bidi_control": "含双向文本控制字符",
        "duplicate_code": "同一职权编码用于多个事项",
        "category_mismatch": "事项类别与编码不一致",
        "mixed_headings": "同一编码字母分列在不同类别标题下",
        "code_region_mismatch": "编码中的行政区划与机构不符",
        "no_legal_basis": "未载明设定依据",
        "vague_contact": "联系方式或地点未具体写明",
        "conflicting_time_limit": "办理时限前后不一致",
        "split_word": "词语中间被空格或换行断开",
        "unresolved_handler": "承办机构无法对应到已知机构或科室",
        "issuer_not_named": "文件正文未写明发文机关",
        "ocr_damage": "文字识别损坏，待核对",
        "illegible": "文字无法辨认，待核对",
        "ambiguous": "文字有歧义，待核对",
        "missing": "内容缺失，待核对",
        "unresolved_name": "名称无法对应到已知机构",
        "source_truncated": "源文件表格中断",
        "source_lost_images": "源文件图片丢失",
        "source_repeated_headers": "源文件表头重复",
        "source_missing_value": "源文件缺少内容",
        "source_other": "源文件其他缺陷",
        "phone_without_area_code": "电话号码未带区号",
        "agency_not_named": "源文件未写明机构名称",
        "obsolete_region": "行政区划代码已撤销",
        "flow_not_available": "流程图未在源文件中保留",
        "flow_reconstructed": "流程图连线系据方框文字重建",
        "draft": "机器起草，尚未人工核对",
        "truncated": "内容疑似被截断",
        "joint_implementer": "实施主体列了多个机构",
        "shared_responsibility": "与其他部门共同承担",
        "basis_names_other_department": "依据所指部门与实施机构不符",
        "no_code": "未印职权编码",
        "article_without_law": "依据只写条款，未写明法律法规名称",
        "incomplete_doc_number": "所引文号不完整",
        "malformed_item_code": "事项编码有误",
        "missing_vs_peers": "同级同类机构大多列有而本机构未列的事项（可能是正当的）",
        "thesaurus_unmatched": "同义词表中的词在任何记录中都没有出现",
    },
}


def zh_label(key: str, value) -> str:
    """The Chinese label of `value` for `key` ("Agency.kind", "severity", "finding"), or the value itself."""
    return LABELS.get(key, {}).get(value, value)


def field_key(model: type, name: str) -> str:
    """ "Model.field", naming the model that declares the field (a shared base, not each subclass)."""
    owner = next((c for c in model.__mro__ if name in c.__dict__.get("__annotations__", {})), model)
    return f"{owner.__name__}.{name}"
