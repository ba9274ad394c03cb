"""The benchmarks' own Neo4j, holding the full synthetic county (seed 2026).

Loaded once and reused. What is loaded is checked in the graph itself before anything is
measured: a (:BenchCounty) node written after a complete load holds the SHA-256 of the
county's files and the person count; a database without it, with another digest, or with
another number of persons (wiped by someone, half loaded) is dropped and loaded again.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from rich.console import Console

from graph.driver import open_driver
from graph.migrations import migrate
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings
from synth.county import synthesize

OUT = PROJECT_ROOT / "bench" / "out"
SEED = 2026


def bench_settings(**overrides: object) -> Settings:
    defaults: dict[str, object] = {
        "state_dir": PROJECT_ROOT / ".reliefgraph" / "bench",
        "bolt_port": free_port(),
        "heap_size": "4g",
        "pagecache_size": "4g",
    }
    return Settings(**(defaults | overrides))  # type: ignore[arg-type]


def generator_digest() -> str:
    """What the county's files follow from: the generator's code and the rule files (the oracle's
    thresholds)."""
    sha = hashlib.sha256()
    for path in sorted([*(PROJECT_ROOT / "synth").glob("*.py"), *(PROJECT_ROOT / "rules").glob("*.toml")]):
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def county_folder(console: Console, scale: str = "full", seed: int = SEED) -> Path:
    """The county's export files, synthesised again whenever the generator or the rules changed."""
    folder = OUT / f"county-{scale}-{seed}"
    stamp = folder / "labels" / "generator.sha256"
    if not stamp.exists() or stamp.read_text() != generator_digest():
        shutil.rmtree(folder, ignore_errors=True)
        with console.status(f"synthesising the {scale} county (seed {seed})…"):
            synthesize(folder, seed, scale)
        stamp.write_text(generator_digest())
    return folder


MARKER = """
MATCH (m:BenchCounty) WITH m LIMIT 1
RETURN m.digest AS digest, m.persons AS persons, COUNT { MATCH (:Person) } AS found
"""
WRITE_MARKER = """
MERGE (m:BenchCounty) SET m.digest = $digest, m.persons = COUNT { MATCH (:Person) }, m.loaded_at = datetime()
"""


class BenchPreconditionError(RuntimeError):
    """The graph does not hold what the benchmark is about to measure."""


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl"), folder / "labels" / "labels.jsonl"]):
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def _loaded(settings: Settings, digest: str) -> bool:
    with open_driver(settings) as driver:
        records, _, _ = driver.execute_query(MARKER, database_=settings.neo4j_database)
    return (
        bool(records) and records[0]["digest"] == digest and records[0]["persons"] == records[0]["found"] > 0
    )


def start_with_county(settings: Settings, console: Console, scale: str = "full") -> tuple[LocalNeo4j, Path]:
    """Start the benchmark Neo4j with the current county of `scale` loaded; returns it and the
    county folder."""
    folder = county_folder(console, scale)
    digest = _digest(folder)
    local = LocalNeo4j(settings)
    local.stop()  # one left over from an interrupted run listens on another port
    with console.status("starting the benchmark's own Neo4j…"):
        local.start()
    if not _loaded(settings, digest):
        with console.status("the benchmark database does not hold this county: dropping it…"):
            local.stop()
            for sub in ("databases/neo4j", "transactions/neo4j"):
                shutil.rmtree(local.home / "data" / sub, ignore_errors=True)
            local.start()
        with open_driver(settings) as driver, console.status(f"loading the {scale} county…"):
            migrate(driver, settings.neo4j_database)
            Loader(driver, settings, rejects_dir=OUT / "rejects").load(
                sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])
            )
            driver.execute_query(WRITE_MARKER, digest=digest, database_=settings.neo4j_database)
        if not _loaded(settings, digest):
            local.stop()
            raise BenchPreconditionError(f"the {scale} county did not load completely; nothing was measured")
    return local, folder
