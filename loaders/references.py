"""Which referenced entities exist: rows naming an unknown household, person, staff member…
are rejected with the field and value, instead of creating a dangling node."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from neo4j import ManagedTransaction

from graph.model import KEY_PROPERTY, Label


class RefKind(StrEnum):
    TOWNSHIP = "township"
    VILLAGE = "village"
    HOUSEHOLD = "household"
    PERSON = "person"
    STAFF = "staff member"
    CASE = "case"
    ENROLLMENT = "enrollment"
    PAYMENT_LINE = "payment-file line"


LABEL = {
    RefKind.TOWNSHIP: Label.TOWNSHIP,
    RefKind.VILLAGE: Label.VILLAGE,
    RefKind.HOUSEHOLD: Label.HOUSEHOLD,
    RefKind.PERSON: Label.PERSON,
    RefKind.STAFF: Label.STAFF,
    RefKind.CASE: Label.CASE,
    RefKind.ENROLLMENT: Label.ENROLLMENT,
    RefKind.PAYMENT_LINE: Label.PAYMENT_LINE,
}
# One statement per kind, from the model's labels and keys (labels cannot be parameters).
EXISTING = {
    kind: f"UNWIND $keys AS k MATCH (n:{label} {{{KEY_PROPERTY[label]}: k}}) "
    "RETURN collect(DISTINCT k) AS found"
    for kind, label in LABEL.items()
}


@dataclass(frozen=True)
class Ref:
    """Row parameter ``field`` names a ``kind`` entity that must already be in the graph."""

    field: str
    kind: RefKind


def existing_keys(tx: ManagedTransaction, kind: RefKind, keys: list[str]) -> set[str]:
    record = tx.run(EXISTING[kind], keys=keys).single()
    return set(record["found"]) if record else set()
