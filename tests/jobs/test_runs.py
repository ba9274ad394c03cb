"""Scheduled jobs: two starts of one job at once, one refused; every run recorded; a lock
whose holder died is taken over when its lease ends."""

from __future__ import annotations

import threading

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graph.driver import open_driver
from jobs.runs import JobBusy, last_runs, run_job
from reliefgraph.cli import app
from settings import Settings


def test_two_runs_of_one_job_never_overlap_and_each_is_recorded(graph: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    inside, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow() -> dict[str, int]:
        inside.set()
        assert release.wait(60)
        return {"done": 1}

    def first() -> None:
        outcome["first"] = run_job(lambda: open_driver(settings), db, "demo-job", slow)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(60)  # the first run holds the lock now
    with pytest.raises(JobBusy, match="already running"):
        run_job(lambda: open_driver(settings), db, "demo-job", lambda: {"done": 2})
    release.set()
    thread.join(60)
    assert outcome["first"].counts == {"done": 1}  # type: ignore[union-attr]
    again = run_job(lambda: open_driver(settings), db, "demo-job", lambda: {"done": 3})
    with pytest.raises(ZeroDivisionError):
        run_job(lambda: open_driver(settings), db, "demo-job", lambda: {"x": 1 / 0})
    runs = [r for r in last_runs(graph, db) if r["job"] == "demo-job"]
    assert [r["outcome"] for r in runs] == ["failed", "succeeded", "succeeded"]
    assert runs[1]["run_id"] == again.run_id and "ZeroDivisionError" in runs[0]["error"]
    status = CliRunner().invoke(app, ["jobs", "status", "--json"], obj=settings)
    assert status.exit_code == 0 and '"demo-job"' in status.stdout


def test_a_dead_runs_lock_is_taken_over_when_its_lease_ends(graph: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    graph.execute_query(
        "MERGE (l:JobLock {job: 'demo-job'}) SET l.holder = 'demo-job-dead', "
        "l.expires_at = datetime() - duration({minutes: 1})",
        database_=db,
    )
    assert run_job(lambda: open_driver(settings), db, "demo-job", lambda: {"ok": 1}).outcome == "succeeded"
    graph.execute_query(
        "MERGE (l:JobLock {job: 'demo-job'}) SET l.holder = 'demo-job-alive', "
        "l.expires_at = datetime() + duration({minutes: 5})",
        database_=db,
    )
    busy = CliRunner().invoke(app, ["jobs", "run", "credit-expiry"], obj=settings)
    assert busy.exit_code == 0, busy.output  # another job's lock does not stop it
    with pytest.raises(JobBusy):
        run_job(lambda: open_driver(settings), db, "demo-job", lambda: {"ok": 2})
