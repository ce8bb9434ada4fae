"""`qingdan draft` on any bureau's file: the general classes of what real lists of other bureaus (人社, 市场监管, 税务,
卫健, 民政, 交通, townships) print, each on small real examples (their pages in the comments)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qingdan.draft import DraftError, draft
from qingdan.draft.draft import _township, is_generic

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def mini_registry(tmp_path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", target)
    return target


# --- 1. the agency: a township in the title, an implementer column, a generic name not enough alone ---

# http://www.wuxiang.gov.cn/zwgk/zfxxgk/zfxxgkml/sqxzjcgszl/xzjcsxyj/xq/202504/t20250427_3040576.html
WUXIANG = (
    "发文机关武乡县上司乡人民政府\n"
    "武乡县上司乡行政执法检查事项清单\n"
    "序号|事项名称|事项类型|事项依据|实施主体\n"
    "1|对个别农户之间承包的耕地和草地适当调整的审批|行政许可|【法律】《中华人民共和国农村土地承包法》第二十八条|乡镇人民政府\n"
    "2|对农民集体所有的土地由本集体经济组织以外的单位或者个人承包经营的审批|行政许可|"
    "【法律】《中华人民共和国农村土地承包法》第五十二条|乡镇人民政府\n"
)


def test_a_township_named_in_the_title_is_the_agency_in_full(mini_registry, tmp_path):
    path = tmp_path / "wuxiang.txt"
    path.write_text(WUXIANG, encoding="utf-8")
    result = draft(path, "140429-ssx", mini_registry, dry_run=True)
    assert result.agency_name == "武乡县上司乡人民政府" and result.agency_named == "标题"
    # without the full name printed anywhere, the title's words are the name; 乡镇 and 城乡 name no township
    assert _township("武乡县上司乡行政执法检查事项清单", "") == "武乡县上司乡"
    assert _township("石羊哨乡人民政府权责清单", "") == "石羊哨乡人民政府"
    assert _township("石門鎮權責清單", "") == "石門鎮"
    assert _township("某某旗某某苏木权责清单", "") == "某某旗某某苏木"
    assert _township("乡镇权责清单", "") is None and _township("某县乡村振兴局权责清单", "") is None


# https://mywgg.com/sgxrmzf/sjccsxjjh/202312/80b73b7de85647f8af98afaa006ccb5f.shtml (上高县 2023年双随机抽查工作计划)
SHANGGAO = (
    "2023年“双随机、一公开”抽查工作计划\n"
    "序号|检查主体|年度计划名称|检查内容|计划开展时间|股室\n"
    "1|上高县市场监督管理局|对特种设备作业人员的行政检查|对特种设备作业人员的行政检查|1月—12月|特种设备股\n"
    "2|上高县市场监督管理局|对经营者价格活动的行政检查|对经营者价格活动的行政检查|1月—12月|价监股\n"
    "3|上高县市场监督管理局|对特种设备使用登记的行政检查|对特种设备使用登记的行政检查|1月—12月|特种设备股\n"
)


def test_the_body_every_row_names_in_an_implementer_column_is_the_agency(mini_registry, tmp_path):
    path = tmp_path / "shanggao.txt"
    path.write_text(SHANGGAO, encoding="utf-8")
    result = draft(path, "360923-scjg", mini_registry, dry_run=True, columns="年度计划名称=name")
    assert result.agency_name == "上高县市场监督管理局" and result.agency_named == "文中"


def test_a_generic_name_without_its_place_is_not_enough(mini_registry, tmp_path):
    path = tmp_path / "generic.txt"
    path.write_text(SHANGGAO.replace("上高县市场监督管理局", "市场监督管理局"), encoding="utf-8")
    with pytest.raises(DraftError, match="--name"):
        draft(path, "360923-scjg", mini_registry, columns="年度计划名称=name")
    titled = tmp_path / "titled.txt"
    titled.write_text("民政局权责清单\n序号|职权名称|职权类型\n1|对社会团体的行政检查|行政检查\n", encoding="utf-8")
    with pytest.raises(DraftError, match="names 民政局 but not where"):
        draft(titled, "360923-mzj", mini_registry)
    assert is_generic("民政局") and is_generic("乡镇人民政府") and is_generic("市场监督管理局")
    assert not is_generic("某旗民政局") and not is_generic("石羊哨乡人民政府") and not is_generic("某街道办事处")
