"""The monthly township report (定期通报): per township, for one month, how promptly
applications were decided, findings opened and resolved, visits made, and staffing against
the rule. Written as a spreadsheet and a printable page (`reliefgraph report monthly`).
No person is named: the report holds counts, days and the township's name only."""

from __future__ import annotations

import html
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction
from openpyxl import Workbook

from detection.rules import DetectionRules
from settings import Settings
from settings.private_files import private_dir, private_open, private_write

# One row per township: days from application to decision of the month's decisions, the
# month's visits, findings first detected and resolved in the month, caseworkers posted.
REPORT = """
MATCH (t:Township)
CALL (t) {
  MATCH (c:Case {township_code: t.code}) WHERE c.decided_date >= $first AND c.decided_date <= $last
  RETURN collect(duration.inDays(c.submitted_date, c.decided_date).days) AS days
}
CALL (t) {
  MATCH (v:Visit)-[:VISITED]->(h:Household {township_code: t.code})
  WHERE v.visit_date >= $first AND v.visit_date <= $last
  RETURN count(v) AS visits
}
CALL (t) {
  MATCH (f:Finding {township_code: t.code})
  RETURN count(CASE WHEN f.first_detected_at >= $start AND f.first_detected_at < $end THEN 1 END) AS opened,
         count(CASE WHEN f.resolved_at >= $start AND f.resolved_at < $end THEN 1 END) AS resolved
}
CALL (t) {
  MATCH (s:Staff {township_code: t.code}) WHERE s.staff_role IN $staff_roles
    AND (s.active_from IS NULL OR s.active_from <= $last)
    AND (s.active_until IS NULL OR s.active_until >= $last)
  RETURN count(s) AS staff
}
RETURN t.code AS code, t.name AS name, coalesce(t.population, 0) AS population, days, visits, opened,
       resolved, staff
ORDER BY t.code
"""

# Column key, Chinese heading, English heading.
COLUMNS = (
    ("code", "乡镇代码", "township code"),
    ("name", "乡镇(街道)", "township"),
    ("decided", "审批件数", "applications decided"),
    ("decided_in_time", "按时审批", "decided within the limit"),
    ("median_days", "审批天数中位数", "median days to decision"),
    ("findings_opened", "新发现问题", "findings opened"),
    ("findings_resolved", "已解决问题", "findings resolved"),
    ("visits", "探访次数", "visits made"),
    ("staff", "经办人员", "caseworkers"),
    ("staff_required", "规定人数", "caseworkers required"),
)


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    rows: list[dict[str, Any]]


def previous_month(day: date) -> str:
    """The month before the one ``day`` is in, YYYY-MM: what a report or publication made early
    in a month covers."""
    first = day.replace(day=1)
    return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"


def _bounds(month: str) -> tuple[date, date]:
    year, m = map(int, month.split("-"))
    first = date(year, m, 1)
    return first, date(year + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def monthly_report(driver: Driver, settings: Settings, rules: DetectionRules, month: str) -> MonthlyReport:
    first, last = _bounds(month)
    start = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), UTC)
    staffing = rules.staffing

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        params = {
            "first": first,
            "last": last,
            "start": start,
            "end": end,
            "staff_roles": staffing.counted_roles,
        }
        return [dict(r) for r in tx.run(REPORT, params)]

    with driver.session(database=settings.neo4j_database) as session:
        found = session.execute_read(work)
    rows = []
    for r in found:
        days = r["days"]
        rows.append(
            {
                "code": r["code"],
                "name": r["name"] or "",
                "decided": len(days),
                "decided_in_time": sum(1 for d in days if d <= rules.overdue.application_days),
                "median_days": statistics.median(days) if days else "",
                "findings_opened": r["opened"],
                "findings_resolved": r["resolved"],
                "visits": r["visits"],
                "staff": r["staff"],
                "staff_required": staffing.minimum_at_or_above
                if r["population"] >= staffing.population_threshold
                else staffing.minimum_below,
            }
        )
    return MonthlyReport(month, rows)


def write_report(report: MonthlyReport, out_dir: Path) -> tuple[Path, Path]:
    private_dir(out_dir)
    book = Workbook()
    sheet = book.active
    sheet.title = f"月度通报 {report.month}"
    sheet.append([zh for _, zh, _ in COLUMNS])
    sheet.append([en for _, _, en in COLUMNS])
    for row in report.rows:
        sheet.append([row[key] for key, _, _ in COLUMNS])
    xlsx = out_dir / f"monthly-report-{report.month}.xlsx"
    with private_open(xlsx, "wb") as fh:
        book.save(fh)
    head = "".join(f"<th>{html.escape(zh)}<br><small>{html.escape(en)}</small></th>" for _, zh, en in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row[key]))}</td>" for key, _, _ in COLUMNS) + "</tr>"
        for row in report.rows
    )
    page = out_dir / f"monthly-report-{report.month}.html"
    private_write(
        page,
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>社会救助月度通报 {report.month}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #444;padding:2px 6px}"
        "@media print{body{font-size:10pt}}</style></head><body>"
        f"<h1>社会救助月度通报 {report.month}</h1><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></body></html>\n",
    )
    return xlsx, page
