"""The benchmarks' own Neo4j, holding the full synthetic county (seed 2026).

Loaded once and reused; reloaded from scratch when the synthesiser's output changed (the
labels' SHA-256 is recorded next to the database), so benchmarks never measure stale data.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from rich.console import Console

from graph.driver import open_driver
from graph.local_server import LocalNeo4j, free_port
from graph.migrations import migrate
from loaders.run import Loader
from reliefgraph.settings import PROJECT_ROOT, Settings
from synth.county import synthesize

OUT = PROJECT_ROOT / "bench" / "out"
SEED = 2026


def bench_settings(**overrides: object) -> Settings:
    return Settings(state_dir=PROJECT_ROOT / ".reliefgraph" / "bench", bolt_port=free_port(), heap_size="4g",
                    pagecache_size="4g", **overrides)


def county_folder(console: Console) -> Path:
    folder = OUT / f"county-full-{SEED}"
    if not (folder / "labels" / "labels.jsonl").exists():
        with console.status("synthesising the full county…"):
            synthesize(folder, SEED, "full")
    return folder


def start_with_county(settings: Settings, console: Console) -> tuple[LocalNeo4j, Path]:
    """Start the benchmark Neo4j with the current full county loaded; returns it and the county folder."""
    folder = county_folder(console)
    digest = hashlib.sha256((folder / "labels" / "labels.jsonl").read_bytes()).hexdigest()
    marker = settings.state_dir / "county.sha256"
    local = LocalNeo4j(settings)
    local.stop()  # one left over from an interrupted run listens on another port
    if marker.exists() and marker.read_text().strip() != digest:
        with console.status("the synthetic county changed: dropping the old benchmark database…"):
            for sub in ("databases/neo4j", "transactions/neo4j"):
                shutil.rmtree(local.home / "data" / sub, ignore_errors=True)
            marker.unlink()
    with console.status("starting the benchmark's own Neo4j…"):
        local.start()
    if not marker.exists():
        with open_driver(settings) as driver, console.status("loading the full county (about 3 minutes)…"):
            migrate(driver, settings.neo4j_database)
            Loader(driver, settings, rejects_dir=OUT / "rejects").load(
                sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")]))
        marker.write_text(digest + "\n")
    return local, folder
