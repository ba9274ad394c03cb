"""Reports and complaints: intake (staff or the public form), the investigators' list with
the overdue first, and triage (assign, link to findings and persons, reject), each step one
guarded write that checks the status and the version the client saw and logs who did it."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from domain.finding_kinds import ACTIVE_STATUSES
from domain.reports import OPEN_REPORT, REPORT_LIFECYCLE, ReportCategory, ReportChannel, ReportStep
from resolvers.notifications import NOTIFY_FRAGMENT
from resolvers.steps import guarded_step
from settings import Settings
from settings.casework_rules import CaseworkRules, read_casework_rules

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
TRACKING_LENGTH = 16  # 80 bits: not guessable at any rate the form allows


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, TRACKING_LENGTH, 4))


def tracking_hash(code: str) -> str:
    """Only the code's hash is stored: a copy of the graph does not let anyone follow a report."""
    cleaned = "".join(ch for ch in code.upper() if ch in TRACKING_ALPHABET)
    return hashlib.sha256(cleaned.encode()).hexdigest()


def new_report_id(today: date) -> str:
    return f"R{today:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"


CREATE_REPORT = """
CREATE (r:Report {report_id: $report_id, tracking_hash: $tracking_hash, category: $category,
                  channel: $channel, summary: $summary, named_text: $named_text,
                  reporter_contact: $reporter_contact, status: 'received', version: 1,
                  received_at: datetime(), due_date: $today + duration({days: $deadline_days}),
                  received_by: $by})
CREATE (r)-[:HAS_EVENT]->(:ReportEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                        action: 'receive', from_status: null, to_status: 'received',
                                        note: $channel})
RETURN r {.*} AS report
"""

# Whom a report names; idempotent. A report naming the subject of an open finding (a person
# or household in its evidence, or a person of a household in it) raises its priority.
NAME_SUBJECTS = """
MATCH (r:Report {report_id: $report_id})
CALL (r) {
  UNWIND $persons AS key MATCH (p:Person {id_number: key}) MERGE (r)-[:NAMES]->(p) RETURN count(p) AS persons
}
CALL (r) {
  UNWIND $staff AS key MATCH (s:Staff {staff_id: key}) MERGE (r)-[:NAMES]->(s) RETURN count(s) AS staff
}
CALL (r) {
  UNWIND $households AS key MATCH (h:Household {household_id: key}) MERGE (r)-[:NAMES]->(h)
  RETURN count(h) AS households
}
CALL (r) {
  UNWIND $villages AS key MATCH (v:Village {code: key}) MERGE (r)-[:NAMES]->(v) RETURN count(v) AS villages
}
CALL (r) {
  UNWIND $findings AS key MATCH (f:Finding {finding_id: key}) MERGE (r)-[:CONCERNS]->(f)
  RETURN count(f) AS findings
}
CALL (r) {
  MATCH (r)-[:NAMES]->(n:Person|Household)
  CALL (n) {
    MATCH (n)<-[:EVIDENCE]-(f:Finding) RETURN f
    UNION
    MATCH (n:Person)-[m:MEMBER_OF]->(:Household)<-[:EVIDENCE]-(f:Finding) WHERE m.until IS NULL RETURN f
  }
  WITH DISTINCT f WHERE f.status IN $active AND NOT $report_id IN coalesce(f.reports, [])
  SET f.reports = coalesce(f.reports, []) + $report_id, f.priority = 'raised'
  RETURN count(f) AS raised
}
RETURN persons, staff, households, villages, findings, raised
"""

REPORT_STEP = (
    """
MATCH (r:Report {report_id: $report_id})
WITH r, r.status AS before, r.version AS seen
WITH r, before, seen, before IN $allowed_from AND seen = $expected_version AS ok
CALL (r, before, ok) {
  WITH r, before, ok WHERE ok
  SET r.status = coalesce($to, r.status), r.version = r.version + 1, r.updated_at = datetime(),
      r.updated_by = $by, r += $changes
  CREATE (r)-[:HAS_EVENT]->(:ReportEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                          action: $action, from_status: before, to_status: r.status,
                                          note: $note})
"""
    + NOTIFY_FRAGMENT
    + """
}
RETURN r {.*} AS report, ok, before, seen
"""
)

# What a report row carries, in the list and alone.
_REPORT_COLUMNS = """r {.*} AS report, r.status IN $open AND r.due_date < $today AS overdue,
       [(r)-[:NAMES]->(n) | {kind: head([x IN labels(n) WHERE x <> 'Person'] + ['Person']),
                             key: coalesce(n.staff_id, n.id_number, n.household_id, n.code),
                             name: n.name}] AS named,
       [(r)-[:NAMES]->(p:Person) | p.id_number] AS persons,
       [(r)-[:CONCERNS]->(f:Finding) | f.finding_id] AS findings,
       [(r)-[:IN_INVESTIGATION]->(i:Investigation) | i.investigation_id] AS investigations,
       [(r)-[:HAS_EVENT]->(e:ReportEvent) | e {.*, at: toString(e.at)}] AS events"""

REPORT_LIST = (
    """
MATCH (r:Report)
WHERE ($statuses IS NULL OR r.status IN $statuses) AND ($assignee IS NULL OR r.assignee = $assignee)
  AND (NOT $overdue_only OR (r.status IN $open AND r.due_date < $today))
WITH r ORDER BY r.status IN $open AND r.due_date < $today DESC, r.due_date, r.report_id
LIMIT $limit
RETURN """
    + _REPORT_COLUMNS
    + """
ORDER BY overdue DESC, r.due_date, r.report_id"""
)

REPORT_BY_ID = "MATCH (r:Report {report_id: $report_id}) RETURN " + _REPORT_COLUMNS

STATUS_BY_TRACKING = "MATCH (r:Report {tracking_hash: $tracking_hash}) RETURN r.status AS status"


async def create_report(
    gateway: Any,
    *,
    category: str,
    channel: str,
    summary: str,
    named_text: str | None,
    reporter_contact: str | None,
    deadline_days: int,
    today: date,
    by: str,
    role: str,
) -> tuple[dict[str, Any], str]:
    """The new report and its tracking code (shown once, to the reporter; only its hash is kept)."""
    code = new_tracking_code()
    rows = await gateway.write(
        CREATE_REPORT,
        report_id=new_report_id(today),
        tracking_hash=tracking_hash(code),
        category=category,
        channel=channel,
        summary=summary,
        named_text=named_text,
        reporter_contact=reporter_contact,
        today=today,
        deadline_days=deadline_days,
        by=by,
        role=role,
    )
    return rows[0]["report"], code


async def name_subjects(
    gateway: Any,
    report_id: str,
    *,
    persons: Sequence[str] = (),
    staff: Sequence[str] = (),
    households: Sequence[str] = (),
    villages: Sequence[str] = (),
    findings: Sequence[str] = (),
) -> dict[str, int]:
    rows = await gateway.write(
        NAME_SUBJECTS,
        report_id=report_id,
        persons=list(persons),
        staff=list(staff),
        households=list(households),
        villages=list(villages),
        findings=list(findings),
        active=[str(s) for s in ACTIVE_STATUSES],
    )
    return dict(rows[0]) if rows else {}


async def report_step(
    gateway: Any, report_id: str, step: ReportStep, expected_version: int, **taken: Any
) -> dict[str, Any] | None:
    """``taken``: by, role, note, changes and notify, as guarded_step takes them."""
    return await guarded_step(
        gateway,
        REPORT_STEP,
        REPORT_LIFECYCLE,
        step,
        ("report_id", report_id),
        expected_version,
        notify_as="report",
        **taken,
    )


async def fetch_reports(
    gateway: Any,
    *,
    statuses: list[str] | None,
    assignee: str | None,
    overdue_only: bool,
    today: date,
    limit: int,
) -> list[dict[str, Any]]:
    return await gateway.read(
        REPORT_LIST,
        statuses=statuses,
        assignee=assignee,
        overdue_only=overdue_only,
        open=[str(s) for s in (*OPEN_REPORT, "investigating")],
        today=today,
        limit=limit,
    )


async def fetch_report(gateway: Any, report_id: str, today: date) -> dict[str, Any] | None:
    rows = await gateway.read(
        REPORT_BY_ID, report_id=report_id, open=[str(s) for s in (*OPEN_REPORT, "investigating")], today=today
    )
    return rows[0] if rows else None


async def public_status(gateway: Any, code: str) -> str | None:
    rows = await gateway.read(STATUS_BY_TRACKING, tracking_hash=tracking_hash(code))
    return rows[0]["status"] if rows else None


@lru_cache(maxsize=4)
def casework_rules(path: Path) -> CaseworkRules:
    return read_casework_rules(path)


async def intake(
    gateway: Any,
    settings: Settings,
    *,
    category: ReportCategory,
    channel: ReportChannel,
    summary: str,
    named_text: str | None,
    reporter_contact: str | None,
    by: str,
    role: str,
    named: dict[str, list[str]] | None = None,
) -> tuple[dict[str, Any], str]:
    """Records a report (staff intake and the public form alike) and whom it names."""
    rules = casework_rules(settings.casework_rules_file)
    row, code = await create_report(
        gateway,
        category=category.value,
        channel=channel.value,
        summary=summary.strip(),
        named_text=(named_text or "").strip() or None,
        reporter_contact=(reporter_contact or "").strip() or None,
        deadline_days=rules.reports.deadline(category),
        today=date.today(),
        by=by,
        role=role,
    )
    if named and any(named.values()):
        await name_subjects(gateway, row["report_id"], **named)
    return row, code
