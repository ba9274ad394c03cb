"""Cross-county detection at 1, 4 and 16 counties: snapshot export, the Spark job, quality.

    make bench-province    (or: python -m bench.province [--counties 1 4] [--scale small] [--reuse])

For each size a province is synthesised (`synth/province.py`: distinct counties, cross-county
cases planted between neighbours and labelled by the oracle). Each county is loaded, one at a
time, into an emptied database of the benchmark's own Neo4j (one server reused, restarted
empty per county; the start is not timed) and its snapshot exported at once, so each county's
export is timed on its own graph. The Spark job then runs in local mode over all the
snapshots (`reliefgraph province detect`, timed from outside: JVM start included, as an
operator would see it), and its findings are scored against the labels
(`bench/province_score.py`). Printed: per size the rows in, the export time per county, the
job's wall time, seconds per million rows and its ratio to the smallest size (1.0 is linear,
above it worse), and precision and recall per cross-county kind.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.county import OUT
from bench.machine import machine_line
from bench.province_score import KindScore, score_files
from graph.driver import open_driver
from graph.migrations import migrate
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from province.snapshot import export_snapshot
from settings import PROJECT_ROOT, Settings
from synth.prefecture import COUNTIES
from synth.province import CROSS_KINDS, LABELS, ProvinceSummary, synthesize_province

console = Console(width=140)
logging.getLogger("neo4j").setLevel(logging.ERROR)
PROVINCE_OUT = OUT / "province"
REFERENCE = PROJECT_ROOT / "rules" / "reference.toml"


@dataclass
class CountyRun:
    code: str
    load_s: float
    export_s: float
    snapshot_rows: int


@dataclass
class SizeRun:
    counties: int
    county_runs: list[CountyRun]
    job_s: float | None = None
    job_error: str = ""
    scores: dict[str, KindScore] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(c.snapshot_rows for c in self.county_runs)


def county_reference(code: str, name: str, folder: Path) -> Path:
    """The reference file with this county's code and name: the loader writes its County node
    from it, and the snapshot carries that code."""
    text = REFERENCE.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^code = "\d{6}"', f'code = "{code}"', text, count=1)
    text = re.sub(r'(?m)^name = "[^"]*"', f'name = "{name}"', text, count=1)
    text = re.sub(r'(?m)^name_en = "[^"]*"', f'name_en = "{code}"', text, count=1)
    path = folder / f"reference-{code}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def synthesise(counties: int, scale: str, seed: int) -> tuple[Path, ProvinceSummary]:
    out = PROVINCE_OUT / f"{counties}-{scale}-{seed}"
    shutil.rmtree(out, ignore_errors=True)
    with console.status(f"{counties} counties: synthesising…"):
        summary = synthesize_province(out, counties, seed, scale)
    return out, summary


def load_and_export(base: Settings, province: Path, county: dict, snapshots: Path) -> CountyRun:
    """One county into an emptied database, then its snapshot; the server is stopped after."""
    code = county["code"]
    settings = base.model_copy(
        update={"rules_file": county_reference(code, county["name"], snapshots.parent), "county_code": code}
    )
    local = LocalNeo4j(settings)
    local.stop()
    for sub in ("databases/neo4j", "transactions/neo4j"):
        shutil.rmtree(local.home / "data" / sub, ignore_errors=True)
    with console.status(f"{code}: starting an empty database…"):
        local.start()
    try:
        with open_driver(settings) as driver:
            db = settings.neo4j_database
            migrate(driver, db)
            folder = province / county["folder"]
            with console.status(f"{code}: loading…"):
                started = time.perf_counter()
                Loader(driver, settings, rejects_dir=snapshots.parent / "rejects" / code).load(
                    sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])
                )
                load_s = time.perf_counter() - started
            with console.status(f"{code}: exporting the snapshot…"):
                started = time.perf_counter()
                snap = export_snapshot(driver, db, snapshots / code)
                export_s = time.perf_counter() - started
    finally:
        local.stop()
    if snap.county != code:
        raise SystemExit(f"{code}: the snapshot says county {snap.county}; nothing measured")
    return CountyRun(code, load_s, export_s, sum(snap.rows.values()))


def detect(snapshot_dirs: list[Path], findings: Path) -> tuple[float | None, str]:
    """The Spark job in local mode over every snapshot, timed from outside."""
    shutil.rmtree(findings, ignore_errors=True)
    # The CLI from this checkout (run as a module here, so a package the editable install
    # does not list yet is found all the same).
    command = [
        sys.executable,
        "-c",
        "from reliefgraph.cli import main; main()",
        "province",
        "detect",
        *map(str, snapshot_dirs),
        "--out",
        str(findings),
    ]
    env = os.environ | {"PYTHONPATH": str(PROJECT_ROOT)}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, check=False)
    job_s = time.perf_counter() - started
    if done.returncode != 0:
        said = [line.strip(" │╭╰─") for line in (done.stderr + done.stdout).splitlines()]
        last = next((line for line in reversed(said) if any(c.isalnum() for c in line)), "no output")
        return None, f"exit {done.returncode}: {last}"
    return job_s, ""


def measure(base: Settings, counties: int, scale: str, seed: int, reuse: bool = False) -> SizeRun:
    province = PROVINCE_OUT / f"{counties}-{scale}-{seed}"
    work = province / "run"
    snapshots = work / "snapshots"
    exports = work / "exports.json"
    if reuse and exports.exists():
        # This size's counties were loaded and exported by an earlier run: the job alone.
        runs = [CountyRun(**c) for c in json.loads(exports.read_text(encoding="utf-8"))]
        console.print(f"{counties} counties: reusing the snapshots of {exports}")
    else:
        province, summary = synthesise(counties, scale, seed)
        snapshots.mkdir(parents=True)
        runs = []
        for county in summary.counties:
            runs.append(load_and_export(base, province, county, snapshots))
            r = runs[-1]
            console.print(
                f"{counties} counties: {r.code} loaded in {r.load_s:.1f} s, snapshot "
                f"{r.snapshot_rows:,} rows in {r.export_s:.2f} s"
            )
        exports.write_text(json.dumps([vars(r) for r in runs]), encoding="utf-8")
    run = SizeRun(counties, runs)
    with console.status(f"{counties} counties: the Spark job…"):
        run.job_s, run.job_error = detect([snapshots / c.code for c in runs], work / "findings")
    if run.job_s is None:
        console.print(f"[red]{counties} counties: the job failed:[/red] {run.job_error}")
    else:
        console.print(f"{counties} counties: the job took {run.job_s:.1f} s")
        run.scores = score_files(work / "findings" / "findings.jsonl", province / "labels" / LABELS)
    return run


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def growth_table(results: list[SizeRun]) -> Table:
    base = next((r for r in results if r.job_s is not None), None)
    table = Table(
        title="growth against linear in rows (ratio: seconds per million rows against the "
        f"{base.counties if base else '?'}-county run; 1.0 is linear)"
    )
    for column in (
        "counties",
        "rows in",
        "export s per county (mean)",
        "export s per county (max)",
        "job s",
        "job s per M rows",
        "ratio",
    ):
        table.add_column(column, justify="right")
    for r in results:
        exports = [c.export_s for c in r.county_runs]
        per_m = r.job_s / (r.rows / 1e6) if r.job_s is not None else None
        base_per_m = base.job_s / (base.rows / 1e6) if base and base.job_s is not None else None
        table.add_row(
            str(r.counties),
            f"{r.rows:,}",
            f"{sum(exports) / len(exports):.2f}",
            f"{max(exports):.2f}",
            "failed" if r.job_s is None else f"{r.job_s:.1f}",
            "–" if per_m is None else f"{per_m:.1f}",
            "–" if per_m is None or base_per_m is None else f"{per_m / base_per_m:.2f}",
        )
    return table


def quality_table(results: list[SizeRun]) -> Table:
    table = Table(
        title="precision / recall per cross-county kind (findings of two counties or more; "
        "look-alikes flagged in brackets)"
    )
    table.add_column("kind")
    for r in results:
        table.add_column(f"{r.counties} counties", justify="right")
    for kind in CROSS_KINDS:
        cells = []
        for r in results:
            s = r.scores.get(kind)
            if s is None:
                cells.append("–")
                continue
            cells.append(
                f"{_ratio(s.precision)} / {_ratio(s.recall)} ({s.matched_findings}/{s.findings} right, "
                f"{s.found_labels}/{s.labels} found, [{s.decoys_flagged}])"
            )
        table.add_row(kind, *cells)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--counties",
        type=int,
        nargs="+",
        default=[1, 4, 16],
        choices=range(1, len(COUNTIES) + 1),
        metavar="N",
        help=f"province sizes, 1 to {len(COUNTIES)} counties",
    )
    parser.add_argument("--scale", default="small", choices=("small", "medium"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run the job again over the snapshots an earlier run of each size exported",
    )
    args = parser.parse_args()
    base = Settings(
        state_dir=PROJECT_ROOT / ".reliefgraph" / "bench-province",
        bolt_port=free_port(),
        heap_size="2g",
        pagecache_size="1g",
    )
    console.print(machine_line(base))
    results = [measure(base, n, args.scale, args.seed, args.reuse) for n in sorted(set(args.counties))]
    console.print(growth_table(results))
    console.print(quality_table(results))
    console.print(
        json.dumps(
            [
                {
                    "counties": r.counties,
                    "rows": r.rows,
                    "export_s": [round(c.export_s, 3) for c in r.county_runs],
                    "load_s": [round(c.load_s, 1) for c in r.county_runs],
                    "job_s": r.job_s,
                }
                for r in results
            ]
        )
    )


if __name__ == "__main__":
    main()
