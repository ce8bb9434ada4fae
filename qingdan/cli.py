"""The `qingdan` command: each verb is a thin layer over a function of the package."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from .i18n import N_ as _N

# Each verb imports the module it is a layer over when it runs, so `qingdan --help` or `qingdan validate`
# does not load the workbook, draft-reading, graph and site libraries (about a second).
from .i18n import _
from .i18n import setup as setup_messages
from .settings import DATASETTE_PORT, HOST, REPLICAS, SITE_PORT, default_datasette_url
from .terminal import printable

DEFAULT_REGISTRY = "registry"
setup_messages()  # click's own strings and ours from one catalog, in the reader's language (qingdan/i18n.py)


class _Translated:
    """Help texts shown in the reader's language: the command's, its options' and its subcommands' short
    help, translated when shown (the code keeps them in English, the catalog has their translations)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:  # click makes it once, in the language of that moment: now in this one
            option.help = _("Show this message and exit.")
        return option

    def format_help(self, ctx, formatter):
        saved = (self.help, [(p, getattr(p, "help", None)) for p in self.get_params(ctx)])
        self.help = _(click.unstyle(self.help).strip()) if self.help else self.help
        for param, text in saved[1]:
            if text:
                param.help = _(text)
        try:
            super().format_help(ctx, formatter)
        finally:
            self.help = saved[0]
            for param, text in saved[1]:
                if text:
                    param.help = text

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help
        self.help = _(click.unstyle(self.help).strip()) if self.help else self.help
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help = saved


class Command(_Translated, click.Command):
    pass


class Group(_Translated, click.Group):
    command_class = Command


@click.group(cls=Group)
@click.version_option(package_name="qingdan", help="Show the version and exit.")
def cli():
    """qingdan: the registry of government duty and power lists."""


# Messages the registry's checks write without variables (registry.plain_message), for the catalog.
STATIC_MESSAGES = (
    _N("this required field is missing"),
    _N("unknown field: it is not part of this kind of record (check the spelling)"),
    _N("must not be empty"),
    _N("must not be empty text"),
    _N("no such file or folder"),
    _N("expected a list of records"),
)


def field_label(field: str) -> str:
    """The Chinese label of a problem's field (`powers[0].source` → 来源), or nothing."""
    from .spreadsheet.labels import FIELDS

    parts = [re.sub(r"\[\d+\]$", "", part) for part in field.split(".")]
    for key in (".".join(parts[-2:]), parts[-1]):
        if key in FIELDS:
            return FIELDS[key][0]
    return ""


def shown_problem(problem) -> str:
    """A problem as `problem.format()` writes it, in Chinese for a Chinese reader: the finding's Chinese
    message, the field's label beside its key, the severity's name; file, line and field stay exact."""
    from .i18n import chinese
    from .labels import zh_label

    if not chinese():
        return problem.format()
    label = field_label(problem.field)
    field = f"{problem.field}（{label}）" if label else problem.field
    tag = "" if problem.is_error else f"[{zh_label('severity', problem.severity)}] "
    message = problem.message_zh or _(problem.message)
    return printable(f"{problem.file}:{problem.line}: {field}: {tag}{message}")


def kind_name(kind: str) -> str:
    from .i18n import chinese
    from .models import KINDS

    names = {k.section or k.name: k.zh for k in KINDS} | {k.name: k.zh for k in KINDS}
    return names.get(kind, kind) if chinese() else kind


def severity_name(severity: str) -> str:
    from .i18n import chinese
    from .labels import zh_label

    return zh_label("severity", severity) if chinese() else severity


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
            click.echo(shown_problem(problem), err=True)
        if not quiet:
            for problem in report.findings:
                click.echo(shown_problem(problem))
        summary = report.as_dict()["summary"]
        records = _(", ").join(f"{n} {kind_name(k)}" for k, n in summary["records"].items())
        by_severity = _(", ").join(f"{n} {severity_name(s)}" for s, n in summary["findings_by_severity"].items() if n)
        click.echo(
            _("{errors} errors, {findings} findings ({by_severity})").format(
                errors=summary["errors"], findings=summary["findings"], by_severity=by_severity or _("none")
            )
        )
        click.echo(_("records: {records}").format(records=records or _("none")))
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
    from .progress import for_stream

    try:
        result = run_build(
            registry,
            dist,
            site_url=site_url,
            datasette_url=datasette_url,
            site=not no_site,
            version=version,
            progress=for_stream(),  # phases on a terminal only
        )
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    counts = result.report.as_dict()["summary"]
    click.echo(
        _("built {dist}/ from registry {version} ({date}): {records} records, {findings} findings").format(
            dist=dist,
            version=result.stamp["version"],
            date=result.stamp["date"],
            records=sum(counts["records"].values()),
            findings=counts["findings"],
        )
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
    from .progress import for_stream, using

    try:
        with using(for_stream()):  # a PDF's pages read, on a terminal only
            result = draft_agency(
                source, agency_id, registry_path, name=name, url=url, force=force, columns=columns, dry_run=dry_run
            )
    except DraftError as exc:
        raise click.ClickException(f"{_inert(str(exc), source, registry_path)}\n" + _("nothing was written")) from None
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
