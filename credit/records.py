"""Dishonesty records (失信记录): drafted from a confirmed finding, decided, published,
repaired or expired; every step one guarded write that logs who and when and, where the
credit platform must hear of it, appends a numbered change to the export feed in the same
transaction (a transactional outbox: no change without its record, and no record change
without its change)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.workflow import Transition, Workflow

# The fields of a record the platform receives and partners may see (DOMAIN.md section 9).
PUBLIC_FIELDS = (
    "record_id",
    "behaviour",
    "severity",
    "deciding_authority",
    "decision_number",
    "decision_date",
    "publicity_start",
    "publicity_end",
    "status",
)


class CreditStep(StrEnum):
    DECIDE = "decide"
    PUBLISH = "publish"
    REPAIR = "repair"
    CORRECT = "correct"
    EXPIRE = "expire"


# change: what the credit platform's export feed calls the step.
RECORD_LIFECYCLE = Workflow(
    "dishonesty record",
    {
        CreditStep.DECIDE: Transition(("draft",), "decided", change="decided"),
        CreditStep.PUBLISH: Transition(("decided",), "published", change="published"),
        CreditStep.REPAIR: Transition(("published",), "repaired", change="repaired"),
        CreditStep.CORRECT: Transition(("decided", "published"), None, change="corrected"),
        CreditStep.EXPIRE: Transition(("published",), "expired", change="expired"),
    },
)

# A draft from a confirmed finding whose evidence names the subject.
DRAFT = """
MATCH (f:Finding {finding_id: $finding_id}) WHERE f.status = 'confirmed'
MATCH (p:Person {id_number: $subject})
WHERE (EXISTS { (f)-[:EVIDENCE]->(p) } OR EXISTS { (f)-[:EVIDENCE]->(:Household)<-[:MEMBER_OF]-(p) })
  AND NOT EXISTS { (f)<-[:FROM_FINDING]-(:CreditRecord)-[:ABOUT]->(p) }  // one record per finding and person
OPTIONAL MATCH (c:Case {case_id: $case_id})
CREATE (r:CreditRecord {record_id: $record_id, status: 'draft', version: 1, subject_name: p.name,
  id_number: p.id_number, behaviour: $behaviour, facts: f.confirmed_facts, amount_fen: f.confirmed_amount_fen,
  legal_basis: $legal_basis, severity: $severity, created_at: datetime(), created_by: $by})
CREATE (r)-[:ABOUT]->(p), (r)-[:FROM_FINDING]->(f)
FOREACH (x IN [y IN [c] WHERE y IS NOT NULL] | CREATE (r)-[:CONCERNS_CASE]->(x))
CREATE (r)-[:HAS_EVENT]->(:CreditEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                        action: 'draft', from_status: null, to_status: 'draft', note: $note})
RETURN r {.*} AS record
"""

# The guarded step. A change for the platform is numbered from the feed's counter, which
# also serialises concurrent steps: the numbers are gap-free and in commit order.
STEP = """
MATCH (r:CreditRecord {record_id: $record_id})
WITH r, r.status AS before, r.version AS seen
WITH r, before, seen, before IN $allowed_from AND seen = $expected_version AND $precondition AS ok
CALL (r, before, ok) {
  WITH r, before, ok WHERE ok
  SET r.status = coalesce($to, r.status), r.version = r.version + 1, r.updated_at = datetime(),
      r.updated_by = $by, r += $changes
  CREATE (r)-[:HAS_EVENT]->(:CreditEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                          action: $action, from_status: before, to_status: r.status,
                                          note: $note})
  MERGE (s:Sequence {name: 'credit_changes'}) ON CREATE SET s.value = 0
  SET s.value = s.value + 1
  CREATE (r)-[:HAS_CHANGE]->(ch:CreditChange {sequence: s.value, change_id: 'CC-' + toString(s.value),
      change: $change, record_version: r.version, occurred_at: datetime()})
  // The record as it is now: what the platform is told, frozen with the change.
  SET ch += r {.record_id, .status, .subject_name, .id_number, .behaviour, .facts, .amount_fen, .legal_basis,
               .severity, .deciding_authority, .decision_number, .decision_date, .publicity_start,
               .publicity_end, .recovery_amount_fen, .aid_stopped, .repaired_on, .expired_on}
}
RETURN r {.*} AS record, ok, before, seen
"""

RECORD = "MATCH (r:CreditRecord {record_id: $record_id}) RETURN r {.*} AS record"

RECORD_EVENTS = """
MATCH (:CreditRecord {record_id: $record_id})-[:HAS_EVENT]->(e:CreditEvent)
RETURN e {.*, at: toString(e.at)} AS event ORDER BY e.at, e.event_id
"""

DUE_TO_EXPIRE = """
MATCH (r:CreditRecord {status: 'published'}) WHERE r.publicity_end < $today
RETURN r.record_id AS record_id, r.version AS version
"""

# Records that restrict (一处失信、处处受限): decided or published.
RESTRICTING = ("decided", "published")

# Records that restrict, for the person or anyone in their households.
ACTIVE_RESTRICTIONS = """
UNWIND $persons AS id
MATCH (p:Person {id_number: id})
CALL (p) {
  MATCH (p)<-[:ABOUT]-(r:CreditRecord) RETURN r
  UNION
  MATCH (p)-[m:MEMBER_OF]->(:Household)<-[m2:MEMBER_OF]-(:Person)<-[:ABOUT]-(r:CreditRecord)
  WHERE m.until IS NULL AND m2.until IS NULL RETURN r
}
WITH DISTINCT r WHERE r.status IN $restricting
RETURN r {.record_id, .id_number, .behaviour, .severity, .deciding_authority, .decision_number,
          .decision_date, .publicity_start, .publicity_end, .status} AS record
"""

CHANGES = """
MATCH (c:CreditChange) WHERE c.sequence > $after
RETURN c {.*, occurred_at: toString(c.occurred_at)} AS change ORDER BY c.sequence LIMIT $limit
"""


async def draft_record(gateway: Any, **params: Any) -> dict[str, Any] | None:
    rows = await gateway.write(DRAFT, **params)
    return rows[0]["record"] if rows else None


def step_parameters(
    record_id: str,
    step: CreditStep,
    expected_version: int,
    *,
    by: str,
    role: str,
    note: str | None,
    changes: dict[str, Any],
    precondition: bool = True,
) -> dict[str, Any]:
    """STEP's parameters, for the API (credit_step) and the jobs alike."""
    return dict(
        record_id=record_id,
        **RECORD_LIFECYCLE.guard(step),
        expected_version=expected_version,
        precondition=precondition,
        by=by,
        role=role,
        change=RECORD_LIFECYCLE.transitions[step].change,
        note=note,
        changes=changes,
    )


async def credit_step(
    gateway: Any,
    record_id: str,
    step: CreditStep,
    expected_version: int,
    *,
    by: str,
    role: str,
    note: str | None,
    changes: dict[str, Any],
    precondition: bool = True,
) -> dict[str, Any] | None:
    rows = await gateway.write(
        STEP,
        **step_parameters(
            record_id,
            step,
            expected_version,
            by=by,
            role=role,
            note=note,
            changes=changes,
            precondition=precondition,
        ),
    )
    return rows[0] if rows else None


async def fetch_record(gateway: Any, record_id: str) -> dict[str, Any] | None:
    rows = await gateway.read(RECORD, record_id=record_id)
    return rows[0]["record"] if rows else None


async def active_restrictions(gateway: Any, persons: list[str]) -> list[dict[str, Any]]:
    return [
        r["record"]
        for r in await gateway.read(ACTIVE_RESTRICTIONS, persons=persons, restricting=list(RESTRICTING))
    ]


async def fetch_changes(gateway: Any, after: int, limit: int) -> list[dict[str, Any]]:
    return [r["change"] for r in await gateway.read(CHANGES, after=after, limit=limit)]
