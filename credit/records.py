"""Dishonesty records (失信记录): drafted from a confirmed finding, decided, published,
repaired or expired; every step one guarded write that logs who and when and, where the
credit platform must hear of it, appends a numbered change to the export feed in the same
transaction (a transactional outbox: no change without its record, and no record change
without its change)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from credit.shape import PUBLIC, SHARED, projection
from domain.partner_changes import ChangeKind, append_changes
from domain.workflow import Transition, Workflow


class CreditStep(StrEnum):
    NOTIFY = "notify"  # the notice of the intended decision, served to the subject
    DEFENCE = "defence"  # the subject's statement (陈述申辩) and the officer's response, or a waiver
    DECIDE = "decide"
    PUBLISH = "publish"
    REPAIR = "repair"
    CORRECT = "correct"
    EXPIRE = "expire"
    OBJECT = "object"  # an objection (异议) or a request for review (复核): publication suspended
    UPHOLD = "uphold"  # the objection fails: the record stands as it was
    AMEND = "amend"  # the objection succeeds in part: the record is corrected
    REVOKE = "revoke"  # overturned on review, reconsideration or in court (撤销)


# change: what the credit platform's export feed calls the step (None: the platform is not told;
# notice and defence come before there is a decision to share).
RECORD_LIFECYCLE = Workflow(
    "dishonesty record",
    {
        CreditStep.NOTIFY: Transition(("draft",), "notified"),
        CreditStep.DEFENCE: Transition(("notified",), None),
        CreditStep.DECIDE: Transition(("notified",), "decided", change="decided"),
        CreditStep.PUBLISH: Transition(("decided",), "published", change="published"),
        CreditStep.REPAIR: Transition(("published",), "repaired", change="repaired"),
        CreditStep.CORRECT: Transition(("decided", "published"), None, change="corrected"),
        CreditStep.EXPIRE: Transition(("published",), "expired", change="expired"),
        CreditStep.OBJECT: Transition(("decided", "published"), None, change="suspended"),
        CreditStep.UPHOLD: Transition(("decided", "published"), None, change="upheld"),
        CreditStep.AMEND: Transition(("decided", "published"), None, change="corrected"),
        CreditStep.REVOKE: Transition(
            ("decided", "published", "repaired", "expired"), "revoked", change="revoked"
        ),
    },
)

# The statuses in which a record restricts its subject's household (一处失信、处处受限). A
# revoked record restricts no one from the moment it is revoked.
RESTRICTING = ("decided", "published")
BEFORE_DECISION = ("draft", "notified")  # not yet a decision: shown to no one outside credit work


def cypher_list(statuses: tuple[str, ...]) -> str:
    """A fixed tuple of statuses as a Cypher list literal, for statements built at import."""
    return "[" + ", ".join(f"'{x}'" for x in statuses) + "]"


# The record r restricts: decided or published and, for a record another agency published
# (credit/external.py), within the period of restriction the platform gave it. The one
# definition every restriction check (applications, loaded cases, partners, verifyPersons) uses.
IS_RESTRICTING = (
    "(r.status IN "
    + cypher_list(RESTRICTING)
    + " AND (r.source_agency IS NULL OR r.restriction_end IS NULL OR r.restriction_end >= date()))"
)

# Steps that need an objection open (True) or none (False); the rest do not look.
OBJECTION_STATE: dict[CreditStep, bool] = {
    CreditStep.PUBLISH: False,
    CreditStep.OBJECT: False,
    CreditStep.UPHOLD: True,
    CreditStep.AMEND: True,
}
# Steps that close an open objection.
CLOSES_OBJECTION = (CreditStep.UPHOLD, CreditStep.AMEND, CreditStep.REVOKE)


def defence_deadline(served_on: date, days: int) -> date:
    """The last day the subject may state a defence: `days` after the notice is served."""
    return served_on + timedelta(days=days)


# The record's properties a change freezes: what the platform is told (credit/shape.py).
SNAPSHOT = tuple(f.key for f in SHARED)

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

# A decided record restricts its subject (joint restriction); repaired or expired, it no
# longer does, nor once revoked. Partners serving the subject hear of both (domain/partner_changes.py).
_RESTRICTION_CHANGES = f"""
CASE WHEN $change = 'decided' THEN [{{kind: '{ChangeKind.RESTRICTION_STARTED}', id_number: r.id_number,
                                      detail: {{record_id: r.record_id}}}}]
     WHEN $change IN ['repaired', 'expired', 'revoked'] THEN [{{kind: '{ChangeKind.RESTRICTION_ENDED}',
                                      id_number: r.id_number, detail: {{record_id: r.record_id}}}}]
     ELSE [] END"""

# The guarded step. A change for the platform is numbered from the feed's counter, which
# also serialises concurrent steps: the numbers are gap-free and in commit order.
STEP = (
    """
MATCH (r:CreditRecord {record_id: $record_id})
WITH r, r.status AS before, r.version AS seen
WITH r, before, seen, before IN $allowed_from AND seen = $expected_version AND $precondition
  // Due process: no decision while the subject's defence window is open, unless they waived it.
  AND ($defence_closed_on IS NULL OR coalesce(r.defence_waived, false)
       OR r.defence_deadline < $defence_closed_on)
  AND ($objection_open IS NULL OR coalesce(r.objection_open, false) = $objection_open)
  AND r.source_agency IS NULL  // records published by other agencies take no local step
  AS ok
CALL (r, before, ok) {
  WITH r, before, ok WHERE ok
  SET r.status = coalesce($to, r.status), r.version = r.version + 1, r.updated_at = datetime(),
      r.updated_by = $by, r += $changes
  CREATE (r)-[:HAS_EVENT]->(:CreditEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                          action: $action, from_status: before, to_status: r.status,
                                          note: $note})
  WITH r WHERE $change IS NOT NULL
  MERGE (s:Sequence {name: 'credit_changes'}) ON CREATE SET s.value = 0
  SET s.value = s.value + 1
  CREATE (r)-[:HAS_CHANGE]->(ch:CreditChange {sequence: s.value, change_id: 'CC-' + toString(s.value),
      change: $change, record_version: r.version, occurred_at: datetime()})
  // The record as it is now: what the platform is told, frozen with the change.
  SET ch += r {SNAPSHOT}
  WITH r
""".replace("{SNAPSHOT}", projection(SHARED))
    + append_changes(_RESTRICTION_CHANGES, "r")
    + """
}
RETURN r {.*} AS record, ok, before, seen
"""
)

RECORD = "MATCH (r:CreditRecord {record_id: $record_id}) RETURN r {.*} AS record"

RECORD_EVENTS = """
MATCH (:CreditRecord {record_id: $record_id})-[:HAS_EVENT]->(e:CreditEvent)
RETURN e {.*, at: toString(e.at)} AS event ORDER BY e.at, e.event_id
"""

DUE_TO_EXPIRE = """
MATCH (r:CreditRecord {status: 'published'}) WHERE r.publicity_end < $today AND r.source_agency IS NULL
RETURN r.record_id AS record_id, r.version AS version
"""

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
WITH DISTINCT r WHERE {IS_RESTRICTING}
RETURN r {PUBLIC} AS record
""".replace("{IS_RESTRICTING}", IS_RESTRICTING).replace("{PUBLIC}", projection(PUBLIC))

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
    today: date | None = None,
) -> dict[str, Any]:
    """STEP's parameters, for the API (credit_step) and the jobs alike: the step's own guards
    (due process, objections) come from here, never from the caller."""
    if step in CLOSES_OBJECTION:
        changes = {**changes, "objection_open": False}
    return dict(
        record_id=record_id,
        **RECORD_LIFECYCLE.guard(step),
        expected_version=expected_version,
        precondition=precondition,
        defence_closed_on=(today or date.today()) if step is CreditStep.DECIDE else None,
        objection_open=OBJECTION_STATE.get(step),
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
    rows = await gateway.read(ACTIVE_RESTRICTIONS, persons=persons)
    return [r["record"] for r in rows]


async def fetch_changes(gateway: Any, after: int, limit: int) -> list[dict[str, Any]]:
    return [r["change"] for r in await gateway.read(CHANGES, after=after, limit=limit)]
