"""Detection benchmark: every detector over the full synthetic county, incremental runs
after a 1,000-row payment delta and a 1,000-row register delta, quality against the labels, and
identity resolution beside Splink
configured as its documentation recommends, on the county and on an outside benchmark.

    make bench-detect            (or: python -m bench.detect)

Prints the machine, the time per kind and in total (targets on 2 cores: full run < 60 s,
incremental < 5 s), precision/recall/F1 per kind (detection/evaluate.py's one-to-one rule),
and for DUP_IDENTITY: blocking recall per rule, reliefgraph's and the Splink baseline's
precision/recall/F1 on the same records, on the synthetic county and on FEBRL dataset 3.
Exits non-zero when there is nothing to measure (no labels, no findings).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import splink_baseline
from bench.county import OUT, bench_settings, start_with_county
from bench.febrl import febrl3
from bench.machine import machine_line
from bench.spread import Spread, ratio
from detection.detectors.identity import READ_MODEL, REGISTER
from detection.evaluate import MATCH_JACCARD, read_labels, score
from detection.findings_read import current_findings
from detection.identity_linkage import IdentityLinker, describe, weights_table
from detection.identity_register import person_row
from detection.rules import Identity, read_rules
from detection.run import run_detection
from detection.scope import affected_households, delta_feeds
from graph.driver import open_driver
from loaders.run import Loader
from synth.population import AS_OF

console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)

# Spread over the county (every k-th running grant), not bunched where the plants are.
DELTA_ENROLLMENTS = """
MATCH (e:Enrollment) WHERE e.end_date IS NULL
WITH e ORDER BY e.enrollment_id
WITH collect(e) AS running
UNWIND range(0, $n - 1) AS i
WITH DISTINCT running[(toInteger(i * size(running) / $n) + $shift) % size(running)] AS e
RETURN e.enrollment_id AS enrollment, e.monthly_amount_fen AS amount,
       head([(e)-[:PAYS_INTO]->(a) | a.number]) AS account
"""
DROP_DELTA = "MATCH (p:Payment) WHERE p.payment_id STARTS WITH 'PDELTA' DETACH DELETE p"
# A register delta: new phones for persons spread over the county (what identity reads).
DELTA_PERSONS = """
MATCH (p:Person) WITH p ORDER BY p.id_number
WITH collect(p.id_number) AS ids
UNWIND range(0, $n - 1) AS i
RETURN DISTINCT ids[(toInteger(i * size(ids) / $n) + $shift) % size(ids)] AS id
"""
DROP_PHONE_DELTA = "MATCH (p:Phone) WHERE p.number STARTS WITH '19900' DETACH DELETE p"


def _delta(driver, database: str, rows: int, shift: int = 0) -> Path:  # type: ignore[no-untyped-def]
    """A month's payments for `rows` running grants: the kind of delta a payment office sends
    (`shift`: another set of grants, for a second delta)."""
    records, _, _ = driver.execute_query(DELTA_ENROLLMENTS, n=rows, shift=shift, database_=database)
    path = OUT / "delta" / f"payments_delta_{shift}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i, r in enumerate(records):
            fh.write(
                json.dumps(
                    {
                        "payment_id": f"PDELTA{shift}-{i:05d}",
                        "enrollment_id": r["enrollment"],
                        "period": "2026-11",
                        "amount": f"{(r['amount'] or 100000) / 100:.2f}",
                        "paid_date": "2026-11-10",
                        "account_number": r["account"] or "6228480000000000001",
                    }
                )
                + "\n"
            )
    return path


def _phone_delta(driver, database: str, rows: int, shift: int = 0) -> Path:  # type: ignore[no-untyped-def]
    """New phones for `rows` residents: the kind of delta the civil affairs office sends."""
    records, _, _ = driver.execute_query(DELTA_PERSONS, n=rows, shift=shift, database_=database)
    path = OUT / "delta" / f"phones_delta_{shift}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "id_number,phone,source,as_of\n"
        + "".join(f"{r['id']},19900{shift:02d}{i:04d},MZ,2026-11-20\n" for i, r in enumerate(records)),
        encoding="utf-8",
    )
    return path


def _incremental(
    driver, settings, rules, deltas: list[Path], repeats: int
) -> tuple[list, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Load each delta and time incremental runs over it: once over the first (the server also
    plans the incremental queries then), then over a second delta as a running service
    meets it, first and repeated."""
    db = settings.neo4j_database
    runs = []
    for k, delta in enumerate(deltas):
        # The keys come from the load's own rows, as `load --detect` takes them.
        keys = Loader(driver, settings, rejects_dir=OUT / "rejects").load([delta]).changed_keys()
        runs += _timed_runs(driver, db, rules, delta, keys, 1 if k < len(deltas) - 1 else repeats + 1)
    # The last delta's households (what its runs covered), and every delta's (to restore after).
    loader = Loader(driver, settings, rejects_dir=OUT / "rejects")
    return (
        runs,
        affected_households(driver, db, loader.changed_keys(deltas[-1:])),
        affected_households(driver, db, loader.changed_keys(deltas)),
    )


def _timed_runs(driver, db: str, rules, delta: Path, keys: dict[str, list[str]], times: int) -> list:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        scope = affected_households(driver, db, keys)
        scoped_s = time.perf_counter() - started
        incremental = run_detection(
            driver, db, rules, as_of=AS_OF, households=scope, feeds=delta_feeds([delta])
        )
        runs.append((time.perf_counter() - started, scoped_s, incremental))
    return runs


def _print_incremental(what: str, runs: list, scope: list[str], full: Spread) -> None:
    slowest = sorted((r for r in runs[-1][2] if not r.skipped), key=lambda r: -r.seconds)[:3]
    skipped = [r.kind for r in runs[-1][2] if r.skipped]
    repeated = Spread(tuple(r[0] for r in runs[2:]))
    console.print(
        f"incremental run after {what} ({len(scope):,} households affected): {runs[0][0]:.2f} s over a first "
        f"delta (the server plans the incremental queries it has not run before), {runs[1][0]:.2f} s over a "
        f"second delta, then {repeated} over it again (of which finding the households "
        f"{runs[-1][1]:.2f} s; slowest: "
        + ", ".join(f"{r.kind} {r.seconds:.2f} s" for r in slowest)
        + (f"; not run, the delta holds no feed they read: {', '.join(skipped)}" if skipped else "")
        + f") — {ratio(full, repeated):.1f}x faster than the full run (ratio of medians)"
    )


def pairs_found(findings: list[dict]) -> set[tuple[str, ...]]:
    return {tuple(sorted(f["evidence"].get("Person", ()))) for f in findings if f["kind"] == "DUP_IDENTITY"}


def _prf(predicted: set[tuple[str, ...]], truth: set[tuple[str, ...]]) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


DECISIVE_SHOWN = 8


def print_decisive(
    linker: IdentityLinker,
    ours: set[tuple[str, ...]],
    truth: set[tuple[str, ...]],
    shown: int = DECISIVE_SHOWN,
) -> None:
    """The weights of the decisive pairs (found falsely or missed, the first `shown`), in bits."""
    decisive = sorted((ours - truth) | (truth - ours))[:shown]
    if not decisive or linker.linker is None:
        return
    wanted = set(decisive)
    scored = {
        (p.a, p.b): p
        for p in linker.predict(
            1e-9, touching={x for k in decisive for x in k}, particulars_min_bits=None, keep_never=True
        )
        if (p.a, p.b) in wanted
    }
    console.print("decisive pairs (found falsely or missed), weights in bits:")
    console.print(weights_table(scored[k] for k in decisive if k in scored))
    console.print(f"of them proposed by no blocking rule: {len(wanted - scored.keys())}")


def _identity_table(
    title: str,
    rows: list[dict[str, Any]],
    truth: set[tuple[str, ...]],
    ours: set[tuple[str, ...]] | None,
    identity: Identity,
    model: dict[str, Any] | None = None,
) -> None:
    """Blocking recall per rule, then reliefgraph's engine and the Splink baseline side by side;
    then the weights of the decisive pairs (false and missed, the first few)."""
    records = [person_row(r) for r in rows]
    started = time.perf_counter()
    linker = IdentityLinker(records, model)
    recall = linker.candidate_recall(truth)  # type: ignore[arg-type]
    if ours is None:  # not from stored findings: the engine itself, trained on these records
        linker.train(identity.threshold, identity.particulars_min_bits)
        ours = {
            (p.a, p.b)
            for p in linker.predict(identity.threshold, particulars_min_bits=identity.particulars_min_bits)
        }
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = splink_baseline.predict(records, identity.threshold)
    theirs_s = time.perf_counter() - started
    t = Table(
        title=f"DUP_IDENTITY — {title}: {len(rows):,} records, {len(truth):,} true pairs, "
        f"threshold {identity.threshold}"
    )
    for column in ("", "precision", "recall", "F1", "seconds"):
        t.add_column(column, justify="left" if column == "" else "right")
    mine, base = _prf(ours, truth), _prf(theirs, truth)
    t.add_row("reliefgraph (Splink, its comparisons)", *(f"{x:.3f}" for x in mine), f"{ours_s:.1f}")
    t.add_row("Splink as documented", *(f"{x:.3f}" for x in base), f"{theirs_s:.1f}")
    t.caption = (
        (f"F1 ratio {mine[2] / base[2]:.2f}; " if base[2] else "")
        + "blocking recall: "
        + ", ".join(f"{name} {share:.3f}" for name, share in recall.items())
    )
    console.print(t)
    print_decisive(linker, ours, truth)
    for note in splink_baseline.NOTES:
        console.print(f"[yellow]note:[/yellow] {note}")
    splink_baseline.NOTES.clear()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--delta-rows", type=int, default=1000)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs of the full and the incremental detection"
    )
    args = parser.parse_args()
    settings = bench_settings()
    console.print(machine_line(settings))
    local, folder = start_with_county(settings, console)
    rules = read_rules(settings.detection_rules_file)
    db = settings.neo4j_database
    try:
        with open_driver(settings) as driver:
            driver.execute_query(DROP_DELTA, database_=db)  # left by an interrupted run
            fulls = []
            for _ in range(args.repeats):  # the first also fits the identity model and stores the findings
                started = time.perf_counter()
                reports = run_detection(driver, db, rules, as_of=AS_OF)
                fulls.append(time.perf_counter() - started)
            full_spread = Spread(tuple(fulls))
            labels = read_labels(folder / "labels" / "labels.jsonl")
            near_misses = read_labels(folder / "labels" / "labels.jsonl", "near_misses.jsonl")
            findings = current_findings(driver, db)
            if not labels or not findings:
                console.print(
                    f"[red]nothing to measure:[/red] {len(labels)} labels, {len(findings)} findings"
                )
                sys.exit(1)
            quality = {s.kind: s for s in score(findings, labels, near_misses)}

            table = Table(
                title=f"detection over the full county ({sum(r.found for r in reports):,} findings)"
            )
            for column in ("kind", "found", "seconds", "precision", "recall", "F1"):
                table.add_column(column, justify="left" if column == "kind" else "right")
            for r in reports:
                q = quality[r.kind]
                table.add_row(
                    r.kind,
                    f"{r.found:,}",
                    f"{r.seconds:.2f}",
                    f"{q.precision:.3f}",
                    f"{q.recall:.3f}",
                    f"{q.f1:.3f}",
                    style="" if q.precision >= 0.95 and q.recall >= 0.95 else "red",
                )
            table.add_row(
                "total (last run)", f"{sum(r.found for r in reports):,}", f"{fulls[-1]:.2f}", "", "", ""
            )
            console.print(table)
            console.print(f"full detection of the county: {full_spread}")
            console.print(
                f"A finding matches a label when their deciding keys have Jaccard >= {MATCH_JACCARD}, one "
                "to one; near misses a finding agrees with: "
                + (", ".join(f"{q.kind}: {n}" for q in quality.values() for n in q.near_misses_hit) or "none")
            )

            deltas = [_delta(driver, db, args.delta_rows, shift) for shift in (0, 1)]
            runs, scope, touched = _incremental(driver, settings, rules, deltas, args.repeats)
            driver.execute_query(DROP_DELTA, database_=db)
            run_detection(
                driver, db, rules, as_of=AS_OF, households=touched
            )  # back to the county as labelled
            _print_incremental(f"a {args.delta_rows:,}-row payment delta", runs, scope, full_spread)
            deltas = [_phone_delta(driver, db, args.delta_rows, shift) for shift in (0, 1)]
            runs, scope, touched = _incremental(driver, settings, rules, deltas, args.repeats)
            driver.execute_query(DROP_PHONE_DELTA, database_=db)
            run_detection(driver, db, rules, as_of=AS_OF, households=touched)
            _print_incremental(
                f"a {args.delta_rows:,}-row register delta (new phones)", runs, scope, full_spread
            )

            if not args.no_splink:
                console.print(describe())
                console.print(splink_baseline.SETTINGS_TEXT)
                truth = {
                    tuple(sorted(label["persons"])) for label in labels if label["kind"] == "DUP_IDENTITY"
                }
                register = [r for r in driver.execute_query(REGISTER, database_=db)[0]]
                saved = driver.execute_query(READ_MODEL, database_=db)[0]
                model = json.loads(saved[0]["parameters"]) if saved and saved[0]["parameters"] else None
                _identity_table(
                    "the synthetic county (findings as stored)",
                    [r.data() for r in register],
                    truth,
                    pairs_found(findings),
                    rules.identity,
                    model,
                )
                rows, outside = febrl3(OUT / "febrl")
                _identity_table("FEBRL dataset 3 (outside)", rows, outside, None, rules.identity)
    finally:
        local.stop()


if __name__ == "__main__":
    main()
