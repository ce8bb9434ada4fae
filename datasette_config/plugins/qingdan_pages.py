"""Datasette plugin: what the Chinese page templates (datasette_config/templates/) need.

- `qingdan_site_url`: the public site, for the "返回清单网站" link on every page (from the metadata's
  `qingdan_site_url`, written by the build; `/` when none was given);
- `qingdan_param_labels`: Chinese labels for the canned queries' input boxes;
- `qingdan_column_labels`: the Chinese label of each column of the table shown (the metadata's
  `qingdan_labels`, from the models: datasette_setup.column_labels), above its key in the headings;
- cells holding bidi controls shown with visible marks (`render_cell`).
"""

import html

from datasette import hookimpl
from markupsafe import Markup

from qingdan.bidi import BIDI_CONTROLS, visible

PARAM_LABELS = {
    "q": "要办的事（用自己的话说）",
    "code": "职权编码",
    "region": "地区（可不填）",
}


@hookimpl
def extra_template_vars(datasette, database, table):
    labels = {}
    if database and table:
        labels = datasette.table_metadata(database, table).get("qingdan_labels") or {}
    return {
        "qingdan_site_url": datasette.metadata("qingdan_site_url") or "/",
        "qingdan_param_labels": PARAM_LABELS,
        "qingdan_column_labels": labels,
    }


@hookimpl
def render_cell(value):
    """Registry text holding bidi controls is shown with visible marks ([U+202E]), as on the site,
    so a control cannot reverse or hide what a cell shows; JSON and CSV keep the text exact."""
    if isinstance(value, str) and BIDI_CONTROLS.search(value):
        return Markup(html.escape(visible(value)))
    return None
