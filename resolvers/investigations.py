"""Investigations (case files): open one with findings and reports, add to it, append notes
and attachments, hand it over, move it through review to referred or closed. Every change
is one write that also records an InvestigationEvent; status changes are guarded by the
status and the version the client saw (domain/investigations.py).

`investigation_file` is the plain read of one whole file (for the API and evidence packs)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from domain.investigations import ACTIVE, INVESTIGATION_LIFECYCLE, InvestigationStep
from domain.reports import OPEN_REPORT, ReportStatus
from resolvers.notifications import NOTIFY_FRAGMENT
from resolvers.steps import guarded_step


def new_investigation_id(today: date) -> str:
    return f"INV{today:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"


# Which of the given findings and reports exist (and, for reports, may join an investigation).
MEMBERS_FOUND = """
RETURN COLLECT { UNWIND $findings AS key MATCH (f:Finding {finding_id: key}) RETURN f.finding_id }
       AS findings,
       COLLECT { UNWIND $reports AS key MATCH (r:Report {report_id: key}) WHERE r.status IN $report_from
                 RETURN r.report_id } AS reports
"""

OPEN_INVESTIGATION = """
CREATE (i:Investigation {investigation_id: $investigation_id, title: $title, owner: $owner,
                         status: 'open', version: 1, opened_at: datetime(), opened_by: $by})
SET i.events = coalesce(i.events, 0) + 1  // the file's own order, whatever the clocks say
CREATE (i)-[:HAS_EVENT]->(:InvestigationEvent {seq: i.events, event_id: randomUUID(),
        at: datetime(), by: $by,
        role: $role, action: 'open', from_status: null, to_status: 'open', note: $title})
RETURN i {.*} AS investigation
"""

# Adds findings and reports to an active investigation; its reports become `investigating`.
ADD_MEMBERS = """
MATCH (i:Investigation {investigation_id: $investigation_id})
WITH i, i.status AS before, i.version AS seen
WITH i, before, seen,
     before IN $allowed_from AND ($expected_version IS NULL OR seen = $expected_version) AS ok
CALL (i, ok) {
  WITH i WHERE ok
  UNWIND $findings AS key MATCH (f:Finding {finding_id: key})
  MERGE (f)-[:IN_INVESTIGATION]->(i)
  RETURN count(f) AS findings
}
CALL (i, ok) {
  WITH i WHERE ok
  UNWIND $reports AS key MATCH (r:Report {report_id: key}) WHERE r.status IN $report_from
  MERGE (r)-[:IN_INVESTIGATION]->(i)
  WITH i, r, r.status AS was
  SET r.status = $investigating, r.version = r.version + 1, r.updated_at = datetime(), r.updated_by = $by
  CREATE (r)-[:HAS_EVENT]->(:ReportEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
          action: 'investigate', from_status: was, to_status: $investigating, note: i.investigation_id})
  RETURN count(r) AS reports
}
CALL (i, ok, before) {
  WITH i, before WHERE ok
  SET i.version = i.version + 1, i.updated_at = datetime(), i.updated_by = $by
  SET i.events = coalesce(i.events, 0) + 1  // the file's own order, whatever the clocks say
  CREATE (i)-[:HAS_EVENT]->(:InvestigationEvent {seq: i.events, event_id: randomUUID(),
        at: datetime(), by: $by,
          role: $role, action: 'add', from_status: before, to_status: before,
          note: reduce(t = '', x IN $findings + $reports | t + x + ' ')})
}
RETURN i {.*} AS investigation, ok, before, seen, findings, reports
"""

INVESTIGATION_STEP = (
    """
MATCH (i:Investigation {investigation_id: $investigation_id})
WITH i, i.status AS before, i.version AS seen
WITH i, before, seen, before IN $allowed_from AND seen = $expected_version AS ok
CALL (i, before, ok) {
  WITH i, before, ok WHERE ok
  SET i.status = coalesce($to, i.status), i.version = i.version + 1, i.updated_at = datetime(),
      i.updated_by = $by, i += $changes
  SET i.events = coalesce(i.events, 0) + 1  // the file's own order, whatever the clocks say
  CREATE (i)-[:HAS_EVENT]->(:InvestigationEvent {seq: i.events, event_id: randomUUID(),
        at: datetime(), by: $by,
          role: $role, action: $action, from_status: before, to_status: i.status, note: $note})
"""
    + NOTIFY_FRAGMENT
    + """
  // Referred or closed: its reports are concluded (what their reporters then read).
  WITH i
  OPTIONAL MATCH (r:Report {status: $investigating})-[:IN_INVESTIGATION]->(i)
  WITH i, r WHERE r IS NOT NULL AND i.status IN $concluding
  SET r.status = $concluded, r.version = r.version + 1, r.updated_at = datetime()
  CREATE (r)-[:HAS_EVENT]->(:ReportEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
          action: 'conclude', from_status: $investigating, to_status: $concluded, note: i.investigation_id})
}
RETURN i {.*} AS investigation, ok, before, seen
"""
)

# Notes are only ever created: there is no statement that changes or deletes one.
ADD_NOTE = """
MATCH (i:Investigation {investigation_id: $investigation_id})
CREATE (i)-[:HAS_NOTE]->(n:Note {note_id: $note_id, text: $text, author: $by, role: $role, at: datetime()})
SET i.events = coalesce(i.events, 0) + 1  // the file's own order, whatever the clocks say
CREATE (i)-[:HAS_EVENT]->(:InvestigationEvent {seq: i.events, event_id: randomUUID(),
        at: datetime(), by: $by, role: $role,
        action: 'note', from_status: i.status, to_status: i.status, note: $note_id})
RETURN n {.*, at: toString(n.at)} AS note
"""

ADD_ATTACHMENT = """
MATCH (i:Investigation {investigation_id: $investigation_id})
CREATE (i)-[:HAS_ATTACHMENT]->(a:Attachment {attachment_id: $attachment_id, sha256: $sha256,
        media_type: $media_type, size: $size, filename: $filename, uploaded_by: $by, uploaded_at: datetime()})
SET i.events = coalesce(i.events, 0) + 1  // the file's own order, whatever the clocks say
CREATE (i)-[:HAS_EVENT]->(:InvestigationEvent {seq: i.events, event_id: randomUUID(),
        at: datetime(), by: $by, role: $role,
        action: 'attach', from_status: i.status, to_status: i.status, note: $attachment_id + ' ' + $sha256})
RETURN a {.*, uploaded_at: toString(a.uploaded_at)} AS attachment
"""

ATTACHMENT_BY_ID = """
MATCH (i:Investigation)-[:HAS_ATTACHMENT]->(a:Attachment {attachment_id: $attachment_id})
RETURN a {.*, uploaded_at: toString(a.uploaded_at)} AS attachment, i.investigation_id AS investigation_id,
       COLLECT { MATCH (i)<-[:IN_INVESTIGATION]-(f:Finding) UNWIND coalesce(f.persons, []) AS p RETURN p }
       + COLLECT { MATCH (i)<-[:IN_INVESTIGATION]-(:Report)-[:NAMES]->(p:Person) RETURN p.id_number }
       AS persons
"""

INVESTIGATION_LIST = """
MATCH (i:Investigation)
WHERE ($statuses IS NULL OR i.status IN $statuses) AND ($owner IS NULL OR i.owner = $owner)
RETURN i {.*} AS investigation,
       COUNT { (:Finding)-[:IN_INVESTIGATION]->(i) } AS findings,
       COUNT { (:Report)-[:IN_INVESTIGATION]->(i) } AS reports
ORDER BY i.opened_at DESC, i.investigation_id
LIMIT $limit
"""

INVESTIGATION_FILE = """
MATCH (i:Investigation {investigation_id: $investigation_id})
RETURN i {.*} AS investigation,
       COLLECT { MATCH (f:Finding)-[:IN_INVESTIGATION]->(i) RETURN f {.*} ORDER BY f.finding_id } AS findings,
       COLLECT { MATCH (r:Report)-[:IN_INVESTIGATION]->(i)
                 RETURN r {.*, named: [(r)-[:NAMES]->(p:Person) | p.id_number]} ORDER BY r.report_id }
       AS reports,
       COLLECT { MATCH (i)-[:HAS_NOTE]->(n:Note) RETURN n {.*, at: toString(n.at)} ORDER BY n.at, n.note_id }
       AS notes,
       COLLECT { MATCH (i)-[:HAS_ATTACHMENT]->(a:Attachment)
                 RETURN a {.*, uploaded_at: toString(a.uploaded_at)} ORDER BY a.uploaded_at, a.attachment_id }
       AS attachments,
       COLLECT { MATCH (i)-[:HAS_EVENT]->(e:InvestigationEvent)
                 RETURN e {.*, at: toString(e.at)} ORDER BY coalesce(e.seq, 0), e.at, e.event_id } AS events
"""


def _report_from() -> list[str]:
    return [str(s) for s in OPEN_REPORT]


async def members_found(gateway: Any, findings: list[str], reports: list[str]) -> tuple[set[str], set[str]]:
    rows = await gateway.read(MEMBERS_FOUND, findings=findings, reports=reports, report_from=_report_from())
    return set(rows[0]["findings"]), set(rows[0]["reports"])


async def open_investigation(
    gateway: Any, *, title: str, owner: str, by: str, role: str, today: date
) -> dict[str, Any]:
    rows = await gateway.write(
        OPEN_INVESTIGATION,
        investigation_id=new_investigation_id(today),
        title=title,
        owner=owner,
        by=by,
        role=role,
    )
    return rows[0]["investigation"]


async def add_members(
    gateway: Any,
    investigation_id: str,
    expected_version: int | None,
    *,
    findings: list[str],
    reports: list[str],
    by: str,
    role: str,
) -> dict[str, Any] | None:
    rows = await gateway.write(
        ADD_MEMBERS,
        investigation_id=investigation_id,
        **INVESTIGATION_LIFECYCLE.guard(InvestigationStep.ADD),
        expected_version=expected_version,
        findings=findings,
        reports=reports,
        report_from=[*_report_from(), str(ReportStatus.INVESTIGATING)],
        investigating=str(ReportStatus.INVESTIGATING),
        by=by,
        role=role,
    )
    return rows[0] if rows else None


async def open_with_members(
    gateway: Any,
    *,
    title: str,
    owner: str,
    findings: list[str],
    reports: list[str],
    by: str,
    role: str,
    today: date,
) -> str:
    """Opens an investigation and adds the findings and reports it starts with; its id."""
    opened = await open_investigation(gateway, title=title, owner=owner, by=by, role=role, today=today)
    if findings or reports:
        await add_members(
            gateway, opened["investigation_id"], None, findings=findings, reports=reports, by=by, role=role
        )
    return str(opened["investigation_id"])


async def investigation_step(
    gateway: Any, investigation_id: str, step: InvestigationStep, expected_version: int, **taken: Any
) -> dict[str, Any] | None:
    """``taken``: by, role, note, changes and notify, as guarded_step takes them."""
    return await guarded_step(
        gateway,
        INVESTIGATION_STEP,
        INVESTIGATION_LIFECYCLE,
        step,
        ("investigation_id", investigation_id),
        expected_version,
        notify_as="investigation",
        investigating=str(ReportStatus.INVESTIGATING),
        concluded=str(ReportStatus.CONCLUDED),
        concluding=["referred", "closed"],
        **taken,
    )


async def add_note(
    gateway: Any, investigation_id: str, text: str, *, by: str, role: str
) -> dict[str, Any] | None:
    rows = await gateway.write(
        ADD_NOTE, investigation_id=investigation_id, note_id=str(uuid.uuid4()), text=text, by=by, role=role
    )
    return rows[0]["note"] if rows else None


async def add_attachment(
    gateway: Any,
    investigation_id: str,
    *,
    sha256: str,
    media_type: str,
    size: int,
    filename: str,
    by: str,
    role: str,
) -> dict[str, Any] | None:
    rows = await gateway.write(
        ADD_ATTACHMENT,
        investigation_id=investigation_id,
        attachment_id=str(uuid.uuid4()),
        sha256=sha256,
        media_type=media_type,
        size=size,
        filename=filename,
        by=by,
        role=role,
    )
    return rows[0]["attachment"] if rows else None


async def fetch_attachment(gateway: Any, attachment_id: str) -> dict[str, Any] | None:
    rows = await gateway.read(ATTACHMENT_BY_ID, attachment_id=attachment_id)
    return rows[0] if rows else None


async def fetch_investigations(
    gateway: Any, *, statuses: list[str] | None, owner: str | None, limit: int
) -> list[dict[str, Any]]:
    return await gateway.read(INVESTIGATION_LIST, statuses=statuses, owner=owner, limit=limit)


async def investigation_file(gateway: Any, investigation_id: str) -> dict[str, Any] | None:
    """One investigation, whole: {"investigation", "findings", "reports", "notes",
    "attachments", "events", "persons"} as plain dicts (graph properties as stored: dates
    and datetimes as the driver returns them, except notes', attachments' and events'
    timestamps, which are ISO strings); "persons" are the ID numbers its findings and
    reports name, for the audit trail. None when there is no such investigation.

    `gateway` is anything with `async read(cypher, **params) -> list[dict]` (the request's
    GraphGateway). Whoever shows the file records the reads of "persons" (access/audit.py)."""
    rows = await gateway.read(INVESTIGATION_FILE, investigation_id=investigation_id)
    if not rows:
        return None
    file = dict(rows[0])
    persons = {p for f in file["findings"] for p in f.get("persons") or []}
    persons |= {p for r in file["reports"] for p in r.get("named") or []}
    file["persons"] = sorted(persons)
    return file


__all__ = ["ACTIVE", "investigation_file"]
