"""Detection quality over several seeds: each county synthesised, loaded into a server of its
own, detected, and graded against the independent oracle's labels (synth/oracle.py).

    python -m bench.quality [--seeds 11 12 13] [--scale medium]

Prints, per kind, precision and recall for each seed and the lowest of them, and per seed how
many labels the generator planted and how many the oracle found in the background drawn
across the thresholds (synth/straddle.py): the cases nobody shaped to fit a detector.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.county import OUT, county_folder
from bench.detect import pairs_found, print_decisive
from bench.machine import machine_line
from detection.detectors.identity import READ_MODEL, REGISTER
from detection.evaluate import MATCH_JACCARD, agreement, read_labels, score
from detection.findings_read import current_findings
from detection.identity_linkage import IdentityLinker
from detection.identity_register import person_row
from detection.rules import read_rules
from detection.run import run_detection
from domain.finding_kinds import FindingKind
from graph.driver import open_driver
from graph.migrations import migrate
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings
from synth.population import AS_OF

console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)
TARGET = 0.95


def grade(settings: Settings, folder: Path) -> tuple[dict[str, tuple[float, float]], dict[str, int]]:
    """Load one county into the (emptied) database, detect, score against the oracle's labels."""
    db = settings.neo4j_database
    with open_driver(settings) as driver:
        migrate(driver, db)
        Loader(driver, settings, rejects_dir=OUT / "rejects" / f"quality-{folder.name}").load(
            sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])
        )
        reports = run_detection(driver, db, read_rules(settings.detection_rules_file), as_of=AS_OF)
        failed = [f"{r.kind}: {r.error}" for r in reports if r.error]
        if failed:
            raise SystemExit("a detector failed: " + "; ".join(failed))
        labels = read_labels(folder / "labels" / "labels.jsonl")
        findings = current_findings(driver, db)
        scores = score(findings, labels, read_labels(folder, "near_misses.jsonl"))
        for s in scores:
            if s.precision < 1.0 or s.recall < 1.0:
                _print_unmatched(FindingKind(s.kind), findings, labels)
        truth = {tuple(sorted(lb["persons"])) for lb in labels if lb["kind"] == "DUP_IDENTITY"}
        ours = pairs_found(findings)
        if ours != truth:
            saved = driver.execute_query(READ_MODEL, database_=db)[0]
            model = json.loads(saved[0]["parameters"]) if saved and saved[0]["parameters"] else None
            register = [r.data() for r in driver.execute_query(REGISTER, database_=db)[0]]
            print_decisive(IdentityLinker([person_row(r) for r in register], model), ours, truth)
    planted = len(read_labels(folder, "planted.jsonl"))
    return {s.kind: (s.precision, s.recall) for s in scores}, {"labels": len(labels), "planted": planted}


def _print_unmatched(kind: FindingKind, findings: list[dict], labels: list[dict]) -> None:
    """What a kind below 1.000 missed and found falsely: each label no finding agrees with (its
    note), each finding no label agrees with (its deciding keys)."""
    fs = [f for f in findings if f["kind"] == kind.value]
    ls = [lb for lb in labels if lb["kind"] == kind.value]
    for lb in ls:
        if not any(agreement(kind, lb, f["evidence"]) >= MATCH_JACCARD for f in fs):
            console.print(
                f"  {kind.value} missed: {lb.get('note', '')} {lb.get('persons') or lb.get('households')}"
            )
    for f in fs:
        if not any(agreement(kind, lb, f["evidence"]) >= MATCH_JACCARD for lb in ls):
            console.print(f"  {kind.value} found falsely: {dict(f['evidence'])}")


def quality_over_seeds(seeds: list[int], scale: str) -> bool:
    """Prints the table; True when every kind meets the target on every seed."""
    settings = Settings(
        # One server per scale: the scales can run side by side.
        state_dir=PROJECT_ROOT / ".reliefgraph" / f"bench-quality-{scale}",
        bolt_port=free_port(),
        heap_size="2g",
        pagecache_size="2g",
    )
    local = LocalNeo4j(settings)
    results: dict[int, dict[str, tuple[float, float]]] = {}
    counts: dict[int, dict[str, int]] = {}
    try:
        for seed in seeds:
            folder = county_folder(console, scale, seed)
            # Emptied by starting again on no database: deleting a full county in transactions
            # runs out of Neo4j's transaction memory on its densest nodes (a programme's grants).
            local.stop()
            for sub in ("databases/neo4j", "transactions/neo4j"):
                shutil.rmtree(local.home / "data" / sub, ignore_errors=True)
            with console.status(f"seed {seed}: starting an empty database…"):
                local.start()
            with console.status(f"seed {seed}: loading and detecting…"):
                results[seed], counts[seed] = grade(settings, folder)
    finally:
        local.stop()
        shutil.rmtree(settings.state_dir / "data" / "databases", ignore_errors=True)
    table = Table(
        title=f"quality against the oracle's labels, {scale} county, seeds {', '.join(map(str, seeds))} "
        f"(target: precision and recall >= {TARGET} on every seed)"
    )
    table.add_column("kind")
    for seed in seeds:
        table.add_column(f"seed {seed} P / R", justify="right")
    table.add_column("lowest P / R", justify="right")
    met = True
    for kind in FindingKind:
        cells = [results[s][kind.value] for s in seeds]
        low = (min(p for p, _ in cells), min(r for _, r in cells))
        ok = low[0] >= TARGET and low[1] >= TARGET
        met &= ok
        table.add_row(
            kind.value,
            *(f"{p:.3f} / {r:.3f}" for p, r in cells),
            f"{low[0]:.3f} / {low[1]:.3f}",
            style="" if ok else "red",
        )
    console.print(table)
    for seed in seeds:
        c = counts[seed]
        console.print(
            f"seed {seed}: {c['labels']:,} labels by the oracle, of which the generator planted "
            f"{c['planted']:,}; {c['labels'] - c['planted']:,} are background that crossed a threshold"
        )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "full"))
    args = parser.parse_args()
    console.print(machine_line(Settings()))
    quality_over_seeds(args.seeds, args.scale)


if __name__ == "__main__":
    main()
