"""Scheduled jobs' runs: never two of one job at once, and each run recorded in the graph.

A run takes the job's lock (a (:JobLock) node, unique per job) in the same transaction that
records its start; a second start of the same job finds the lock held and is refused. The
lock has a lease (`lease_s`): a run whose process died frees it when the lease ends, not
never. The end (outcome, counts, error) is recorded and the lock released in one
transaction. `reliefgraph jobs status` and /metrics read the runs.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import Driver, ManagedTransaction

START = """
MERGE (l:JobLock {job: $job})
WITH l WHERE l.holder IS NULL OR l.expires_at < datetime()
SET l.holder = $run_id, l.expires_at = datetime() + duration({seconds: $lease_s})
CREATE (r:JobRun {run_id: $run_id, job: $job, started_at: datetime(), outcome: 'running', host: $host,
                  pid: $pid})
RETURN r.run_id AS run_id
"""
HOLDER = """
MATCH (l:JobLock {job: $job})
OPTIONAL MATCH (r:JobRun {run_id: l.holder})
RETURN l.holder AS run_id, toString(r.started_at) AS started_at, r.host AS host, r.pid AS pid
"""
END = """
MATCH (r:JobRun {run_id: $run_id})
SET r.ended_at = datetime(), r.outcome = $outcome, r.counts = $counts, r.error = $error,
    r.seconds = duration.inSeconds(r.started_at, datetime()).seconds
WITH r
MATCH (l:JobLock {job: r.job}) WHERE l.holder = $run_id
SET l.holder = null, l.expires_at = null
"""
LAST_RUNS = """
MATCH (r:JobRun)
WITH r ORDER BY r.started_at DESC
WITH r.job AS job, collect(r)[..$per_job] AS runs
UNWIND runs AS r
RETURN r.job AS job, r.run_id AS run_id, toString(r.started_at) AS started_at,
       toString(r.ended_at) AS ended_at, r.outcome AS outcome, r.counts AS counts, r.error AS error,
       r.seconds AS seconds
ORDER BY job, started_at DESC
"""
LAST_SUCCESS = """
MATCH (r:JobRun)
WITH r ORDER BY r.started_at DESC
WITH r.job AS job, collect(r) AS runs
RETURN job, runs[0].outcome AS last_outcome,
       head([x IN runs WHERE x.outcome = 'succeeded' | x.ended_at.epochSeconds]) AS last_success
"""


class JobBusy(RuntimeError):
    """Another run of the same job holds its lock."""


@dataclass(frozen=True)
class RunResult:
    run_id: str
    outcome: str
    counts: dict[str, Any]


def start_run(driver: Driver, database: str, job: str, lease_s: int) -> str:
    run_id = f"{job}-{uuid.uuid4().hex[:12]}"

    def work(tx: ManagedTransaction) -> str | None:
        record = tx.run(
            START, job=job, run_id=run_id, lease_s=lease_s, host=socket.gethostname(), pid=os.getpid()
        ).single()
        return record["run_id"] if record else None

    with driver.session(database=database) as session:
        if session.execute_write(work) is None:
            holder = session.execute_read(lambda tx: tx.run(HOLDER, job=job).single(strict=True))
            raise JobBusy(
                f"{job} is already running (run {holder['run_id']}, started {holder['started_at']} on "
                f"{holder['host']}, pid {holder['pid']})"
            )
    return run_id


def end_run(
    driver: Driver, database: str, run_id: str, outcome: str, counts: dict[str, Any], error: str | None = None
) -> None:
    with driver.session(database=database) as session:
        session.execute_write(
            lambda tx: tx.run(
                END,
                run_id=run_id,
                outcome=outcome,
                counts=json.dumps(counts, ensure_ascii=False),
                error=error,
            ).consume()
        )


def run_job(
    connect: Callable[[], Driver],
    database: str,
    job: str,
    work: Callable[[], dict[str, Any]],
    lease_s: int = 6 * 3600,
) -> RunResult:
    """Run `work` as one recorded, exclusive run of `job`. `connect` opens a driver: the
    start and the end are written on connections of their own, so a job may stop the
    database in between (a backup does)."""
    with connect() as driver:
        run_id = start_run(driver, database, job, lease_s)
    try:
        counts = work()
    except BaseException as exc:
        with connect() as driver:
            end_run(driver, database, run_id, "failed", {}, f"{type(exc).__name__}: {exc}"[:500])
        raise
    with connect() as driver:
        end_run(driver, database, run_id, "succeeded", counts)
    return RunResult(run_id, "succeeded", counts)


def last_runs(driver: Driver, database: str, per_job: int = 5) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(LAST_RUNS, per_job=per_job, database_=database)
    return [r.data() for r in records]
