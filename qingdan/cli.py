"""The `qingdan` command: each verb is a thin layer over a function of the package."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

# Each verb imports the module it is a layer over when it runs, so `qingdan --help` or `qingdan validate`
# does not load the workbook, draft-reading, graph and site libraries (about a second).
from .settings import DATASETTE_PORT, HOST, REPLICAS, SITE_PORT, default_datasette_url
from .terminal import printable

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
    from .validate import validate as validate_registry

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
@click.argument("registry", default=DEFAULT_REGISTRY, type=click.Path(path_type=Path))
@click.option("--dist", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
@click.option("--site-url", default="", help="Public address of the site, so database rows link to their pages.")
@click.option("--datasette-url", default=default_datasette_url(), show_default=True)
@click.option("--no-site", is_flag=True, help="Build the database, CSV and graph only (the new dist has no site).")
@click.option("--version", "version", default=None, help="Version string to stamp (default: git revision).")
def build(registry: Path, dist: Path, site_url: str, datasette_url: str, no_site: bool, version: str | None):
    """Build dist/: the SQLite database, the graph files and the site."""
    from .build import BuildError
    from .build import build as run_build

    try:
        result = run_build(
            registry, dist, site_url=site_url, datasette_url=datasette_url, site=not no_site, version=version
        )
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    counts = result.report.as_dict()["summary"]
    click.echo(
        f"built {dist}/ from registry {result.stamp['version']} ({result.stamp['date']}): "
        f"{sum(counts['records'].values())} records, {counts['findings']} findings"
    )


@cli.command()
@click.option("--dist", type=click.Path(path_type=Path, exists=True), default=Path("dist"), show_default=True)
@click.option("--host", default=HOST, show_default=True)
@click.option("--site-port", default=SITE_PORT, show_default=True)
@click.option("--datasette-port", default=DATASETTE_PORT, show_default=True)
@click.option("--prod", is_flag=True, help="nginx in front of the site and several Datasette replicas.")
@click.option(
    "--replicas",
    default=REPLICAS,
    show_default=True,
    help="Datasette replicas (with --prod), on the ports after --datasette-port.",
)
@click.option(
    "--runtime",
    type=click.Path(path_type=Path),
    help="Folder for nginx's files (with --prod; default build/serve-prod).",
)
def serve(dist: Path, host: str, site_port: int, datasette_port: int, prod: bool, replicas: int, runtime: Path | None):
    """Serve the built site and the read-only Datasette instance side by side."""
    from .serve import serve_both
    from .serve_prod import ProdError, default_layout, serve_prod

    if not prod:
        serve_both(dist, host=host, site_port=site_port, datasette_port=datasette_port)
        return
    if replicas < 1:
        raise click.BadParameter("at least one replica", param_hint="--replicas")
    layout = default_layout(dist, host, site_port, datasette_port, replicas)
    if runtime:
        layout.runtime = runtime.absolute()
    try:
        serve_prod(layout)
    except ProdError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--registry",
    "registry_path",
    default=DEFAULT_REGISTRY,
    show_default=True,
    help="Registry folder inside the repository (for git revisions).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def diff_command(old: str, new: str, registry_path: str, fmt: str):
    """List records added, removed and changed between OLD and NEW (folders or git revisions)."""
    from .diff import DiffError
    from .diff import diff as diff_sides

    try:
        changes = diff_sides(old, new, registry_path)
    except DiffError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps([c.as_dict() for c in changes], ensure_ascii=False, indent=2, default=str))
        return
    for change in changes:
        click.echo(printable(f"{change.kind} {change.record_kind} {change.record_id}: {change.title[:60]}"))
        for f in change.fields:
            click.echo(printable(f"    {f.field}: {f.old} → {f.new}"))
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("added", "removed", "changed")}
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()))


@cli.command()
@click.argument("agency")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Workbook to write (.xlsx).")
@click.option(
    "--registry", "registry_path", type=click.Path(path_type=Path), default=Path(DEFAULT_REGISTRY), show_default=True
)
def template(agency: str, output: Path, registry_path: Path):
    """Write a spreadsheet for AGENCY, pre-filled with its current records."""
    from .registry import load_registry
    from .spreadsheet import SpreadsheetError, write_template

    try:
        write_template(registry_path, agency, output)
    except SpreadsheetError as exc:
        raise click.ClickException(str(exc)) from None
    if load_registry(registry_path).get(agency) is None:
        click.echo(
            f"{agency} is not in {registry_path}: the workbook is empty, for a new agency "
            "(check the ID if you meant an existing one)",
            err=True,
        )
    click.echo(f"wrote {output}")


@cli.command("import")
@click.argument("workbook", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--registry", "registry_path", type=click.Path(path_type=Path), default=Path(DEFAULT_REGISTRY), show_default=True
)
@click.option("--check", is_flag=True, help="Check the workbook only; write nothing.")
def import_command(workbook: Path, registry_path: Path, check: bool):
    """Turn a filled workbook into registry YAML for its agency (nothing is written on errors)."""
    from .spreadsheet import SpreadsheetError, import_workbook

    try:
        result = import_workbook(registry_path, workbook, write=not check)
    except SpreadsheetError as exc:
        raise click.ClickException(_inert(str(exc), workbook, registry_path)) from None
    for problem in result.errors:
        click.echo(problem.format(), err=True)
    if not result.ok:
        click.echo(f"{len(result.errors)} errors; nothing was written", err=True)
        sys.exit(1)
    if check:
        for finding in result.findings:
            click.echo(finding.format())
    click.echo(result.summary())


def _inert(message: str, *paths: Path) -> str:
    """A message for the terminal: the file names given (which may hold escapes or newlines) and every line shown
    inert, the message's own line breaks kept."""
    for path in paths:
        message = message.replace(str(path), printable(str(path)))
    return "\n".join(printable(line) for line in message.split("\n"))


@cli.command("draft")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--agency", "agency_id", required=True, help="ID of the new agency, e.g. 140423-ybj.")
@click.option("--name", default=None, help="Full name of the agency (机构全称), if the title does not give it.")
@click.option("--url", default=None, help="Where the file was published.")
@click.option(
    "--registry", "registry_path", type=click.Path(path_type=Path), default=Path(DEFAULT_REGISTRY), show_default=True
)
@click.option("--force", is_flag=True, help="Replace the agency's existing folder.")
@click.option(
    "--columns",
    default=None,
    help='What column names mean where they are not recognised, e.g. "地方权力编码=code,审核事项=name".',
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the layout found, how each column is read and why, and the first records; write nothing.",
)
def draft_command(
    source: Path,
    agency_id: str,
    name: str | None,
    url: str | None,
    registry_path: Path,
    force: bool,
    columns: str | None,
    dry_run: bool,
):
    """Draft a registry folder from a bureau's own list or guide (.docx, .xlsx, .html, .pdf, .txt)."""
    from .draft import DraftError
    from .draft import draft as draft_agency

    try:
        result = draft_agency(
            source, agency_id, registry_path, name=name, url=url, force=force, columns=columns, dry_run=dry_run
        )
    except DraftError as exc:
        raise click.ClickException(f"{_inert(str(exc), source, registry_path)}\nnothing was written") from None
    click.echo(result.preview() if dry_run else result.summary())


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path(DEFAULT_REGISTRY) / "schema" / "registry-file.schema.json",
)
def schema(output: Path):
    """Write the JSON Schema of a registry file (for editors)."""
    from .schema import write_schema

    write_schema(output)
    click.echo(f"wrote {output}")


if __name__ == "__main__":  # pragma: no cover
    cli()
