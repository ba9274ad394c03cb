"""A synthetic province: N distinct counties, each in its own folder, with cross-county cases
planted between neighbours and labelled by the oracle over all of them.

Each county is generated as on its own (its code, names and seed), then, before its fund
files, the province plants what no county can see alone between each county and the next:
a person covered in households of both, a second registration under a number of the next
county, a death recorded in one county while the grant is paid in the other, a ring whose
households sit in both, exclusive programmes held one in each; and the look-alikes that
must not be flagged: a person who moved (one membership ended before the other began),
namesakes born the same day, twins born in one county living in two, a death after the
last payment.

The labels are the oracle's (synth/oracle.py's rules over every county's rows at once),
kept where the situation spans two counties; identity's truth is the generator's record,
as in a county. They sit in OUT/labels/, outside the county folders, so `reliefgraph load`
never reads them.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from domain.ids import make_id_number
from synth.benefits import enroll_household, special_assistance
from synth.county import SCALES, CountyBuild, build_county, finish_county, write_county
from synth.export import Export
from synth.oracle import RULES_DIR, Tables, deceased, exclusive, multi_household, rings
from synth.plants import (
    HOMOPHONES,
    _variant_birth,
    _variant_name,
    drawn_as_chance_draws,
    fresh_household,
    make_poor,
    poor_enrolled,
)
from synth.population import AS_OF, Household, Person
from synth.prefecture import province_profiles

CROSS_KINDS = (
    "DUP_IDENTITY",
    "DUP_PERSON_MULTI_HOUSEHOLD",
    "DUP_EXCLUSIVE_PROGRAMMES",
    "DECEASED_PAID",
    "RING_SHARED_IDENTIFIER",
)
# Cases of each kind planted between a county and the next, by scale.
PER_PAIR = {"small": 2, "medium": 4, "full": 8, "2x": 8, "4x": 8}
# Templates of a second registration that leave something to find it by across a border:
# each keeps the phone (the number's region is the next county's, so it cannot).
CROSS_IDENTITY_TEMPLATES = (
    "homophone",
    "dropped character",
    "birth date one digit off",
    "day and month swapped",
)
LABELS = "province_labels.jsonl"
COUNTIES_FILE = "counties.json"
SEED_STEP = 101  # county i's seed is seed + 101 i: county 0 is the county `synth` writes


@dataclass(frozen=True)
class ProvinceSummary:
    out_dir: Path
    counties: list[dict[str, Any]]  # code, name, folder, seed, rows, residents
    labels: int
    decoys: int

    @property
    def rows(self) -> int:
        return sum(c["rows"] for c in self.counties)


class _Plants:
    """Cross-county plants between two counties' exports; remembers identity's truth and the
    look-alikes."""

    def __init__(self) -> None:
        self.same_person: list[tuple[str, str]] = []
        self.decoys: list[dict[str, Any]] = []

    def decoy(self, kind: str, note: str, a: Export, b: Export, id_numbers: list[str]) -> None:
        self.decoys.append(
            {
                "kind": kind,
                "decoy": True,
                "note": note,
                "counties": sorted({_code(a), _code(b)}),
                "id_numbers": sorted(id_numbers),
            }
        )

    # --- the cases
    def multi_household(self, a: Export, b: Export) -> None:
        h1, _ = _poor_enrolled(a, size=(3, 6))
        mover = h1.members[1]
        h2 = _fresh(b, size=(2, 5))
        there = _register(b, mover, h2)  # listed in the next county's register too
        make_poor(b, h2)
        enroll_household(b, h2, special=False)
        own = replace(h2, members=[p for p in h2.members if p is not there])
        special_assistance(b, own, b.account_of(h2.head))

    def identity(self, a: Export, b: Export, i: int) -> None:
        h1, _ = _poor_enrolled(a, size=(2, 4), need=lambda h: h.head.age() >= 30 and _has_homophone(h.head))
        original = h1.head
        template = CROSS_IDENTITY_TEMPLATES[i % len(CROSS_IDENTITY_TEMPLATES)]
        name = _variant_name(original.name, template, a) or original.name
        born = _variant_birth(original.birth_date, template, a) or original.birth_date
        phone = a.phone_of(original)
        clone = _fresh(b, size=(1, 1)).members[0]
        _renumber(b, clone, _number(b, _code(b), born, original.sex))
        clone.name, clone.birth_date, clone.sex = name, born, original.sex
        b.add_phone(clone, phone, "MZ")
        make_poor(b, _home(b, clone))
        enroll_household(b, _home(b, clone))
        self.same_person.append((original.id_number, clone.id_number))

    def deceased(self, a: Export, b: Export, *, after_last_payment: bool = False) -> None:
        h, _ = _poor_enrolled(a, size=(1, 1), need=lambda h: h.head.age() >= 60)
        person = h.head
        where = _fresh(b, size=(2, 5))  # died at a child's home in the next county
        _register(b, person, where)
        rng = b.rng
        died = (
            date(2026, 10, rng.randint(11, 28)) if after_last_payment else date(2026, rng.randint(3, 6), 15)
        )
        b.add_fact("deaths", "GA", person, death_date=died.isoformat())
        if after_last_payment:
            self.decoy(
                "DECEASED_PAID", "died in the next county after the last month paid", a, b, [person.id_number]
            )

    def exclusive(self, a: Export, b: Export) -> None:
        household, _ = _poor_enrolled(a, size=(2, 5), need=lambda h: any(p.age() >= 60 for p in h.members))
        elder = next(p for p in household.members if p.age() >= 60)
        there = _fresh(b, size=(1, 4))
        elder_there = _register(b, elder, there)
        account = b.account_of(elder_there)
        tekun = b.add_enrollment("TEKUN", date(2026, 2, 1), person=elder_there, monthly=840, account=account)
        b.monthly_payments(tekun, date(2026, 2, 1), 840, account)

    def ring(self, a: Export, b: Export) -> None:
        """Three unrelated recipient households, linked only across the border: each county
        sees none of them share anything."""
        first, third = (_poor_enrolled(a, size=(1, 4))[0] for _ in range(2))
        second = _poor_enrolled(b, size=(1, 4))[0]
        b.add_phone(second.head, a.phone_of(first.head), "MZ")
        account = b.account_of(second.head)
        a.rows["bank_accounts"].append(
            {
                "account_number": account,
                "bank": "中国邮政储蓄银行",
                "holder_id_number": third.head.id_number,
                "opened_date": "2024-05-20",
            }
        )

    # --- look-alikes
    def moved(self, a: Export, b: Export) -> None:
        h1, ids = _poor_enrolled(a, size=(1, 1), need=lambda h: h.head.age() < 60, start=date(2025, 6, 1))
        person = h1.head
        left, arrived = date(2026, 3, 31), date(2026, 4, 15)
        person.member_until = left
        grant = next(e for e in a.rows["enrollments"] if e["enrollment_id"] == ids["DIBAO"])
        grant["end_date"] = left.isoformat()
        a.rows["payments"][:] = [
            p
            for p in a.rows["payments"]
            if p["enrollment_id"] != grant["enrollment_id"] or p["period"] <= "2026-03"
        ]
        there = _fresh(b, size=(2, 4))
        _register(b, person, there, arrived)
        make_poor(b, there)
        enroll_household(b, there, date(2026, 5, 1), special=False)
        self.decoy(
            "DUP_PERSON_MULTI_HOUSEHOLD",
            "moved: left one county's household before joining the next's",
            a,
            b,
            [person.id_number],
        )

    def namesakes(self, a: Export, b: Export) -> None:
        # The name drawn as chance draws it among the two counties' residents.
        by_chance = drawn_as_chance_draws(a, (p.name for e in (a, b) for p in e.population.persons.values()))
        home, _ = _poor_enrolled(a, size=(1, 1), need=lambda h: h.head.age() >= 25 and by_chance(h.head.name))
        first = home.head
        second = _fresh(b, size=(1, 1)).members[0]
        _renumber(b, second, _number(b, _code(b), first.birth_date, first.sex))
        second.name, second.birth_date, second.sex = first.name, first.birth_date, first.sex
        make_poor(b, _home(b, second))
        enroll_household(b, _home(b, second))
        self.decoy(
            "DUP_IDENTITY",
            "namesakes born the same day, unrelated numbers",
            a,
            b,
            [first.id_number, second.id_number],
        )

    def twins(self, a: Export, b: Export) -> None:
        first = _poor_enrolled(a, size=(1, 1), need=lambda h: 25 <= h.head.age() < 60)[0].head
        second = _fresh(b, size=(1, 1)).members[0]
        sequence = (int(first.id_number[14:17]) + 2) % 1000 or 2  # issued next, same sex digit
        number = make_id_number(first.id_number[:6], first.birth_date, sequence)
        _renumber(
            b,
            second,
            number
            if number not in a.population.persons
            else _number(b, _code(a), first.birth_date, first.sex),
        )
        given = "伟" if first.name[-1] != "伟" else "强"
        second.name, second.birth_date, second.sex = first.name[0] + given, first.birth_date, first.sex
        make_poor(b, _home(b, second))
        enroll_household(b, _home(b, second))
        self.decoy(
            "DUP_IDENTITY",
            "twins born in one county, living in two",
            a,
            b,
            [first.id_number, second.id_number],
        )


def _referenced(export: Export) -> set[str]:
    """ID numbers some row already names: the county was generated before these plants, so a
    household is fresh only when nothing names its members (and none is enrolled)."""
    named: set[str] = set()
    for items in export.rows.values():
        for r in items:
            for key in ("id_number", "holder_id_number", "applicant_id_number", "relative_id_number"):
                if r.get(key):
                    named.add(r[key])
            if r.get("covered_id_numbers"):
                named.update(r["covered_id_numbers"].split(";"))
    return named


def _untouched(export: Export, need: Callable[[Household], bool]) -> Callable[[Household], bool]:
    named = _referenced(export)
    return lambda h: (
        h.household_id not in export.enrolled and not any(p.id_number in named for p in h.members) and need(h)
    )


def _fresh(export: Export, need: Callable[[Household], bool] = lambda h: True, **kwargs: Any) -> Household:
    return fresh_household(export, need=_untouched(export, need), **kwargs)


def _poor_enrolled(
    export: Export, need: Callable[[Household], bool] = lambda h: True, **kwargs: Any
) -> tuple[Household, dict[str, str]]:
    return poor_enrolled(export, need=_untouched(export, need), **kwargs)


def _register(export: Export, person: Person, household: Household, since: date = date(2025, 6, 1)) -> Person:
    """The person listed in another county's household too (their own record there)."""
    there = replace(person, household_id=household.household_id, relation="other", member_since=since)
    there.member_until = None
    household.members.append(there)
    export.population.persons[there.id_number] = there
    export.reserved.add(there.id_number)
    return there


def _code(export: Export) -> str:
    return export.population.county.code


def _has_homophone(person: Person) -> bool:
    return any(c in HOMOPHONES for c in person.name[1:]) and len(person.name) >= 3


def _home(export: Export, person: Person) -> Household:
    return export.population.households[person.household_id]


def _number(export: Export, region: str, born: date, sex: str) -> str:
    while True:
        sequence = export.rng.randrange(1, 999)
        if (sequence % 2 == 1) != (sex == "M"):
            sequence = (sequence + 1) % 1000 or 2
        number = make_id_number(region, born, sequence)
        if number not in export.population.persons:
            return number


def _renumber(export: Export, person: Person, number: str) -> None:
    """A resident given another number (and, by the caller, another name): their kinship goes."""
    population = export.population
    del population.persons[person.id_number]
    population.kinship[:] = [k for k in population.kinship if person.id_number not in k[:2]]
    export.reserved.discard(person.id_number)
    person.id_number = number
    population.persons[number] = person
    export.reserved.add(number)


def plant_between(plants: _Plants, a: Export, b: Export, per_pair: int, first: int) -> None:
    for i in range(per_pair):
        plants.multi_household(a, b)
        plants.identity(a, b, first + i)
        plants.deceased(a, b)
        plants.exclusive(a, b)
        plants.ring(a, b)
    plants.moved(a, b)
    plants.namesakes(a, b)
    plants.twins(a, b)
    plants.deceased(a, b, after_last_payment=True)


# --- the oracle across counties
def _merged(builds: list[CountyBuild]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Every county's rows as one register; grants, payments and cases named by county (their
    numbers are each county's own). Returns the rows and each household's county."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    county_of: dict[str, str] = {}
    for build in builds:
        code = _code(build.export)
        for feed, items in build.export.rows.items():
            for r in items:
                r = dict(r)
                for key in ("enrollment_id", "payment_id", "case_id"):
                    if r.get(key):
                        r[key] = f"{code}:{r[key]}"
                if feed == "deaths":
                    r["county"] = code
                rows[feed].append(r)
        for household in build.export.population.households:
            county_of[household] = code
    return rows, county_of


def province_labels(builds: list[CountyBuild], same_person: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The oracle's cross-county labels: the in-county rules over every county's rows at once,
    kept where the situation spans two counties. Each names the ID numbers a finding must."""
    rows, county_of = _merged(builds)
    rules = tomllib.loads((RULES_DIR / "detection.toml").read_text(encoding="utf-8"))
    programmes = tomllib.loads((RULES_DIR / "reference.toml").read_text(encoding="utf-8"))["programmes"]
    t = Tables(rows, AS_OF, rules, programmes)
    death_county = {r["id_number"]: r["county"] for r in rows["deaths"]}
    grants = {e["enrollment_id"]: e for e in t.enrollments}
    labels: list[dict[str, Any]] = []

    def keep(label: dict[str, Any], counties: set[str], id_numbers: set[str]) -> None:
        if len(counties) >= 2:
            labels.append(
                {**label, "counties": sorted(counties), "id_numbers": sorted(id_numbers), "decoy": False}
            )

    def of_grants(enrollments: list[str]) -> set[str]:
        return {e.split(":")[0] for e in enrollments}

    for label in multi_household(t):
        keep(label, {county_of[h] for h in label["households"]}, set(label["persons"]))
    for label in exclusive(t):
        a, b = (grants[e] for e in label["enrollments"])
        keep(label, of_grants(label["enrollments"]), t.covered(a) & t.covered(b))
    for label in deceased(t):
        person = label["persons"][0]
        keep(label, of_grants(label["enrollments"]) | {death_county[person]}, {person})
    for label in rings(t, same_person):
        households = set(label["households"])
        keep(label, {county_of[h] for h in households}, _holders(t, households))
    home_county = {r["id_number"]: county_of[r["household_id"]] for r in rows["persons"]}
    for pair in same_person:
        keep(
            {
                "kind": "DUP_IDENTITY",
                "note": "one person under two ID numbers (the generator's truth)",
                "persons": sorted(pair),
            },
            {home_county[p] for p in pair},
            set(pair),
        )
    return labels


def _holders(t: Tables, ring: set[str]) -> set[str]:
    """The ring households' members holding an identifier another of them holds: the persons
    a ring's finding names."""
    held: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for kind, feed, key, holder in (
        ("phone", "phones", "phone", "id_number"),
        ("account", "bank_accounts", "account_number", "holder_id_number"),
        ("address", "addresses", "address", "id_number"),
    ):
        for r in t.rows[feed]:
            for h in t.homes.get(r[holder], set()) & ring:
                held[(kind, r[key])].add((h, r[holder]))
    return {person for holders in held.values() if len({h for h, _ in holders}) >= 2 for _, person in holders}


def synthesize_province(
    out_dir: Path, counties: int, seed: int = 2026, scale: str = "small"
) -> ProvinceSummary:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    profiles = province_profiles(counties)
    builds = [build_county(seed + SEED_STEP * i, scale, p) for i, p in enumerate(profiles)]
    plants = _Plants()
    pairs = [(i, (i + 1) % counties) for i in range(counties)] if counties > 2 else [(0, 1)] * (counties == 2)
    for n, (i, j) in enumerate(pairs):
        plant_between(plants, builds[i].export, builds[j].export, PER_PAIR[scale], n * PER_PAIR[scale])
    for build in builds:
        finish_county(build)
    labels = province_labels(builds, plants.same_person)
    listed = []
    for build, profile in zip(builds, profiles, strict=True):
        summary = write_county(build, out_dir / profile.code)
        listed.append(
            {
                "code": profile.code,
                "name": profile.name,
                "prefecture": profile.prefecture,
                "folder": profile.code,
                "seed": build.seed,
                "rows": summary.rows,
                "residents": summary.residents,
            }
        )
    labels_dir = out_dir / "labels"
    labels_dir.mkdir(parents=True, exist_ok=True)
    dated = {"as_of": AS_OF.isoformat()}
    (labels_dir / LABELS).write_text(
        "".join(
            json.dumps({**item, **dated}, ensure_ascii=False, sort_keys=True) + "\n"
            for item in [*labels, *plants.decoys]
        ),
        encoding="utf-8",
    )
    (labels_dir / COUNTIES_FILE).write_text(
        json.dumps({"seed": seed, "scale": scale, "counties": listed}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return ProvinceSummary(out_dir, listed, len(labels), len(plants.decoys))
