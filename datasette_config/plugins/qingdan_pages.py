"""Datasette plugin: what the Chinese page templates (datasette_config/templates/) need.

- `qingdan_site_url`: the public site, for the "返回清单网站" link on every page (from the metadata's
  `qingdan_site_url`, written by the build; `/` when none was given);
- `qingdan_param_labels`: Chinese labels for the canned queries' input boxes.
"""

from datasette import hookimpl

PARAM_LABELS = {
    "q": "要办的事（用自己的话说）",
    "code": "职权编码",
    "region": "地区（可不填）",
}


@hookimpl
def extra_template_vars(datasette):
    return {
        "qingdan_site_url": datasette.metadata("qingdan_site_url") or "/",
        "qingdan_param_labels": PARAM_LABELS,
    }
