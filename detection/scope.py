"""Incremental detection: which households a delta of department rows can affect.

Every key a row names (persons, households, grants, cases, accounts, phones, addresses,
staff) is followed to the households it touches: a person's households, a grant's
household, an account's holders and the grants paid into it, a staff member's relatives
and the cases they handled. Detection then re-runs for those households only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from neo4j import Driver

from loaders.changed import KINDS
from loaders.feeds import UnknownFeed, feed_for

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
  UNWIND $accounts AS n
  MATCH (:BankAccount {number: n})<-[:HOLDS_ACCOUNT]-(:Person)-[:MEMBER_OF]->(h:Household)
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


def delta_feeds(files: Iterable[Path]) -> frozenset[str] | None:
    """The feeds a delta's files belong to (by file name, as the loader picks them); None when
    a name does not tell (every kind then runs)."""
    try:
        return frozenset(feed_for(path).name for path in files)
    except UnknownFeed:
        return None


def affected_households(driver: Driver, database: str, keys: Mapping[str, Sequence[str]]) -> list[str]:
    """The households the keys a delta's rows name (loaders/changed.py) can affect."""
    records, _, _ = driver.execute_query(
        AFFECTED, {kind: list(keys.get(kind, ())) for kind in KINDS}, database_=database
    )
    return sorted(r["household"] for r in records)
