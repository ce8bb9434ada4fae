"""Where a site build's time goes: a full build, a one-agency rebuild and a rebuild with no change,
each with the time spent in the build's main steps (not a test; see README.md, "Site build").

    python benchmarks/rebuild_phases.py 5000 --work /tmp/phases --drawings /tmp/drawings

The registry and the change are bench_site.py's (`write_registry`, `change_one_agency`). A step's
time is wall time in this process, children included (MkDocs, Pagefind); with more than one worker
a step run in the workers is not seen. Steps a version of the code lacks are left out, so older
revisions can be timed by the same script for a same-run comparison.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_site  # noqa: E402

from qingdan.atomic import wait_for_removals  # noqa: E402
from qingdan.validate import validate  # noqa: E402

# (module defining the step, its name); the step is timed wherever the site's modules import it
STEPS = [
    ("qingdan.site.build", "SiteContext"),
    ("qingdan.site.build", "_prerender_flowcharts"),
    ("qingdan.site.build", "write_pages"),
    ("qingdan.site.shared", "build_shared"),
    ("qingdan.site.build", "run_mkdocs"),
    ("qingdan.site.records", "owner_keys"),
    ("qingdan.site.records", "page_keys"),
    ("qingdan.site.records", "fill_record_pages"),
    ("qingdan.site.build", "_index_for_search"),
    ("qingdan.site.search_index", "run_pagefind"),
    ("qingdan.site.shared", "assemble"),
]
SITE_MODULES = ("build", "records", "shared", "search_index", "generated")


def time_steps(spent: dict[str, float]) -> None:
    """Wrap each step present in this code so that its calls add to `spent`."""
    modules = []
    for name in SITE_MODULES:
        try:
            modules.append(importlib.import_module(f"qingdan.site.{name}"))
        except ImportError:  # a module an older revision lacks
            pass
    for module_name, name in STEPS:
        step = getattr(importlib.import_module(module_name), name, None)
        if step is None:
            continue

        def timed(*args, _step=step, _name=name, **kwargs):
            start = time.perf_counter()
            try:
                return _step(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - start

        wrapper = functools.wraps(step)(timed)
        for module in modules:
            if getattr(module, name, None) is step:
                setattr(module, name, wrapper)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("guides", type=int)
    parser.add_argument("--work", type=Path, required=True, help="scratch folder (emptied first)")
    parser.add_argument("--drawings", type=Path, help="flowcharts kept between runs, as bench_site.py --drawings")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from qingdan.site.build import build_site

    spent: dict[str, float] = {}
    time_steps(spent)
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    registry = bench_site.write_registry(args.work / "registry", args.guides)
    if args.drawings is not None:
        (args.drawings / str(args.guides)).mkdir(parents=True, exist_ok=True)
        (args.work / "build" / "cache").mkdir(parents=True)
        (args.work / "build" / "cache" / "flowcharts").symlink_to((args.drawings / str(args.guides)).absolute())
    report = validate(registry)
    bench_site.draw_flowcharts(report, args.work)

    def build(label: str, report) -> None:
        spent.clear()
        start = time.perf_counter()
        build_site(report, args.work / "dist", build_dir=args.work / "build", workers=args.workers)
        total = time.perf_counter() - start
        wait_for_removals()
        steps = "  ".join(f"{name}={seconds:.2f}" for name, seconds in spent.items())
        print(f"{label}: {total:.2f} s  {steps}", flush=True)

    build("full", report)
    del report
    bench_site.change_one_agency(registry)
    changed = validate(registry)
    build("one-agency rebuild", changed)
    build("no change", changed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
