"""One county's snapshot split in two by township: two counties whose border runs between
townships (the equivalence tests' province)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from province.snapshot import read_manifest, read_tables, write_snapshot


def split_by_township(snapshot: Path, townships: set[str], out: Path, codes: tuple[str, str]) -> list[Path]:
    """Households of `townships` go to the second county, the rest stay in the first; a person
    is in the register of every side where they have a membership (else the first), and
    their phones, accounts and deaths with them; enrollments and payments go with the household
    granted (or the grantee)."""
    manifest = read_manifest(snapshot)
    tables = read_tables(snapshot)
    side_of_household = {h["household"]: int(h["township"] in townships) for h in tables["households"]}
    sides_of_person: dict[str, set[int]] = {}
    for m in tables["memberships"]:
        sides_of_person.setdefault(m["person"], set()).add(side_of_household[m["household"]])
    for p in tables["persons"]:
        sides_of_person.setdefault(p["person"], {0})

    def enrollment_side(e: dict[str, Any]) -> int:
        if e["household"]:
            return side_of_household[e["household"]]
        return min(sides_of_person.get(e["grantee"] or "", {0}))

    side_of_enrollment = {e["enrollment"]: enrollment_side(e) for e in tables["enrollments"]}
    dirs = []
    for side, code in enumerate(codes):

        def by_person(rows: list[dict[str, Any]], side: int = side) -> list[dict[str, Any]]:
            return [r for r in rows if side in sides_of_person.get(r["person"], {0})]

        part = {
            "persons": by_person(tables["persons"]),
            "households": [h for h in tables["households"] if side_of_household[h["household"]] == side],
            "memberships": [m for m in tables["memberships"] if side_of_household[m["household"]] == side],
            "enrollments": [e for e in tables["enrollments"] if side_of_enrollment[e["enrollment"]] == side],
            "payments": [p for p in tables["payments"] if side_of_enrollment.get(p["enrollment"]) == side],
            "deaths": by_person(tables["deaths"]),
            "phones": by_person(tables["phones"]),
            "accounts": by_person(tables["accounts"]),
            "addresses": [
                a
                for a in tables["addresses"]
                if (a["household"] and side_of_household.get(a["household"]) == side)
                or (a["person"] and side in sides_of_person.get(a["person"], {0}))
            ],
        }
        folder = out / code
        write_snapshot(folder, code, f"{manifest['county_name']}-{side + 1}", manifest["as_of"], part)
        dirs.append(folder)
    return dirs
