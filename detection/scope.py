"""Incremental detection: which households a delta of department rows can affect.

Every key a row names (persons, households, grants, cases, accounts, phones, addresses,
staff) is followed to the households it touches: a person's households, a grant's
household, an account's holders and the grants paid into it, a staff member's relatives
and the cases they handled. Detection then re-runs for those households only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from neo4j import Driver

from loaders.feeds import UnknownFeed, feed_for
from loaders.reading import read_export
from schema.feeds.common import normalize_account, normalize_phone
from schema.ids import InvalidIdNumber, normalize_id_number

PERSON_COLUMNS = ("id_number", "relative_id_number", "applicant_id_number", "holder_id_number")

AFFECTED = """
CALL () {
  UNWIND $persons AS id MATCH (:Person {id_number: id})-[:MEMBER_OF]->(h:Household) RETURN h
  UNION
  UNWIND $households AS id MATCH (h:Household {household_id: id}) RETURN h
  UNION
  UNWIND $enrollments AS id MATCH (:Enrollment {enrollment_id: id})-[:GRANTED_TO|COVERS]->(g)
  OPTIONAL MATCH (g)-[:MEMBER_OF]->(gh:Household)
  WITH coalesce(CASE WHEN g:Household THEN g END, gh) AS h WHERE h IS NOT NULL RETURN h
  UNION
  UNWIND $cases AS id MATCH (:Case {case_id: id})-[:FOR_HOUSEHOLD]->(h:Household) RETURN h
  UNION
  UNWIND $accounts AS n MATCH (:BankAccount {number: n})<-[:HOLDS_ACCOUNT]-(:Person)-[:MEMBER_OF]->(h:Household)
  RETURN h
  UNION
  UNWIND $accounts AS n MATCH (:BankAccount {number: n})<-[:PAYS_INTO]-(:Enrollment)-[:GRANTED_TO]->(g)
  OPTIONAL MATCH (g)-[:MEMBER_OF]->(gh:Household)
  WITH coalesce(CASE WHEN g:Household THEN g END, gh) AS h WHERE h IS NOT NULL RETURN h
  UNION
  UNWIND $phones AS n MATCH (:Phone {number: n})<-[:HAS_PHONE]-(:Person)-[:MEMBER_OF]->(h:Household) RETURN h
  UNION
  UNWIND $staff AS id MATCH (s:Staff {staff_id: id})
  CALL (s) {
    MATCH (s)-[:KIN_OF|FILED_RELATIVE]-(:Person)-[:MEMBER_OF]->(h:Household) RETURN h
    UNION
    MATCH (s)-[:HANDLED|REVIEWED|APPROVED]->(:Case)-[:FOR_HOUSEHOLD]->(h:Household) RETURN h
  }
  RETURN h
}
RETURN DISTINCT h.household_id AS household
"""


def _normalised(values: Iterable[str], normalise) -> set[str]:  # type: ignore[no-untyped-def]
    """As the loaders normalise them; what they reject changed nothing and is skipped."""
    out = set()
    for value in values:
        try:
            out.add(normalise(value))
        except (InvalidIdNumber, ValueError):
            continue
    return out


def changed_keys(files: Iterable[Path]) -> dict[str, list[str]]:
    """The keys the rows of these export files name."""
    keys: dict[str, set[str]] = {k: set() for k in
                                 ("persons", "households", "enrollments", "cases", "accounts", "phones", "staff")}
    raw_persons: set[str] = set()
    for path in files:
        export = read_export(path, required=())
        for row in export.rows:
            v = row.values
            for column in PERSON_COLUMNS:
                if v.get(column):
                    raw_persons.add(str(v[column]))
            for part in str(v.get("covered_id_numbers") or "").split(";"):
                if part.strip():
                    raw_persons.add(part.strip())
            for column, key in (("household_id", "households"), ("enrollment_id", "enrollments"),
                                ("case_id", "cases"), ("account_number", "accounts"), ("phone", "phones"),
                                ("staff_id", "staff")):
                if v.get(column):
                    text = str(v[column]).strip()
                    keys[key].add(text.upper() if key == "households" else text)
    keys["persons"] = _normalised(raw_persons, normalize_id_number)
    keys["phones"] = _normalised(keys["phones"], normalize_phone)
    keys["accounts"] = _normalised(keys["accounts"], normalize_account)
    return {k: sorted(v) for k, v in keys.items()}


def delta_feeds(files: Iterable[Path]) -> frozenset[str] | None:
    """The feeds a delta's files belong to (by file name, as the loader picks them); None when
    a name does not tell (every kind then runs)."""
    try:
        return frozenset(feed_for(path).name for path in files)
    except UnknownFeed:
        return None


def affected_households(driver: Driver, database: str, files: Iterable[Path]) -> list[str]:
    records, _, _ = driver.execute_query(AFFECTED, **changed_keys(files), database_=database)
    return sorted(r["household"] for r in records)
