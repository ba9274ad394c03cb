"""The monthly township report: the spreadsheet, read back with python-calamine, holds the
figures a plain count over the county's tables gives, every figure of detection/performance.py."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from neo4j import Driver
from python_calamine import CalamineWorkbook

from detection.performance import DISCOVERY_KIND, FIGURES
from detection.rules import DetectionRules, read_rules
from jobs.monthly_report import COLUMNS, monthly_report, write_report
from settings import Settings
from tests.detection.builder import T1, T2, VA, VB, VC, County

MONTH = "2026-10"
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)
END = datetime(2026, 11, 1, tzinfo=UTC)

# What the service writes as it works (detection, reviews, triage, credit decisions), as
# tables: findings with their steps, reports with theirs, dishonesty records.
STORED = """
UNWIND $findings AS x
CREATE (f:Finding {finding_id: x.id, kind: x.kind, township_code: x.township,
                   first_detected_at: datetime(x.detected), status: x.status})
FOREACH (e IN x.events | CREATE (f)-[:HAS_EVENT]->(:FindingEvent {event_id: randomUUID(), at: datetime(e.at),
                                                               role: e.role, to_status: e.to}))
WITH count(*) AS done
UNWIND $reports AS x
MATCH (h:Household {household_id: x.household})
CREATE (r:Report {report_id: x.id, status: x.status, due_date: date(x.due)})-[:NAMES]->(h)
FOREACH (e IN x.events | CREATE (r)-[:HAS_EVENT]->(:ReportEvent {event_id: randomUUID(), at: datetime(e.at),
                                                               to_status: e.to}))
WITH count(*) AS done
UNWIND $records AS x
MATCH (f:Finding {finding_id: x.finding})
CREATE (:CreditRecord {record_id: x.id, status: x.status, decision_date: date(x.decided),
                       recovery_amount_fen: x.fen})-[:FROM_FINDING]->(f)
"""


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)  # with its offset: its date is the one Cypher's date() gives


def _county() -> tuple[County, dict[str, list[dict[str, Any]]]]:
    c = County()
    staff = {T1: c.staff(c.person(c.household(VA), "员一", date(1980, 1, 1))), T2: ""}
    c.staff(c.person(c.household(VC), "员二", date(1981, 1, 1)), township=T2)
    village = {T1: VA, T2: VC}
    homes = []
    # Decisions 10 to 45 days after the application, some in October, some not.
    for township, submitted, decided in (
        (T1, "2026-09-20", "2026-10-02"),
        (T1, "2026-09-01", "2026-10-16"),
        (T1, "2026-10-01", "2026-10-31"),
        (T1, "2026-08-01", "2026-09-30"),
        (T2, "2026-09-25", "2026-10-05"),
        (T2, "2026-10-20", "2026-11-02"),
    ):
        h = c.household(village[township])
        homes.append(h)
        c.case(h, c.person(h, "申请人", date(1970, 1, 1)), submitted=submitted)
        c.rows["cases"][-1]["decided_date"] = decided
        if staff[township]:
            for when in ("2026-10-03", "2026-10-30", "2026-11-01"):
                c.visit(h, staff[township], when)
    # Basic-living households and their visits: due (last visit or grant start a year before
    # the month's end) and visited in October, due and not visited, not yet due, grant ended;
    # a person's grant counts for their household; a borderline grant is not basic living.
    for village_code, start, end, visits, programme in (
        (VA, "2025-01-01", "", ["2025-09-01", "2026-10-12"], "DIBAO"),
        (VA, "2024-05-01", "", ["2025-06-01"], "DIBAO"),
        (VB, "2026-03-01", "", [], "DIBAO"),
        (VB, "2024-01-01", "2026-06-30", [], "DIBAO"),
        (VA, "2024-01-01", "", [], "DIBAO_EDGE"),
        (VA, "2024-01-01", "", ["2026-10-20"], "TEKUN"),
    ):
        h = c.household(village_code)
        p = c.person(h, "户主", date(1950, 1, 1))
        if programme == "TEKUN":
            c.enrollment(programme, person=p, start=start, end=end)
        else:
            c.enrollment(programme, household=h, covered=[p], start=start, end=end)
        for when in visits:
            c.visit(h, staff[T1], when)

    def f(n: int, kind: str, township: str, detected: str, *events: tuple[str, str, str]) -> dict[str, Any]:
        return {
            "id": f"F{n}",
            "kind": kind,
            "township": township,
            "detected": detected,
            "status": events[-1][2] if events else "open",
            "events": [{"at": at, "role": role, "to": to} for at, role, to in events],
        }

    d = str(DISCOVERY_KIND)
    stored = {
        "findings": [
            f(1, "DECEASED_PAID", T1, "2026-10-05T09:00:00+08:00"),
            f(
                2,
                "DECEASED_PAID",
                T1,
                "2026-08-01T09:00:00+08:00",
                ("2026-10-10T10:00:00+08:00", "investigator", "confirmed"),
            ),
            f(
                3,
                "GAP_OVERDUE",
                T1,
                "2026-07-01T09:00:00+08:00",
                ("2026-08-01T10:00:00+08:00", "system", "resolved"),
            ),
            f(
                4,
                "GAP_OVERDUE",
                T1,
                "2026-09-15T09:00:00+08:00",
                ("2026-09-20T10:00:00+08:00", "investigator", "assigned"),
            ),
            f(
                5,
                "GAP_OVERDUE",
                T1,
                "2026-06-15T09:00:00+08:00",
                ("2026-11-03T10:00:00+08:00", "investigator", "dismissed"),
            ),
            f(
                6,
                d,
                T1,
                "2026-10-02T09:00:00+08:00",
                ("2026-10-20T10:00:00+08:00", "coordinator", "assigned"),
            ),
            f(
                7,
                d,
                T1,
                "2026-10-03T09:00:00+08:00",
                ("2026-11-10T10:00:00+08:00", "coordinator", "assigned"),
            ),
            f(8, d, T1, "2026-10-04T09:00:00+08:00", ("2026-10-06T10:00:00+08:00", "system", "resolved")),
            f(
                9,
                d,
                T2,
                "2026-09-30T09:00:00+08:00",
                ("2026-10-01T10:00:00+08:00", "investigator", "dismissed"),
            ),
            f(10, "ASSET_INELIGIBLE", T2, "2026-11-02T09:00:00+08:00"),
        ],
        "reports": [
            {
                "id": "R1",
                "household": homes[0],
                "due": "2026-10-10",
                "status": "concluded",
                "events": [{"at": "2026-10-09T16:00:00+08:00", "to": "concluded"}],
            },
            {
                "id": "R2",
                "household": homes[1],
                "due": "2026-10-20",
                "status": "concluded",
                "events": [{"at": "2026-10-25T16:00:00+08:00", "to": "concluded"}],
            },
            {
                "id": "R3",
                "household": homes[2],
                "due": "2026-10-30",
                "status": "assigned",
                "events": [{"at": "2026-10-01T16:00:00+08:00", "to": "assigned"}],
            },
            {
                "id": "R4",
                "household": homes[3],
                "due": "2026-11-05",
                "status": "rejected",
                "events": [{"at": "2026-10-02T16:00:00+08:00", "to": "rejected"}],
            },
            {
                "id": "R5",
                "household": homes[4],
                "due": "2026-10-15",
                "status": "rejected",
                "events": [{"at": "2026-10-15T09:00:00+08:00", "to": "rejected"}],
            },
        ],
        "records": [
            {"id": "CR1", "finding": "F2", "decided": "2026-10-12", "status": "published", "fen": 150_000},
            {"id": "CR2", "finding": "F1", "decided": "2026-10-28", "status": "decided", "fen": 22_050},
            {"id": "CR3", "finding": "F4", "decided": "2026-10-20", "status": "revoked", "fen": 90_000},
            {"id": "CR4", "finding": "F5", "decided": "2026-09-20", "status": "decided", "fen": 10_000},
            {"id": "CR5", "finding": "F9", "decided": "2026-10-02", "status": "decided", "fen": None},
        ],
    }
    return c, stored


def _plain(
    c: County, stored: dict[str, list[dict[str, Any]]], rules: DetectionRules, township: str
) -> dict[str, Any]:
    """Every figure, counted in plain Python over the tables."""
    township_of = {r["village_code"]: r["township_code"] for r in c.rows["regions"]}
    home = {r["household_id"]: township_of[r["village_code"]] for r in c.rows["households"]}
    in_month = lambda d: FIRST <= d <= LAST  # noqa: E731
    days = [
        (date.fromisoformat(r["decided_date"]) - date.fromisoformat(r["submitted_date"])).days
        for r in c.rows["cases"]
        if home[r["household_id"]] == township and in_month(date.fromisoformat(r["decided_date"]))
    ]
    visits = [v for v in c.rows["visits"] if home[v["household_id"]] == township]
    household_of = {m["id_number"]: m["household_id"] for m in c.rows["persons"]}
    basic = {"DIBAO", "TEKUN"}
    since: dict[str, date] = {}
    for e in c.rows["enrollments"]:
        h = e["household_id"] or household_of[e["id_number"]]
        active = date.fromisoformat(e["start_date"]) <= LAST and (
            not e["end_date"] or date.fromisoformat(e["end_date"]) >= LAST
        )
        if e["programme"] in basic and active and home[h] == township:
            since[h] = min(since.get(h, date.max), date.fromisoformat(e["start_date"]))
    due = []
    for h, start in since.items():
        before = [
            date.fromisoformat(v["visit_date"])
            for v in visits
            if v["household_id"] == h and date.fromisoformat(v["visit_date"]) < FIRST
        ]
        if max(before, default=start) <= LAST - timedelta(days=rules.overdue.visit_days):
            due.append(h)
    visited = {v["household_id"] for v in visits if in_month(date.fromisoformat(v["visit_date"]))}

    findings = [f for f in stored["findings"] if f["township"] == township]
    closed = {"confirmed", "dismissed", "resolved"}

    def first_closed(f: dict[str, Any]) -> datetime | None:
        return min((_at(e["at"]) for e in f["events"] if e["to"] in closed), default=None)

    new = [f for f in findings if FIRST <= _at(f["detected"]).date() <= LAST]
    candidates = [f for f in new if f["kind"] == str(DISCOVERY_KIND)]
    reports = [
        r
        for r in stored["reports"]
        if home[r["household"]] == township and in_month(date.fromisoformat(r["due"]))
    ]
    finding_township = {f["id"]: f["township"] for f in stored["findings"]}
    records = [
        r
        for r in stored["records"]
        if finding_township[r["finding"]] == township
        and in_month(date.fromisoformat(r["decided"]))
        and r["status"] != "revoked"
    ]
    population = next(
        int(r["township_population"]) for r in c.rows["regions"] if r["township_code"] == township
    )
    staffing = rules.staffing
    return {
        "decided": len(days),
        "decided_in_time": sum(1 for d in days if d <= rules.overdue.application_days),
        "median_days": statistics.median(days) if days else "",
        "findings_opened": len(new),
        "findings_resolved": sum(
            1
            for f in findings
            if any(e["to"] in closed and FIRST <= _at(e["at"]).date() <= LAST for e in f["events"])
        ),
        "findings_overdue": sum(
            1
            for f in findings
            if _at(f["detected"]) < END - timedelta(days=rules.overdue.finding_days)
            and ((done := first_closed(f)) is None or done >= END)
        ),
        "reports_due": len(reports),
        "reports_answered_in_time": sum(
            1
            for r in reports
            if any(
                e["to"] in ("concluded", "rejected") and _at(e["at"]).date() <= date.fromisoformat(r["due"])
                for e in r["events"]
            )
        ),
        "visits_due": len(due),
        "visits_due_made": sum(1 for h in due if h in visited),
        "visits": sum(1 for v in visits if in_month(date.fromisoformat(v["visit_date"]))),
        "discovery_candidates": len(candidates),
        "discovery_acted": sum(
            1
            for f in candidates
            if any(
                e["role"] != "system"
                and _at(e["at"]) <= _at(f["detected"]) + timedelta(days=rules.overdue.discovery_days)
                for e in f["events"]
            )
        ),
        "staff": sum(1 for s in c.rows["staff"] if s["township_code"] == township),
        "staff_required": staffing.minimum_at_or_above
        if population >= staffing.population_threshold
        else staffing.minimum_below,
        "recovery_records": len(records),
        "recovery_ordered": float(sum(Decimal(r["fen"] or 0) for r in records) / 100),
    }


def test_the_spreadsheet_holds_the_plain_counts(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    c, stored = _county()
    c.load(graph, settings, tmp_path / "county")
    graph.execute_query(STORED, stored, database_=settings.neo4j_database)
    rules = read_rules(settings.detection_rules_file)
    xlsx, page = write_report(monthly_report(graph, settings, rules, MONTH), tmp_path / "out")

    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == ["乡镇代码", "乡镇(街道)", "审批件数"]
    read = {row[0]: dict(zip([k for k, _, _ in COLUMNS], row, strict=True)) for row in sheet[2:]}
    assert set(read) == {T1, T2}
    for township in (T1, T2):
        expected = _plain(c, stored, rules, township)
        assert set(expected) == {k for k, _, _ in FIGURES}
        assert {k: read[township][k] for k in expected} == expected, township
    # The county is built so that every figure is non-zero somewhere: a figure that always
    # reads 0 (a misspelt property) fails here.
    assert all(any(read[t][k] not in (0, "") for t in (T1, T2)) for k, _, _ in FIGURES)
    assert read[T1]["staff_required"] == 5 and read[T2]["staff_required"] == 3
    assert "社会救助月度通报 2026-10" in page.read_text(encoding="utf-8")
    assert xlsx.stat().st_mode & 0o777 == 0o600


# The green channel's reserve as the budgets feed and urgent grants leave it: one reserve
# line, two urgent grants of the year (one reversed with money to recover), one of last year.
RESERVE = """
CREATE (:BudgetLine {budget_id: 'TEMP-2026-reserve', programme_code: 'TEMP', year: 2026,
                     reserve: true, amount_fen: 1000000})
CREATE (:BudgetLine {budget_id: 'TEMP-2026', programme_code: 'TEMP', year: 2026, amount_fen: 9900000})
WITH 1 AS one
UNWIND $grants AS g
CREATE (:Case {case_id: g.id, programme_code: 'TEMP', urgent: true, status: g.status,
               urgent_granted_date: date(g.day), urgent_amount_fen: g.fen, recovery_fen: g.recover})
"""


def test_the_report_gives_the_reserve_the_green_channel_draws_on(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    grants = [
        {"id": "U1", "status": "under_review", "day": "2026-10-03", "fen": 120000, "recover": None},
        {"id": "U2", "status": "rejected", "day": "2026-09-12", "fen": 80050, "recover": 80050},
        {"id": "U0", "status": "approved", "day": "2025-12-30", "fen": 150000, "recover": None},
    ]
    graph.execute_query(RESERVE, grants=grants, database_=settings.neo4j_database)
    rules = read_rules(settings.detection_rules_file)
    xlsx, page = write_report(monthly_report(graph, settings, rules, MONTH), tmp_path / "out")

    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("临时救助备用金").to_python()
    this_year = [g for g in grants if g["day"].startswith("2026")]
    drawn = sum(g["fen"] for g in this_year)
    assert sheet[2] == [
        "TEMP",
        2026,
        10000.0,
        drawn / 100,
        (1000000 - drawn) / 100,
        len(this_year),
        sum(g["status"] not in ("approved", "rejected") for g in this_year),
        sum(g["recover"] or 0 for g in this_year) / 100,
    ]
    assert len(sheet) == 3  # the ordinary budget line is not a reserve
    assert "临时救助备用金" in page.read_text(encoding="utf-8")
