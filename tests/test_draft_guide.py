"""`qingdan draft` on 办事指南: real guides' text (URL beside each) read into the whole guide model, and the
guide findings raised on a drafted guide as on a hand-written one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qingdan.draft import draft
from qingdan.draft.guide import channel_kind, levels_of
from qingdan.guide_findings import days_of

ROOT = Path(__file__).resolve().parents[1]

# https://ylbzj.jiaozuo.gov.cn/2025/06-17/450165.html (the guide; the published copy stops in 十)
JIAOZUO = """基本医疗保险参保和变更登记办事指南
一、事项名称
主项名称：基本医疗保险参保和变更登记。
子项名称：城乡居民参保登记。
二、服务对象
未参加职工医保或其他医疗保障制度的全体城乡居民。
三、办理层级
市、县、乡镇（街道）。
四、办理方式
（一）现场办理。可到各地向社会公布的经办服务大厅办理。
（二）网上办理。可通过登录政务服务平台、“河南医保”小程序等途径办理。
五、办理流程
（一）现场办理流程：
1. 大厅取号。
2. 窗口提交材料。
3. 医保经办机构即时办结，并反馈办理结果。
（二）网上办理流程：
1. 政务服务平台办理流程：
①电脑浏览器登录政务服务平台。
②医保经办机构1个工作日内办结。
2. “河南医保”小程序办理流程：
①微信/支付宝登录“河南医保”小程序。
②医保经办机构1个工作日内办结。
六、办理材料
（一）有效身份证件（包括身份证、居住证、户口簿等）。
（二）《城乡居民基本医疗保险参保登记表》。
七、办理时限
即时办结。
八、是否收费
否。
九、投诉渠道
（一）现场投诉。各地政务服务中心投诉窗口，信箱等。
（二）网上投诉。各地医疗保障局官网公示电话，信访信箱、局长信箱等。
十、政务服务“好差评”评价
可通过各地政务服务平台“
"""

# http://www.ycq.gov.cn/zfxxgk/zwgkzt/shgysyjzfb/shbx/yb/202111/t20211122_1342685.html (sections （一）…)
YICHENG = """2021年峄城区职工医保参保登记办理指南
（一）事项设定层级：法律
（二）申请主体：自然人
（三）办理条件：
职工应当参加职工基本医疗保险，由用人单位和职工按照国家规定共同缴纳基本医疗保险费。
（四）申请材料名称、来源、数量及介质要求：
1.在职职工：《职工基本医疗保险参保登记表》（加盖单位公章）（纸质1份）；2.灵活就业人员：有效身份证件。
（五）办理流程：
1.单位提交增减员材料向医保经办机构申报；
2.医保经办机构受理；
3.医保经办机构审核，并反馈办理结果。
（六）办理方式：
峄城区市民服务中心或山东政务服务网办理
（七）受理窗口：
峄城区坛山东路东首市民中心二楼C03、C04窗口
（八）受理窗口工作时间：
正常工作日上午8:30-12:00，下午13:30-17:00
（九）法定期限：1个工作日
（十）承诺期限：即时办结
（十一）是否收费：不收费
（十二）受理部门联系电话：0632-7710662
（十三）办理进程和结果查询：
山东政务服务网 http://zzyczwfw.sd.gov.cn/yc/public/index
（十四）监督部门联系电话：7756807
"""

# https://m12333.cn/qa/bwrs.html (several guides in one file, each numbered 一、… again)
GUILIN = """桂林医保经办事项服务指南
一、企业参保登记服务指南
一、申请条件
1.企业已在市场监督管理局注册登记；
2.参保登记管理机构为企业注册登记相应属地医保经办机构。
二、所需材料
1. 《基本医疗保险单位参保信息登记表》。
三、办理时间：法定工作日
四、办理时限：即时办结
五、咨询电话：0773-12345
六、注意事项：所需材料需加盖企业公章。
二、单位职工医疗保险增员申报服务指南
一、申请条件：已参保单位中新参保、新招入、调入的人员或单位合并；
二、申办材料
1. 《职工基本医疗保险参保登记表》；
2. 外国人提供：外国人就业证件及居留证件，或外国人永久居留证。
三、办理时限：5个工作日
四、咨询电话：0773-12345
"""

# https://www.ahjinzhai.gov.cn/public/6597141/37772394.html (label lines; a materials table per service)
JINZHAI = """<html><head><meta charset="utf-8"></head><body><h1>金寨县燕子河镇为民服务项目服务指南</h1>
<p>1、社会保障卡注销</p><p>事项名称：社会保障卡注销</p><p>受理条件：社会保险参保人员需要注销社会保障卡的</p>
<p>承诺时限：1工作日</p><p>社会保障卡注销事项受理材料清单</p>
<table><tr><td>序号</td><td>材料名称</td><td>必要性</td><td>规格份数</td><td>材料来源</td><td>审查要点</td></tr>
<tr><td>1</td><td>中华人民共和国居民身份证</td><td>必要</td><td>1</td><td>申请人提供</td><td>有效期内</td></tr>
<tr><td>2</td><td>社会保障卡</td><td>非必要</td><td>1</td><td>申请人提供</td><td></td></tr></table>
<p>2、社会保障卡应用状态查询</p><p>事项名称：社会保障卡应用状态查询</p>
<p>受理条件：完成省社会保险参保登记并已经领取社会保障卡</p><p>承诺时限：1工作日</p>
<p>社会保障卡应用状态查询事项受理材料清单</p>
<table><tr><td>序号</td><td>材料名称</td><td>必要性</td><td>规格份数</td><td>材料来源</td><td>审查要点</td></tr>
<tr><td>1</td><td>社会保障卡</td><td>必要</td><td>1</td><td>申请人提供</td><td></td></tr></table>
</body></html>"""

# https://www.shebaoonline.com/shebaobanli/1707714 (a label | value table with block rows)
LIUZHOU = """<html><head><meta charset="utf-8"></head><body><h1>异地就诊审批业务</h1><table>
<tr><td>事项名称</td><td>异地就诊审批业务</td></tr>
<tr><td>服务对象</td><td>城镇职工基本医疗保险参保人员</td></tr>
<tr><td>办理程序</td><td>社保局一楼大厅15-17号柜填写《异地就诊审批表》，办理审批。<br>办事须知：<br>异地就诊分临时异地就诊、短期异地就诊、长期异地就诊。</td></tr>
<tr><td>所需材料</td><td>1.《异地就诊审批表》（原件一式两份）<br>2.本人医疗保险证</td></tr>
<tr><td>联系方式</td><td>0772-2836357（社保局医疗保险待遇科）；12333（劳动保障热线）</td></tr>
<tr><th colspan="2">手工办理方式</th></tr>
<tr><td>受理部门</td><td>柳州市社会保险事业管理局</td></tr>
<tr><td>受理地点</td><td>柳州市北站路27号</td></tr>
<tr><td>受理时间</td><td>周一至周五上午9点到12点，下午1点到5点</td></tr>
<tr><td>办理期限</td><td>常年办理</td></tr>
<tr><td>收费标准及依据</td><td>免费</td></tr>
</table></body></html>"""


@pytest.fixture
def registry(tmp_path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", target)
    return target


def drafted(registry: Path, tmp_path: Path, text: str, suffix: str = ".txt", name: str = "测试市医疗保障局"):
    source = tmp_path / f"guide{suffix}"
    source.write_text(text, encoding="utf-8")
    return draft(source, "999999-guide", registry, name=name)


def test_main_and_sub_item_levels_channels_and_processes_per_channel(registry, tmp_path):
    result = drafted(registry, tmp_path, JIAOZUO)
    (service,) = result.records["services"]
    assert (service.main_item, service.name) == ("基本医疗保险参保和变更登记", "城乡居民参保登记")
    assert "主项名称：基本医疗保险参保和变更登记。" in service.review[0].raw  # the raw text kept for review
    assert service.levels_raw == "市、县、乡镇（街道）" and service.levels == ["city", "county", "township"]
    assert [(c.kind, c.detail) for c in service.channels] == [
        ("window", "可到各地向社会公布的经办服务大厅办理"),
        ("online", "可通过登录政务服务平台、“河南医保”小程序等途径办理"),
    ]
    assert [(p.name, p.channel, p.platform, p.time_limit) for p in service.processes] == [
        ("现场办理流程", "window", None, "即时办结"),
        ("政务服务平台办理流程", "online", "政务服务平台", "1个工作日内办结"),
        ("“河南医保”小程序办理流程", "mobile", "“河南医保”小程序", "1个工作日内办结"),
    ]
    assert service.processes[0].steps == ["大厅取号", "窗口提交材料", "医保经办机构即时办结，并反馈办理结果"]
    assert service.processes[2].steps[0] == "微信/支付宝登录“河南医保”小程序"  # sub-headings are not steps
    assert [m.name for m in service.materials] == [
        "有效身份证件（包括身份证、居住证、户口簿等）",
        "《城乡居民基本医疗保险参保登记表》",
    ]
    assert service.time_limit == "即时办结" and service.fees == "否" and service.note is None


def test_contacts_typed_and_vague_ones_kept_as_printed(registry, tmp_path):
    (service,) = drafted(registry, tmp_path, JIAOZUO).records["services"]
    assert [(p.number, p.kind) for p in service.phones] == [("各地医疗保障局官网公示电话", "supervision")]
    assert [(c.kind, c.value) for c in service.contacts] == [
        ("other", "各地政务服务中心投诉窗口，信箱等"),
        ("petition_mailbox", "信访信箱"),
        ("director_mailbox", "局长信箱"),
        ("rating", "可通过各地政务服务平台“"),
    ]


def test_guide_findings_fire_on_a_drafted_guide(registry, tmp_path):
    """The issue's guide: 即时办结 against 1个工作日内办结, a phone without a number, section 十 cut off."""
    result = drafted(registry, tmp_path, JIAOZUO)
    codes = {f.code for f in result.findings}
    assert {"conflicting_time_limit", "vague_contact", "truncated"} <= codes
    conflicts = [f for f in result.findings if f.code == "conflicting_time_limit"]
    # the online processes, not the window one
    assert {f.field for f in conflicts} == {"services[0].processes[1]", "services[0].processes[2]"}
    assert [d.kind for d in result.document.defects] == ["truncated"]


def test_a_clean_guide_raises_none_of_them(registry, tmp_path):
    text = JIAOZUO.replace("1个工作日内办结", "即时办结").replace("各地医疗保障局官网公示电话", "0391-8390000")
    text = text.replace("可通过各地政务服务平台“", "可通过各地政务服务平台评价。")
    codes = {f.code for f in drafted(registry, tmp_path, text).findings}
    assert not codes & {"conflicting_time_limit", "vague_contact", "truncated"}


def test_sections_numbered_in_brackets_and_both_time_limits(registry, tmp_path):
    result = drafted(registry, tmp_path, YICHENG)
    (service,) = result.records["services"]
    assert service.name == "职工医保参保登记" and service.applicants == "自然人"
    assert [(m.name, m.group, m.copies) for m in service.materials] == [
        ("《职工基本医疗保险参保登记表》（加盖单位公章）", "在职职工", "纸质1份"),
        ("有效身份证件", "灵活就业人员", None),
    ]
    assert service.process == [
        "单位提交增减员材料向医保经办机构申报",
        "医保经办机构受理",
        "医保经办机构审核，并反馈办理结果",
    ]
    assert len(service.processes) == 1 and service.processes[0].steps == service.process
    assert [(c.kind, c.detail) for c in service.channels] == [
        ("window", "峄城区市民服务中心"),
        ("online", "山东政务服务网"),
    ]
    assert service.place == "峄城区坛山东路东首市民中心二楼C03、C04窗口"
    assert service.hours == "正常工作日上午8:30-12:00，下午13:30-17:00"
    assert service.time_limit == "法定期限：1个工作日；承诺期限：即时办结"
    assert days_of(service.time_limit) == 0  # the promise is what the findings compare
    assert [(p.number, p.kind) for p in service.phones] == [("0632-7710662", "service"), ("7756807", "supervision")]
    assert [c.kind for c in service.contacts] == ["website"]
    assert "事项设定层级：法律" in service.note  # a section no field holds is kept


def test_several_guides_in_one_file(registry, tmp_path):
    services = drafted(registry, tmp_path, GUILIN).records["services"]
    assert [s.name for s in services] == ["企业参保登记", "单位职工医疗保险增员申报"]
    first, second = services
    assert first.conditions == ["企业已在市场监督管理局注册登记", "参保登记管理机构为企业注册登记相应属地医保经办机构"]
    assert first.hours == "法定工作日" and first.remark == "所需材料需加盖企业公章"
    assert [(p.number, p.kind) for p in first.phones] == [("0773-12345", "consulting")]
    assert second.conditions == ["已参保单位中新参保、新招入、调入的人员或单位合并"]
    assert second.materials[1].name == "外国人提供：外国人就业证件及居留证件，或外国人永久居留证"
    assert second.time_limit == "5个工作日" and second.hours is None


def test_materials_from_a_table_with_copies_and_whether_required(registry, tmp_path):
    result = drafted(registry, tmp_path, JINZHAI, ".html", name="金寨县燕子河镇人民政府")
    services = result.records["services"]
    assert [s.name for s in services] == ["社会保障卡注销", "社会保障卡应用状态查询"]
    assert [(m.name, m.copies, m.mandatory, m.required) for m in services[0].materials] == [
        ("中华人民共和国居民身份证", "1份", True, "common"),
        ("社会保障卡", "1份", False, "optional"),
    ]
    assert "材料来源：申请人提供" in services[0].note  # columns no field holds are kept
    assert [m.name for m in services[1].materials] == ["社会保障卡"]
    assert services[1].conditions == ["完成省社会保险参保登记并已经领取社会保障卡"]


def test_label_value_table_with_a_channel_block(registry, tmp_path):
    (service,) = drafted(registry, tmp_path, LIUZHOU, ".html").records["services"]
    assert service.name == "异地就诊审批业务"
    assert [(m.name, m.copies) for m in service.materials] == [
        ("《异地就诊审批表》", "原件一式两份"),
        ("本人医疗保险证", None),
    ]
    assert [(p.name, p.channel, p.steps, p.time_limit) for p in service.processes] == [
        ("手工办理方式", "window", ["社保局一楼大厅15-17号柜填写《异地就诊审批表》，办理审批"], "常年办理")
    ]
    assert "办事须知" in service.note  # notes under the flow are not steps
    assert service.place == "柳州市北站路27号" and service.hours.startswith("周一至周五")
    assert [(p.number, p.kind) for p in service.phones] == [("0772-2836357", "service"), ("12333", "hotline")]


def test_levels_and_channel_kinds_by_meaning():
    assert levels_of("省级、市级、县级") == ["province", "city", "county"]
    assert levels_of("乡镇（街道）、村（社区）") == ["township", "village"]
    assert levels_of("B、C") == ["B", "C"]
    assert channel_kind("网上办理。可通过“河南医保”小程序办理") == "online"
    assert channel_kind("“河南医保”小程序办理流程") == "mobile"
    assert channel_kind("現場辦理") == "window"
