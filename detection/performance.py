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
# current household, a staff member's station, a village.
REPORT_IN_TOWNSHIP = """EXISTS { (r)-[:NAMES]->(x)
  WHERE (x:Household AND x.township_code = t.code) OR (x:Staff AND x.township_code = t.code)
     OR (x:Village AND x.code STARTS WITH t.code)
     OR EXISTS { (x)-[mm:MEMBER_OF]->(:Household {township_code: t.code}) WHERE mm.until IS NULL } }"""

# One row per township and month ($months: the months' bounds, oldest first).
PERFORMANCE = (
    """
UNWIND $months AS m
MATCH (t:Township) WHERE $township IS NULL OR t.code = $township
CALL (t, m) {
  MATCH (c:Case {township_code: t.code}) WHERE c.decided_date >= m.first AND c.decided_date <= m.last
  RETURN collect(duration.inDays(c.submitted_date, c.decided_date).days) AS days
}
CALL (t, m) {
  MATCH (f:Finding {township_code: t.code}) WHERE f.first_detected_at < m.end
  WITH f, m, f.first_detected_at >= m.start AS new_in_month,
       COLLECT { MATCH (f)-[:HAS_EVENT]->(e:FindingEvent) WHERE e.to_status IN $closed_finding
                 RETURN e.at ORDER BY e.at LIMIT 1 } AS closed
  RETURN count(CASE WHEN new_in_month THEN 1 END) AS opened,
         count(CASE WHEN EXISTS { (f)-[:HAS_EVENT]->(e:FindingEvent)
                                  WHERE e.to_status IN $closed_finding AND e.at >= m.start AND e.at < m.end }
                    THEN 1 END) AS resolved,
         count(CASE WHEN f.first_detected_at < m.end - duration({days: $finding_days})
                     AND (size(closed) = 0 OR closed[0] >= m.end) THEN 1 END) AS overdue,
         count(CASE WHEN new_in_month AND f.kind = $discovery_kind THEN 1 END) AS candidates,
         count(CASE WHEN new_in_month AND f.kind = $discovery_kind
                     AND EXISTS { (f)-[:HAS_EVENT]->(e:FindingEvent)
                                  WHERE e.role <> 'system'
                                    AND e.at <= f.first_detected_at + duration({days: $discovery_days}) }
                    THEN 1 END) AS acted
}
CALL (t, m) {
  MATCH (r:Report) WHERE r.due_date >= m.first AND r.due_date <= m.last AND """
    + REPORT_IN_TOWNSHIP
    + """
  RETURN count(r) AS reports_due,
         count(CASE WHEN EXISTS { (r)-[:HAS_EVENT]->(e:ReportEvent)
                                  WHERE e.to_status IN $answered_report AND date(e.at) <= r.due_date }
                    THEN 1 END) AS reports_in_time
}
CALL (t, m) {
  MATCH (v:Visit)-[:VISITED]->(:Household {township_code: t.code})
  WHERE v.visit_date >= m.first AND v.visit_date <= m.last
  RETURN count(v) AS visits
}
CALL (t, m) {
  MATCH (h:Household {township_code: t.code})
  CALL (h) {
    MATCH (h)<-[:GRANTED_TO]-(e:Enrollment) RETURN e
    UNION
    MATCH (h)<-[mm:MEMBER_OF]-(:Person)<-[:GRANTED_TO]-(e:Enrollment) WHERE mm.until IS NULL RETURN e
  }
  WITH h, m, e WHERE e.start_date <= m.last AND (e.end_date IS NULL OR e.end_date >= m.last)
    AND EXISTS { (e)-[:FOR_PROGRAMME]->(:Programme {basic_living: true}) }
  WITH h, m, min(e.start_date) AS since
  OPTIONAL MATCH (v:Visit)-[:VISITED]->(h) WHERE v.visit_date < m.first
  WITH h, m, since, max(v.visit_date) AS last_visit
  WHERE coalesce(last_visit, since) <= m.last - duration({days: $visit_days})
  RETURN count(h) AS visits_due,
         count(CASE WHEN EXISTS { (w:Visit)-[:VISITED]->(h)
                                  WHERE w.visit_date >= m.first AND w.visit_date <= m.last }
                    THEN 1 END) AS visits_due_made
}
CALL (t, m) {
  MATCH (s:Staff {township_code: t.code}) WHERE s.staff_role IN $staff_roles
    AND (s.active_from IS NULL OR s.active_from <= m.last)
    AND (s.active_until IS NULL OR s.active_until >= m.last)
  RETURN count(s) AS staff
}
CALL (t, m) {
  MATCH (r:CreditRecord)-[:FROM_FINDING]->(:Finding {township_code: t.code})
  WHERE r.decision_date >= m.first AND r.decision_date <= m.last AND r.status <> 'revoked'
  WITH DISTINCT r
  RETURN count(r) AS recovery_records, sum(coalesce(r.recovery_amount_fen, 0)) AS recovery_fen
}
RETURN m.month AS month, t.code AS code, t.name AS name, coalesce(t.population, 0) AS population, days,
       opened, resolved, overdue, candidates, acted, reports_due, reports_in_time, visits, visits_due,
       visits_due_made, staff, recovery_records, recovery_fen
ORDER BY code, month
"""
)

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
    code: str
    name: str
    figures: dict[str, Any]  # keyed as FIGURES

    def row(self) -> dict[str, Any]:
        return {"month": self.month, "code": self.code, "name": self.name, **self.figures}


def _params(rules: DetectionRules, months: list[str], township: str | None) -> dict[str, Any]:
    windows = []
    for month in months:
        first, last = month_bounds(month)
        windows.append(
            {
                "month": month,
                "first": first,
                "last": last,
                "start": datetime.combine(first, time(0), UTC),
                "end": datetime.combine(last + timedelta(days=1), time(0), UTC),
            }
        )
    return {
        "months": windows,
        "township": township,
        "closed_finding": [str(s) for s in CLOSED_FINDING],
        "answered_report": [str(s) for s in ANSWERED_REPORT],
        "discovery_kind": str(DISCOVERY_KIND),
        "finding_days": rules.overdue.finding_days,
        "discovery_days": rules.overdue.discovery_days,
        "visit_days": rules.overdue.visit_days,
        "staff_roles": rules.staffing.counted_roles,
    }


def _figures(rules: DetectionRules, r: dict[str, Any]) -> TownshipMonth:
    days = r["days"]
    staffing = rules.staffing
    return TownshipMonth(
        r["month"],
        r["code"],
        r["name"] or "",
        {
            "decided": len(days),
            "decided_in_time": sum(1 for d in days if d <= rules.overdue.application_days),
            "median_days": statistics.median(days) if days else None,
            "findings_opened": r["opened"],
            "findings_resolved": r["resolved"],
            "findings_overdue": r["overdue"],
            "reports_due": r["reports_due"],
            "reports_answered_in_time": r["reports_in_time"],
            "visits_due": r["visits_due"],
            "visits_due_made": r["visits_due_made"],
            "visits": r["visits"],
            "discovery_candidates": r["candidates"],
            "discovery_acted": r["acted"],
            "staff": r["staff"],
            "staff_required": staffing.minimum_at_or_above
            if r["population"] >= staffing.population_threshold
            else staffing.minimum_below,
            "recovery_records": r["recovery_records"],
            "recovery_ordered": to_yuan(r["recovery_fen"]) or Decimal("0.00"),
        },
    )


def read_performance(
    driver: Driver,
    database: str,
    rules: DetectionRules,
    month: str,
    months: int = 1,
    township: str | None = None,
) -> list[TownshipMonth]:
    """Per township (and month, oldest first, up to `month`), in one read."""
    params = _params(rules, months_ending(month, months), township)

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [dict(r) for r in tx.run(PERFORMANCE, params)]

    with driver.session(database=database) as session:
        return [_figures(rules, r) for r in session.execute_read(work)]


async def fetch_performance(
    gateway: Any, rules: DetectionRules, month: str, months: int, township: str | None
) -> list[TownshipMonth]:
    """The same, through the API's counted gateway: one round trip for all the months."""
    rows = await gateway.read(PERFORMANCE, **_params(rules, months_ending(month, months), township))
    return [_figures(rules, r) for r in rows]


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
