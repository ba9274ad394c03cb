"""Which referenced entities exist: rows naming an unknown household, person, staff member…
are rejected with the field and value, instead of creating a dangling node."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from neo4j import ManagedTransaction


class RefKind(StrEnum):
    TOWNSHIP = "township"
    VILLAGE = "village"
    HOUSEHOLD = "household"
    PERSON = "person"
    STAFF = "staff member"
    CASE = "case"
    ENROLLMENT = "enrollment"


EXISTING = {
    RefKind.TOWNSHIP: "UNWIND $keys AS k MATCH (n:Township {code: k}) RETURN collect(DISTINCT k) AS found",
    RefKind.VILLAGE: "UNWIND $keys AS k MATCH (n:Village {code: k}) RETURN collect(DISTINCT k) AS found",
    RefKind.HOUSEHOLD: "UNWIND $keys AS k MATCH (n:Household {household_id: k}) RETURN collect(DISTINCT k) AS found",
    RefKind.PERSON: "UNWIND $keys AS k MATCH (n:Person {id_number: k}) RETURN collect(DISTINCT k) AS found",
    RefKind.STAFF: "UNWIND $keys AS k MATCH (n:Staff {staff_id: k}) RETURN collect(DISTINCT k) AS found",
    RefKind.CASE: "UNWIND $keys AS k MATCH (n:Case {case_id: k}) RETURN collect(DISTINCT k) AS found",
    RefKind.ENROLLMENT: "UNWIND $keys AS k MATCH (n:Enrollment {enrollment_id: k}) RETURN collect(DISTINCT k) AS found",
}


@dataclass(frozen=True)
class Ref:
    """Row parameter ``field`` names a ``kind`` entity that must already be in the graph."""

    field: str
    kind: RefKind


def existing_keys(tx: ManagedTransaction, kind: RefKind, keys: list[str]) -> set[str]:
    record = tx.run(EXISTING[kind], keys=keys).single()
    return set(record["found"]) if record else set()
