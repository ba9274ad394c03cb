"""The case workflow: each step is one write transaction that checks the state machine,
the caseworker's township and the version the client last saw (optimistic concurrency),
and logs a CaseEvent with who did it and when.

    submitted | investigating ──investigate──▶ under_review ──review: approve──▶ in_publicity
    under_review ──review: reject──▶ rejected
    in_publicity ──objection──▶ investigating;  in_publicity ──decide (window over)──▶ approved | rejected
    approved ◀─resume─ suspended ◀─suspend─ approved;  approved | suspended ──terminate──▶ terminated

An urgent grant (green channel, 先行救助) is paid when it is made and enters at under_review:
publicity and another caseworker's decision follow (resolvers/green_channel.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from credit.records import BEFORE_DECISION, IS_RESTRICTING, cypher_list
from credit.rules import CreditRulesError, read_credit_rules
from domain.partner_changes import ChangeKind, append_changes
from domain.workflow import Transition, Workflow
from graph.kinship import CASE_BENEFICIARIES, RELATION_FILED, STAFF_RELATED


class Step(StrEnum):
    INVESTIGATE = "investigate"
    REVIEW_APPROVE = "review_approve"
    REVIEW_REJECT = "review_reject"
    OBJECTION = "objection"
    DECIDE_APPROVE = "decide_approve"
    DECIDE_REJECT = "decide_reject"
    SUSPEND = "suspend"
    RESUME = "resume"
    TERMINATE = "terminate"


# staff_link: which Staff -> Case relationship the step records.
CASE_WORKFLOW = Workflow(
    "case",
    {
        Step.INVESTIGATE: Transition(("submitted", "investigating"), "under_review", "HANDLED"),
        Step.REVIEW_APPROVE: Transition(("under_review",), "in_publicity", "REVIEWED"),
        Step.REVIEW_REJECT: Transition(("under_review",), "rejected", "REVIEWED"),
        Step.OBJECTION: Transition(("in_publicity",), "investigating"),
        Step.DECIDE_APPROVE: Transition(("in_publicity",), "approved", "APPROVED"),
        Step.DECIDE_REJECT: Transition(("in_publicity",), "rejected", "APPROVED"),
        Step.SUSPEND: Transition(("approved",), "suspended"),
        Step.RESUME: Transition(("suspended",), "approved"),
        Step.TERMINATE: Transition(("approved", "suspended"), "terminated"),
    },
)

# An application's case as every channel opens it, ordinary or urgent: bound to `h`,
# `applicant` and `prog`; each adds its own status and dates.
CASE_OPENED = """case_id: $case_id, programme_code: prog.code, household_id: h.household_id,
township_code: h.township_code, village_code: h.village_code, channel: $channel,
commitment_signed: true, commitment_signed_at: datetime(), version: 1, created_at: datetime(),
created_by: $by"""

# What every new case is linked to: the applicant, household and programme; the honesty
# commitment (守信承诺) signed by the applicant for the household; its first event (the
# channel's `action`, into the case's status); the staff member who took it.
APPLICATION_LINKS = """
CREATE (applicant)-[:APPLIED_FOR]->(c), (c)-[:FOR_HOUSEHOLD]->(h), (c)-[:FOR_PROGRAMME]->(prog)
CREATE (applicant)-[:SIGNED]->(:HonestyCommitment {commitment_id: 'HC-' + $case_id, signed_at: datetime(),
        signed_by: applicant.id_number, channel: $channel, received_by: $by})-[:COMMITS_TO]->(c)
CREATE (c)-[:HAS_EVENT]->(:CaseEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                      action: $action, from_status: null, to_status: c.status,
                                      note: $note})
WITH c
OPTIONAL MATCH (s:Staff {staff_id: $by})
FOREACH (x IN [y IN [s] WHERE y IS NOT NULL] | MERGE (x)-[:HANDLED]->(c))
"""

# Parts of the queries below, planned only inside them (tests/test_query_plans.py).
FRAGMENTS = ("CASE_OPENED", "APPLICATION_LINKS")

SUBMIT = (
    """
MATCH (h:Household {household_id: $household_id})
WHERE $township IS NULL OR h.township_code = $township
MATCH (applicant:Person {id_number: $applicant})-[:MEMBER_OF]->(h)
MATCH (prog:Programme {code: $programme})
CREATE (c:Case {"""
    + CASE_OPENED
    + """, submitted_date: date(), status: 'submitted'})"""
    + APPLICATION_LINKS
    + """RETURN c {.*} AS case
"""
)


async def submit_application(gateway: Any, **params: Any) -> dict[str, Any] | None:
    """The new case (SUBMIT); None: no such household in the area, applicant or programme."""
    rows = await gateway.write(SUBMIT, action="submit", **params)
    return rows[0] if rows else None


# A suspended case suspends its grants; a terminated one ends them: the partners serving
# the covered persons are told (domain/partner_changes.py).
_GRANTS_HELD = f"""
[g IN COLLECT {{ MATCH (c)<-[:FROM_CASE]-(e:Enrollment)-[:COVERS]->(x:Person)
                RETURN {{id_number: x.id_number, enrollment_id: e.enrollment_id, programme: e.programme_code,
                        start_date: e.start_date, end_date: e.end_date}} AS g }}
 WHERE $to IN ['suspended', 'terminated']
 | {{kind: CASE $to WHEN 'suspended' THEN '{ChangeKind.ENROLLMENT_SUSPENDED}'
               ELSE '{ChangeKind.ENROLLMENT_ENDED}' END,
    id_number: g.id_number,
    detail: {{enrollment_id: g.enrollment_id, programme: g.programme, start_date: g.start_date,
             end_date: g.end_date}}}}]"""

# The guarded update: changes only if the status and version are what the caller expects.
TRANSITION = (
    """
MATCH (c:Case {case_id: $case_id})
WHERE $township IS NULL OR c.township_code = $township
WITH c, c.status AS before, c.version AS seen
// Joint restriction (一处失信、处处受限): approval waits for an explicit override while anyone
// in the household has an active dishonesty record — checked now, not only when submitted.
WITH c, before, seen, $check_restriction AND NOT coalesce(c.restriction_overridden, false) AND EXISTS {
       MATCH (c)-[:FOR_HOUSEHOLD]->(:Household)<-[m:MEMBER_OF]-(:Person)<-[:ABOUT]-(r:CreditRecord)
       WHERE m.until IS NULL AND """
    + IS_RESTRICTING
    + """ } AS blocked
WITH c, before, seen, blocked, before IN $allowed_from AND seen = $expected_version AND NOT blocked
     AND (NOT $after_publicity OR c.publicity_end <= date()) AS ok
CALL (c, before, ok) {
  WITH c, before, ok WHERE ok
  SET c.status = $to, c.version = c.version + 1, c.updated_at = datetime(), c.updated_by = $by, c += $changes
  // An urgent grant reversed on review (green channel): its amount is to be recovered.
  SET c.recovery_fen = CASE WHEN coalesce(c.urgent, false) AND $to = 'rejected' THEN c.urgent_amount_fen
                            ELSE c.recovery_fen END
  CREATE (c)-[:HAS_EVENT]->(:CaseEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                        action: $action, from_status: before, to_status: $to, note: $note})
  WITH c
  OPTIONAL MATCH (s:Staff {staff_id: $by})
  FOREACH (x IN [y IN [s] WHERE y IS NOT NULL AND $staff_link = 'HANDLED'] | MERGE (x)-[:HANDLED]->(c))
  FOREACH (x IN [y IN [s] WHERE y IS NOT NULL AND $staff_link = 'REVIEWED'] | MERGE (x)-[:REVIEWED]->(c))
  FOREACH (x IN [y IN [s] WHERE y IS NOT NULL AND $staff_link = 'APPROVED'] | MERGE (x)-[:APPROVED]->(c))
  WITH DISTINCT c
"""
    + append_changes(_GRANTS_HELD, "c")
    + """
}
RETURN c {.*} AS case, ok, before, seen, blocked, c.publicity_end AS publicity_end
"""
)

# Flags a new application naming anyone with an active dishonesty record (applicant or household).
FLAG_RESTRICTED = (
    """
MATCH (c:Case {case_id: $case_id})-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (h)<-[m:MEMBER_OF]-(:Person)<-[:ABOUT]-(r:CreditRecord)
WHERE m.until IS NULL AND """
    + IS_RESTRICTING
    + """
WITH c, collect(DISTINCT r.record_id) AS records
CALL (c, records) {
  WITH c, records WHERE size(records) > 0
  SET c.restricted = true, c.restriction_records = records
  CREATE (c)-[:HAS_EVENT]->(:CaseEvent {event_id: randomUUID(), at: datetime(), by: 'joint-restriction',
      role: 'system', action: 'restricted', from_status: c.status, to_status: c.status,
      note: 'active dishonesty record(s): ' + reduce(t = '', x IN records | t + x + ' ')})
}
RETURN c {.*} AS case
"""
)

OVERRIDE_RESTRICTION = """
MATCH (c:Case {case_id: $case_id})
WITH c, c.version AS seen, coalesce(c.restricted, false) AS restricted
WITH c, seen, restricted, restricted AND seen = $expected_version AS ok
CALL (c, ok) {
  WITH c, ok WHERE ok
  SET c.restriction_overridden = true, c.override_by = $by, c.override_reason = $reason,
      c.override_at = datetime(), c.version = c.version + 1
  CREATE (c)-[:HAS_EVENT]->(:CaseEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
      action: 'override_restriction', from_status: c.status, to_status: c.status, note: $reason})
}
RETURN c {.*} AS case, ok, seen, restricted
"""

# For many cases at once (a page of a case list): one round trip, not one per case.
CASE_EVENTS = """
UNWIND $case_ids AS case_id
MATCH (:Case {case_id: case_id})-[:HAS_EVENT]->(e:CaseEvent)
WITH case_id, e ORDER BY e.at, e.event_id
RETURN case_id, collect(e {.*, at: toString(e.at)}) AS events
"""


# Honesty incentives (守信激励): per case, the household's first honesty commitment and whether
# any member has a record that counts against it — one that restricts now, or any decided since
# `since` (a revoked or withdrawn one was overturned, a draft is no decision yet).
FAST_TRACK = (
    """
UNWIND $case_ids AS case_id
MATCH (c:Case {case_id: case_id})-[:FOR_HOUSEHOLD]->(h:Household)
WITH c, [(h)<-[m:MEMBER_OF]-(p:Person) WHERE m.until IS NULL | p] AS members
RETURN c.case_id AS case_id, c.programme_code AS programme,
  COLLECT { UNWIND members AS p MATCH (p)-[:SIGNED]->(hc:HonestyCommitment)
            WITH coalesce(hc.signed_on, date(hc.signed_at)) AS d WHERE d IS NOT NULL
            RETURN d ORDER BY d LIMIT 1 } AS first_commitment,
  EXISTS { UNWIND members AS p MATCH (p)<-[:ABOUT]-(r:CreditRecord)
           WHERE NOT r.status IN """
    + cypher_list((*BEFORE_DECISION, "revoked", "withdrawn"))
    + """ AND ("""
    + IS_RESTRICTING
    + """ OR coalesce(r.decision_date, date(r.created_at)) > $since) } AS recent_record
"""
)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def load_fast_track(
    gateway: Any, rules_file: Path, today: date, case_ids: list[str]
) -> list[dict[str, Any]]:
    """DataLoader batch function: whether each case's household may use the fast track
    (简化审核), and why or why not in plain words, in the order asked."""
    try:
        incentives = read_credit_rules(rules_file).incentives
    except CreditRulesError as exc:
        return [{"eligible": False, "explanation": str(exc)} for _ in case_ids]
    years = incentives.honesty_years
    since = _years_before(today, years)
    rows = await gateway.read(FAST_TRACK, case_ids=list(case_ids), since=since)
    by_case = {r["case_id"]: r for r in rows}
    answers = []
    for case_id in case_ids:
        r = by_case.get(case_id)
        if r is None:
            answers.append({"eligible": False, "explanation": "no household for this application"})
            continue
        first = r["first_commitment"][0].to_native() if r["first_commitment"] else None
        if r["programme"] not in incentives.fast_track_programmes:
            why = f"{r['programme']} has no fast track: the full review applies (rules/credit.toml)"
        elif first is None or first > since:
            signed = f"first signed on {first}" if first else "never signed"
            why = f"the household's honesty commitment was {signed}, less than {years} years ago"
        elif r["recent_record"]:
            why = f"a member of the household has had a dishonesty record within the last {years} years"
        else:
            answers.append(
                {
                    "eligible": True,
                    "explanation": f"fast track (简化审核) possible: the household has kept its honesty "
                    f"commitment since {first}, with no dishonesty record for {years} years, and "
                    f"{r['programme']} allows it",
                }
            )
            continue
        answers.append({"eligible": False, "explanation": why})
    return answers


async def load_case_events(gateway: Any, case_ids: list[str]) -> list[list[dict[str, Any]]]:
    """DataLoader batch function: the events of each case, in the order asked."""
    rows = await gateway.read(CASE_EVENTS, case_ids=list(case_ids))
    by_case = {r["case_id"]: r["events"] for r in rows}
    return [by_case.get(case_id, []) for case_id in case_ids]


def step_changes(step: Step, today: date, publicity_days: int, reason: str | None) -> dict[str, Any]:
    """Properties a step sets besides status and version."""
    if step is Step.REVIEW_APPROVE:
        return {"publicity_start": today, "publicity_end": today + timedelta(days=publicity_days)}
    if step in (Step.REVIEW_REJECT, Step.DECIDE_REJECT, Step.DECIDE_APPROVE):
        return {"decided_date": today, "reason": reason}
    if step is Step.OBJECTION:
        return {"publicity_start": None, "publicity_end": None, "objection": reason}
    if step in (Step.SUSPEND, Step.TERMINATE):
        return {"reason": reason}
    return {}


async def flag_restricted(gateway: Any, case_id: str) -> dict[str, Any]:
    return (await gateway.write(FLAG_RESTRICTED, case_id=case_id))[0]["case"]


async def override_restriction(
    gateway: Any, case_id: str, expected_version: int, *, by: str, role: str, reason: str
) -> dict[str, Any] | None:
    rows = await gateway.write(
        OVERRIDE_RESTRICTION,
        case_id=case_id,
        expected_version=expected_version,
        by=by,
        role=role,
        reason=reason,
    )
    return rows[0] if rows else None


async def apply_step(
    gateway: Any,
    case_id: str,
    step: Step,
    expected_version: int,
    *,
    township: str | None,
    by: str,
    role: str,
    note: str | None,
    changes: dict[str, Any],
) -> dict[str, Any] | None:
    rows = await gateway.write(
        TRANSITION,
        case_id=case_id,
        township=township,
        **CASE_WORKFLOW.guard(step),
        expected_version=expected_version,
        by=by,
        role=role,
        note=note,
        changes=changes,
        staff_link=CASE_WORKFLOW.transitions[step].staff_link or "",
        after_publicity=step in (Step.DECIDE_APPROVE, Step.DECIDE_REJECT),
        check_restriction=step is Step.DECIDE_APPROVE,
    )
    return rows[0] if rows else None


# Case lists for a jurisdiction, with filters, sorting and keyset pagination.
CASE_LIST = """
MATCH (c:Case)
WHERE ($township IS NULL OR c.township_code = $township)
  AND ($village IS NULL OR c.village_code = $village)
  AND ($programmes IS NULL OR c.programme_code IN $programmes)
  AND ($statuses IS NULL OR c.status IN $statuses)
  AND ($channel IS NULL OR c.channel = $channel)
  AND ($submitted_from IS NULL OR c.submitted_date >= $submitted_from)
  AND ($submitted_to IS NULL OR c.submitted_date <= $submitted_to)
WITH c, coalesce(CASE $order
  WHEN 'SUBMITTED_ASC' THEN toString(c.submitted_date)
  // newest first, as an ascending string key: 99999999 - yyyymmdd
  WHEN 'SUBMITTED_DESC' THEN toString(99999999 - (c.submitted_date.year * 10000 + c.submitted_date.month * 100
                                                  + c.submitted_date.day))
  ELSE c.case_id END, '') AS k
WHERE $after_key IS NULL OR k > $after_key OR (k = $after_key AND c.case_id > $after_id)
RETURN c {.*} AS case, k AS sort_key,
       head([(a:Person)-[:APPLIED_FOR]->(c) | a.id_number]) AS applicant
ORDER BY sort_key, c.case_id
LIMIT $limit
"""

CASE_BY_ID = """
MATCH (c:Case {case_id: $case_id})
RETURN c {.*} AS case, head([(a:Person)-[:APPLIED_FOR]->(c) | a.id_number]) AS applicant
"""


async def fetch_cases(gateway: Any, **params: Any) -> list[dict[str, Any]]:
    return await gateway.read(CASE_LIST, **params)


async def fetch_case(gateway: Any, case_id: str) -> dict[str, Any] | None:
    rows = await gateway.read(CASE_BY_ID, case_id=case_id)
    return rows[0] if rows else None


# Conflict of interest at the point of decision (回避): the staff member's relatives among
# the case's beneficiaries (graph/kinship.py, as RELATIONSHIP_BENEFIT finds them afterwards),
# whether each relation is filed, whether they recorded the home investigation, and who
# countersigned the case.
CONFLICT = (
    """
MATCH (c:Case {case_id: $case_id})
WHERE $township IS NULL OR c.township_code = $township
OPTIONAL MATCH (s:Staff {staff_id: $by})
RETURN c.programme_code AS programme, c.status AS status, c.countersigned_by AS countersigned_by,
       EXISTS { MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
                WHERE e.action IN ['investigate', 'urgent_grant'] AND e.by = $by }
       AS investigated,
       COLLECT { MATCH """
    + CASE_BENEFICIARIES
    + " WHERE s IS NOT NULL AND "
    + STAFF_RELATED
    + """
                 RETURN DISTINCT {person: b.id_number, filed: """
    + RELATION_FILED
    + """} } AS relatives
"""
)

# A second caseworker signs a case whose reviewer or decider has a filed relation to it.
COUNTERSIGN = (
    """
MATCH (c:Case {case_id: $case_id})
WHERE $township IS NULL OR c.township_code = $township
OPTIONAL MATCH (s:Staff {staff_id: $by})
WITH c, s, c.version AS seen,
     EXISTS { MATCH """
    + CASE_BENEFICIARIES
    + " WHERE s IS NOT NULL AND "
    + STAFF_RELATED
    + """ } AS related
WITH c, seen, related, seen = $expected_version AND NOT related AND c.status IN $allowed_from AS ok
CALL (c, ok) {
  WITH c WHERE ok
  SET c.countersigned_by = $by, c.countersigned_at = datetime(), c.countersign_reason = $reason,
      c.version = c.version + 1
  CREATE (c)-[:HAS_EVENT]->(:CaseEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
      action: 'countersign', from_status: c.status, to_status: c.status, note: $reason})
}
RETURN c {.*} AS case, ok, seen, related
"""
)

# The steps the conflict rules apply to: reviewing and deciding.
REVIEWING = (Step.REVIEW_APPROVE, Step.REVIEW_REJECT)
DECIDING = (Step.DECIDE_APPROVE, Step.DECIDE_REJECT)


async def conflict(gateway: Any, case_id: str, *, township: str | None, by: str) -> dict[str, Any] | None:
    rows = await gateway.read(CONFLICT, case_id=case_id, township=township, by=by)
    return rows[0] if rows else None


async def countersign(
    gateway: Any,
    case_id: str,
    expected_version: int,
    *,
    township: str | None,
    by: str,
    role: str,
    reason: str,
) -> dict[str, Any] | None:
    rows = await gateway.write(
        COUNTERSIGN,
        case_id=case_id,
        township=township,
        expected_version=expected_version,
        by=by,
        role=role,
        reason=reason,
        allowed_from=["under_review", "in_publicity"],
    )
    return rows[0] if rows else None
