"""Ingest benchmark: the full synthetic county through the loader, and baselines on the same data.

    make bench-ingest            (or: python -m bench.ingest [--scale full] [--sample 5000])

Prints rows/s and graph elements/s for the full load, then, in the same run:
  (a) a plain per-row driver loop and (b) neomodel, on a sample of the same households and
      persons, against the loader on that sample;
  (c) `neo4j-admin database import` of all households and persons into an empty database,
      against the loader's households and persons feeds.
Ratios are what to read: absolute times drift on these machines.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

from bench.baselines import admin_import, per_row_loop
from bench.county import OUT, county_folder
from bench.machine import machine_line
from bench.sample import Sample, take_sample, validated, write_sample
from bench.spread import Spread
from graph.driver import open_driver
from graph.migrations import migrate
from graph.stats import graph_stats
from loaders.reference import read_reference
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings
from tests.graphdump import wipe

NEOMODEL_VENV = PROJECT_ROOT / "bench" / ".venv-neomodel"
NEOMODEL = "neomodel==7.0.0"  # its own venv: it pins another neo4j driver than the product's
NEOMODEL_BATCH = 1000  # bench/neomodel_baseline.py's BATCH
console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)  # retried deadlocks between load batches are expected


def _neomodel(settings: Settings, local: LocalNeo4j, sample: Sample) -> float:
    python = NEOMODEL_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(NEOMODEL_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", NEOMODEL], check=True)
    url = f"bolt://{settings.neo4j_user}:{local.password()}@127.0.0.1:{settings.bolt_port}"
    payload = json.dumps({"households": sample.households, "persons": sample.persons}, default=str)
    result = subprocess.run(
        [str(python), str(PROJECT_ROOT / "bench" / "neomodel_baseline.py"), url],
        input=payload,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"neomodel baseline failed:\n{result.stderr[-3000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="full", choices=("small", "full"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sample", type=int, default=20000, help="persons in the per-row loop's sample")
    parser.add_argument(
        "--neomodel-sample", type=int, default=3000, help="persons in neomodel's (slower) sample"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each sample comparison")
    parser.add_argument(
        "--county-repeats",
        type=int,
        default=3,
        help="whole-county loads and neo4j-admin imports, interleaved (about 3 minutes a pair)",
    )
    args = parser.parse_args()

    # Its own server: this benchmark wipes its database, which the county-sharing benches must never see.
    settings = Settings(
        state_dir=PROJECT_ROOT / ".reliefgraph" / "bench-ingest",
        bolt_port=free_port(),
        heap_size="4g",
        pagecache_size="4g",
    )
    console.print(machine_line(settings))
    local = LocalNeo4j(settings)
    local.stop()  # one left over from an interrupted run listens on another port
    with console.status("starting the benchmark's own Neo4j…"):
        local.start()
    try:
        run(settings, local, args)
    finally:
        local.stop()


def run(settings: Settings, local: LocalNeo4j, args: argparse.Namespace) -> None:
    county = county_folder(console, args.scale, args.seed)
    files = sorted([*county.glob("*.csv"), *county.glob("*.jsonl")])
    reference = read_reference(settings.rules_file)
    db = settings.neo4j_database
    everything = Sample(
        validated(county / "households.csv", "households", reference),
        validated(county / "persons_GA.csv", "persons", reference),
    )
    import_settings = settings.model_copy(
        update={"state_dir": PROJECT_ROOT / ".reliefgraph" / "bench-import"}
    )
    walls, cores, imports = [], [], []
    for i in range(args.county_repeats):  # interleaved with the import, as the samples below are
        _empty_database(local)
        with (
            open_driver(settings) as driver,
            console.status(
                f"run {i + 1} of {args.county_repeats}: loading the {args.scale} county ({len(files)} files)…"
            ),
        ):
            migrate(driver, db)
            started = time.perf_counter()
            report = Loader(driver, settings, rejects_dir=OUT / "rejects").load(files)
            walls.append(time.perf_counter() - started)
            stats = graph_stats(driver, db)
        cores.append(sum(f.seconds for f in report.files if f.feed in {"households", "persons"}))
        with console.status(
            f"run {i + 1} of {args.county_repeats}: neo4j-admin database import of all households "
            "and persons…"
        ):
            imports.append(admin_import(import_settings, everything, OUT / "import"))
    wall, core_seconds, imported = (Spread(tuple(x)) for x in (walls, cores, imports))
    elements = stats.total_nodes + stats.total_relationships
    core_rows = sum(f.rows for f in report.files if f.feed in {"households", "persons"})

    _empty_database(local)
    with open_driver(settings) as driver:
        migrate(driver, db)

        def loader_on(sample: Sample, name: str) -> float:
            wipe(driver, db)
            files = write_sample(sample, OUT / name)
            t0 = time.perf_counter()
            Loader(driver, settings, rejects_dir=OUT / f"rejects-{name}").load(files)
            seconds = time.perf_counter() - t0
            wipe(driver, db)
            return seconds

        sample = take_sample(county, reference, args.sample)
        small = take_sample(county, reference, args.neomodel_sample)
        runs: dict[str, list[float]] = {"ours": [], "per_row": [], "ours_small": [], "neomodel": []}
        for i in range(args.repeats):  # interleaved, so a slow spell of the machine hits both sides
            with console.status(
                f"run {i + 1} of {args.repeats}: loader and per-row loop on {args.sample} persons, "
                f"loader and neomodel on {args.neomodel_sample}…"
            ):
                runs["ours"].append(loader_on(sample, "sample"))
                runs["per_row"].append(per_row_loop(driver, db, sample, reference.county.code))
                wipe(driver, db)
                runs["ours_small"].append(loader_on(small, "sample-neomodel"))
                runs["neomodel"].append(_neomodel(settings, local, small))
                wipe(driver, db)
        spread = {k: Spread(tuple(v)) for k, v in runs.items()}
        ours_sample, per_row = spread["ours"].median, spread["per_row"].median
        ours_small, neomodel = spread["ours_small"].median, spread["neomodel"].median

    table = Table(
        title=f"ingest benchmark ({args.scale} county, seed {args.seed}; median of {args.county_repeats} "
        f"runs of the whole county and of {args.repeats} of the samples, min-max beside it)"
    )
    for col in ("what", "rows", "seconds", "min-max", "rows/s", "vs loader"):
        table.add_column(col, justify="left" if col == "what" else "right")
    loader_rate = report.rows / wall.median

    def span(key: str | Spread) -> str:
        runs = spread[key].runs if isinstance(key, str) else key.runs
        return f"{min(runs):.1f}-{max(runs):.1f}"

    table.add_row(
        "loader: whole county (wall, incl. file checks)",
        f"{report.rows:,}",
        f"{wall.median:.1f}",
        span(wall),
        f"{loader_rate:,.0f}",
        "",
    )
    table.add_row(
        "   graph elements written (nodes + relationships)",
        f"{elements:,}",
        f"{wall.median:.1f}",
        span(wall),
        f"{elements / wall.median:,.0f}",
        "",
    )
    ours_rate = sample.rows / ours_sample
    table.add_row(
        "loader: sample (households + persons)",
        f"{sample.rows:,}",
        f"{ours_sample:.1f}",
        span("ours"),
        f"{ours_rate:,.0f}",
        "1.0×",
    )
    table.add_row(
        "(a) per-row driver loop: sample",
        f"{sample.rows:,}",
        f"{per_row:.1f}",
        span("per_row"),
        f"{sample.rows / per_row:,.0f}",
        f"loader {per_row / ours_sample:,.1f}× faster",
    )
    table.add_row(
        "loader: smaller sample",
        f"{small.rows:,}",
        f"{ours_small:.1f}",
        span("ours_small"),
        f"{small.rows / ours_small:,.0f}",
        "1.0×",
    )
    table.add_row(
        "(b) neomodel, bulk as documented: smaller sample",
        f"{small.rows:,}",
        f"{neomodel:.1f}",
        span("neomodel"),
        f"{small.rows / neomodel:,.0f}",
        f"loader {neomodel / ours_small:,.1f}× faster",
    )
    core_rate = core_rows / core_seconds.median
    table.add_row(
        "loader: households + persons feeds, whole county",
        f"{core_rows:,}",
        f"{core_seconds.median:.1f}",
        span(core_seconds),
        f"{core_rate:,.0f}",
        "1.0×",
    )
    table.add_row(
        "(c) neo4j-admin import: same households + persons",
        f"{everything.rows:,}",
        f"{imported.median:.1f}",
        span(imported),
        f"{everything.rows / imported.median:,.0f}",
        f"import {(everything.rows / imported.median) / core_rate:,.1f}× faster",
    )
    console.print(table)
    console.print(
        "baselines as configured: (a) the loader's own Cypher, one managed write transaction per row; "
        f"(b) {NEOMODEL}: nodes.bulk_create_or_update in batches of {NEOMODEL_BATCH:,} rows, one "
        "write transaction per batch, connect() for each membership inside it (neomodel has no bulk "
        "connect); (c) neo4j-admin database import full, offline, into an empty database"
    )
    console.print(
        f"targets: whole county < 300 s (got {wall.median:.0f} s); ≥ 30× per-row loop "
        f"(got {per_row / ours_sample:.1f}×); within 5× of neo4j-admin import "
        f"(got {(everything.rows / imported.median) / core_rate:.1f}×)"
    )


def _empty_database(local: LocalNeo4j) -> None:
    """A whole county is dropped faster with its files than with DETACH DELETE."""
    local.stop()
    for sub in ("databases/neo4j", "transactions/neo4j"):
        shutil.rmtree(local.home / "data" / sub, ignore_errors=True)
    local.start()


if __name__ == "__main__":
    main()
