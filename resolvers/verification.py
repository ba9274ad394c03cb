"""Batch verification (核对) for partner departments: many ID numbers in one round trip.

One UNWIND statement answers the whole batch: for each person inside the call's area (the
agreement's department mandate, PERSON_IN_AREA), their current household's size, the
basic-living assistance it holds (granted to it or to any current member), the person's
enrollments in the agreement's own programmes, and the joint-restriction answer. A person
outside the area is not returned at all, exactly as one who does not exist, so the resolver
cannot tell them apart either.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from access.operations import PERSON_IN_AREA, Area
from credit.records import IS_RESTRICTING

# Programmes that count as basic-living assistance besides those marked basic_living in
# rules/reference.toml (dibao, tekun): the borderline low-income households (低保边缘).
LOW_INCOME_PROGRAMMES = ("DIBAO_EDGE",)

# Pattern comprehensions over the members rather than UNION subqueries: the same reads, and a
# plan the server makes in a fraction of the time (planned once per server, but the first
# batch after a restart must not time out on it).
_ASSISTANCE = """(e:Enrollment)-[:FOR_PROGRAMME]->(prog:Programme)
    WHERE (prog.basic_living OR prog.code IN $low_income)
      AND e.start_date <= $today AND (e.end_date IS NULL OR e.end_date >= $today) | prog.code]"""

VERIFY_PERSONS = (
    """
UNWIND $ids AS id
MATCH (p:Person {id_number: id})
WHERE """
    + PERSON_IN_AREA
    + """
OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
WITH p, head(collect(h)) AS h
WITH p, h, CASE WHEN h IS NULL THEN [p]
                ELSE [(h)<-[m2:MEMBER_OF]-(o:Person) WHERE m2.until IS NULL | o] END AS members
RETURN p.id_number AS id_number,
  CASE WHEN h IS NULL THEN null ELSE size(members) END AS household_size,
  [o IN members | [(o)<-[:GRANTED_TO|COVERS]-"""
    + _ASSISTANCE
    + """] AS member_assistance,
  CASE WHEN h IS NULL THEN [] ELSE [(h)<-[:GRANTED_TO]-"""
    + _ASSISTANCE
    + """ END AS household_assistance,
  [(p)<-[:GRANTED_TO|COVERS]-(e:Enrollment)-[:FOR_PROGRAMME]->(prog:Programme)
     WHERE prog.department_code = $scope_department AND prog.code IN $programmes
     | e {.enrollment_id, .start_date, .end_date, programme: prog.code}] AS enrollments,
  any(o IN members WHERE EXISTS { (o)<-[:ABOUT]-(r:CreditRecord) WHERE """
    + IS_RESTRICTING
    + """ })
    AS restricted
"""
)


async def verify_persons(gateway: Any, ids: list[str], area: Area, today: date) -> dict[str, dict[str, Any]]:
    """The persons of `ids` inside `area`, by ID number (one round trip)."""
    programmes = list(area.agreement.programmes) if area.agreement is not None else []
    rows = await gateway.read(
        VERIFY_PERSONS,
        ids=ids,
        today=today,
        low_income=list(LOW_INCOME_PROGRAMMES),
        programmes=programmes,
        **area.params(),
    )
    found = {}
    for r in rows:
        codes = [c for codes in r["member_assistance"] for c in codes] + r["household_assistance"]
        enrollments = {e["enrollment_id"]: e for e in r["enrollments"]}
        found[r["id_number"]] = {
            "household_size": r["household_size"],
            "assistance": sorted(set(codes)),
            "enrollments": [enrollments[k] for k in sorted(enrollments)],
            "restricted": r["restricted"],
        }
    return found
