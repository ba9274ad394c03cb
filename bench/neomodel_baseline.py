"""neomodel on the sample: the object mapper a Python user would reach for.

Runs in its own virtualenv (bench/.venv-neomodel): neomodel pins an older neo4j driver than
the product uses. Reads the sample as JSON from stdin, prints the seconds it took.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

from neomodel import (
    DateProperty,
    RelationshipTo,
    StringProperty,
    StructuredNode,
    StructuredRel,
    config,
    db,
)


class Membership(StructuredRel):
    relation = StringProperty()
    since = DateProperty()


class Household(StructuredNode):
    household_id = StringProperty(unique_index=True)
    village_code = StringProperty()
    address = StringProperty()
    registered_date = DateProperty()


class Person(StructuredNode):
    id_number = StringProperty(unique_index=True)
    name = StringProperty()
    document_type = StringProperty()
    sex = StringProperty()
    birth_date = DateProperty()
    households = RelationshipTo(Household, "MEMBER_OF", model=Membership)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


BATCH = 1000  # rows per transaction and per bulk call


def _chunks(rows: list[dict], size: int = BATCH):  # type: ignore[no-untyped-def]
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def main() -> None:
    """As neomodel's documentation recommends for bulk work: nodes through
    `nodes.bulk_create_or_update` (one MERGE over many rows), a transaction per batch of
    BATCH rows (`db.write_transaction`); relationships by `connect` inside those transactions
    (neomodel has no bulk connect), to the households returned by the bulk call, not fetched
    again one by one."""
    config.DATABASE_URL = sys.argv[1]
    sample = json.load(sys.stdin)
    started = time.perf_counter()
    homes: dict[str, Household] = {}
    for chunk in _chunks(sample["households"]):
        with db.write_transaction:
            for home in Household.nodes.bulk_create_or_update(
                *(
                    {
                        "household_id": h["household_id"],
                        "village_code": h["village_code"],
                        "address": h["address"],
                        "registered_date": _date(h["registered_date"]),
                    }
                    for h in chunk
                )
            ):
                homes[home.household_id] = home
    for chunk in _chunks(sample["persons"]):
        with db.write_transaction:
            persons = Person.nodes.bulk_create_or_update(
                *(
                    {
                        "id_number": p["id_number"],
                        "name": p["name"],
                        "document_type": p["document_type"],
                        "sex": p["sex"],
                        "birth_date": _date(p["birth_date"]),
                    }
                    for p in chunk
                )
            )
            for person, p in zip(persons, chunk, strict=True):
                person.households.connect(
                    homes[p["household_id"]], {"relation": p["relation"], "since": _date(p["member_since"])}
                )
    print(time.perf_counter() - started)
    db.close_connection()


if __name__ == "__main__":
    main()
