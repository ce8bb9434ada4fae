"""Matching matters across agencies, editors' decisions, and gaps against peers."""

import shutil
from pathlib import Path

from qingdan.matters import match_matters, matter_of, name_keys, normalise, shared_matters
from qingdan.registry import load_registry
from qingdan.validate import validate

from .conftest import seed_registry

PEERS = Path(__file__).parent / "fixtures" / "peers"


def test_names_normalise_synonyms_punctuation_and_the_penalty_pattern():
    assert normalise("城乡居民基本医疗保险参保申报") == normalise("城乡居民医疗保险参保登记")
    assert normalise("医疗保障待遇") == normalise("医保待遇")
    assert normalise("对骗取医疗保障基金行为的处罚") == normalise("对骗取医疗保障基金的处罚")
    assert normalise("对骗取医疗保障基金的处罚") != normalise("骗取医疗保障基金")  # a penalty is not the act
    assert name_keys("城乡居民基本医疗保险参保申报、办证（卡）、咨询等")["head"] == normalise(
        "城乡居民医疗保险参保登记"
    )


def test_seed_matters_group_the_same_service_and_power_of_different_agencies():
    registry = seed_registry()
    by_record = matter_of(match_matters(registry))
    jiuzhu = by_record["510700-ybj-service-46"]
    assert {m.record for m in jiuzhu.members} == {"510700-ybj-service-46", "140423-ybj-power-06"}
    assert jiuzhu.status == "proposed" and all(m.evidence for m in jiuzhu.members)
    canbao = by_record["510700-ybj-service-3"]
    assert {m.record for m in canbao.members} == {"510700-ybj-service-3", "460202-ybj-service-1"}
    assert 0.6 <= canbao.confidence < 1


def test_records_of_one_agency_sharing_a_code_are_not_grouped():
    registry = seed_registry()
    same_code = [p.id for p in registry.of("power") if p.code == "3400-B-00500-140423"]
    assert len(same_code) > 1
    for matter in match_matters(registry):
        agencies = matter.agencies
        assert len(agencies) == len(set(agencies)), matter
        assert len({m.record for m in matter.members} & set(same_code)) <= 1


def test_peer_counties_group_by_code_and_name_and_one_county_lacks_a_matter():
    report = validate(PEERS)
    assert report.ok, [e.format() for e in report.errors]
    by_record = matter_of(match_matters(report.registry))
    penalty = by_record["pingshun-power-pianbao"]
    assert {m.agency for m in penalty.members} == {"pingshun-ybj", "licheng-ybj", "huguan-ybj", "zhangzi-ybj"}
    assert "pingshun-power-pianbao-2" not in {m.record for m in penalty.members}
    assert any("编码" in e for m in penalty.members for e in m.evidence)
    gaps = [f for f in report.findings if f.code == "missing_vs_peers"]
    assert len(gaps) == 1
    (gap,) = gaps
    assert gap.severity == "low" and gap.agency == "zhangzi-ybj"
    assert "可能是正当的" in gap.message_zh and "参保登记" in gap.message_zh
    assert set(gap.records) == {"pingshun-service-canbao", "licheng-service-canbao", "huguan-service-canbao"}


def test_fewer_than_three_peers_give_no_gap(tmp_path):
    registry = tmp_path / "peers"
    shutil.copytree(PEERS, registry)
    path = registry / "counties" / "registry.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    name: 壶关县医疗保障局\n    level: county", "    name: 壶关县医疗保障局\n    level: city"
    )
    path.write_text(text, encoding="utf-8")
    assert not [f for f in validate(registry).findings if f.code == "missing_vs_peers"]


def test_editors_confirm_and_separate_matters(tmp_path):
    registry = tmp_path / "peers"
    shutil.copytree(PEERS, registry)
    (registry / "matters.yaml").write_text(
        "matters:\n"
        "  - id: pianbao\n    title: 骗取医保基金的处罚\n"
        "    records: [pingshun-power-pianbao, licheng-power-pianbao, pingshun-service-beian]\n"
        "  - id: jiuzhu-apart\n    decision: separate\n"
        "    records: [huguan-service-jiuzhu, zhangzi-service-jiuzhu]\n",
        encoding="utf-8",
    )
    report = validate(registry)
    assert report.ok, [e.format() for e in report.errors]
    by_record = matter_of(match_matters(report.registry))
    confirmed = by_record["licheng-power-pianbao"]
    assert confirmed.id == "pianbao" and confirmed.status == "confirmed" and confirmed.title == "骗取医保基金的处罚"
    assert {m.record for m in confirmed.members} == {
        "pingshun-power-pianbao",
        "licheng-power-pianbao",
        "pingshun-service-beian",
    }
    assert all(m.confidence == 1.0 for m in confirmed.members)
    # the records left out are still grouped among themselves, as a proposal
    assert by_record["huguan-power-pianbao"] is by_record["zhangzi-power-pianbao"]
    assert by_record["huguan-service-jiuzhu"] is not by_record["zhangzi-service-jiuzhu"]


def test_a_bad_matters_file_is_an_error_with_file_line_and_field(tmp_path):
    registry = tmp_path / "peers"
    shutil.copytree(PEERS, registry)
    path = registry / "matters.yaml"
    path.write_text("matters:\n  - id: x\n    records: [pingshun-service-beian]\n    recrods: [a]\n", encoding="utf-8")
    (error,) = validate(registry).errors
    assert error.file.endswith("matters.yaml") and error.line == 4 and error.field == "matters[0].recrods"
    path.write_text(
        "matters:\n  - id: x\n    records:\n      - pingshun-service-beian\n      - pingshun-ybj\n", encoding="utf-8"
    )
    (error,) = validate(registry).errors
    assert (error.line, error.field) == (5, "matters[0].records[1]")
    assert "pingshun-ybj is not the ID of a power or service" in error.message
    assert load_registry(registry).errors == []  # the record loader does not read matters.yaml


def test_matters_table_rows_carry_confidence_and_evidence():
    from qingdan.matter_tables import matter_rows

    report = validate(PEERS)
    rows = matter_rows(report.registry, match_matters(report.registry))
    assert len({r["matter"] for r in rows["matter_members"]}) == len(rows["matters"])
    shared = [r for r in rows["matters"] if r["agencies"] == 4]
    assert shared and all(r["status"] == "proposed" for r in shared)
    assert all(r["evidence"] for r in rows["matter_members"] if r["matter"] in {s["id"] for s in shared})
    assert shared_matters(match_matters(report.registry))


def test_comparison_marks_the_longest_time_limit_extra_materials_and_a_different_category():
    from qingdan.comparison import compare

    registry = validate(PEERS).registry
    by_record = matter_of(match_matters(registry))
    rows = {r.agency: r for r in compare(registry, by_record["pingshun-service-jiuzhu"])}
    assert [a for a, r in rows.items() if any("时限最长" in o for o in r.outliers)] == ["huguan-ybj"]
    assert [a for a, r in rows.items() if any("材料最多" in o for o in r.outliers)] == ["licheng-ybj"]
    assert rows["huguan-ybj"].time_limit == "30个工作日" and rows["licheng-ybj"].materials == 3
    seeds = seed_registry()
    seed_rows = {r.agency: r for r in compare(seeds, matter_of(match_matters(seeds))["140423-ybj-power-06"])}
    assert any("类别与其他机构不同" in o for o in seed_rows["140423-ybj"].outliers)
    assert seed_rows["140423-ybj"].code == "3400-F-00100-140423" and seed_rows["510700-ybj"].code is None


def test_a_basis_the_others_do_not_cite_is_marked(tmp_path):
    from qingdan.comparison import compare

    registry = tmp_path / "peers"
    shutil.copytree(PEERS, registry)
    path = registry / "counties" / "registry.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "      - {title: 医疗保障基金使用监督管理条例, article: 第四十条}\n"
    text = text.replace(marker, marker + "      - {title: 山西省医疗保障条例, article: 第九条}\n", 1)
    path.write_text(text, encoding="utf-8")
    loaded = validate(registry).registry
    rows = compare(loaded, matter_of(match_matters(loaded))["pingshun-power-pianbao"])
    marked = [r.agency for r in rows if any("其他机构未引用的依据：山西省医疗保障条例" in o for o in r.outliers)]
    assert marked == ["pingshun-ybj"]


def test_the_graph_links_agencies_listing_the_same_matter():
    from qingdan.graph import build_graph, neighbours

    registry = validate(PEERS).registry
    graph = build_graph(registry)
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if d["relation"] == "lists_same_matter"]
    assert {frozenset((u, v)) for u, v, _ in edges} == {
        frozenset((a, b))
        for a in ("pingshun-ybj", "licheng-ybj", "huguan-ybj", "zhangzi-ybj")
        for b in ("pingshun-ybj", "licheng-ybj", "huguan-ybj", "zhangzi-ybj")
        if a < b
    }
    pair = next(d for u, v, d in edges if {u, v} == {"pingshun-ybj", "licheng-ybj"})
    assert "医疗救助" in pair["matter"] and "城乡居民" in pair["matter"] and pair["weight"] == 6
    (zhangzi,) = [row for row in neighbours(graph, "zhangzi-ybj") if row["id"] == "licheng-ybj"]
    assert zhangzi["types"] == ["lists_same_matter"]
    seeds = build_graph(seed_registry())
    assert any(
        d["relation"] == "lists_same_matter" and {u, v} == {"140423-ybj", "510700-ybj"}
        for u, v, d in seeds.edges(data=True)
    )


def test_two_matters_whose_short_ids_collide_get_different_ids():
    """p833508 and p961198 share the first 10 hex digits of their SHA-256 (2cc66f50f5)."""
    import copy

    from qingdan.registry import Entry

    registry = copy.copy(seed_registry())
    registry.entries, registry.by_kind = dict(registry.entries), dict(registry.by_kind)
    template = registry.entries["140423-ybj-power-06"]
    registry.by_kind["power"] = list(registry.by_kind["power"])
    for record_id, name in (("p961198", "合成职权甲"), ("p833508", "合成职权乙")):
        record = template.record.model_copy(update={"id": record_id, "name": name, "code": None})
        registry.entries[record_id] = Entry("power", record, template.file, template.path)
        registry.by_kind["power"].append(record)
    by_record = matter_of(match_matters(registry))
    first, second = by_record["p833508"], by_record["p961198"]
    assert first.id == "matter-2cc66f50f5" and second.id.startswith("matter-2cc66f50f5") and second.id != first.id
    assert len({m.id for m in by_record.values()}) == len({id(m) for m in by_record.values()})
