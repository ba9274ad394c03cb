"""Benefit feeds: applications (cases), enrollments, payments and visits."""

from __future__ import annotations

from typing import Any

from credit.records import IS_RESTRICTING
from domain.partner_changes import ChangeKind, append_changes
from loaders.feeds.base import GRANTEE, Feed, link_account, link_where_held, replace_single
from loaders.references import Ref, RefKind
from loaders.rows import benefits as rows
from loaders.rows.common import FeedRow

# A grant that is new starts; one whose end date is new or moved ends (loading the same row
# again tells nobody anything).
_ENROLLMENT_DETAIL = (
    "{enrollment_id: row.enrollment_id, programme: row.programme, start_date: row.start_date, "
    "end_date: row.end_date}"
)
_ENROLLMENT_CHANGES = f"""
[who IN concerned WHERE created | {{kind: '{ChangeKind.ENROLLMENT_STARTED}', id_number: who,
  detail: {_ENROLLMENT_DETAIL}}}]
+ [who IN concerned WHERE row.end_date IS NOT NULL AND (old_end IS NULL OR old_end <> row.end_date)
   | {{kind: '{ChangeKind.ENROLLMENT_ENDED}', id_number: who, detail: {_ENROLLMENT_DETAIL}}}]"""

# A later export that says otherwise replaces single-valued links (recorded as corrections).
UPSERT_CASES = (
    """
UNWIND $rows AS row
MATCH (h:Household {household_id: row.household_id})
MATCH (prog:Programme {code: row.programme})
MATCH (applicant:Person {id_number: row.applicant_id_number})
MERGE (c:Case {case_id: row.case_id})
WITH row, h, prog, applicant, c
"""
    + replace_single("c", "FOR_HOUSEHOLD", "h")
    + replace_single("c", "FOR_PROGRAMME", "prog")
    + replace_single("c", "APPLIED_FOR", "applicant", incoming=True)
    + """
SET c.programme_code = row.programme, c.household_id = row.household_id,
    c.township_code = h.township_code, c.village_code = h.village_code,
    c.channel = row.channel, c.submitted_date = row.submitted_date, c.status = row.status,
    c.commitment_signed = row.commitment_signed, c.decided_date = row.decided_date, c.reason = row.reason,
    c.urgent = row.urgent_amount_fen IS NOT NULL, c.urgent_amount_fen = row.urgent_amount_fen,
    c.urgent_granted_date = row.urgent_granted_date, c.review_due = row.review_due,
    c.version = coalesce(c.version, 1)
MERGE (c)-[:FOR_HOUSEHOLD]->(h)
MERGE (c)-[:FOR_PROGRAMME]->(prog)
MERGE (applicant)-[:APPLIED_FOR]->(c)
FOREACH (x IN CASE WHEN row.commitment_signed THEN [1] ELSE [] END |
  MERGE (hc:HonestyCommitment {commitment_id: 'HC-' + row.case_id})
  SET hc.signed_on = row.submitted_date, hc.signed_by = applicant.id_number, hc.channel = row.channel
  MERGE (applicant)-[:SIGNED]->(hc)
  MERGE (hc)-[:COMMITS_TO]->(c))
WITH c, row, h, applicant
// The commitment is the applicant's: an applicant replaced above signed it, not the earlier one.
OPTIONAL MATCH (:HonestyCommitment {commitment_id: 'HC-' + row.case_id})<-[stale:SIGNED]-(other)
WHERE other <> applicant
DELETE stale
WITH DISTINCT c, row, h
// Joint restriction also for applications another system took in: flagged while still open.
OPTIONAL MATCH (h)<-[m:MEMBER_OF]-(:Person)<-[:ABOUT]-(r:CreditRecord)
WHERE m.until IS NULL AND """
    + IS_RESTRICTING
    + """
  AND row.status IN ['submitted', 'investigating', 'under_review', 'in_publicity']
WITH c, row, collect(DISTINCT r.record_id) AS restricting
FOREACH (x IN CASE WHEN size(restricting) > 0 THEN [1] ELSE [] END |
  SET c.restricted = true, c.restriction_records = restricting)
WITH c, row
OPTIONAL MATCH (handler:Staff {staff_id: row.handled_by})
OPTIONAL MATCH (reviewer:Staff {staff_id: row.reviewed_by})
OPTIONAL MATCH (approver:Staff {staff_id: row.approved_by})
FOREACH (s IN [x IN [handler] WHERE x IS NOT NULL] | MERGE (s)-[:HANDLED]->(c))
FOREACH (s IN [x IN [reviewer] WHERE x IS NOT NULL] | MERGE (s)-[:REVIEWED]->(c))
FOREACH (s IN [x IN [approver] WHERE x IS NOT NULL] | MERGE (s)-[:APPROVED]->(c))
"""
)

UPSERT_ENROLLMENTS = (
    """
UNWIND $rows AS row
MATCH (prog:Programme {code: row.programme})
MERGE (e:Enrollment {enrollment_id: row.enrollment_id})
WITH row, prog, e, e.programme_code IS NULL AS created, e.end_date AS old_end
SET e.programme_code = row.programme, e.start_date = row.start_date, e.end_date = row.end_date,
    e.monthly_amount_fen = row.monthly_amount_fen,
    e.unit = CASE WHEN row.household_id IS NULL THEN 'person' ELSE 'household' END
// Whom the grant concerns: its covered members, else the household's members now.
WITH e, row, prog, created, old_end,
     CASE WHEN size(row.covered_id_numbers) > 0 THEN row.covered_id_numbers
          ELSE COLLECT { MATCH (:Household {household_id: row.household_id})<-[m:MEMBER_OF]-(x:Person)
                         WHERE m.until IS NULL RETURN x.id_number } END AS concerned
"""
    + append_changes(_ENROLLMENT_CHANGES, "row, created, old_end, concerned")
    + """
WITH e, row, prog
"""
    + replace_single("e", "FOR_PROGRAMME", "prog")
    + """
MERGE (e)-[:FOR_PROGRAMME]->(prog)
"""
    + link_where_held(
        "e",
        [
            ("GRANTED_TO", "grantee", GRANTEE),
            ("FROM_CASE", "c", ("OPTIONAL MATCH (c:Case {case_id: row.case_id})", "c")),
        ],
    )
    + link_account("e", "PAYS_INTO")
    + """WITH e, row
OPTIONAL MATCH (e)-[stale:COVERS]->(m) WHERE NOT m.id_number IN row.covered_id_numbers
DELETE stale
WITH DISTINCT e, row
UNWIND row.covered_id_numbers AS covered
MATCH (m:Person {id_number: covered})
MERGE (e)-[:COVERS]->(m)
"""
)

UPSERT_PAYMENTS = (
    """
UNWIND $rows AS row
MATCH (e:Enrollment {enrollment_id: row.enrollment_id})
MERGE (acc:BankAccount {number: row.account_number})
MERGE (pay:Payment {payment_id: row.payment_id})
WITH row, e, acc, pay
"""
    + replace_single("pay", "FOR_ENROLLMENT", "e")
    + replace_single("pay", "PAID_TO", "acc")
    + """
SET pay.period = row.period, pay.amount_fen = row.amount_fen, pay.paid_date = row.paid_date,
    pay.event_cause = row.event_cause, pay.event_date = row.event_date, pay.programme_code = e.programme_code
MERGE (pay)-[:FOR_ENROLLMENT]->(e)
MERGE (pay)-[:PAID_TO]->(acc)
"""
)

UPSERT_VISITS = (
    """
UNWIND $rows AS row
MATCH (h:Household {household_id: row.household_id})
MATCH (s:Staff {staff_id: row.staff_id})
MERGE (v:Visit {visit_id: row.visit_id})
WITH row, h, s, v
"""
    + replace_single("v", "VISITED", "h")
    + replace_single("v", "MADE_VISIT", "s", incoming=True)
    + """
SET v.visit_date = row.visit_date, v.note = row.note
MERGE (v)-[:VISITED]->(h)
MERGE (s)-[:MADE_VISIT]->(v)
"""
)


def _enrollment_params(row: FeedRow) -> dict[str, Any]:
    params = row.params()
    # A person grant covers its grantee unless the row says otherwise.
    if not params["covered_id_numbers"] and params["id_number"] is not None:
        params["covered_id_numbers"] = [params["id_number"]]
    return params


BENEFIT_FEEDS = (
    Feed(
        "cases",
        rows.CaseRow,
        60,
        UPSERT_CASES,
        "applications and their workflow state (township halls)",
        refs=(
            Ref("household_id", RefKind.HOUSEHOLD),
            Ref("applicant_id_number", RefKind.PERSON),
            Ref("handled_by", RefKind.STAFF),
            Ref("reviewed_by", RefKind.STAFF),
            Ref("approved_by", RefKind.STAFF),
        ),
    ),
    Feed(
        "enrollments",
        rows.EnrollmentRow,
        70,
        UPSERT_ENROLLMENTS,
        "active grants (programme departments)",
        refs=(
            Ref("household_id", RefKind.HOUSEHOLD),
            Ref("id_number", RefKind.PERSON),
            Ref("case_id", RefKind.CASE),
            Ref("covered_id_numbers", RefKind.PERSON),
        ),
        to_params=_enrollment_params,
    ),
    Feed(
        "payments",
        rows.PaymentRow,
        80,
        UPSERT_PAYMENTS,
        "payments made (CZ, programme departments)",
        refs=(Ref("enrollment_id", RefKind.ENROLLMENT),),
        owners=("CZ",),
    ),
    Feed(
        "visits",
        rows.VisitRow,
        80,
        UPSERT_VISITS,
        "visits to households (探访慰问)",
        refs=(Ref("household_id", RefKind.HOUSEHOLD), Ref("staff_id", RefKind.STAFF)),
    ),
)
