"""Export benchmark: 100,000 credit changes to the outbox and to a local HTTP receiver (also
one that refuses 1% of the records, which become dead letters), and the cost of the
joint-restriction check when an application is submitted.

    make bench-export            (or: python -m bench.export [--changes 100000])

Runs on its own Neo4j (.reliefgraph/bench-export) holding the small synthetic county, so the
numbers do not depend on the detection or API benchmarks' data. Baselines in the same run:
the outbox against a plain JSON Lines dump (no fsync, no manifest, no acknowledgement), the
HTTP sink against one request per record, and submission with against without the check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import statistics
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.county import OUT
from bench.machine import machine_line
from bench.spread import Spread
from graph.driver import open_async_driver, open_driver
from graph.migrations import migrate
from jobs.credit_export import CHANGES, HttpSink, OutboxSink, change_record, export_changes
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from resolvers.cases import FLAG_RESTRICTED, submit_application
from resolvers.gateway import GraphGateway
from settings import PROJECT_ROOT, Settings
from synth.county import synthesize
from tests.jobs.receiver import Chaos, Receiver, RunningReceiver

console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)

MAKE_CHANGES = """
UNWIND range($start, $end) AS i
CREATE (:CreditChange {sequence: i, change_id: 'CC-' + toString(i), change: 'published',
  record_id: 'DRB-' + toString(i), record_version: 3, occurred_at: datetime(), status: 'published',
  subject_name: '测试对象', id_number: '11010519491231002X',
  behaviour: 'concealment', facts: '隐瞒家庭收入，骗取最低生活保障金', amount_fen: 1040 * (i % 50 + 1),
  legal_basis: '《社会救助暂行办法》第六十八条', severity: 'general', deciding_authority: '泗水县民政局',
  decision_number: '泗民信〔2026〕' + toString(i) + '号', decision_date: date('2026-11-01'),
  publicity_start: date('2026-11-02'), publicity_end: date('2029-11-02'), aid_stopped: true})
"""
RESET = (
    "MATCH (n) WHERE n:CreditChange OR n:ExportCursor OR n:CreditRecord OR n:Case OR n:DeadLetter "
    "OR n:ExportBatch "
    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
)
APPLICANTS = """
MATCH (p:Person)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
WITH p, h ORDER BY p.id_number LIMIT $n
RETURN p.id_number AS applicant, h.household_id AS household
"""
RESTRICT_SOME = """
UNWIND $applicants AS a
MATCH (p:Person {id_number: a})
CREATE (:CreditRecord {record_id: 'DRB-R-' + a, status: 'published', version: 3, id_number: a})-[:ABOUT]->(p)
"""


def _reset(driver, database: str) -> None:  # type: ignore[no-untyped-def]
    """Batched deletes run in an implicit (auto-commit) transaction."""
    with driver.session(database=database) as session:
        session.run(RESET).consume()


def _table(title: str, rows: list[tuple[str, ...]], columns: tuple[str, ...]) -> None:
    t = Table(title=title)
    for c in columns:
        t.add_column(c, justify="left" if c == columns[0] else "right")
    for r in rows:
        t.add_row(*r)
    console.print(t)


def _export_round(driver, database: str, changes: int, size: int, i: int, of: int) -> tuple[float, ...]:  # type: ignore[no-untyped-def]
    """One run of every export measurement from fresh changes: records/s of the plain dump, the
    outbox, the HTTP sink and one request per record."""
    _reset(driver, database)
    with console.status(f"run {i + 1} of {of}: creating {changes:,} changes…"):
        for start in range(1, changes + 1, 20_000):
            driver.execute_query(
                MAKE_CHANGES, start=start, end=min(start + 19_999, changes), database_=database
            )
    folder = OUT / "export-outbox"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with console.status(f"run {i + 1} of {of}: exporting…"):
        plain = _plain_dump(driver, database, folder, size)
        started = time.perf_counter()
        report = export_changes(driver, database, OutboxSink(folder / "outbox"), size)
        outbox = report.records / (time.perf_counter() - started)
        receiver = Receiver("bench-token")
        running = RunningReceiver(receiver)
        try:
            sink = HttpSink(running.url, "bench-token", timeout_s=30)
            started = time.perf_counter()
            report_http = export_changes(driver, database, sink, size)
            http = report_http.records / (time.perf_counter() - started)
            sink.close()
            if len(receiver.stored) != changes:
                raise SystemExit(
                    f"the receiver holds {len(receiver.stored):,} of {changes:,} changes: not measured"
                )
            single = _one_request_per_record(driver, database, running.url, "bench-token", 2_000)
        finally:
            running.stop()
        refusing = _refusing_receiver(driver, database, changes, size)
    return plain, outbox, http, single, refusing


def _refusing_receiver(driver, database: str, changes: int, size: int) -> float:  # type: ignore[no-untyped-def]
    """Records/s accepted when the receiver refuses every hundredth record (1%, dead letters)."""
    refused = frozenset(f"DRB-{i}" for i in range(100, changes + 1, 100))
    receiver = Receiver("bench-token", Chaos(refuse_records=refused))
    running = RunningReceiver(receiver)  # a new port: a destination of its own, from change 1
    try:
        sink = HttpSink(running.url, "bench-token", timeout_s=30)
        started = time.perf_counter()
        report = export_changes(driver, database, sink, size)
        rate = report.records / (time.perf_counter() - started)
        sink.close()
    finally:
        running.stop()
    if len(receiver.stored) != changes - len(refused) or report.refused != len(refused):
        raise SystemExit(f"the refusing receiver holds {len(receiver.stored):,} changes: not measured")
    return rate


def _plain_dump(driver, database: str, folder: Path, batch: int) -> float:  # type: ignore[no-untyped-def]
    """The baseline: the same records, read the same way, written with no delivery guarantees."""
    started, after, n = time.perf_counter(), 0, 0
    with (folder / "plain.jsonl").open("w", encoding="utf-8") as fh:
        while True:
            rows, _, _ = driver.execute_query(CHANGES, after=after, limit=batch, database_=database)
            if not rows:
                break
            for r in rows:
                fh.write(json.dumps(change_record(r["change"]), ensure_ascii=False) + "\n")
            after, n = rows[-1]["change"]["sequence"], n + len(rows)
    return n / (time.perf_counter() - started)


def _one_request_per_record(driver, database: str, url: str, token: str, count: int) -> float:  # type: ignore[no-untyped-def]
    import httpx

    rows, _, _ = driver.execute_query(CHANGES, after=0, limit=count, database_=database)
    started = time.perf_counter()
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        for r in rows:
            record = change_record(r["change"])
            client.post(url, json={"batch_id": "single", "records": [record]}).raise_for_status()
    return len(rows) / (time.perf_counter() - started)


async def _submissions(settings: Settings, pairs: list[dict], check: bool) -> list[float]:
    driver = await open_async_driver(settings)
    gateway = GraphGateway(driver, settings.neo4j_database, settings.query_timeout_s)
    times = []
    try:
        for p in pairs:
            case_id = f"BENCH-{uuid.uuid4().hex[:10]}"
            started = time.perf_counter()
            await submit_application(
                gateway,
                household_id=p["household"],
                township=None,
                applicant=p["applicant"],
                programme="DIBAO",
                case_id=case_id,
                channel="window",
                by="bench",
                role="caseworker",
                note=None,
            )
            if check:
                await gateway.write(FLAG_RESTRICTED, case_id=case_id)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await driver.close()
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = Settings(state_dir=PROJECT_ROOT / ".reliefgraph" / "bench-export", bolt_port=free_port())
    console.print(machine_line(settings))
    local = LocalNeo4j(settings)
    local.stop()
    with console.status("starting the export benchmark's Neo4j…"):
        local.start()
    try:
        with open_driver(settings) as driver:
            db = settings.neo4j_database
            migrate(driver, db)
            records, _, _ = driver.execute_query("MATCH (p:Person) RETURN count(p) AS n", database_=db)
            if records[0]["n"] == 0:
                county = OUT / "county-small-2026"
                if not (county / "labels").exists():
                    synthesize(county, 2026, "small")
                with console.status("loading the small county…"):
                    Loader(driver, settings, rejects_dir=OUT / "rejects-export").load(
                        sorted([*county.glob("*.csv"), *county.glob("*.jsonl")])
                    )
            size = settings.credit_export_batch_size
            rounds = [
                _export_round(driver, db, args.changes, size, i, args.repeats) for i in range(args.repeats)
            ]
            plain, outbox, http, single, refusing = (Spread(tuple(r[k] for r in rounds)) for k in range(5))

            def rate(x: Spread) -> str:  # records/s: the median, and the range over the runs
                return f"{x.median:,.0f} ({min(x.runs):,.0f}-{max(x.runs):,.0f})"

            _table(
                f"exporting {args.changes:,} credit changes (batches of {size}; records/s, median of "
                f"{args.repeats} runs with min-max)",
                [
                    (
                        "outbox (fsync, manifest, acknowledged)",
                        rate(outbox),
                        f"{outbox.median / plain.median:.2f}x a plain dump ({rate(plain)}/s)",
                    ),
                    (
                        "HTTP receiver (100 per request, confirmed, acknowledged)",
                        rate(http),
                        f"{http.median / single.median:.1f}x one request per record ({rate(single)}/s)",
                    ),
                    (
                        "HTTP receiver refusing 1% (dead letters; the accepted records/s)",
                        rate(refusing),
                        f"{refusing.median / http.median:.2f}x the clean HTTP run",
                    ),
                ],
                ("destination", "records/s", "against the baseline (ratio of medians)"),
            )
            console.print(
                "baselines as configured: a plain dump writes the same records as JSON Lines in the same "
                "batches, without fsync, manifest or acknowledgement; one request per record posts 2,000 "
                "records singly to the same receiver over one kept-alive connection"
            )

            pairs = [
                r.data() for r in driver.execute_query(APPLICANTS, n=args.submissions * 2, database_=db)[0]
            ]
            restricted = [p["applicant"] for p in pairs[::10]]
            driver.execute_query(RESTRICT_SOME, applicants=restricted, database_=db)
        without = asyncio.run(_submissions(settings, pairs[: args.submissions], check=False))
        with_check = asyncio.run(_submissions(settings, pairs[args.submissions :], check=True))
        _table(
            "submitting an application (one at a time)",
            [
                (
                    "without the joint-restriction check",
                    f"{statistics.median(without):.1f}",
                    f"{_p95(without):.1f}",
                ),
                (
                    "with it (10% of applicants restricted)",
                    f"{statistics.median(with_check):.1f}",
                    f"{_p95(with_check):.1f}",
                ),
                (
                    "ratio",
                    f"{statistics.median(with_check) / statistics.median(without):.2f}x",
                    f"{_p95(with_check) / _p95(without):.2f}x",
                ),
            ],
            ("", "p50 ms", "p95 ms"),
        )
        with open_driver(settings) as driver:
            _reset(driver, settings.neo4j_database)
    finally:
        local.stop()


if __name__ == "__main__":
    main()
