"""The `qingdan` command: each verb is a thin layer over a function of the package."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .schema import write_schema
from .validate import validate as validate_registry

DEFAULT_REGISTRY = "registry"


@click.group()
@click.version_option(package_name="qingdan")
def cli():
    """qingdan: the registry of government duty and power lists."""


@cli.command()
@click.argument("path", default=DEFAULT_REGISTRY, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--quiet", "-q", is_flag=True, help="Print errors and the summary, not every finding.")
def validate(path: Path, fmt: str, quiet: bool):
    """Validate a registry: exit 1 on errors; findings are printed and exit 0."""
    report = validate_registry(path)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for problem in report.errors:
            click.echo(problem.format(), err=True)
        if not quiet:
            for problem in report.findings:
                click.echo(problem.format())
        summary = report.as_dict()["summary"]
        records = ", ".join(f"{n} {k}" for k, n in summary["records"].items())
        by_severity = ", ".join(f"{n} {s}" for s, n in summary["findings_by_severity"].items() if n)
        click.echo(f"{summary['errors']} errors, {summary['findings']} findings ({by_severity or 'none'})")
        click.echo(f"records: {records or 'none'}")
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path(DEFAULT_REGISTRY) / "schema" / "registry-file.schema.json")
def schema(output: Path):
    """Write the JSON Schema of a registry file (for editors)."""
    write_schema(output)
    click.echo(f"wrote {output}")


if __name__ == "__main__":  # pragma: no cover
    cli()
