"""Detection benchmark: every detector over the full synthetic county, an incremental run
after a 1,000-row delta, quality against the labels, and Splink on DUP_IDENTITY.

    make bench-detect            (or: python -m bench.detect)

Prints the time per kind and in total (targets on 2 cores: full run < 60 s, incremental
< 5 s), precision/recall/F1 per kind, and reliefgraph's and Splink's F1 on the same person
records side by side (Splink runs in bench/.venv-splink, created on first use).
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.county import OUT, bench_settings, start_with_county
from detection.evaluate import read_labels, score
from detection.findings_read import current_findings
from detection.identity_model import pinyin_key
from detection.kinds import FindingKind
from detection.rules import read_rules
from detection.run import run_detection
from detection.scope import affected_households
from graph.driver import open_driver
from loaders.run import Loader
from reliefgraph.settings import PROJECT_ROOT
from synth.population import AS_OF

SPLINK_VENV = PROJECT_ROOT / "bench" / ".venv-splink"
console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)

# Spread over the county (every k-th running grant), not bunched where the plants are.
DELTA_ENROLLMENTS = """
MATCH (e:Enrollment) WHERE e.end_date IS NULL
WITH e ORDER BY e.enrollment_id
WITH collect(e) AS running
UNWIND range(0, $n - 1) AS i
WITH DISTINCT running[toInteger(i * size(running) / $n)] AS e
RETURN e.enrollment_id AS enrollment, e.monthly_amount_fen AS amount,
       head([(e)-[:PAYS_INTO]->(a) | a.number]) AS account
"""
DROP_DELTA = "MATCH (p:Payment) WHERE p.payment_id STARTS WITH 'PDELTA' DETACH DELETE p"

PERSONS_EXPORT = """
MATCH (p:Person)
RETURN p.id_number AS id, p.name AS name, toString(p.birth_date) AS birth_date, p.sex AS sex,
  [(p)-[:HAS_PHONE]->(x) | x.number] AS phones, [(p)-[:HOLDS_ACCOUNT]->(x) | x.number] AS accounts,
  [(p)-[:MEMBER_OF]->(:Household)-[:LIVES_AT]->(a) | a.key] + [(p)-[:REGISTERED_AT]->(a) | a.key] AS addresses
"""


def _delta(driver, database: str, rows: int) -> Path:  # type: ignore[no-untyped-def]
    """A month's payments for `rows` running grants: the kind of delta a payment office sends."""
    records, _, _ = driver.execute_query(DELTA_ENROLLMENTS, n=rows, database_=database)
    path = OUT / "delta" / "payments_delta.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i, r in enumerate(records):
            fh.write(json.dumps({"payment_id": f"PDELTA{i:05d}", "enrollment_id": r["enrollment"], "period": "2026-11",
                                 "amount": f"{(r['amount'] or 100000) / 100:.2f}", "paid_date": "2026-11-10",
                                 "account_number": r["account"] or "6228480000000000001"}) + "\n")
    return path


def _pairs(findings: list[dict]) -> set[tuple[str, ...]]:
    return {tuple(sorted(f["evidence"].get("Person", ()))) for f in findings if f["kind"] == "DUP_IDENTITY"}


def _prf(predicted: set[tuple[str, ...]], truth: set[tuple[str, ...]]) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _splink(driver, database: str) -> tuple[set[tuple[str, ...]], float] | None:  # type: ignore[no-untyped-def]
    python = SPLINK_VENV / "bin" / "python"
    if not python.exists():
        with console.status("installing Splink into bench/.venv-splink…"):
            subprocess.run([sys.executable, "-m", "venv", str(SPLINK_VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "splink>=4.0,<6"], check=True)
    persons = OUT / "splink-persons.jsonl"
    records, _, _ = driver.execute_query(PERSONS_EXPORT, database_=database)
    with persons.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({
                "unique_id": r["id"], "name": r["name"], "pinyin": pinyin_key(r["name"] or ""),
                "birth_date": r["birth_date"], "sex": r["sex"], "id_region_seq": r["id"][:6] + r["id"][14:17],
                "phones": r["phones"], "accounts": r["accounts"], "addresses": r["addresses"],
                "phone1": (r["phones"] or [None])[0], "account1": (r["accounts"] or [None])[0]},
                ensure_ascii=False) + "\n")
    out = OUT / "splink-pairs.jsonl"
    result = subprocess.run([str(python), str(PROJECT_ROOT / "bench" / "splink_baseline.py"), str(persons), str(out)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        console.print(f"[red]Splink failed:[/red] {result.stderr[-3000:]}")
        return None
    seconds = float(result.stdout.strip().splitlines()[-1])
    pairs = {tuple(sorted((d["a"], d["b"]))) for d in map(json.loads, out.read_text().splitlines())}
    return pairs, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delta-rows", type=int, default=1000)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()
    settings = bench_settings()
    local, folder = start_with_county(settings, console)
    rules = read_rules(settings.detection_rules_file)
    db = settings.neo4j_database
    try:
        with open_driver(settings) as driver:
            driver.execute_query(DROP_DELTA, database_=db)  # left by an interrupted run
            started = time.perf_counter()
            reports = run_detection(driver, db, rules, as_of=AS_OF)
            full = time.perf_counter() - started
            labels = read_labels(folder / "labels" / "labels.jsonl")
            near_misses = read_labels(folder / "labels" / "labels.jsonl", "near_misses.jsonl")
            findings = current_findings(driver, db)
            quality = {s.kind: s for s in score(findings, labels, near_misses)}

            table = Table(title=f"detection over the full county ({sum(r.found for r in reports):,} findings)")
            for column in ("kind", "found", "seconds", "precision", "recall", "F1"):
                table.add_column(column, justify="left" if column == "kind" else "right")
            for r in reports:
                q = quality[r.kind]
                table.add_row(r.kind, f"{r.found:,}", f"{r.seconds:.2f}", f"{q.precision:.3f}", f"{q.recall:.3f}",
                              f"{q.f1:.3f}", style="" if q.precision >= 0.95 and q.recall >= 0.95 else "red")
            table.add_row("total", f"{sum(r.found for r in reports):,}", f"{full:.2f}", "", "", "")
            console.print(table)

            delta = _delta(driver, db, args.delta_rows)
            Loader(driver, settings, rejects_dir=OUT / "rejects").load([delta])
            runs = []
            for _ in range(2):  # the first also pays for planning the scoped queries
                started = time.perf_counter()
                scope = affected_households(driver, db, [delta])
                scoped_s = time.perf_counter() - started
                incremental = run_detection(driver, db, rules, as_of=AS_OF, households=scope)
                runs.append((time.perf_counter() - started, scoped_s, incremental))
            driver.execute_query(DROP_DELTA, database_=db)
            run_detection(driver, db, rules, as_of=AS_OF, households=scope)  # back to the county as labelled
            slowest = sorted(runs[-1][2], key=lambda r: -r.seconds)[:3]
            console.print(
                f"incremental run after a {args.delta_rows:,}-row delta ({len(scope):,} households affected): "
                f"{runs[0][0]:.2f} s first, {runs[1][0]:.2f} s repeated (of which finding the households "
                f"{runs[1][1]:.2f} s; slowest: " + ", ".join(f"{r.kind} {r.seconds:.2f} s" for r in slowest)
                + f") — {full / runs[1][0]:.1f}x faster than the full run of {full:.2f} s")

            if not args.no_splink:
                truth = {tuple(sorted(label["persons"])) for label in labels if label["kind"] == "DUP_IDENTITY"}
                ours = _prf(_pairs(findings), truth)
                ours_s = next(r.seconds for r in reports if r.kind == FindingKind.DUP_IDENTITY.value)
                splink = _splink(driver, db)
                t = Table(title=f"DUP_IDENTITY on the same {len(truth)} planted duplicates")
                for column in ("", "precision", "recall", "F1", "seconds"):
                    t.add_column(column, justify="left" if column == "" else "right")
                t.add_row("reliefgraph", *(f"{x:.3f}" for x in ours), f"{ours_s:.2f}")
                if splink is not None:
                    theirs = _prf(splink[0], truth)
                    t.add_row("Splink (DuckDB)", *(f"{x:.3f}" for x in theirs), f"{splink[1]:.2f}")
                    t.caption = f"F1 ratio reliefgraph / Splink: {ours[2] / theirs[2]:.2f}" if theirs[2] else ""
                console.print(t)
    finally:
        local.stop()


if __name__ == "__main__":
    main()
