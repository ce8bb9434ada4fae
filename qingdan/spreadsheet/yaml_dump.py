"""Registry YAML as the import writes it: the schema line, block style, long text on one line."""

from __future__ import annotations

import yaml

SCHEMA_LINE = "# yaml-language-server: $schema=../schema/registry-file.schema.json\n"


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, multi-line text as literal blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def yaml_text(section: str, records: list[dict]) -> str:
    """One registry file: the schema line, then the section's records."""
    body = yaml.dump(
        {section: records}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )  # long text stays on one line
    return SCHEMA_LINE + body
