"""Reading persons: the 360 view in one Cypher round trip, name search, and households.

The 360 query fetches everything the Person type can show in one round trip (pattern
comprehensions and COLLECT subqueries), whatever the size of the household or the number
of payments: each round trip to the server costs more of the API's CPU than anything else
(python -m bench.api --profile: the driver's share). What the caller's role may see is decided in
``schema/person_view.py`` from the policy, after the fetch and before anything is returned.
"""

from __future__ import annotations

from typing import Any

from access.operations import HOUSEHOLD_IN_AREA, PERSON_IN_AREA, Area
from credit.records import BEFORE_DECISION, cypher_list
from credit.shape import PUBLIC, projection

# What an enrollment (e) and a case (c) of programme prog show, wherever they are read.
_ENROLLMENT = """e {.*, department_code: prog.department_code, programme_name: prog.name,
  grantee_household: head([(e)-[:GRANTED_TO]->(g:Household) | g.household_id]),
  grantee_person: head([(e)-[:GRANTED_TO]->(g:Person) | g.id_number]),
  covered: [(e)-[:COVERS]->(m) | m.id_number],
  payments: [(pay:Payment)-[:FOR_ENROLLMENT]->(e) | pay {.payment_id, .period, .amount_fen, .paid_date,
             .event_cause, .event_date, account: head([(pay)-[:PAID_TO]->(a) | a.number])}]
}"""
_CASE = """c {.*, department_code: prog.department_code,
  applicant: head([(a:Person)-[:APPLIED_FOR]->(c) | a.id_number]),
  handled_by: [(s)-[:HANDLED]->(c) | s.staff_id], reviewed_by: [(s)-[:REVIEWED]->(c) | s.staff_id],
  approved_by: [(s)-[:APPROVED]->(c) | s.staff_id]
}"""

# The call's area (access/operations.py) is checked in the query, before anything else is
# read: a person outside it costs what a person who does not exist costs (no timing oracle).
# A person's other households outside the area stay out, with all reached through them (their
# members, grants, cases, findings), as household() would refuse them.
PERSON_360 = (
    """
MATCH (p:Person {id_number: $id_number})
WHERE """
    + PERSON_IN_AREA
    + """
RETURN p {.*, staff_id: p.staff_id, staff_role: p.staff_role} AS person,
  [(p)-[m:MEMBER_OF]->(h:Household) WHERE """
    + HOUSEHOLD_IN_AREA
    + """ | {
     household_id: h.household_id, village_code: h.village_code, township_code: h.township_code,
     address: h.address, relation: m.relation, since: m.since, until: m.until,
     members: [(h)<-[m2:MEMBER_OF]-(o:Person) | {id_number: o.id_number, name: o.name, sex: o.sex,
               birth_date: o.birth_date, relation: m2.relation, since: m2.since, until: m2.until}]
  }] AS memberships,
  [(p)-[r:HAS_PHONE]->(ph:Phone) | {number: ph.number, source: r.source, as_of: r.as_of}] AS phones,
  [(p)-[r:REGISTERED_AT]->(a:Address) | {address: a.key, kind: r.kind, source: r.source, as_of: r.as_of}]
    AS addresses,
  [(p)-[:HOLDS_ACCOUNT]->(acc:BankAccount) | {number: acc.number, bank: acc.bank}] AS accounts,
  [(p)-[:HAS_FACT]->(f) | f {.*, label: labels(f)[0]}] AS facts,
  [(p)-[k:KIN_OF]-(rel:Person) | {id_number: rel.id_number, name: rel.name, relation: k.relation,
                                   outgoing: startNode(k) = p}] AS kin,
  COLLECT {
    CALL (p) {
      MATCH (e:Enrollment)-[:COVERS|GRANTED_TO]->(p) RETURN e
      UNION
      MATCH (e:Enrollment)-[:GRANTED_TO]->(h:Household)<-[:MEMBER_OF]-(p) WHERE """
    + HOUSEHOLD_IN_AREA
    + """
      RETURN e
    }
    MATCH (e)-[:FOR_PROGRAMME]->(prog:Programme)
    WHERE NOT EXISTS { (e)-[:GRANTED_TO]->(h:Household) WHERE NOT """
    + HOUSEHOLD_IN_AREA
    + """ }
    RETURN """
    + _ENROLLMENT
    + """ ORDER BY e.enrollment_id
  } AS enrollments,
  COLLECT {
    CALL (p) {
      MATCH (p)-[:APPLIED_FOR]->(c:Case) RETURN c
      UNION
      MATCH (c:Case)-[:FOR_HOUSEHOLD]->(h:Household)<-[:MEMBER_OF]-(p) WHERE """
    + HOUSEHOLD_IN_AREA
    + """
      RETURN c
    }
    MATCH (c)-[:FOR_PROGRAMME]->(prog:Programme)
    WHERE NOT EXISTS { (c)-[:FOR_HOUSEHOLD]->(h:Household) WHERE NOT """
    + HOUSEHOLD_IN_AREA
    + """ }
    RETURN """
    + _CASE
    + """ ORDER BY c.case_id
  } AS cases,
  [(p)<-[:ABOUT]-(r:CreditRecord) WHERE NOT r.status IN """
    + cypher_list(BEFORE_DECISION)
    + """ | r """
    + projection(PUBLIC)
    + """] AS credit_records,
  [(f:Finding)-[:EVIDENCE]->(p) | f {.finding_id, .kind, .status, .score}] +
  [(p)-[:MEMBER_OF]->(h:Household)<-[:EVIDENCE]-(f:Finding) WHERE """
    + HOUSEHOLD_IN_AREA
    + """
     | f {.finding_id, .kind, .status, .score}] AS findings
"""
)

# Enrollments and cases by id, with their programme's department, payments and staff.
ENROLLMENTS = (
    """
UNWIND $ids AS id
MATCH (e:Enrollment {enrollment_id: id})-[:FOR_PROGRAMME]->(prog:Programme)
RETURN """
    + _ENROLLMENT
    + """ AS enrollment
"""
)

CASES = (
    """
UNWIND $ids AS id
MATCH (c:Case {case_id: id})-[:FOR_PROGRAMME]->(prog:Programme)
RETURN """
    + _CASE
    + """ AS case
"""
)

SEARCH_BY_NAME = (
    """
CALL db.index.fulltext.queryNodes('person_name_search', $query) YIELD node AS p, score
WITH p, score
WHERE """
    + PERSON_IN_AREA
    + """
RETURN p.id_number AS id_number
ORDER BY score DESC, p.id_number
SKIP $skip LIMIT $limit
"""
)


# The page's persons, as the search lists them.
PERSON_SUMMARIES = """
UNWIND $ids AS id MATCH (p:Person {id_number: id})
RETURN p.id_number AS id_number, p.name AS name, p.sex AS sex, p.birth_date AS birth_date
"""


def name_query(name: str) -> str:
    """The full-text query for a typed name: each whitespace-separated part a phrase, its
    characters in order. Lucene syntax characters are removed, so nothing typed can change
    the query's structure; empty when nothing searchable is left."""
    cleaned = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in name.lower())
    return " AND ".join(f'"{part}"' for part in cleaned.split())


async def search_persons(
    gateway: Any, query: str, area: Area, skip: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """A page of the persons within ``area`` whose names match ``query`` (name_query), best
    first, and whether more follow: two round trips, the index and the page's persons."""
    rows = await gateway.read(SEARCH_BY_NAME, query=query, skip=skip, limit=limit + 1, **area.params())
    ids = [r["id_number"] for r in rows[:limit]]
    records = await gateway.read(PERSON_SUMMARIES, ids=ids) if ids else []
    by_id = {r["id_number"]: r for r in records}
    return [by_id[i] for i in ids], len(rows) > limit


async def _attach_benefits(gateway: Any, record: dict[str, Any]) -> None:
    """Replace the record's enrollment and case ids by the records: one round trip each, if any."""
    enrollment_ids = sorted(set(record.pop("enrollment_ids")))
    case_ids = sorted(set(record.pop("case_ids")))
    record["enrollments"] = (
        [r["enrollment"] for r in await gateway.read(ENROLLMENTS, ids=enrollment_ids)]
        if enrollment_ids
        else []
    )
    record["cases"] = [r["case"] for r in await gateway.read(CASES, ids=case_ids)] if case_ids else []


async def fetch_person_360(gateway: Any, id_number: str, area: Area) -> dict[str, Any] | None:
    """One round trip: the person with their households, enrollments (payments included) and
    cases. None when the person does not exist or is outside the call's area."""
    rows = await gateway.read(PERSON_360, id_number=id_number, **area.params())
    return rows[0] if rows else None


HOUSEHOLD = (
    """
MATCH (h:Household {household_id: $household_id})
WHERE """
    + HOUSEHOLD_IN_AREA
    + """
RETURN h {.*} AS household,
  [(h)<-[m:MEMBER_OF]-(o:Person) | {id_number: o.id_number, name: o.name, sex: o.sex,
                                    birth_date: o.birth_date, relation: m.relation, since: m.since,
                                    until: m.until}] AS members,
  [(e:Enrollment)-[:GRANTED_TO]->(h) | e.enrollment_id] +
  [(e:Enrollment)-[:GRANTED_TO|COVERS]->(:Person)-[:MEMBER_OF]->(h) | e.enrollment_id] AS enrollment_ids,
  [(c:Case)-[:FOR_HOUSEHOLD]->(h) | c.case_id] AS case_ids,
  [(v:Visit)-[:VISITED]->(h) | v {.visit_id, .visit_date, .note,
                                  staff_id: head([(s)-[:MADE_VISIT]->(v) | s.staff_id])}] AS visits
"""
)


async def fetch_household(gateway: Any, household_id: str, area: Area) -> dict[str, Any] | None:
    """At most three round trips: the household, its enrollments, its cases. None when it does
    not exist or is outside the call's area."""
    rows = await gateway.read(HOUSEHOLD, household_id=household_id, **area.params())
    if not rows:
        return None
    record = rows[0]
    await _attach_benefits(gateway, record)
    return record
