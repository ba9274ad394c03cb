"""The county's people: townships, villages, households, persons, kinship, staff and identifiers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.ids import make_id_number
from synth.names import GIVEN_FEMALE, GIVEN_MALE, person_name

COUNTY_CODE = "370831"
AS_OF = date(2026, 11, 1)  # the exports' date: fixed, so the same seed gives the same files
OTHER_ADDRESS_CODES = ("370881", "370883", "370811", "370826", "370830", "371302", "110105")

# (code suffix, name, residents): Sishui's 13 township-level units (7th census figures for the
# two streets and Quanlin; the towns share the rest, 29,000-40,000 each).
TOWNSHIPS = (
    ("001", "济河街道", 82_500),
    ("002", "泗河街道", 91_200),
    ("100", "泉林镇", 52_000),
    ("101", "星村镇", 36_300),
    ("102", "柘沟镇", 33_100),
    ("103", "金庄镇", 29_400),
    ("104", "苗馆镇", 31_800),
    ("105", "中册镇", 30_200),
    ("106", "杨柳镇", 34_600),
    ("107", "泗张镇", 29_000),
    ("108", "圣水峪镇", 30_500),
    ("109", "华村镇", 29_900),
    ("110", "高峪镇", 32_400),
)
VILLAGE_SUFFIXES = ("村", "村", "村", "社区")


@dataclass(frozen=True)
class CountyProfile:
    """Who the county is: its code (and so its ID numbers' region), name, townships and the
    regions its residents' numbers were issued in when born elsewhere."""

    code: str
    name: str
    townships: tuple[tuple[str, str, int], ...]  # (code suffix, name, residents)
    other_address_codes: tuple[str, ...]
    prefecture: str = "济宁市"


SISHUI = CountyProfile(COUNTY_CODE, "泗水县", TOWNSHIPS, OTHER_ADDRESS_CODES)
VILLAGE_WORDS = "东西南北前后大小上下王李张刘陈杨赵黄周吴徐孙朱高林何郭马宋郑韩冯于董曹石姚孟"

# Relatives a register holds by chance, which a careless detector takes for one person:
# - twins: about one birth in 85 in China; born the same day into one household, numbers
#   issued one after the other, given names that differ in one character (建国 / 建军);
# - a grandchild given the grandfather's or grandmother's very name, in the same household
#   or, where a grown child left home, in the next (sometimes with the grandparent's phone).
TWIN_BIRTHS = 1 / 85
SAME_NAME_GRANDCHILD = 0.02


@dataclass
class Person:
    id_number: str
    name: str
    sex: str
    birth_date: date
    household_id: str
    relation: str
    member_since: date
    member_until: date | None = None  # left the household (a move to another county)

    def age(self, on: date = AS_OF) -> int:
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )


@dataclass
class Household:
    household_id: str
    village_code: str
    township_code: str
    address: str
    members: list[Person] = field(default_factory=list)
    poor: bool = False  # per-capita income under the dibao line

    @property
    def head(self) -> Person:
        return self.members[0]


@dataclass
class Village:
    code: str
    name: str
    kind: str
    township_code: str
    households: list[Household] = field(default_factory=list)


@dataclass
class Township:
    code: str
    name: str
    population: int
    villages: list[Village] = field(default_factory=list)


class Population:
    def __init__(self, rng: random.Random, scale: float, county: CountyProfile = SISHUI) -> None:
        self.rng = rng
        self.scale = scale
        self.county = county
        self.townships: list[Township] = []
        self.persons: dict[str, Person] = {}
        self.households: dict[str, Household] = {}
        self.kinship: list[tuple[str, str, str]] = []  # (person, relative, relation)
        # Relatives of one name in two households given one phone (the older one's): the
        # export writes it (synth/benefits.py), as families give one number for both.
        self.phone_shared: list[tuple[Person, Person]] = []
        self._sequence = 0

    # --- identities
    def new_id(self, born: date, sex: str, address_code: str | None = None) -> str:
        if address_code is None:
            county = self.county
            address_code = (
                county.code if self.rng.random() < 0.9 else self.rng.choice(county.other_address_codes)
            )
        while True:
            seq = self.rng.randrange(1, 999)  # sequence 000 is never issued
            if (seq % 2 == 1) != (sex == "M"):
                seq = (seq + 1) % 1000
            number = make_id_number(address_code, born, seq)
            if number not in self.persons:
                return number

    def _birth(self, age_low: int, age_high: int) -> date:
        age_days = self.rng.randint(age_low * 365, age_high * 365 + 364)
        return AS_OF - timedelta(days=age_days)

    def new_person(
        self, household: Household, relation: str, age: tuple[int, int], sex: str | None = None
    ) -> Person:
        sex = sex or self.rng.choice("MF")
        born = self._birth(*age)
        since = max(born, date(2000, 1, 1)) + timedelta(days=self.rng.randint(0, 400))
        person = Person(
            self.new_id(born, sex),
            person_name(self.rng, sex),
            sex,
            born,
            household.household_id,
            relation,
            min(since, AS_OF - timedelta(days=30)),
        )
        self.persons[person.id_number] = person
        household.members.append(person)
        return person

    # --- regions and households
    def build(self) -> None:
        total_villages = max(26, round(600 * min(1.0, self.scale * 10)))
        county_population = sum(t[2] for t in self.county.townships)
        for suffix, name, residents in self.county.townships:
            code = self.county.code + suffix
            township = Township(code, name, residents)
            n_villages = max(2, round(total_villages * residents / county_population))
            names: set[str] = set()
            for i in range(n_villages):
                while True:  # a township's villages have distinct names (and so distinct addresses)
                    kind_suffix = self.rng.choice(VILLAGE_SUFFIXES)
                    vname = self.rng.choice(VILLAGE_WORDS) + self.rng.choice(VILLAGE_WORDS) + kind_suffix
                    if vname not in names:
                        names.add(vname)
                        break
                kind = "community" if kind_suffix == "社区" else "village"
                township.villages.append(Village(f"{code}{i + 1:03d}", vname, kind, code))
            self.townships.append(township)
            target = round(residents * self.scale)
            placed = 0
            while placed < target:
                village = (
                    township.villages[placed % len(township.villages)]
                    if placed < len(township.villages)
                    else self.rng.choice(township.villages)
                )
                household = self.new_household(village)
                placed += len(household.members)

    def new_household(self, village: Village, size: int | None = None) -> Household:
        number = len(village.households) + 1
        hid = f"H{village.code}{number:04d}"
        county = self.county
        township = self.township(village.township_code).name
        address = f"山东省{county.prefecture}{county.name}{township}{village.name}{number}号"
        household = Household(hid, village.code, village.township_code, address)
        village.households.append(household)
        self.households[hid] = household
        size = size or self.rng.choices((1, 2, 3, 4, 5, 6), weights=(14, 30, 25, 18, 9, 4))[0]
        head = self.new_person(household, "head", (25, 88))
        if size >= 2:
            spouse_sex = "F" if head.sex == "M" else "M"
            spouse = self.new_person(
                household, "spouse", (max(20, head.age() - 8), min(95, head.age() + 5)), spouse_sex
            )
            self.kinship.append((head.id_number, spouse.id_number, "spouse"))
        for _ in range(max(0, size - 2)):
            if head.age() > 55 and self.rng.random() < 0.4:
                child = self.new_person(household, "grandchild", (0, 17))
                if child.sex == head.sex and self.rng.random() < SAME_NAME_GRANDCHILD:
                    child.name = head.name
            else:
                child = self.new_person(household, "child", (0, max(0, min(40, head.age() - 20))))
            self.kinship.append(
                (head.id_number, child.id_number, "parent" if child.relation == "child" else "grandparent")
            )
            if self.rng.random() < TWIN_BIRTHS:
                twin = self.new_twin(household, child)
                self.kinship.append(
                    (head.id_number, twin.id_number, "parent" if twin.relation == "child" else "grandparent")
                )
                self.kinship.append((child.id_number, twin.id_number, "sibling"))
        # Grown children who left home: a recorded kinship to a parent in another household.
        if self.rng.random() < 0.25 and len(village.households) > 1:
            parent_home = self.rng.choice(village.households[:-1])
            grandparent = parent_home.head
            if grandparent.age() - head.age() >= 18:
                self.kinship.append((grandparent.id_number, head.id_number, "parent"))
                for child in household.members[2:]:
                    if (
                        child.relation == "child"
                        and child.sex == grandparent.sex
                        and self.rng.random() < SAME_NAME_GRANDCHILD
                    ):
                        child.name = grandparent.name
                        self.kinship.append((grandparent.id_number, child.id_number, "grandparent"))
                        if self.rng.random() < 0.5:
                            self.phone_shared.append((grandparent, child))
                        break
        return household

    def new_twin(self, household: Household, sibling: Person) -> Person:
        """The sibling's twin: the same birth date, the next number the office issued (the next
        sequence code of the twin's sex), a given name one character from the sibling's."""
        sex = self.rng.choice("MF")
        region, seq = sibling.id_number[:6], int(sibling.id_number[14:17])
        number = ""
        for step in range(1, 40):
            candidate = (seq + step) % 1000
            if candidate and (candidate % 2 == 1) == (sex == "M"):
                number = make_id_number(region, sibling.birth_date, candidate)
                if number not in self.persons:
                    break
        if not number or number in self.persons:
            number = self.new_id(sibling.birth_date, sex, region)
        pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        surname, given = sibling.name[0], sibling.name[1:]
        other = self.rng.choice([c for c in pool if c not in given])
        name = surname + (given[0] + other if len(given) == 2 else other)
        if not 2 <= len(sibling.name) <= 3:  # a name in Latin letters or transliterated
            name = person_name(self.rng, sex)
        twin = Person(
            number,
            name,
            sex,
            sibling.birth_date,
            household.household_id,
            sibling.relation,
            sibling.member_since,
        )
        self.persons[twin.id_number] = twin
        household.members.append(twin)
        return twin

    def township(self, code: str) -> Township:
        return next(t for t in self.townships if t.code == code)

    def village(self, code: str) -> Village:
        return next(v for v in self.township(code[:9]).villages if v.code == code)

    def villages(self) -> list[Village]:
        return [v for t in self.townships for v in t.villages]
