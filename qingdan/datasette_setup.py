"""Datasette configuration: metadata derived from the models, and the serving command line."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

import yaml

from .atomic import atomic_write_text
from .completeness import column_descriptions as completeness_column_descriptions
from .db import schema
from .matter_tables import column_descriptions as matter_column_descriptions
from .settings import DATASETTE_PORT, FACET_TIME_LIMIT_MS, HOST, MAX_RETURNED_ROWS, SQL_TIME_LIMIT_MS, settings

DATABASE_NAME = "qingdan"

try:  # the C loader reads metadata.yml about 10x faster; the file is ours, plain YAML either way
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader


def _hand_written() -> dict:
    """datasette_config/metadata.yml as written (titles, canned queries, facets)."""
    return yaml.load((settings().datasette_config / "metadata.yml").read_text(encoding="utf-8"), Loader=_Loader)


def column_descriptions() -> dict[str, dict[str, str]]:
    """Column descriptions for every table, taken from the models' field descriptions."""
    return {**schema().descriptions, **matter_column_descriptions(), **completeness_column_descriptions()}


# Columns the database adds beside the models' fields.
EXTRA_LABELS = {
    "id": "ID",
    "page_url": "页面地址",
    "matter_type_code": "事项类型代码",
    "level_codes": "行使层级代码",
    "position": "顺序",
    "role": "所在列表",
    "legal_basis": "法律依据",
    "title": "标题",
    "doc_number": "文号",
    "from_node": "起点",
    "to_node": "终点",
    # the parts of a power's code, as its scheme parses it (codes.CODE_PARTS)
    "code_region": "编码·区划",
    "code_agency": "编码·部门",
    "code_category": "编码·类别",
    "code_item": "编码·事项",
    "code_subitem": "编码·子项",
}


# Tables made by the build rather than from a record model: their columns' labels, written here.
DERIVED_LABELS = {
    "thesaurus": {"word": "日常说法", "terms": "清单用语"},
    "completeness": {
        "agency": "机构",
        "agency_name": "机构名称",
        "matter_type": "事项类型代码",
        "matter_name": "事项类型",
        "records": "事项数",
        "expected": "应载要素数",
        "given": "已载要素数",
        "share": "完整程度",
    },
    "quality_findings": {
        "id": "ID",
        "severity": "严重程度",
        "code": "问题类型",
        "file": "文件",
        "line": "行号",
        "field": "字段",
        "message": "说明（英文）",
        "message_zh": "说明",
        "record": "记录",
        "agency": "机构",
        "records": "相关记录",
    },
    "graph_nodes": {
        "id": "ID",
        "node_type": "节点类型",
        "name": "名称",
        "kind": "类型",
        "unit_kind": "科室类型",
        "level": "层级",
        "region": "地区",
        "parent": "上级",
        "agency": "所属机构",
        "documents": "来源文件",
        "document_count": "文件数",
        "degree": "连接数",
        "weighted_degree": "加权连接数",
        "betweenness": "中介中心度",
        "page_url": "页面地址",
    },
    "graph_edges": {
        "id": "ID",
        "source": "起点",
        "target": "终点",
        "relation": "关系",
        "directed": "有向",
        "label": "说明",
        "matter": "事项",
        "records": "相关记录",
        "weight": "权重",
        "reconstructed": "系重建",
        "origin": "依据",
        "source_division": "起点分工",
        "target_division": "终点分工",
        "what": "内容",
    },
    "search_index": {
        "id": "ID",
        "kind": "类型",
        "kind_zh": "类型名称",
        "record_id": "记录",
        "agency": "机构",
        "agency_name": "机构名称",
        "region": "地区",
        "place": "地点",
        "title": "标题",
        "body": "正文",
        "page_url": "页面地址",
        "units": "科室",
        "people": "人员",
        "phones": "电话",
        "channels": "渠道",
        "title_seg": "标题分词",
        "body_seg": "正文分词",
        "about_seg": "相关分词",
        "region_seg": "地区分词",
    },
    "matters": {
        "id": "ID",
        "title": "事项名称",
        "status": "状态",
        "agencies": "机构数",
        "confidence": "可信度",
        "page_url": "页面地址",
    },
    "matter_members": {
        "matter": "事项",
        "record": "记录",
        "kind": "类型",
        "agency": "机构",
        "name": "名称",
        "confidence": "可信度",
        "evidence": "归并依据",
        "category": "类别",
        "code": "编码",
        "legal_bases": "法律依据",
        "time_limit": "办理时限",
        "fees": "收费",
        "materials": "申请材料",
        "level": "行使层级",
        "steps": "办理步骤",
        "outliers": "与他处不同",
        "page_url": "页面地址",
    },
    "builds": {"version": "版本", "built_at": "构建时间", "records": "记录数", "findings": "问题数"},
    "changes": {
        "revision": "修订",
        "date": "日期",
        "message": "修订说明",
        "change": "变化",
        "record_kind": "记录类型",
        "record_id": "记录",
        "agency": "机构",
        "title": "标题",
        "fields": "变化的字段",
    },
}


def column_labels() -> dict[str, dict[str, str]]:
    """The Chinese label of each column of each table (the workbook's column names: spreadsheet/labels.py,
    a nested model's fields after its own label, 来源·行号), for Datasette's column headings. Columns
    without one are left out (the heading shows the key alone)."""
    from . import models
    from .db import CHILD_TABLES, MODEL_OF_KIND, TABLE_KIND, TABLES, WORK_ITEM_OWNERS, column_plan
    from .spreadsheet.labels import FIELDS

    kind_names = {kind.name: kind.zh for kind in models.KINDS}
    labels: dict[str, dict[str, str]] = {}

    def label(model, name: str, prefix: str | None, prefix_label: str | None) -> str | None:
        if prefix and f"{prefix}.{name}" in FIELDS:
            return FIELDS[f"{prefix}.{name}"][0]
        found = FIELDS.get(f"{model.__name__}.{name}") or FIELDS.get(name)
        if found is None:
            return None
        return f"{prefix_label}·{found[0]}" if prefix_label else found[0]

    def walk(model, table: str, column_prefix: str = "", prefix: str | None = None, prefix_label: str | None = None):
        for name, _description, nested, is_list, _ref in column_plan(model):
            own = label(model, name, prefix, prefix_label)
            if nested is not None and is_list:
                if name == "work_items":
                    continue
                child = CHILD_TABLES.get(name, f"{table}_{name}")
                parent = TABLE_KIND.get(table, table)
                if parent in kind_names:
                    labels.setdefault(child, {})[parent] = f"所属{kind_names[parent]}"
                walk(nested, child)
            elif nested is not None:
                walk(nested, table, f"{column_prefix}{name}_", name, own or name)
            elif own:
                labels.setdefault(table, {}).setdefault(column_prefix + name, own)

    for kind, model in MODEL_OF_KIND.items():
        walk(model, TABLES[kind])
    for table, derived in DERIVED_LABELS.items():
        labels.setdefault(table, {}).update(derived)
    for owner in WORK_ITEM_OWNERS:
        labels.setdefault(TABLES["work_item"], {})[owner] = f"所属{kind_names[owner]}"
    for table, columns in schema().columns.items():
        for column in columns:
            if column in EXTRA_LABELS:
                labels.setdefault(table, {}).setdefault(column, EXTRA_LABELS[column])
    return labels


def metadata(site_url: str = "") -> dict:
    """The hand-written metadata.yml with column descriptions from the models merged in."""
    data = _hand_written()
    tables = data.setdefault("databases", {}).setdefault(DATABASE_NAME, {}).setdefault("tables", {})
    for table, columns in column_descriptions().items():
        tables.setdefault(table, {}).setdefault("columns", {}).update(
            {c: d for c, d in columns.items() if c not in tables[table].get("columns", {})}
        )
    for table, labels in column_labels().items():  # shown above each column's key (qingdan_pages.py)
        tables.setdefault(table, {})["qingdan_labels"] = labels
    if site_url:
        data["description_html"] += f'<p><a href="{html.escape(site_url, quote=True)}">返回清单网站</a></p>'
        data["qingdan_site_url"] = site_url  # the templates' link back to the site
    return data


def canned_queries() -> list[tuple[str, str]]:
    """(name, Chinese title) of each ready-made query, for the site to link to."""
    data = _hand_written()
    return [(name, q["title"]) for name, q in data["databases"][DATABASE_NAME]["queries"].items()]


def write_metadata(path: Path, site_url: str = "") -> Path:
    atomic_write_text(path, json.dumps(metadata(site_url), ensure_ascii=False, indent=2, sort_keys=True))
    return path


def datasette_args(db_path: Path, metadata_path: Path, host: str = HOST, port: int = DATASETTE_PORT) -> list[str]:
    """The public instance: immutable, no arbitrary SQL (canned queries still run), time-limited, CORS on."""
    config = settings().datasette_config
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--plugins-dir",
        str(config / "plugins"),
        "--template-dir",
        str(config / "templates"),
        "--host",
        host,
        "--port",
        str(port),
        "--cors",
        "--setting",
        "sql_time_limit_ms",
        str(SQL_TIME_LIMIT_MS),
        "--setting",
        "facet_time_limit_ms",
        str(FACET_TIME_LIMIT_MS),
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "max_returned_rows",
        str(MAX_RETURNED_ROWS),
    ]
