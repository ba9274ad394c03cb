"""How cost grows with the county: load and full detection at several multiples of its size.

    make bench-scale                  (or: python -m bench.scale [--scales 1 2 4])

Each multiple is synthesised (the county's 542,900 residents times the multiple, in the same
townships and villages, plants and background scaled alike), loaded into an emptied database
of the benchmark's own server, detected in full once, and measured: wall time of the load and
of the detection, and the store's size on disk (the database's files after a checkpoint).
Prints per multiple the absolute figures, the cost per 1,000 residents, and the growth against
the smallest multiple: a growth ratio of 1.0 is exactly linear, above it worse than linear.
docs/deployment.md sizes a prefecture and a province from these figures.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.county import OUT, county_folder
from bench.machine import machine_line
from detection.rules import read_rules
from detection.run import run_detection
from graph.driver import open_driver
from graph.migrations import migrate
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings
from synth.county import SCALES
from synth.population import AS_OF

console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)

MULTIPLES = {1.0: "full", 2.0: "2x", 4.0: "4x"}  # the synthesiser's names for them (synth/county.py)
PERSONS = "MATCH (p:Person) RETURN count(p) AS persons"
KINDS_SHOWN = 5


@dataclass(frozen=True)
class Measured:
    multiple: float
    persons: int
    load_s: float
    detect_s: float
    store_mb: float
    kinds_s: dict[str, float]  # detection seconds per finding kind: where growth comes from


def _store_mb(home: Path) -> float:
    files = [p for p in (home / "data" / "databases" / "neo4j").rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def measure(settings: Settings, multiple: float) -> Measured:
    """Synthesise, load into an emptied database, detect; the server is stopped after."""
    folder = county_folder(console, MULTIPLES[multiple])
    local = LocalNeo4j(settings)
    local.stop()
    for sub in ("databases/neo4j", "transactions/neo4j"):
        shutil.rmtree(local.home / "data" / sub, ignore_errors=True)
    with console.status(f"{multiple:g}x: starting an empty database…"):
        local.start()
    try:
        with open_driver(settings) as driver:
            db = settings.neo4j_database
            migrate(driver, db)
            with console.status(f"{multiple:g}x: loading…"):
                started = time.perf_counter()
                Loader(driver, settings, rejects_dir=OUT / "rejects-scale").load(
                    sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])
                )
                load_s = time.perf_counter() - started
            persons = driver.execute_query(PERSONS, database_=db)[0][0]["persons"]
            if not persons:
                raise SystemExit(f"{multiple:g}x: nothing loaded; nothing to measure")
            with console.status(f"{multiple:g}x: detecting…"):
                started = time.perf_counter()
                reports = run_detection(driver, db, read_rules(settings.detection_rules_file), as_of=AS_OF)
                detect_s = time.perf_counter() - started
            failed = [f"{r.kind}: {r.error}" for r in reports if r.error]
            if failed:
                raise SystemExit(f"{multiple:g}x: a detector failed: " + "; ".join(failed))
    finally:
        local.stop()  # a clean shutdown checkpoints: the store's size is its size at rest
    return Measured(
        multiple, persons, load_s, detect_s, _store_mb(local.home), {r.kind: r.seconds for r in reports}
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=[1.0, 2.0, 4.0],
        choices=sorted(MULTIPLES),
        help="multiples of the county's size",
    )
    args = parser.parse_args()
    settings = Settings(
        state_dir=PROJECT_ROOT / ".reliefgraph" / "bench-scale",
        bolt_port=free_port(),
        heap_size="4g",
        pagecache_size="6g",
    )
    console.print(machine_line(settings))
    results = []
    try:
        for multiple in sorted(args.scales):
            results.append(measure(settings, multiple))
            r = results[-1]
            console.print(
                f"{multiple:g}x: {r.persons:,} persons, load {r.load_s:.0f} s, detection {r.detect_s:.1f} s, "
                f"store {r.store_mb:,.0f} MB"
            )
    finally:
        shutil.rmtree(settings.state_dir / "data" / "databases", ignore_errors=True)
        shutil.rmtree(settings.state_dir / "data" / "transactions", ignore_errors=True)
    base = results[0]
    table = Table(
        title="cost by county size (one run each; growth = cost ratio / size ratio against the "
        f"{base.multiple:g}x county: 1.0 is linear)"
    )
    for column in (
        "multiple",
        "persons",
        "load s",
        "detect s",
        "store MB",
        "load s / 1k persons",
        "detect s / 1k persons",
        "growth: load",
        "growth: detect",
        "growth: store",
    ):
        table.add_column(column, justify="right")
    for r in results:
        size = r.persons / base.persons
        table.add_row(
            f"{r.multiple:g}x",
            f"{r.persons:,}",
            f"{r.load_s:.0f}",
            f"{r.detect_s:.1f}",
            f"{r.store_mb:,.0f}",
            f"{1000 * r.load_s / r.persons:.3f}",
            f"{1000 * r.detect_s / r.persons:.4f}",
            f"{r.load_s / base.load_s / size:.2f}",
            f"{r.detect_s / base.detect_s / size:.2f}",
            f"{r.store_mb / base.store_mb / size:.2f}",
        )
    console.print(table)
    kinds = sorted(base.kinds_s, key=lambda k: -results[-1].kinds_s.get(k, 0.0))[:KINDS_SHOWN]
    by_kind = Table(
        title=f"detection seconds by kind, the {KINDS_SHOWN} costliest at the largest multiple "
        "(growth as above)"
    )
    by_kind.add_column("kind")
    for r in results:
        by_kind.add_column(f"{r.multiple:g}x s", justify="right")
    for r in results[1:]:
        by_kind.add_column(f"growth {r.multiple:g}x", justify="right")
    for kind in kinds:
        by_kind.add_row(
            kind,
            *(f"{r.kinds_s.get(kind, 0.0):.1f}" for r in results),
            *(
                f"{r.kinds_s.get(kind, 0.0) / max(base.kinds_s[kind], 1e-9) / (r.persons / base.persons):.2f}"
                for r in results[1:]
            ),
        )
    console.print(by_kind)
    console.print(
        "plants per kind by multiple: "
        + ", ".join(f"{m:g}x {SCALES[MULTIPLES[m]][1]}" for m in sorted(args.scales))
    )


if __name__ == "__main__":
    main()
