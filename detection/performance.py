"""Township performance (绩效评价, 定期通报): per township and month, the figures the monthly
report (jobs/monthly_report.py), its printable page, the API's `townshipPerformance` and the
workbench's dashboard all show. Each figure is defined here once, by the Cypher below and
the rules it reads (rules/detection.toml: [overdue], [staffing]); docs/reports.md says what
each one counts.

The staff-level roll-up of inaction (慢作为: the overdue items each staff member holds) is
read here too, for the investigators' `staffInaction` query only; it is not in the report.
No figure names a person: they are counts, days and money per township.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from neo4j import Driver, ManagedTransaction

from detection.rules import DetectionRules
from domain.finding_kinds import FindingKind, FindingStatus
from domain.money import to_yuan
from domain.reports import OPEN_REPORT, ReportStatus

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
MAX_MONTHS = 24  # the longest trend one call reads
# A finding is closed by a step to one of these (an investigator's confirm or dismiss, or
# detection's resolve); a report is answered when it is concluded or not taken up.
CLOSED_FINDING = [FindingStatus.CONFIRMED, FindingStatus.DISMISSED, FindingStatus.RESOLVED]
ANSWERED_REPORT = [ReportStatus.CONCLUDED, ReportStatus.REJECTED]
DISCOVERY_KIND = FindingKind.GAP_VULNERABLE_UNCOVERED  # the active-discovery list (主动发现)

# A report belongs to the townships of the subjects it names: a household, a person's
# current household, a staff member's station, a village (PERFORMANCE lists the same).
REPORT_IN_TOWNSHIP = """EXISTS { (r)-[:NAMES]->(x)
  WHERE (x:Household AND x.township_code = t.code) OR (x:Staff AND x.township_code = t.code)
     OR (x:Village AND x.code STARTS WITH t.code)
     OR EXISTS { (x)-[mm:MEMBER_OF]->(:Household {township_code: t.code}) WHERE mm.until IS NULL } }"""

# The raw facts of the months from $first to $last, one list each, every item tagged with its
# township: the figures are counted from them in Python (`_figures`), so a trend of months
# costs one round trip and the statement stays quick to plan.
PERFORMANCE = """
CALL () {
  MATCH (t:Township) WHERE $township IS NULL OR t.code = $township
  RETURN collect([t.code, t.name, coalesce(t.population, 0)]) AS townships, collect(t.code) AS codes
}
CALL (codes) {
  MATCH (c:Case) WHERE c.decided_date >= $first AND c.decided_date <= $last
    AND c.township_code IN codes
  RETURN collect([c.township_code, c.submitted_date, c.decided_date]) AS cases
}
CALL (codes) {
  MATCH (f:Finding) WHERE f.first_detected_at < $end AND f.township_code IN codes
  RETURN collect({township: f.township_code, kind: f.kind, detected: f.first_detected_at,
                  closed: [(f)-[:HAS_EVENT]->(e:FindingEvent) WHERE e.to_status IN $closed_finding | e.at],
                  acted: [(f)-[:HAS_EVENT]->(e:FindingEvent) WHERE e.role <> 'system' | e.at]}) AS findings
}
CALL (codes) {
  MATCH (r:Report) WHERE r.due_date >= $first AND r.due_date <= $last
  WITH r, [(r)-[:NAMES]->(h:Household) | h.township_code] + [(r)-[:NAMES]->(s:Staff) | s.township_code]
          + [(r)-[:NAMES]->(v:Village) | left(v.code, 9)]
          + [(r)-[:NAMES]->(:Person)-[mm:MEMBER_OF]->(h:Household) WHERE mm.until IS NULL | h.township_code]
          AS named
  RETURN collect({due: r.due_date, townships: [x IN named WHERE x IN codes],
                  answered: [(r)-[:HAS_EVENT]->(e:ReportEvent) WHERE e.to_status IN $answered_report | e.at]})
         AS reports
}
CALL (codes) {
  MATCH (v:Visit)-[:VISITED]->(h:Household) WHERE v.visit_date >= $first AND v.visit_date <= $last
    AND h.township_code IN codes
  RETURN collect([h.township_code, v.visit_date]) AS visits
}
CALL (codes) {
  MATCH (e:Enrollment)-[:FOR_PROGRAMME]->(:Programme {basic_living: true})
  WHERE e.start_date <= $last AND (e.end_date IS NULL OR e.end_date >= $first)
  MATCH (e)-[:GRANTED_TO]->(g)
  OPTIONAL MATCH (g)-[mm:MEMBER_OF]->(gh:Household) WHERE mm.until IS NULL
  WITH e, coalesce(CASE WHEN g:Household THEN g END, gh) AS h
  WITH h, collect([e.start_date, e.end_date]) AS grants
  WHERE h.township_code IN codes
  RETURN collect({township: h.township_code, grants: grants,
                  visits: [(v:Visit)-[:VISITED]->(h) WHERE v.visit_date <= $last | v.visit_date]})
         AS households
}
CALL (codes) {
  MATCH (s:Staff) WHERE s.staff_role IN $staff_roles AND s.township_code IN codes
  RETURN collect([s.township_code, s.active_from, s.active_until]) AS staff
}
CALL (codes) {
  MATCH (r:CreditRecord)-[:FROM_FINDING]->(f:Finding)
  WHERE r.decision_date >= $first AND r.decision_date <= $last AND r.status <> 'revoked'
    AND f.township_code IN codes
  RETURN collect([f.township_code, r.decision_date, coalesce(r.recovery_amount_fen, 0)]) AS records
}
RETURN townships, cases, findings, reports, visits, households, staff, records
"""


# Column key, Chinese heading, English heading: the report's columns, the API's fields.
FIGURES = (
    ("decided", "审批件数", "applications decided"),
    ("decided_in_time", "按时审批", "decided within the limit"),
    ("median_days", "审批天数中位数", "median days to decision"),
    ("findings_opened", "新发现问题", "findings opened"),
    ("findings_resolved", "已办结问题", "findings resolved"),
    ("findings_overdue", "超期未办问题", "findings overdue"),
    ("reports_due", "到期投诉举报", "reports due"),
    ("reports_answered_in_time", "按时办结投诉举报", "reports answered in time"),
    ("visits_due", "应探访户数", "households due a visit"),
    ("visits_due_made", "已探访应探访户", "of them visited"),
    ("visits", "探访次数", "visits made"),
    ("discovery_candidates", "主动发现对象", "active-discovery candidates"),
    ("discovery_acted", "30日内处理", "acted on within the limit"),
    ("staff", "经办人员", "caseworkers"),
    ("staff_required", "规定人数", "caseworkers required"),
    ("recovery_records", "追缴决定数", "recovery decisions"),
    ("recovery_ordered", "决定追缴金额(元)", "money to recover, yuan"),
)
HEAD = (("code", "乡镇代码", "township code"), ("name", "乡镇(街道)", "township"))


class MonthError(ValueError):
    pass


def parse_month(text: str) -> str:
    """YYYY-MM, or a MonthError saying how to write it."""
    month = text.strip()
    if not MONTH.fullmatch(month):
        raise MonthError(f"{text!r}: write the month as YYYY-MM, e.g. 2026-10")
    return month


def month_bounds(month: str) -> tuple[date, date]:
    year, m = map(int, month.split("-"))
    first = date(year, m, 1)
    return first, date(year + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def months_ending(month: str, months: int) -> list[str]:
    """The `months` months up to and including `month`, oldest first."""
    year, m = map(int, month.split("-"))
    index = year * 12 + m - 1 - months + 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index, index + months)]


@dataclass(frozen=True)
class TownshipMonth:
    month: str
    code: str | None  # None: the county's total
    name: str
    figures: dict[str, Any]  # keyed as FIGURES
    days: tuple[int, ...] = ()  # each decision's days from application: the county's median

    def row(self) -> dict[str, Any]:
        return {"month": self.month, "code": self.code, "name": self.name, **self.figures}


def county_month(month: str, townships: list[TownshipMonth]) -> TownshipMonth:
    """The county's figures for a month: the townships' counts added up, the median over all
    their decisions."""
    days = tuple(d for t in townships for d in t.days)
    figures: dict[str, Any] = {
        key: sum((t.figures[key] for t in townships), Decimal("0.00") if key == "recovery_ordered" else 0)
        for key, _, _ in FIGURES
        if key != "median_days"
    }
    figures["median_days"] = statistics.median(days) if days else None
    return TownshipMonth(month, None, "", figures, days)


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _params(rules: DetectionRules, months: list[str], township: str | None) -> dict[str, Any]:
    first, _ = month_bounds(months[0])
    _, last = month_bounds(months[-1])
    return {
        "first": first,
        "last": last,
        "end": datetime.combine(last + timedelta(days=1), time(0), UTC),
        "township": township,
        "closed_finding": [str(s) for s in CLOSED_FINDING],
        "answered_report": [str(s) for s in ANSWERED_REPORT],
        "staff_roles": rules.staffing.counted_roles,
    }


def _figures(rules: DetectionRules, months: list[str], raw: dict[str, Any]) -> list[TownshipMonth]:
    """Each figure, per township and month, from the query's lists."""
    o, staffing = rules.overdue, rules.staffing
    n = _native
    cases = [(t, n(s), n(d)) for t, s, d in raw["cases"]]
    findings = [
        (f["township"], f["kind"], n(f["detected"]), sorted(map(n, f["closed"])), [n(a) for a in f["acted"]])
        for f in raw["findings"]
    ]
    reports = [
        (set(r["townships"]), n(r["due"]), [n(a).date() for a in r["answered"]]) for r in raw["reports"]
    ]
    visits = [(t, n(d)) for t, d in raw["visits"]]
    households = [
        (h["township"], [(n(s), n(e)) for s, e in h["grants"]], [n(v) for v in h["visits"]])
        for h in raw["households"]
    ]
    staff = [(t, n(a), n(u)) for t, a, u in raw["staff"]]
    records = [(t, n(d), fen) for t, d, fen in raw["records"]]
    found = []
    for code, name, population in sorted(raw["townships"]):
        for month in months:
            first, last = month_bounds(month)
            start = datetime.combine(first, time(0), UTC)
            end = datetime.combine(last + timedelta(days=1), time(0), UTC)
            days = [(d - s).days for t, s, d in cases if t == code and first <= d <= last]
            mine = [f for f in findings if f[0] == code and f[2] < end]
            new = [f for f in mine if f[2] >= start]
            candidates = [f for f in new if f[1] == DISCOVERY_KIND]
            due_reports = [r for r in reports if code in r[0] and first <= r[1] <= last]
            due_visits = []
            for t, grants, seen in households:
                active = [s for s, e in grants if t == code and s <= last and (e is None or e >= last)]
                if active:
                    before = max((v for v in seen if v < first), default=min(active))
                    if before <= last - timedelta(days=o.visit_days):
                        due_visits.append(any(first <= v <= last for v in seen))
            fen = [f for t, d, f in records if t == code and first <= d <= last]
            figures = {
                "decided": len(days),
                "decided_in_time": sum(1 for d in days if d <= o.application_days),
                "median_days": statistics.median(days) if days else None,
                "findings_opened": len(new),
                "findings_resolved": sum(1 for f in mine if any(start <= c < end for c in f[3])),
                "findings_overdue": sum(
                    1
                    for f in mine
                    if f[2] < end - timedelta(days=o.finding_days) and (not f[3] or f[3][0] >= end)
                ),
                "reports_due": len(due_reports),
                "reports_answered_in_time": sum(1 for r in due_reports if any(a <= r[1] for a in r[2])),
                "visits_due": len(due_visits),
                "visits_due_made": sum(due_visits),
                "visits": sum(1 for t, d in visits if t == code and first <= d <= last),
                "discovery_candidates": len(candidates),
                "discovery_acted": sum(
                    1 for f in candidates if any(a <= f[2] + timedelta(days=o.discovery_days) for a in f[4])
                ),
                "staff": sum(
                    1
                    for t, a, u in staff
                    if t == code and (a is None or a <= last) and (u is None or u >= last)
                ),
                "staff_required": staffing.minimum_at_or_above
                if population >= staffing.population_threshold
                else staffing.minimum_below,
                "recovery_records": len(fen),
                "recovery_ordered": to_yuan(sum(fen)) or Decimal("0.00"),
            }
            found.append(TownshipMonth(month, code, name or "", figures, tuple(days)))
    return sorted(found, key=lambda t: (t.code or "", t.month))


def read_performance(
    driver: Driver,
    database: str,
    rules: DetectionRules,
    month: str,
    months: int = 1,
    township: str | None = None,
) -> list[TownshipMonth]:
    """Per township and month (oldest first, up to `month`), in one read."""
    listed = months_ending(month, months)
    params = _params(rules, listed, township)

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        return dict(tx.run(PERFORMANCE, params).single(strict=True))

    with driver.session(database=database) as session:
        return _figures(rules, listed, session.execute_read(work))


def planned_ahead(rules: DetectionRules) -> list[tuple[str, dict[str, Any]]]:
    """The figures' query with parameters of each type the API sends (county-wide and one
    township): planning it takes seconds on a cold server, so the app plans it at start-up."""
    listed = months_ending("2026-01", MAX_MONTHS)
    return [(PERFORMANCE, _params(rules, listed, township)) for township in (None, "000000000")]


async def fetch_performance(
    gateway: Any, rules: DetectionRules, month: str, months: int, township: str | None
) -> list[TownshipMonth]:
    """The same, through the API's counted gateway: one round trip for all the months."""
    listed = months_ending(month, months)
    rows = await gateway.read(PERFORMANCE, **_params(rules, listed, township))
    return _figures(rules, listed, rows[0])


# Per staff member, the overdue items they hold today: applications they handle still
# pending past the limit, findings assigned to them unanswered past the limit, reports
# assigned to them open past their due date.
INACTION = (
    """
CALL () {
  MATCH (s:Staff)-[:HANDLED]->(c:Case)
  WHERE c.status IN $pending_statuses AND c.submitted_date < $today - duration({days: $application_days})
    AND ($township IS NULL OR c.township_code = $township)
  RETURN s.staff_id AS holder, 'applications' AS item, count(DISTINCT c) AS items,
         min(c.submitted_date) AS since
  UNION ALL
  MATCH (f:Finding {status: 'assigned'})
  WHERE f.assignee IS NOT NULL AND f.first_detected_at < $now - duration({days: $finding_days})
    AND ($township IS NULL OR f.township_code = $township)
  RETURN f.assignee AS holder, 'findings' AS item, count(f) AS items, min(date(f.first_detected_at)) AS since
  UNION ALL
  MATCH (r:Report) WHERE r.status IN $open_reports AND r.assignee IS NOT NULL AND r.due_date < $today
  OPTIONAL MATCH (t:Township {code: $township})
  WITH r, t WHERE $township IS NULL OR (t IS NOT NULL AND """
    + REPORT_IN_TOWNSHIP
    + """)
  RETURN r.assignee AS holder, 'reports' AS item, count(r) AS items, min(r.due_date) AS since
}
RETURN holder, item, items, since ORDER BY holder, item
"""
)


@dataclass(frozen=True)
class StaffInaction:
    holder: str  # a staff id (cases) or the assignee a finding or report names
    applications: int
    findings: int
    reports: int
    since: date  # the oldest item's start: submitted, detected or due

    @property
    def total(self) -> int:
        return self.applications + self.findings + self.reports


async def fetch_inaction(
    gateway: Any, rules: DetectionRules, now: datetime, township: str | None
) -> list[StaffInaction]:
    rows = await gateway.read(
        INACTION,
        today=now.date(),
        now=now,
        township=township,
        pending_statuses=rules.overdue.pending_statuses,
        application_days=rules.overdue.application_days,
        finding_days=rules.overdue.finding_days,
        open_reports=[str(s) for s in OPEN_REPORT],
    )
    held: dict[str, dict[str, Any]] = {}
    for r in rows:
        h = held.setdefault(r["holder"], {"applications": 0, "findings": 0, "reports": 0, "since": None})
        h[r["item"]] = r["items"]
        since = r["since"].to_native() if hasattr(r["since"], "to_native") else r["since"]
        h["since"] = since if h["since"] is None else min(h["since"], since)
    found = [StaffInaction(holder, **h) for holder, h in held.items()]
    return sorted(found, key=lambda s: (-s.total, s.since, s.holder))
