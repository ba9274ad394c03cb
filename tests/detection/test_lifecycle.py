"""Findings in the graph: idempotent re-runs, dismissed stays dismissed until the evidence
changes, vanished situations resolve, incremental runs touch only what changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from neo4j import Driver

from detection.rules import DetectionRules
from detection.run import run_detection
from detection.scope import affected_households, delta_feeds
from domain.finding_kinds import FindingKind
from loaders.run import Loader
from settings import Settings
from tests.detection.builder import AS_OF, VA, County

KIND = [FindingKind.DUP_PAYMENT]


def _county() -> tuple[County, str, str, str]:
    """A household paid twice for February: returns the county, household, grant, second payment."""
    c = County()
    h = c.household(VA)
    p = c.person(h, "吴九", date(1970, 1, 1))
    e = c.enrollment("DIBAO", household=h, covered=[p])
    c.payment(e, "2026-02")
    return c, h, e, c.payment(e, "2026-02")


def _findings(driver: Driver, settings: Settings) -> list[dict]:
    records, _, _ = driver.execute_query(
        "MATCH (f:Finding) RETURN f.finding_id AS id, f.status AS status, f.version AS version, "
        "size([(f)-[:EVIDENCE]->(n) | n]) AS evidence, "
        "[(f)-[:HAS_EVENT]->(e) | e.action] AS events ORDER BY id",
        database_=settings.neo4j_database,
    )
    return [r.data() for r in records]


def test_rerunning_detection_gives_the_same_findings(
    graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path
) -> None:
    c, _, _, _ = _county()
    c.load(graph, settings, tmp_path / "c")
    first = run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    before = _findings(graph, settings)
    second = run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    assert (first[0].new, second[0].new, second[0].found) == (1, 0, 1)
    assert _findings(graph, settings) == before
    assert before[0]["evidence"] == 4 and before[0]["events"] == ["detected"]  # grant, household, 2 payments


def test_dismissed_stays_dismissed_until_its_evidence_changes(
    graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path
) -> None:
    c, _, e, _ = _county()
    c.load(graph, settings, tmp_path / "c")
    run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    graph.execute_query("MATCH (f:Finding) SET f.status = 'dismissed'", database_=settings.neo4j_database)
    run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    assert [f["status"] for f in _findings(graph, settings)] == ["dismissed"]
    # A third payment for the same month: the same situation, with new evidence.
    c.payment(e, "2026-02")
    c.load(graph, settings, tmp_path / "c2")
    report = run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    finding = _findings(graph, settings)[0]
    assert report[0].reopened == 1 and finding["status"] == "open" and finding["evidence"] == 5
    assert sorted(finding["events"]) == ["detected", "reopened"]


def test_a_vanished_situation_is_resolved(
    graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path
) -> None:
    c, _, _, second = _county()
    c.load(graph, settings, tmp_path / "c")
    run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    # The payment office cancels the second payment.
    graph.execute_query(
        "MATCH (p:Payment {payment_id: $id}) DETACH DELETE p", id=second, database_=settings.neo4j_database
    )
    report = run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    assert report[0].resolved == 1
    assert [f["status"] for f in _findings(graph, settings)] == ["resolved"]


def test_incremental_runs_touch_only_affected_households(
    graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path
) -> None:
    c, h, e, _ = _county()
    other = c.household(VA)
    q = c.person(other, "孙十", date(1971, 1, 1))
    e2 = c.enrollment("DIBAO", household=other, covered=[q])
    c.payment(e2, "2026-05")
    c.load(graph, settings, tmp_path / "c")
    run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND)
    # The delta: the other household paid twice for May.
    delta = County()
    delta.rows["payments"].append(
        {
            "payment_id": "P9999",
            "enrollment_id": e2,
            "period": "2026-05",
            "amount": "500.00",
            "paid_date": "2026-05-11",
            "account_number": "6228480000000000001",
        }
    )
    files = delta.write(tmp_path / "delta")
    c.rows["payments"].append(delta.rows["payments"][0])
    c.load(graph, settings, tmp_path / "c2")
    keys = Loader(graph, settings, rejects_dir=tmp_path / "rejects").changed_keys(files)
    scope = affected_households(graph, settings.neo4j_database, keys)
    assert scope == [other]
    report = run_detection(graph, settings.neo4j_database, rules, as_of=AS_OF, kinds=KIND, households=scope)
    assert (report[0].found, report[0].new, report[0].resolved) == (1, 1, 0)
    assert len(_findings(graph, settings)) == 2  # the first household's finding untouched, still there


def test_an_incremental_run_skips_a_kind_whose_feeds_the_delta_does_not_hold(
    graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path
) -> None:
    c, h, e, _ = _county()
    c.load(graph, settings, tmp_path / "c")
    delta = County()
    delta.rows["payments"].append(
        {
            "payment_id": "P9998",
            "enrollment_id": e,
            "period": "2026-06",
            "amount": "500.00",
            "paid_date": "2026-06-11",
            "account_number": "6228480000000000001",
        }
    )
    payments = [f for f in delta.write(tmp_path / "payments") if f.stem == "payments"]
    assert delta_feeds(payments) == {"payments"}
    kinds = [FindingKind.DUP_PAYMENT, FindingKind.DUP_IDENTITY]
    reports = run_detection(
        graph,
        settings.neo4j_database,
        rules,
        as_of=AS_OF,
        kinds=kinds,
        households=[h],
        feeds=delta_feeds(payments),
    )
    assert [(r.kind, r.skipped) for r in reports] == [("DUP_PAYMENT", False), ("DUP_IDENTITY", True)]
    # A register delta (a phone) is what identity reads: it runs.
    delta = County()
    delta.rows["phones"].append(
        {
            "id_number": c.rows["persons"][0]["id_number"],
            "phone": "13900000555",
            "source": "MZ",
            "as_of": "2026-11-01",
        }
    )
    phones = [f for f in delta.write(tmp_path / "phones") if f.stem == "phones"]
    reports = run_detection(
        graph,
        settings.neo4j_database,
        rules,
        as_of=AS_OF,
        kinds=kinds,
        households=[h],
        feeds=delta_feeds(phones),
    )
    assert [r.skipped for r in reports] == [False, False]
    # Without the feeds (a township run, or files whose names do not say), every kind runs.
    assert delta_feeds([tmp_path / "notes.csv"]) is None
