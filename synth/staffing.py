"""Staff: township caseworkers, reviewers and approvers; village coordinators, grid workers, cadres.

Staffing follows the rule (3 caseworkers under 50,000 residents, 5 from 50,000; 1-2
coordinators per village station), except where a plant breaks it on purpose.
"""

from __future__ import annotations

from datetime import timedelta

from synth.export import Export
from synth.population import AS_OF, Person, Village


def _candidate(export: Export, village: Village) -> Person | None:
    rng = export.rng
    households = village.households[:]
    rng.shuffle(households)
    for household in households:
        for person in household.members:
            if (
                25 <= person.age() <= 58
                and person.id_number not in export.staff_by_person
                and person.id_number not in export.reserved
            ):
                return person
    return None


def add_staff(
    export: Export,
    person: Person,
    role: str,
    township_code: str,
    village_code: str = "",
    public_employee: bool = True,
) -> str:
    staff_id = f"S{township_code[-3:]}{len(export.staff) + 1:05d}"
    row = {
        "staff_id": staff_id,
        "id_number": person.id_number,
        "role": role,
        "department": "MZ",
        "township_code": township_code,
        "village_code": village_code,
        "active_from": (AS_OF - timedelta(days=export.rng.randint(300, 4000))).isoformat(),
        "active_until": "",
        "public_employee": "yes" if public_employee else "no",
    }
    export.register_staff(row)
    if public_employee:
        export.add_fact(
            "employment",
            "CZ",
            person,
            employer="泗水县民政局",
            public_employee="yes",
            monthly_wage=f"{export.rng.randint(4200, 6800)}.00",
        )
    return staff_id


def staff_county(export: Export, understaffed: set[str], without_coordinator: set[str]) -> None:
    """Staff every township and village by the rule, except the ones named (planted gaps)."""
    rng = export.rng
    for township in export.population.townships:
        villages = township.villages
        # The rule applies to the population the regions file states (scaled like everything else).
        required = 5 if round(township.population * export.population.scale) >= 50_000 else 3
        caseworkers = required - 1 if township.code in understaffed else required + rng.choice((0, 0, 1))
        for role, count in (("caseworker", caseworkers), ("reviewer", 1), ("approver", 1)):
            for _ in range(count):
                person = _candidate(export, rng.choice(villages))
                if person is not None:
                    add_staff(export, person, role, township.code)
        for village in villages:
            coordinators = 0 if village.code in without_coordinator else rng.choice((1, 1, 2))
            for role, count in (("coordinator", coordinators), ("grid_worker", 1), ("village_cadre", 1)):
                for _ in range(count):
                    person = _candidate(export, village)
                    if person is not None:
                        add_staff(export, person, role, township.code, village.code, public_employee=False)
