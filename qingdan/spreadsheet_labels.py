"""Chinese names for the spreadsheet: sheets, columns, column notes and the meaning of choice values.

The sheets and columns themselves are derived from the models (`spreadsheet_schema`); these
tables only name them. A field missing here still gets a column, headed by its description.
Keys are "Model.field" (most specific), "field", or for flattened single models
"field.subfield"; see `spreadsheet_schema.label_for`.
"""

from __future__ import annotations

# Sheet of each top-level section, in the order the workbook shows them.
SECTION_SHEETS: dict[str, str] = {
    "agencies": "机构",
    "units": "科室",
    "persons": "人员",
    "posts": "岗位",
    "memberships": "任职",
    "duties": "主要职责",
    "boundaries": "职责边界",
    "powers": "职权",
    "services": "公共服务",
    "flow_templates": "流程模板",
    "flows": "流程图",
    "supervision_rules": "监管制度",
    "tasks": "工作任务",
    "self_checks": "自查事项",
    "documents": "源文件",
    "code_schemes": "编码规则",
}

# Chinese name of each record kind (singular, as in KIND_OF_SECTION), for notes and the reference sheet.
KIND_ZH: dict[str, str] = {
    "document": "源文件",
    "code_scheme": "编码规则",
    "agency": "机构",
    "unit": "科室",
    "person": "人员",
    "post": "岗位",
    "membership": "任职",
    "duty": "主要职责",
    "boundary": "职责边界",
    "power": "职权",
    "service": "公共服务",
    "flow_template": "流程模板",
    "flow": "流程图",
    "supervision_rule": "监管制度",
    "task": "工作任务",
    "self_check": "自查事项",
    "work_item": "工作事项",
}

# field → (column label, what the column holds). Child sheets take the label of their list field.
FIELDS: dict[str, tuple[str, str]] = {
    # common to records
    "id": ("ID", "记录的ID"),
    "source.document": ("来源文件", "来源文件的ID（见“源文件”表或“可引用ID”表，如 doc-000）"),
    "source.locator": ("来源位置", "读者在原件中找到本条的位置，如“序号3”“职权编码 3400-B-00100-140423”或标题"),
    "source.line": ("来源行", "本条在来源文本文件（sources/ 下）中开始的行号，整数"),
    "review": ("审核标记", "原文受损或存疑之处"),
    "note": ("编者注", "编者的说明（不是原件内容）"),
    "seq": ("序号", "原件印的序号，照原样填写"),
    "agency": ("所属机构", "机构ID"),
    "unit": ("科室", "科室ID"),
    "name": ("名称", "名称，照原件填写"),
    "title": ("标题", "标题，照原件填写"),
    "aliases": ("别名", "原件中使用的其他名称"),
    "remark": ("备注", "原件“备注”栏的内容"),
    "deadline": ("完成时限", "原件写的完成时限，照原样填写"),
    "applicants": ("申请人", "申请人或服务对象"),
    "conditions": ("受理条件", "受理条件或支付条件"),
    "materials": ("申请材料", "申请材料"),
    "time_limit": ("办理时限", "办理时限，照原件填写"),
    "fees": ("收费", "收费标准，照原件填写"),
    "place": ("办理地点", "办理地点"),
    "legal_bases": ("法律依据", "引用的法律、法规、文件"),
    "handling": ("承办机构", "承办机构（可分环节）"),
    "phones": ("电话", "服务、监督、咨询电话"),
    "channels": ("办理渠道", "窗口、网上、邮寄等办理方式"),
    "flow": ("流程图", "对应流程图的ID"),
    "content": ("主要内容", "主要内容，照原件填写"),
    "category": ("类别", "类别"),
    "kind": ("类型", "类型"),
    "line": ("行号", "来源文本文件中的行号，整数"),
    "locator": ("位置", "原件中的位置"),
    "description": ("描述", "描述"),
    "raw": ("原文", "原件中的写法"),
    "unit_raw": ("承办单位原文", "框旁写的承办单位，照原件填写"),
    "doc_number": ("文号", "正式文号，如 绵医保发〔2019〕18号"),
    "work_items": ("工作事项", "工作事项"),
    "nodes": ("流程节点", "流程图的方框"),
    "edges": ("流程连线", "流程图的箭头"),
    "parties": ("当事方", "共同承担此事项的机构"),
    "handovers": ("移交", "案例中机构之间的移交"),
    "assignments": ("节点分工", "模板各环节由哪个科室承办"),
    "sections": ("制度条款", "制度的各部分"),
    "defects": ("文件缺陷", "原件本身的缺陷（如表格中断、图片丢失）"),
    "lead": ("牵头部门", "牵头部门"),
    "responsible": ("责任部门", "责任部门"),
    "text": ("内容", "内容，照原件填写"),
    "heading": ("小标题", "小标题，照原件填写"),
    # review flags
    "ReviewFlag.field": ("字段", "受损文字所在的字段，写英文字段名，如 name、text"),
    "ReviewFlag.raw": ("原文", "原件中的文字，原样照录（不要改正）"),
    "ReviewFlag.problem": ("问题类型", "问题的类型"),
    "ReviewFlag.explanation": ("说明", "问题说明"),
    "ReviewFlag.proposed": ("建议读法", "只在上下文能确定时填写；只作建议，不替换原文"),
    # documents and schemes
    "Document.id": ("ID", "源文件的ID，如 doc-000"),
    "Document.title": ("文件标题", "文件标题"),
    "Document.file": ("文本文件", "sources/ 文件夹中文本文件的文件名"),
    "Document.publisher": ("发布机构", "发布该文件的机构ID"),
    "Document.kind": ("清单类型", "清单类型，如 权责清单、责任清单、定岗定责表、通知"),
    "Document.date": ("日期", "发布日期"),
    "SourceDefect.kind": ("缺陷类型", "缺陷的类型"),
    "SourceDefect.description": ("缺陷描述", "缺陷的描述"),
    "CodeScheme.name": ("编码规则名称", "编码规则名称"),
    "CodeScheme.pattern": ("编码格式", "正则表达式，带命名分组（agency、category、item、subitem、region）"),
    "CodeScheme.categories": ("类别字母", "类别字母及其代表的职权类别"),
    # legal bases
    "LegalBasis.title": ("法律依据名称", "法律、法规或文件的名称，照引用写法"),
    "LegalBasis.article": ("条款", "引用的条款，如 第十二条"),
    "LegalBasis.raw": ("引用原文", "原件的引用写法（与名称不同时填写）"),
    # organisations
    "Agency.name": ("机构全称", "机构的规范全称"),
    "Agency.level": ("层级", "机构的层级"),
    "Agency.region": ("行政区划代码", "GB/T 2260 行政区划代码"),
    "Agency.kind": ("机构类型", "机构的类型"),
    "Agency.parent": ("上级机构", "上级机构的ID"),
    "Agency.name_stated": ("原件写明名称", "“否”表示原件未写明名称、名称系推断"),
    "Agency.inference": ("推断依据", "名称、层级或区划是怎样推断出来的"),
    "Agency.description": ("宗旨和业务范围", "原件所述的宗旨和业务范围"),
    "Unit.name": ("科室名称", "科室（股室、中心）名称"),
    "Unit.kind": ("科室类型", "科室的类型"),
    "Person.name": ("姓名", "姓名照原件写法（拆开的姓名不要合并，在审核标记中说明）"),
    "Post.unit": ("所属科室", "岗位所属科室的ID"),
    "Post.name": ("岗位名称", "岗位名称"),
    "Membership.person": ("人员", "人员ID（见“人员”表）"),
    "Membership.post": ("岗位", "岗位ID（见“岗位”表）；岗位和所属组织至少填一项"),
    "Membership.organization": ("所属组织", "机构ID（如领导小组）；岗位和所属组织至少填一项"),
    "Membership.role": ("角色", "在岗位或组织中的角色"),
    "Membership.role_label": ("角色原文", "原件写法，如 牵头负责人、辅助人员、组长"),
    "Membership.title": ("职务", "姓名旁写的职务"),
    # duties
    "WorkItem.id": ("ID", "工作事项的ID"),
    "WorkItem.text": ("工作事项", "工作事项，照原件填写（原件空白时可留空）"),
    "WorkItem.function": ("岗位职能描述", "岗位职能描述"),
    "WorkItem.responsibility": ("岗位责任描述", "岗位责任描述"),
    "WorkItem.flows": ("流程图", "所指的流程图ID（“详见…”）"),
    "WorkItem.responsible_units": ("责任科室", "责任科室的ID"),
    "WorkItem.responsible_raw": ("责任处室原文", "责任处室，照原件填写"),
    "WorkItem.delegation": ("下放情况", "由上级保留或协助上级"),
    "WorkItem.kept_by": ("保留机构", "保留该事项的上级机构ID"),
    "Duty.text": ("职责内容", "主要职责，照原件填写"),
    "Party.agency": ("机构", "机构ID；名称无法确定时留空"),
    "Party.unit": ("科室", "原件写到科室时，科室ID"),
    "Party.raw": ("名称原文", "原件中的名称"),
    "Party.division": ("职责分工", "该方的职责分工"),
    "Handover.from_agency": ("移交机构", "移交方的机构ID"),
    "Handover.to_agency": ("接收机构", "接收方的机构ID"),
    "Handover.what": ("移交内容", "移交的内容"),
    "Handover.reconstructed": ("系推断", "“是”表示从案例叙述中读出，原件未画出"),
    "Boundary.agency": ("登记机构", "在其清单中登记该事项的机构ID"),
    "Boundary.matter": ("事项", "职责边界事项"),
    "Boundary.case": ("案例", "案例，照原件填写"),
    # powers and services
    "Evidence.name": ("材料名称", "材料名称"),
    "Evidence.required": ("材料类型", "共同材料或选择材料"),
    "Evidence.group": ("适用情形", "材料所属的情形，如 门诊报销"),
    "Handling.unit": ("承办科室", "承办科室的ID"),
    "Handling.agency": ("承办机构ID", "承办机构的ID"),
    "Handling.raw": ("承办机构原文", "承办机构，照原件写法，如 基金监管股（立案）"),
    "Handling.steps": ("承办环节", "该单位承办的环节（原件写明时）"),
    "Phone.number": ("电话号码", "照原件写法；本地号码不要补区号"),
    "Phone.kind": ("电话类型", "电话的用途"),
    "Channel.kind": ("渠道类型", "办理方式"),
    "Channel.detail": ("渠道说明", "窗口、网址或应用的名称，照原件填写"),
    "Power.code": ("职权编码", "职权编码，照原件印的写法"),
    "Power.code_scheme": ("编码规则", "编码规则的ID（见“可引用ID”表，如 shanxi-qlqd）"),
    "Power.category": ("职权类别", "职权类别"),
    "Power.category_raw": ("类别原文", "原件的类别标题，如 行政检查和行政处罚类"),
    "Power.name": ("职权名称", "职权名称"),
    "PublicService.main_item": ("主项名称", "事项为子项时的主项名称"),
    "PublicService.name": ("事项名称", "事项名称（有主项时填子项名称）"),
    "PublicService.category": ("主项类别", "主项类别，照原件，如 行政确认、公共服务"),
    "PublicService.levels": ("办理层级", "办理层级"),
    "PublicService.process": ("办事流程", "办事流程的各步，照原件填写"),
    # flows
    "FlowNode.id": ("节点ID", "节点ID（本流程内唯一，如 n1）"),
    "FlowNode.kind": ("节点类型", "节点的类型"),
    "FlowNode.label": ("框内文字", "方框中的文字"),
    "FlowNode.unit": ("承办科室", "承办科室的ID"),
    "FlowNode.agency": ("承办机构", "承办机构的ID"),
    "FlowEdge.from": ("起点", "箭头起点的节点ID"),
    "FlowEdge.to": ("终点", "箭头终点的节点ID"),
    "FlowEdge.label": ("条件", "箭头上的条件，如 符合条件"),
    "FlowEdge.reconstructed": ("系重建", "“是”表示箭头已丢失、根据框内文字重建"),
    "UnitAssignment.node": ("节点ID", "模板中的节点ID"),
    "UnitAssignment.unit": ("承办科室", "承办科室的ID"),
    "UnitAssignment.agency": ("承办机构", "承办机构的ID"),
    "FlowTemplate.title": ("流程名称", "流程名称"),
    "Flow.code": ("流程编号", "原件印的流程编号，如 01-3-1"),
    "Flow.title": ("流程图名称", "流程图名称"),
    "Flow.availability": ("完整程度", "流程图是否完整保留"),
    "Flow.template": ("流程模板", "所用流程模板的ID（与节点二选一）"),
    # supervision, tasks, self-checks
    "SupervisionRule.title": ("制度名称", "制度名称"),
    "SupervisionRule.scope": ("适用对象", "制度适用的对象"),
    "Task.title": ("任务名称", "任务名称"),
    "Task.content": ("任务内容", "任务内容"),
    "SelfCheckItem.goal": ("目标", "自查目标"),
    "SelfCheckItem.requirement": ("自查要求", "自查要求"),
}

# The meaning of closed-choice values, shown in the notes row next to each value.
VALUES_ZH: dict[str, str] = {
    # levels
    "national": "国家级", "province": "省级", "city": "市级", "county": "县级", "township": "乡镇级",
    "village": "村级", "other": "其他",
    # agency kinds
    "government_department": "政府部门", "public_institution": "事业单位", "government": "人民政府",
    "party_body": "党的机构", "committee": "委员会", "leading_group": "领导小组", "enterprise": "企业",
    "collective": "集体组织",
    # unit kinds
    "office": "办公室", "section": "科室、股室", "center": "中心", "leadership": "领导机构（如党组）",
    # roles
    "lead": "牵头负责人", "assistant": "辅助人员", "leader": "组长", "deputy_leader": "副组长",
    "member": "成员", "office_director": "办公室主任",
    # delegation
    "not_delegated": "上级未下放，由上级保留", "assists_higher_level": "协助上级办理",
    # review problems
    "ocr_damage": "识别损坏", "illegible": "无法辨认", "ambiguous": "有歧义", "missing": "缺失",
    "unresolved_name": "名称无法确定",
    # source defects
    "truncated": "内容中断", "lost_images": "图片丢失", "repeated_headers": "表头重复",
    "missing_value": "缺少内容",
    # materials
    "common": "共同材料，每个申请人都要提交", "optional": "选择材料",
    # phones
    "service": "服务电话", "supervision": "监督电话", "consulting": "咨询电话",
    # channels
    "window": "窗口办理", "online": "网上办理", "mobile": "掌上办理", "mail": "邮寄办理", "phone": "电话办理",
    "self_service": "自助办理",
    # flow nodes
    "start": "开始", "step": "步骤", "decision": "判断", "end": "结束",
    # availability
    "full": "完整", "title_only": "图已丢失，只有标题（不要补画内容）",
    # service levels
    "A": "省级", "B": "市级", "C": "县级",
    # severities of findings
    "high": "严重", "medium": "中等", "low": "轻微", "info": "提示",
}

# Known patterns, described in plain words.
PATTERNS_ZH: dict[str, str] = {
    r"^\d{6}$": "6位数字，如 370406",
    r"^\d{4}(-\d{2}(-\d{2})?)?$": "年、年-月或年-月-日，如 2019、2019-12、2019-12-31",
}

ID_RULE = ("ID规则：小写英文字母和数字，中间可用单个 - _ . 连接，不超过120个字符；全库唯一；"
           "已发布的ID不要修改（网页地址和更新比对都靠它）；新记录的ID以所属机构ID开头，如 {agency}-power-1")
