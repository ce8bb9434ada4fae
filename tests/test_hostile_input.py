"""Hostile input corpus, input side (issue 16): registry YAML, source files, code schemes,
terminal output, `qingdan diff` and workbooks for `qingdan import`.

Each case names its expected outcome (an error code, or a safe result) and runs within a time
and memory bound: in-process under an alarm and tracemalloc, or, where a regression could hang
or crash the interpreter, in a subprocess under RLIMIT_AS and a timeout (marked slow).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from qingdan.cli import cli
from qingdan.codes import MAX_CODE_CHARS, SchemeError, scheme_pattern
from qingdan.registry import load_registry
from qingdan.safefiles import UnsafeFile, confined_path
from qingdan.search import load_segmenter
from qingdan.validate import validate
from qingdan.yamlload import YamlError, load_yaml

from .conftest import MINI, edit

ROOT = Path(__file__).parent.parent
MB = 2**20


@contextmanager
def bounded(seconds: float = 5.0, megabytes: int = 64):
    """Fail if the block runs longer than `seconds` or allocates more than `megabytes` (Python heap)."""

    def on_alarm(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    tracemalloc.start()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < megabytes * MB, f"peak memory {peak / MB:.0f} MB > {megabytes} MB"


def yaml_error(text: str) -> YamlError:
    with bounded(seconds=5, megabytes=64):
        with pytest.raises(YamlError) as caught:
            load_yaml(text)
    return caught.value


def errors_of(registry: Path, seconds: float = 10, megabytes: int = 128) -> list:
    # The bounds are for the hostile input, not for jieba's one-time dictionary load: under
    # tracemalloc that load alone takes 30 s or more (and it ran inside the first bounded test).
    load_segmenter()
    with bounded(seconds, megabytes):
        report = validate(registry)
    return report.errors


def only_error(registry: Path, code: str, **bounds):
    errors = errors_of(registry, **bounds)
    matching = [p for p in errors if p.code == code]
    assert matching, f"expected a {code} error, got {[p.format() for p in errors]}"
    return matching[0]


def set_document_file(mini: Path, value: str) -> None:
    edit(mini, "    file: mini.txt", f"    file: {value}")


# --- the YAML loader -------------------------------------------------------------------

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)

LOADER_CASES = {
    # case: (YAML text, expected code, words in the message)
    "billion laughs": (BILLION_LAUGHS, "yaml_alias", "expands to more than"),
    "alias cycle in a list": ("persons: &a [*a]\n", "yaml_alias", "contains it"),
    "alias cycle in a mapping": ("a: &a {b: *a}\n", "yaml_alias", "contains it"),
    "alias to no anchor": ("a: *nowhere\n", "yaml_alias", "no anchor"),
    "too many aliases": ("a: &a x\nb: [" + ", ".join(["*a"] * 150) + "]\n", "yaml_alias", "aliases"),
    "10,000 nested [": ("a: " + "[" * 10_000 + "]" * 10_000, "yaml_depth", "nested"),
    "10,000 nested {a:": ("a: " + "{a: " * 10_000 + "1" + "}" * 10_000, "yaml_depth", "nested"),
    "1,000,000 nested [ (crashes the C composer)": ("a: " + "[" * 1_000_000, "yaml_depth", "nested"),
    "deeply nested block mappings": (
        "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x\n",
        "yaml_depth",
        "nested",
    ),
    "!!python/name tag": ("a: !!python/name:os.system\n", "yaml_tag", "!!python/name:os.system"),
    "!!python/object/apply tag": ("a: !!python/object/apply:os.system [echo hi]\n", "yaml_tag", "tags"),
    "local tag !foo": ("a: !foo bar\n", "yaml_tag", "!foo"),
    "!!int notanint": ("a: !!int notanint\n", "yaml_tag", "!!int"),
    "merge key": ("p: &p {a: 1}\nq:\n  <<: *p\n", "yaml_tag", "merge keys"),
    "raw NUL byte": ("a: b\nc: d\x00e\n", "control_character", "NUL"),
    "raw escape byte": ("a: b\nc: \x1b[31mred\n", "control_character", "U+001B"),
    "terminal title escape written as \\e": ('a: "\\e]0;pwned\\a"\n', "control_character", "U+001B"),
    "NUL written as \\0": ('a: "x\\0y"\n', "control_character", "NUL"),
    "C1 control character": ("a: x\u009by\n", "control_character", "U+009B"),
    "5,000-digit number": ("a: " + "1" * 5000 + "\n", "malformed_value", "digits"),
    "duplicate key": ("a: 1\nb: 2\na: 3\n", "duplicate_key", "'a' appears twice"),
    "two documents": ("a: 1\n---\nb: 2\n", "yaml_syntax", "one document"),
    "list as a key": ("? [a, b]\n: 1\n", "yaml_syntax", "plain value"),
    "unclosed flow list": ("a: [1, 2\nb: 3\n", "yaml_syntax", "YAML syntax"),
}


@pytest.mark.parametrize("case", list(LOADER_CASES))
def test_loader_refuses(case):
    text, code, words = LOADER_CASES[case]
    error = yaml_error(text)
    assert error.code == code
    assert words in error.message
    assert error.line >= 1


def test_loader_names_the_line_of_a_nul_byte():
    error = yaml_error("a: 1\nb: 2\nc: x\x00\n")
    assert (error.line, error.code) == (3, "control_character")
    assert "column 5" in error.message


def test_huge_single_line_loads_within_bounds():
    text = "a: " + "字" * 2_000_000 + "\n"
    with bounded(seconds=10, megabytes=64):
        loaded = load_yaml(text)
    assert len(loaded.data["a"]) == 2_000_000


def test_plain_aliases_within_the_limits_still_load():
    loaded = load_yaml("a: &x {k: v}\nb: [*x, *x]\n")
    assert loaded.data["b"] == [{"k": "v"}, {"k": "v"}]
    assert loaded.line_of(("b", 1)) == 2


def test_loader_errors_reach_validate_as_error_lines(mini):
    path = edit(mini, "    kind: 权责清单\n", "    kind: !!python/name:os.system\n")
    problem = only_error(mini, "yaml_tag")
    assert problem.file.endswith("registry.yaml") and problem.line == 7
    assert problem.format().startswith(f"{problem.file}:7: (file): YAML tags")
    assert path.exists()


# --- files the registry holds ----------------------------------------------------------


def test_yaml_file_over_the_size_cap(mini):
    with open(mini / "demo-bureau" / "huge.yaml", "wb") as handle:
        handle.truncate(100 * MB)  # sparse: 100 MB without using the disk
    problem = only_error(mini, "too_large")
    assert problem.file.endswith("huge.yaml")


def test_yaml_file_that_is_a_fifo_does_not_hang(mini):
    os.mkfifo(mini / "demo-bureau" / "pipe.yaml")
    problem = only_error(mini, "unsafe_path", seconds=5)
    assert problem.file.endswith("pipe.yaml") and "not a regular file" in problem.message


def test_symlinked_yaml_outside_the_registry_is_not_loaded(mini, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("agencies:\n  - id: leaked-secret\n", encoding="utf-8")
    (mini / "demo-bureau" / "link.yaml").symlink_to(secret)
    problem = only_error(mini, "unsafe_path")
    assert "outside the registry" in problem.message
    assert load_registry(mini).get("leaked-secret") is None


def test_symlinked_yaml_inside_the_registry_is_loaded(mini):
    (mini / "extra").mkdir()
    (mini / "extra" / "more.yaml").write_text("persons:\n", encoding="utf-8")
    (mini / "demo-bureau" / "same.yaml").symlink_to(mini / "extra" / "more.yaml")
    assert errors_of(mini) == []


def test_symlinked_folder_is_reported(mini, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_text("persons:\n", encoding="utf-8")
    (mini / "linked").symlink_to(outside, target_is_directory=True)
    problem = only_error(mini, "unsafe_path")
    assert problem.file.endswith("linked") and "folder" in problem.message


def test_upper_case_yaml_extension_is_reported(mini):
    (mini / "demo-bureau" / "x.YAML").write_text("persons:\n", encoding="utf-8")
    problem = only_error(mini, "file_name")
    assert problem.file.endswith("x.YAML") and ".yaml" in problem.message


def test_gbk_yaml_file(mini):
    (mini / "demo-bureau" / "gbk.yaml").write_bytes("persons:\n  - name: 张三\n".encode("gbk"))
    problem = only_error(mini, "encoding")
    assert problem.line == 2 and "GBK" in problem.message


def test_bidi_override_in_an_id_is_an_error_and_printed_escaped(mini):
    edit(mini, "  - id: demo-mzj\n", "  - id: demo-\u202emzj\n")
    errors = errors_of(mini)
    assert any(p.field == "agencies[1].id" for p in errors)
    assert all("\u202e" not in p.format() for p in errors)
    assert any("\\u202e" in p.format() for p in errors)


# --- files a document names (`file:` confined to sources/) -----------------------------

SOURCE_NAME_CASES = {
    # case: (value of file:, words in the message)
    "/etc/passwd": ("/etc/passwd", "absolute path"),
    "../../../../etc/hostname": ("../../../../etc/hostname", "'..'"),
    "/proc/self/environ": ("/proc/self/environ", "absolute path"),
    "/dev/zero": ("/dev/zero", "absolute path"),
    "/dev/stdin": ("/dev/stdin", "absolute path"),
    "the folder itself (.)": ("'.'", "folder"),
    "sub/../../x": ("sub/../../x.txt", "'..'"),
}


@pytest.mark.parametrize("case", list(SOURCE_NAME_CASES))
def test_document_file_outside_sources(mini, case):
    value, words = SOURCE_NAME_CASES[case]
    set_document_file(mini, value)
    problem = only_error(mini, "unsafe_path")
    assert problem.field == "documents[0].file" and words in problem.message


def test_document_file_linked_to_etc_passwd(mini):
    (mini / "sources" / "passwd.txt").symlink_to("/etc/passwd")
    set_document_file(mini, "passwd.txt")
    problem = only_error(mini, "unsafe_path")
    assert "outside sources/" in problem.message


def test_document_file_linked_to_dev_zero(mini):
    (mini / "sources" / "zero.txt").symlink_to("/dev/zero")
    set_document_file(mini, "zero.txt")
    assert only_error(mini, "unsafe_path").field == "documents[0].file"


def test_document_file_that_is_a_fifo_does_not_hang(mini):
    os.mkfifo(mini / "sources" / "pipe.txt")
    set_document_file(mini, "pipe.txt")
    assert "not a regular file" in only_error(mini, "unsafe_path", seconds=5).message


def test_document_file_that_is_a_folder(mini):
    (mini / "sources" / "sub").mkdir()
    set_document_file(mini, "sub")
    assert "folder" in only_error(mini, "unsafe_path").message


def test_document_file_over_the_size_cap(mini):
    with open(mini / "sources" / "big.txt", "wb") as handle:
        handle.truncate(30 * MB)
    set_document_file(mini, "big.txt")
    assert only_error(mini, "too_large").field == "documents[0].file"


def test_gbk_source_names_the_line(mini):
    text = (mini / "sources" / "mini.txt").read_text(encoding="utf-8")
    (mini / "sources" / "mini.txt").write_bytes(text.encode("gbk", errors="replace"))
    problem = only_error(mini, "encoding")
    assert "GBK" in problem.message and "line 1" in problem.message


def test_nul_in_a_document_file_name(mini):
    set_document_file(mini, '"mini\\0.txt"')
    assert only_error(mini, "control_character").line == 5
    with pytest.raises(UnsafeFile, match="NUL"):
        confined_path(mini / "sources", "mini\0.txt")


def test_sources_folder_linked_out_of_the_registry(mini, tmp_path):
    shutil.move(mini / "sources", tmp_path / "real-sources")
    (tmp_path / "real-sources" / "passwd.txt").symlink_to("/etc/passwd")
    (mini / "sources").symlink_to(tmp_path / "real-sources", target_is_directory=True)
    errors = errors_of(mini)
    assert any(p.code == "unsafe_path" and p.file.endswith("sources") for p in errors)
    documents = [p for p in errors if p.field == "documents[0].file"]
    assert documents and "sources/ is a symbolic link" in documents[0].message


@pytest.mark.parametrize(
    "original, code, words",
    [
        ("/etc/shadow", "unsafe_path", "absolute path"),
        ("../../secret.docx", "unsafe_path", "'..'"),
        ("missing.docx", "missing_source", "does not exist"),
        ("pipe.docx", "unsafe_path", "not a regular file"),
    ],
)
def test_document_original_is_confined_too(mini, original, code, words):
    os.mkfifo(mini / "sources" / "pipe.docx")
    edit(mini, "    file: mini.txt\n", f"    file: mini.txt\n    original: '{original}'\n")
    problem = only_error(mini, code, seconds=5)
    assert problem.field == "documents[0].original" and words in problem.message


def test_document_original_that_was_replaced(mini):
    (mini / "sources" / "mini.docx").write_bytes(b"the file as published")
    edit(mini, "    file: mini.txt\n", "    file: mini.txt\n    original: mini.docx\n    sha256: '" + "0" * 64 + "'\n")
    problem = only_error(mini, "checksum_mismatch")
    assert problem.field == "documents[0].sha256"


def test_document_url_must_be_http(mini):
    edit(mini, "    file: mini.txt\n", "    file: mini.txt\n    url: 'javascript:alert(1)'\n")
    assert only_error(mini, "malformed_value").field == "documents[0].url"


def test_link_inside_sources_to_another_source_is_fine(mini):
    (mini / "sources" / "alias.txt").symlink_to(mini / "sources" / "mini.txt")
    set_document_file(mini, "alias.txt")
    assert errors_of(mini) == []


def test_build_publishes_nothing_from_outside_sources(mini, tmp_path):
    from qingdan.build import BuildError, build

    set_document_file(mini, "/etc/passwd")
    dist = tmp_path / "dist"
    with bounded(seconds=20, megabytes=256):
        with pytest.raises(BuildError, match="unsafe_path|absolute path"):
            build(mini, dist, site=False)
    assert not dist.exists()


# --- code schemes ----------------------------------------------------------------------


def set_scheme_pattern(mini: Path, pattern: str) -> None:
    edit(
        mini,
        r"    pattern: '(?P<agency>\d{4})-(?P<category>[A-Z])-(?P<item>\d{3})(?P<subitem>\d{2})-(?P<region>\d{6})'",
        f"    pattern: '{pattern}'",
    )


SCHEME_CASES = {
    "(?P<item>(a+)+)b": "nests a repetition",
    "(?P<item>(a|ab)+)": "choice of alternatives",
    r"(?P<item>(\d)x\2)": "back-reference",
    r"(?P<item>(a?){30}a{30})": "nests a repetition",
    r"\d*\d*\d*\d*\d*(?P<item>x)": "variable length",
    "(?P<item>[a-": "not a valid regular expression",
}


@pytest.mark.parametrize("pattern", list(SCHEME_CASES))
def test_slow_scheme_patterns_are_refused(mini, pattern):
    set_scheme_pattern(mini, pattern)
    edit(mini, "    code: 3400-B-00100-140423", "    code: " + "a" * 64, count=2)
    problem = only_error(mini, "malformed_code", seconds=5)
    assert problem.field == "code_schemes[0].pattern" and SCHEME_CASES[pattern] in problem.message


def test_overlong_code_is_refused_before_matching():
    with bounded(seconds=2):
        scheme = scheme_pattern(r"(?P<item>\d+)-(?P<region>\d+)")
    assert scheme.fullmatch("1-2")
    from qingdan.codes import CodeError, parse_code
    from qingdan.models import CodeScheme

    model = CodeScheme(id="s", name="s", pattern=r"(?P<item>\d+)", source={"document": "d", "locator": "l", "line": 1})
    with pytest.raises(CodeError, match="longer than"):
        parse_code("1" * (MAX_CODE_CHARS + 1), model)


def test_safe_scheme_patterns_are_accepted():
    for pattern in (r"(?P<item>\d{3})(?:\d{2}){1,3}", r"(?P<agency>\d+)-(?P<category>[A-Z])-(?P<item>\d+)"):
        scheme_pattern(pattern)
    with pytest.raises(SchemeError):
        scheme_pattern("(?P<item>(a+)+)b")


# --- what validate prints --------------------------------------------------------------


def test_validate_prints_terminal_escapes_inert(mini):
    (mini / "demo-bureau" / "\x1b]0;pwned\x07.yaml").write_text("bogus: 1\n", encoding="utf-8")
    edit(mini, "    kind: 权责清单\n", '    kind: "\\e]0;title\\a"\n')
    with bounded(seconds=10, megabytes=128):
        result = CliRunner().invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 1
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "\x1b" not in output and "\x07" not in output
    assert "\\x1b]0;pwned\\x07.yaml" in output
    assert "control character U+001B" in output


# --- qingdan diff ----------------------------------------------------------------------


def test_diff_prints_bidi_overrides_inert(mini, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(mini, old)
    edit(mini, "    name: 襄垣县民政局\n", "    name: 襄垣县\u202e局政民\n")
    with bounded(seconds=10, megabytes=128):
        result = CliRunner().invoke(cli, ["diff", str(old), str(mini)])
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output and "襄垣县\\u202e局政民" in result.output


def test_diff_does_not_pass_options_to_git(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    with bounded(seconds=10, megabytes=128):
        result = CliRunner().invoke(cli, ["diff", "--", f"--output={victim}", str(ROOT / "registry")])
    assert result.exit_code == 1 and "neither a registry folder nor a git revision" in result.output
    assert victim.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("side", ["-c", "--output=x", "HEAD:registry", "no-such-revision", ""])
def test_diff_refuses_sides_that_are_not_revisions(side, tmp_path):
    from qingdan.diff import DiffError, registry_at

    with bounded(seconds=10, megabytes=64):
        with pytest.raises(DiffError, match="neither a registry folder nor a git revision"):
            registry_at(side, str(ROOT / "registry"))


# --- end to end, in a subprocess under a memory limit ------------------------------------


def run_limited(args: list[str], *, stdin=subprocess.DEVNULL, seconds: float = 60, megabytes: int = 1024):
    """Run `qingdan ARGS` with at most `megabytes` of address space and `seconds` of wall time."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * MB, megabytes * MB))

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "qingdan.cli", *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        stdin=stdin,
        preexec_fn=limit,
        cwd=ROOT,
    )
    return done, time.monotonic() - started


HOSTILE_REGISTRIES = {
    # case: (file name, YAML text, expected code)
    "billion laughs": ("bomb.yaml", BILLION_LAUGHS, "yaml_alias"),
    "1,000,000 nested [": ("deep.yaml", "a: " + "[" * 1_000_000, "yaml_depth"),
    "source /dev/zero": (
        "doc.yaml",
        textwrap.dedent(
            """\
            documents:
              - {id: doc-zero, title: t, file: /dev/zero, publisher: demo-ybj, kind: k}
            """
        ),
        "unsafe_path",
    ),
    "source /dev/stdin": (
        "doc.yaml",
        "documents:\n  - {id: doc-in, title: t, file: /dev/stdin, publisher: demo-ybj, kind: k}\n",
        "unsafe_path",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(HOSTILE_REGISTRIES))
def test_validate_command_survives(mini, case):
    name, text, code = HOSTILE_REGISTRIES[case]
    (mini / "demo-bureau" / name).write_text(text, encoding="utf-8")
    read_end, write_end = os.pipe()  # stdin that never ends: reading it would hang
    try:
        done, seconds = run_limited(["validate", str(mini), "--format", "json"], stdin=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f'"code": "{code}"' in done.stdout
    assert seconds < 30


# --- workbooks for qingdan import --------------------------------------------------------

INFO_SHEET, FOLDER_LABEL, POWER_SHEET = "说明", "目标文件夹", "职权"


@pytest.fixture(scope="module")
def mini_template(tmp_path_factory) -> Path:
    from qingdan.spreadsheet import write_template

    return write_template(MINI, "demo-ybj", tmp_path_factory.mktemp("template") / "demo.xlsx")


@pytest.fixture
def book(mini_template, tmp_path) -> Path:
    """A fresh copy of the mini registry's workbook for demo-ybj (written once per module)."""
    return Path(shutil.copy(mini_template, tmp_path / "demo.xlsx"))


def import_error(mini: Path, workbook: Path, words: str, seconds: float = 10, megabytes: int = 128) -> str:
    from qingdan.spreadsheet import SpreadsheetError, import_workbook

    with bounded(seconds, megabytes):
        with pytest.raises(SpreadsheetError) as caught:
            import_workbook(mini, workbook)
    assert words in str(caught.value)
    return str(caught.value)


def cell_errors(mini: Path, workbook: Path, seconds: float = 30, megabytes: int = 256) -> list[str]:
    from qingdan.spreadsheet import import_workbook

    before = snapshot(mini)
    with bounded(seconds, megabytes):
        result = import_workbook(mini, workbook)
    assert not result.written and snapshot(mini) == before  # nothing written
    return [problem.format() for problem in result.errors]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def rewrite_member(workbook: Path, name: str, transform) -> None:
    """Replace one part of the .xlsx zip by `transform(its bytes)`."""
    import zipfile

    parts = {}
    with zipfile.ZipFile(workbook) as archive:
        for info in archive.infolist():
            parts[info.filename] = archive.read(info)
    parts[name] = transform(parts[name])
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


def set_info(workbook: Path, label: str, value) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb[INFO_SHEET]
    row = next(r for r in range(1, 30) if ws.cell(r, 1).value == label)
    ws.cell(row, 2, value)
    wb.save(workbook)
    return f"B{row}"


@pytest.mark.slow
def test_zip_bomb_is_refused_before_parsing(mini, book):
    rewrite_member(book, "xl/worksheets/sheet2.xml", lambda data: data + b" " * 60_000_000)
    assert book.stat().st_size < 2_000_000
    import_error(mini, book, "zip bomb", megabytes=32)


def test_zip_that_understates_its_size_is_refused(mini, book):
    """The directory says 1,000 bytes; the member inflates to 10 MB: zipfile stops at 1,000 and fails the CRC."""
    rewrite_member(book, "xl/worksheets/sheet2.xml", lambda data: data + b" " * 10_000_000)
    raw = bytearray(book.read_bytes())
    name = b"xl/worksheets/sheet2.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(name)] == name:
                raw[start + size_at : start + size_at + 4] = (1000).to_bytes(4, "little")
            start += 4
    book.write_bytes(bytes(raw))
    import_error(mini, book, "not an .xlsx workbook that can be read", megabytes=32)


@pytest.mark.slow
def test_too_many_cells_are_refused_before_parsing(mini, book):
    cells = b"".join(b'<c r="A%d" t="n"><v>1</v></c>' % i for i in range(250_000))
    rewrite_member(
        book, "xl/worksheets/sheet2.xml", lambda data: data.replace(b"</sheetData>", cells + b"</sheetData>")
    )
    import_error(mini, book, "cells (at most 200,000)", megabytes=64)


@pytest.mark.slow
def test_one_far_cell_is_not_a_billion_empty_ones(mini, book):
    import openpyxl

    wb = openpyxl.load_workbook(book)
    wb[POWER_SHEET]["XFD1048576"] = "far"
    wb.save(book)
    import_error(mini, book, "reaches row 1,048,576 and column 16,384", megabytes=64)  # before parsing (issue 25)


XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(9))
    + b"]>"
)


def declared(declaration: bytes):
    """A transform putting `declaration` (an XML declaration and DTD) before the root element."""

    def inject(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return declaration + body

    return inject


@pytest.mark.parametrize("declaration", [XXE, ENTITY_BOMB], ids=["XXE", "entity bomb"])
def test_xml_declarations_are_refused(mini, book, declaration):
    rewrite_member(book, "xl/worksheets/sheet2.xml", declared(declaration))
    message = import_error(mini, book, "declares a DTD or XML entities")
    assert "sheet2.xml" in message


def test_openpyxl_parses_through_defusedxml(book):
    """Defence in depth: even without our check, openpyxl refuses entities when defusedxml is installed."""
    import openpyxl
    from defusedxml import DefusedXmlException

    assert openpyxl.DEFUSEDXML
    rewrite_member(book, "xl/worksheets/sheet2.xml", declared(XXE))
    with bounded(seconds=10, megabytes=64):
        with pytest.raises(ValueError) as caught:
            openpyxl.load_workbook(book)
    assert isinstance(caught.value.__cause__ or caught.value.__context__, DefusedXmlException)


def test_utf16_xml_is_refused(mini, book):
    rewrite_member(book, "xl/worksheets/sheet2.xml", lambda data: data.decode("utf-8").encode("utf-16"))
    import_error(mini, book, "not UTF-8 XML")


def test_a_file_that_is_not_a_zip(mini, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("agencies: []\n", encoding="utf-8")
    import_error(mini, path, "not an .xlsx workbook that can be read")


def test_a_workbook_that_is_a_fifo_does_not_hang(mini, tmp_path):
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    import_error(mini, path, "not a regular file", seconds=5)


def test_a_workbook_over_the_size_cap(mini, tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(30 * MB)
    import_error(mini, path, "too large")


@pytest.mark.slow
def test_a_real_formula_cell_is_refused_with_its_cell(mini, book):
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb[POWER_SHEET]
    ws["C3"] = "=cmd|' /C calc'!A0"  # openpyxl stores a text starting with = as a formula
    assert ws["C3"].data_type == "f"
    wb.save(book)
    errors = cell_errors(mini, book)
    assert any(e.startswith(f"{POWER_SHEET}!C3: a formula (=cmd|' /C calc'!A0)") for e in errors), errors


@pytest.mark.slow
def test_control_characters_in_a_cell_are_named_by_cell(mini, book):
    """XML 1.0 allows C1 controls as character references: &#155; is U+009B, a terminal's CSI."""
    import zipfile

    name = "".join(f"&#{ord(c)};" for c in "襄垣县民政局").encode()
    with zipfile.ZipFile(book) as archive:
        member = next(n for n in archive.namelist() if name in archive.read(n))
    rewrite_member(book, member, lambda data: data.replace(name, name + b"&#155;31m", 1))
    errors = cell_errors(mini, book)
    assert len(errors) == 1 and errors[0].endswith("control character U+009B: registry text must be printable")
    assert "\x9b" not in errors[0]


@pytest.mark.slow
def test_text_that_starts_with_equals_imports_as_text(mini, book):
    import openpyxl

    from qingdan.spreadsheet import import_workbook

    wb = openpyxl.load_workbook(book)
    ws = wb[POWER_SHEET]
    column = next(c.column for c in ws[1] if c.value == "职权名称")
    ws.cell(3, column).value = '=HYPERLINK("http://x","点我")'
    ws.cell(3, column).data_type = "s"  # an explicit text cell, as `qingdan template` writes
    wb.save(book)
    with bounded(seconds=30, megabytes=256):
        result = import_workbook(mini, book)
    assert result.ok, [e.format() for e in result.errors]
    names = [p.name for p in load_registry(mini).of("power")]
    assert '=HYPERLINK("http://x","点我")' in names


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["README.md", "../outside", "/tmp/qingdan-hostile", "sources", ".git", "a/b"])
def test_import_target_outside_an_agency_folder_is_refused(mini, tmp_path, folder):
    from qingdan.spreadsheet import write_template

    (mini / "README.md").write_text("# the registry\n", encoding="utf-8")
    workbook = write_template(mini, "140424-ybj", tmp_path / "new.xlsx")  # a new agency
    cell = set_info(workbook, FOLDER_LABEL, folder)
    errors = cell_errors(mini, workbook)
    assert len(errors) == 1 and errors[0].startswith(f"{INFO_SHEET}!{cell}: {FOLDER_LABEL}: "), errors
    assert (mini / "README.md").read_text(encoding="utf-8") == "# the registry\n"
    assert not Path("/tmp/qingdan-hostile").exists() and not (mini.parent / "outside").exists()


@pytest.mark.slow
def test_import_target_that_is_a_link_is_refused(mini, tmp_path):
    from qingdan.spreadsheet import write_template

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mini / "linked").symlink_to(elsewhere, target_is_directory=True)
    workbook = write_template(mini, "140424-ybj", tmp_path / "new.xlsx")
    set_info(workbook, FOLDER_LABEL, "linked")
    errors = cell_errors(mini, workbook)
    assert len(errors) == 1 and "a file or a link" in errors[0]
    assert list(elsewhere.iterdir()) == []


# --- Second round (issue 25): bounds that hold before parsing, and a child process that holds whatever the parser
# does. Each case runs the command in a subprocess and is refused within 10 s and 500 MB (the peak RSS of the command
# and the reader's child, from wait4), with a message naming the file and what is too large.

from . import hostile_files as hf  # noqa: E402

SECONDS_25, MEGABYTES_25 = 10.0, 500


def run_measured(args: list[str], tmp_path: Path) -> tuple[int, str, float, int]:
    """`qingdan ARGS` in a subprocess: exit status, stderr, seconds, and the peak RSS in MB of it and its children."""
    err = tmp_path / "stderr.txt"
    started = time.monotonic()
    with open(err, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "qingdan.cli", *args], stdout=subprocess.DEVNULL, stderr=handle, cwd=ROOT
        )
        deadline = started + 60
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, err.read_text(), time.monotonic() - started, usage.ru_maxrss // 1024


DRAFT_BOMBS = {
    # case: (maker, words the refusal holds)
    "docx gridSpan=20000000": (hf.docx_grid_span, "gridSpan"),
    "docx 150 MB document.xml": (hf.docx_huge_xml, "150 MB"),
    "docx 80,000 paragraphs": (lambda d: hf.docx_paragraphs(d, 80_000, "某某事项"), "paragraphs"),
    "docx 200,000 empty paragraphs": (lambda d: hf.docx_paragraphs(d, 200_000), "paragraphs"),
    "html 1,000 cells colspan=200 rowspan=200": (hf.html_spans, "colspan × rowspan"),
    "xlsx merged A500:Z100000": (hf.xlsx_merged, "merges ranges"),
    "xlsx 700,000 styles": (hf.xlsx_styles, "style entries"),
    "xlsx 2,600,000 shared strings": (hf.xlsx_shared_strings, "shared strings"),
    "pdf 100,000 pages": (hf.pdf_pages, "100,000 pages"),
    "pdf one page of 1,000,000 characters": (hf.pdf_characters, "bytes of text"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(DRAFT_BOMBS))
def test_draft_refuses_expanding_files_before_parsing(mini, tmp_path, case):
    maker, words = DRAFT_BOMBS[case]
    source = maker(tmp_path)
    args = ["draft", str(source), "--agency", "x-ybj", "--registry", str(mini), "--name", "某某县医疗保障局"]
    status, stderr, seconds, megabytes = run_measured(args, tmp_path)
    assert status == 1, stderr
    assert words in stderr and source.name in stderr and "nothing was written" in stderr
    assert "Traceback" not in stderr
    assert seconds < SECONDS_25 and megabytes < MEGABYTES_25, (seconds, megabytes)
    assert not (mini / "x-ybj").exists()


IMPORT_BOMBS = {
    "merged A3:XFD1048576": (lambda book: hf.add_merge(book, "A3:XFD1048576"), "merges ranges"),
    "one cell at XFD1048576 claimed by a merge's corner": (
        lambda book: hf.add_merge(book, "XFD1048575:XFD1048576"),
        "reaches row",
    ),
    "700,000 styles": (hf.add_styles, "style entries"),
    "2,600,000 shared strings": (hf.add_shared_strings, "shared strings"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(IMPORT_BOMBS))
def test_import_refuses_expanding_workbooks_before_parsing(mini, book, tmp_path, case):
    change, words = IMPORT_BOMBS[case]
    change(book)
    before = snapshot(mini)
    status, stderr, seconds, megabytes = run_measured(["import", str(book), "--registry", str(mini)], tmp_path)
    assert status != 0 and words in stderr and book.name in stderr, stderr
    assert "Traceback" not in stderr
    assert seconds < SECONDS_25 and megabytes < MEGABYTES_25, (seconds, megabytes)
    assert snapshot(mini) == before


def test_a_reader_that_runs_too_long_is_stopped_by_its_child_process(tmp_path):
    """Whatever a parser does (here: never returns), the wall clock of the reader's child process holds."""
    from qingdan.draft.limits import run_bounded
    from qingdan.draft.model import DraftError

    started = time.monotonic()
    with pytest.raises(DraftError, match="took longer than 1 s"):
        run_bounded(lambda: time.sleep(60), tmp_path / "slow.docx", seconds=1)
    assert time.monotonic() - started < 5


def test_a_reader_that_allocates_without_end_is_stopped_by_its_memory_limit(tmp_path):
    from qingdan.draft.limits import run_bounded
    from qingdan.draft.model import DraftError

    def hog():
        blocks = []
        while True:
            blocks.append(bytearray(16 * MB))

    started = time.monotonic()
    with pytest.raises(DraftError, match="more than 64 MB of memory") as raised:
        run_bounded(hog, tmp_path / "hog.xlsx", memory=64 * MB)
    assert "hog.xlsx" in str(raised.value)
    assert time.monotonic() - started < 10


def test_a_reader_child_gives_back_its_result_and_its_errors(tmp_path):
    from qingdan.draft.limits import run_bounded
    from qingdan.draft.model import DraftError

    assert run_bounded(lambda: {"rows": [1, 2]}, tmp_path / "ok.txt") == {"rows": [1, 2]}

    def refuse():
        raise DraftError("ok.txt: 不是清单")

    with pytest.raises(DraftError, match="不是清单"):
        run_bounded(refuse, tmp_path / "ok.txt")


def test_a_file_name_with_terminal_escapes_is_shown_inert(mini, tmp_path):
    source = tmp_path / "list\x1b[2J\nfake.pdf"
    source.write_bytes(hf.pdf_pages(tmp_path).read_bytes())
    args = ["draft", str(source), "--agency", "x-ybj", "--registry", str(mini), "--name", "某某县医疗保障局"]
    status, stderr, _, _ = run_measured(args, tmp_path)
    assert status == 1
    assert "\x1b" not in stderr and "list\\x1b[2J\\x0afake.pdf" in stderr
