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
    DateProperty, RelationshipTo, StringProperty, StructuredNode, StructuredRel, config, db,
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


def main() -> None:
    config.DATABASE_URL = sys.argv[1]
    sample = json.load(sys.stdin)
    started = time.perf_counter()
    for h in sample["households"]:
        Household.create_or_update({"household_id": h["household_id"], "village_code": h["village_code"],
                                    "address": h["address"], "registered_date": _date(h["registered_date"])})
    for p in sample["persons"]:
        person = Person.create_or_update({"id_number": p["id_number"], "name": p["name"],
                                          "document_type": p["document_type"], "sex": p["sex"],
                                          "birth_date": _date(p["birth_date"])})[0]
        home = Household.nodes.get(household_id=p["household_id"])
        person.households.connect(home, {"relation": p["relation"], "since": _date(p["member_since"])})
    print(time.perf_counter() - started)
    db.close_connection()


if __name__ == "__main__":
    main()
