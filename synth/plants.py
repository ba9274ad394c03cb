"""Planted, labelled cases of every finding kind of DOMAIN.md section 7, and near-misses.

Each plant takes fresh households (reserved, so the ordinary county leaves them alone),
writes exactly the rows that make the situation, and labels who is involved. Near-misses
look alike but are legitimate; they are listed separately and must not be flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

from domain.ids import check_char, make_id_number
from settings.casework_rules import read_casework_rules
from synth.benefits import enroll_household, give_disability, special_assistance
from synth.export import Export, dibao_line
from synth.population import AS_OF, Household, Person, Village

CASEWORK_RULES = Path(__file__).resolve().parents[1] / "rules" / "casework.toml"


def drawn_as_chance_draws(export: Export, names: Iterable[str]) -> Callable[[str], bool]:
    """Accepts a name in proportion to how many of `names` hold it. Two strangers share a name
    by chance, and a name held by n residents is in about n^2/2 pairs, so a namesake pair's
    holder is picked in proportion to n (rejection sampling): copying any resident's name would
    make a name nobody else holds turn up twice, thousands of times rarer than 王伟's."""
    holders = Counter(names)
    most = max(holders.values())
    return lambda name: export.rng.random() < holders[name] / most


def fresh_household(
    export: Export,
    *,
    township: str | None = None,
    exclude_township: str | None = None,
    size: tuple[int, int] = (1, 6),
    need=lambda h: True,
) -> Household:
    """An untouched household (no staff, not yet used), reserved for the calling plant."""
    rng = export.rng
    villages = [
        v
        for t in export.population.townships
        for v in t.villages
        if (township is None or t.code == township) and t.code != exclude_township
    ]
    for _ in range(10_000):
        village = rng.choice(villages)
        household = rng.choice(village.households)
        members = household.members
        if not size[0] <= len(members) <= size[1] or not need(household):
            continue
        if any(p.id_number in export.reserved or p.id_number in export.staff_by_person for p in members):
            continue
        export.reserved.update(p.id_number for p in members)
        return household
    raise LookupError("no fresh household fits; use a larger scale")


def make_poor(export: Export, household: Household) -> None:
    """Income facts under the line, as verification would show for a household in need."""
    household.poor = True
    per_capita = export.rng.randint(int(dibao_line(household) * 0.2), int(dibao_line(household) * 0.7))
    export.add_fact(
        "incomes",
        "SW",
        household.head,
        year=2025,
        annual_income=f"{per_capita * 12 * len(household.members)}.00",
        income_kind="务农",
    )


def poor_enrolled(export: Export, **kwargs) -> tuple[Household, dict[str, str]]:
    find = {k: kwargs.pop(k) for k in ("township", "exclude_township", "size", "need") if k in kwargs}
    household = fresh_household(export, **find)
    make_poor(export, household)
    return household, enroll_household(export, household, **kwargs)


def _grant(ids: dict[str, str]) -> str:
    return ids.get("DIBAO") or ids["TEKUN"]


def _is_multi(h: Household) -> bool:
    return len(h.members) >= 2


# --- duplicate claims
def dup_person_multi_household(export: Export) -> None:
    h1, ids1 = poor_enrolled(export, size=(3, 6))
    mover = h1.members[1]
    h2 = fresh_household(export, exclude_township=h1.township_code, size=(2, 5))
    h2.members.append(mover)  # listed in a second household's register too
    make_poor(export, h2)
    ids2 = enroll_household(export, h2, special=False)
    # h2's own members get the special assistance they qualify for (the mover has it through h1).
    own = Household(
        h2.household_id,
        h2.village_code,
        h2.township_code,
        h2.address,
        [p for p in h2.members if p is not mover],
    )
    special_assistance(export, own, export.account_of(h2.head))
    export.label(
        "DUP_PERSON_MULTI_HOUSEHOLD",
        "one person covered by dibao in two households",
        persons=[mover.id_number],
        households=[h1.household_id, h2.household_id],
        enrollments=[ids1["DIBAO"], ids2["DIBAO"]],
    )


def dup_exclusive_programmes(export: Export, i: int) -> None:
    household, ids = poor_enrolled(export, size=(2, 5), need=lambda h: any(p.age() >= 60 for p in h.members))
    account = export.account_of(household.head)
    if i % 2 == 0:
        elder = next(p for p in household.members if p.age() >= 60)
        tekun = export.add_enrollment("TEKUN", date(2026, 2, 1), person=elder, monthly=840, account=account)
        export.monthly_payments(tekun, date(2026, 2, 1), 840, account)
        export.label(
            "DUP_EXCLUSIVE_PROGRAMMES",
            "a dibao-covered person also holds tekun",
            persons=[elder.id_number],
            households=[household.household_id],
            enrollments=[ids["DIBAO"], tekun],
        )
    else:
        edge = export.add_enrollment(
            "DIBAO_EDGE",
            date(2026, 3, 1),
            household=household,
            covered=household.members,
            monthly=200,
            account=account,
        )
        export.monthly_payments(edge, date(2026, 3, 1), 200, account)
        export.label(
            "DUP_EXCLUSIVE_PROGRAMMES",
            "a household holds dibao and dibao-edge at once",
            households=[household.household_id],
            enrollments=[ids["DIBAO"], edge],
        )


def dup_payment(export: Export) -> None:
    household, ids = poor_enrolled(export, size=(2, 5))
    grant = _grant(ids)
    first = export.rng.choice(export.payments_of(grant))
    again = export.add_payment(grant, first["period"], float(first["amount"]), first["account_number"])
    export.label(
        "DUP_PAYMENT",
        "the same grant paid twice for one month",
        households=[household.household_id],
        enrollments=[grant],
        payments=[first["payment_id"], again],
    )


def dup_event_aid(export: Export) -> None:
    household, _ = poor_enrolled(export, size=(1, 5))
    person = household.members[0]
    account = export.account_of(household.head)
    when = date(2026, export.rng.randint(2, 9), export.rng.randint(1, 28))
    temp = export.add_enrollment("TEMP", when, person=person, end=when, account=account)
    disaster = export.add_enrollment("DISASTER", when, person=person, end=when, account=account)
    p1 = export.add_payment(temp, f"{when:%Y-%m}", 2000, account, "房屋火灾", when)
    p2 = export.add_payment(disaster, f"{when:%Y-%m}", 3000, account, "房屋火灾", when + timedelta(days=1))
    export.label(
        "DUP_EVENT_AID",
        "one fire paid by temporary assistance and disaster relief",
        persons=[person.id_number],
        enrollments=[temp, disaster],
        payments=[p1, p2],
    )
    # Near-miss: medical assistance topped up by the Red Cross for one illness is allowed.
    h2, _ = poor_enrolled(export, size=(1, 5))
    patient, acc2 = h2.members[0], export.account_of(h2.head)
    med = export.add_enrollment("MED", when, person=patient, end=when, account=acc2)
    charity = export.add_enrollment("CHARITY", when, person=patient, end=when, account=acc2)
    q1 = export.add_payment(med, f"{when:%Y-%m}", 5000, acc2, "白血病住院", when)
    q2 = export.add_payment(charity, f"{when:%Y-%m}", 2000, acc2, "白血病住院", when)
    export.near_miss(
        "DUP_EVENT_AID",
        "MED + CHARITY for one illness is an allowed combination",
        persons=[patient.id_number],
        payments=[q1, q2],
    )


def _typo(id_number: str, export: Export) -> str:
    """Another checksum-valid number one keystroke away (a sequence digit mistyped), held by nobody."""
    while True:
        pos = 14 + export.rng.randrange(2)
        digit = str((int(id_number[pos]) + export.rng.randint(1, 8)) % 10)
        first17 = id_number[:pos] + digit + id_number[pos + 1 : 17]
        typo = first17 + check_char(first17)
        if typo not in export.population.persons:
            return typo


# Second registrations as they arise in a county's register: retyped from documents, by
# hand, years apart. Each template changes the name, the birth date and the number in its own
# way; most are corroborated by a shared phone, some only by a near-identical number.
HOMOPHONES = dict(
    zip(
        "伟芳军明华英强丽静磊敏勇杰娟涛超兰霞平刚桂红梅玲",
        "玮方君铭桦瑛蔷莉靖垒闽涌洁鹃滔钞岚侠萍钢贵虹玫龄",
        strict=True,
    )
)
LOOKALIKES = dict(zip("王未己土日人大天木刀玉申由田兰", "玉末已士曰入太夫本力王由申由兰", strict=True))
IDENTITY_TEMPLATES = (
    "homophone",
    "dropped character",
    "look-alike character and birth digit",
    "day and month swapped",
    "traditional characters",
    "birth date one digit off",
)


def _variant_name(name: str, template: str, export: Export) -> str | None:
    positions = range(1, len(name))  # the given name: surnames are copied from the household book
    if template == "homophone":
        options = [i for i in positions if name[i] in HOMOPHONES]
        return (
            name[: options[-1]] + HOMOPHONES[name[options[-1]]] + name[options[-1] + 1 :] if options else None
        )
    if template.startswith("look-alike"):
        options = [i for i in range(len(name)) if name[i] in LOOKALIKES and LOOKALIKES[name[i]] != name[i]]
        return name[: options[0]] + LOOKALIKES[name[options[0]]] + name[options[0] + 1 :] if options else None
    if template == "dropped character":
        return name[0] + name[2:] if len(name) >= 3 else None
    if template == "traditional characters":
        import opencc

        variant = opencc.OpenCC("s2t").convert(name)
        return variant if variant != name else None
    return name


def _variant_birth(born: date, template: str, export: Export) -> date | None:
    if template == "day and month swapped":
        if born.day > 12 or born.day == born.month:
            return None
        return born.replace(month=born.day, day=born.month)
    if template in ("birth date one digit off", "look-alike character and birth digit"):
        try:
            return born.replace(day=born.day + 1 if born.day < 9 else born.day - 1)
        except ValueError:
            return None
    return born


def _made_up(id_number: str, born: date, export: Export) -> str:
    """A number typed from the (changed) birth date with a sequence made up or mistyped."""
    while True:
        # An even step keeps the sex digit's parity: the register checks sex against the number.
        sequence = (int(id_number[14:17]) + export.rng.choice((2, 10, 100, 20))) % 1000 or 8
        number = make_id_number(id_number[:6], born, sequence)
        if number not in export.population.persons:
            return number


def dup_identity(export: Export, i: int = 0) -> None:
    h1, ids1 = poor_enrolled(export, size=(2, 4), need=lambda h: h.head.age() >= 30)
    original = h1.head
    # The i-th template, or the next one that this person's name and birth date allow.
    template, name, born = "mistyped digit", original.name, original.birth_date
    for k in range(len(IDENTITY_TEMPLATES)):
        candidate = IDENTITY_TEMPLATES[(i + k) % len(IDENTITY_TEMPLATES)]
        new_name = _variant_name(original.name, candidate, export)
        new_birth = _variant_birth(original.birth_date, candidate, export)
        if new_name is not None and new_birth is not None:
            template, name, born = candidate, new_name, new_birth
            break
    phone = export.phone_of(original)
    h2 = fresh_household(export, exclude_township=h1.township_code, size=(1, 1))
    clone = h2.members[0]
    del export.population.persons[clone.id_number]
    export.reserved.discard(clone.id_number)
    export.population.kinship[:] = [k for k in export.population.kinship if clone.id_number not in k[:2]]
    clone.id_number = (
        _typo(original.id_number, export)
        if born == original.birth_date
        else _made_up(original.id_number, born, export)
    )
    clone.name, clone.birth_date, clone.sex = name, born, original.sex
    export.population.persons[clone.id_number] = clone
    export.reserved.add(clone.id_number)
    export.same_person.append((original.id_number, clone.id_number))
    if template not in ("traditional characters",):  # that one is corroborated only by its number
        export.add_phone(clone, phone, "MZ")
    make_poor(export, h2)
    ids2 = enroll_household(export, h2)
    export.label(
        "DUP_IDENTITY",
        f"one person registered under two ID numbers ({template}), paid twice",
        persons=[original.id_number, clone.id_number],
        households=[h1.household_id, h2.household_id],
        enrollments=[_grant(ids1), _grant(ids2)],
    )


# --- linked fraud
def ring_shared_identifier(export: Export) -> None:
    township = export.rng.choice(export.population.townships).code
    members = [poor_enrolled(export, township=township, size=(1, 4))[0] for _ in range(3)]
    phone = export.phone_of(members[0].head)
    hub = members[0].address
    for household in members[1:]:
        export.add_phone(household.head, phone, "MZ")
        export.rows["addresses"].append(
            {
                "id_number": household.head.id_number,
                "address": hub,
                "kind": "residence",
                "source": "MZ",
                "as_of": (AS_OF - timedelta(days=40)).isoformat(),
            }
        )
    export.label(
        "RING_SHARED_IDENTIFIER",
        "unrelated recipient households share a phone and a residence address",
        households=[h.household_id for h in members],
        persons=[h.head.id_number for h in members],
        phones=[phone],
    )


def payment_to_third_party(export: Export) -> None:
    household = fresh_household(export, size=(1, 5))
    caseworker = export.staff_of(household.township_code, "caseworker")
    staff_person = export.population.persons[export.staff[caseworker]["id_number"]]
    account = export.account_of(staff_person)
    make_poor(export, household)
    ids = enroll_household(export, household, account=account)
    grant = _grant(ids)
    export.label(
        "PAYMENT_TO_THIRD_PARTY",
        "benefit paid into a caseworker's own account",
        households=[household.household_id],
        enrollments=[grant],
        accounts=[account],
        staff=[caseworker],
        payments=[p["payment_id"] for p in export.payments_of(grant)],
    )


def deceased_paid(export: Export) -> None:
    household, ids = poor_enrolled(export, size=(1, 1), need=lambda h: h.head.age() >= 60)
    grant = _grant(ids)
    died = date(2026, export.rng.randint(2, 6), export.rng.randint(1, 28))
    export.add_fact("deaths", "GA", household.head, death_date=died.isoformat())
    after = [p["payment_id"] for p in export.payments_of(grant) if p["period"] > f"{died:%Y-%m}"]
    export.label(
        "DECEASED_PAID",
        "paid for months after the covered person's death",
        persons=[household.head.id_number],
        enrollments=[grant],
        payments=after,
    )


def asset_ineligible(export: Export, i: int) -> None:
    household, ids = poor_enrolled(export, size=(2, 5), need=lambda h: h.head.age() <= 60)
    owner = household.head
    kind = ("car", "commercial", "business", "public")[i % 4]
    if kind == "car":
        fact = export.add_fact(
            "vehicles", "GA", owner, plate=f"鲁H{export.rng.randrange(10000, 99999)}", vehicle_type="car"
        )
    elif kind == "commercial":
        fact = export.add_fact("properties", "ZR", owner, property_kind="commercial", area_m2=120)
    elif kind == "business":
        fact = export.add_fact(
            "businesses",
            "SJ",
            owner,
            registration_no=f"91370831MA{export.rng.randrange(10**7, 10**8)}",
            business_name=f"泗水县{owner.name}建材有限公司",
            role="shareholder",
            registered_capital="1000000.00",
            share_amount="300000.00",
        )
    else:
        fact = export.add_fact(
            "employment",
            "CZ",
            owner,
            employer="泗水县某镇人民政府",
            public_employee="yes",
            monthly_wage="5200.00",
        )
    export.label(
        "ASSET_INELIGIBLE",
        f"dibao household with a disqualifying asset ({kind})",
        households=[household.household_id],
        persons=[owner.id_number],
        enrollments=[_grant(ids)],
        facts=[fact],
    )
    # Near-miss: an e-bike or a disability scooter does not disqualify.
    h2, _ = poor_enrolled(export, size=(2, 5))
    fact2 = export.add_fact(
        "vehicles",
        "GA",
        h2.head,
        plate=f"鲁H{export.rng.randrange(10000, 99999)}",
        vehicle_type=("e_bike", "disability_scooter")[i % 2],
    )
    export.near_miss("ASSET_INELIGIBLE", "excepted vehicle", households=[h2.household_id], facts=[fact2])


def relationship_benefit(export: Export, filed: bool) -> None:
    township = export.rng.choice(export.population.townships).code
    caseworker = export.staff_of(township, "caseworker")
    staff_person = export.population.persons[export.staff[caseworker]["id_number"]]
    household = fresh_household(export, township=township, size=(1, 4))
    relative = household.head
    export.population.kinship.append((staff_person.id_number, relative.id_number, "sibling"))
    make_poor(export, household)
    ids = enroll_household(export, household, handled_by=caseworker)
    if filed:
        export.rows["relative_filings"].append(
            {
                "staff_id": caseworker,
                "relative_id_number": relative.id_number,
                "relation": "sibling",
                "filed_date": "2024-05-06",
            }
        )
        export.near_miss(
            "RELATIONSHIP_BENEFIT",
            "the caseworker filed the relation (备案)",
            persons=[relative.id_number],
            staff=[caseworker],
            cases=[ids["case"]],
        )
    else:
        export.label(
            "RELATIONSHIP_BENEFIT",
            "caseworker handled a sibling's application without filing it",
            persons=[relative.id_number],
            staff=[caseworker],
            cases=[ids["case"]],
            households=[household.household_id],
            enrollments=[_grant(ids)],
        )


# --- coverage gaps
def gap_vulnerable_uncovered(export: Export, i: int) -> None:
    household = fresh_household(
        export, size=(1, 4), need=lambda h: any(p.age() <= 16 for p in h.members) or i % 2 == 0
    )
    make_poor(export, household)
    if i % 2 == 0:
        person = household.head
        fact = give_disability(export, person, 1)
    else:
        person = next(p for p in household.members if p.age() <= 16)
        fact = export.add_fact("vulnerabilities", "MZ", person, kind="child_in_distress")
    export.label(
        "GAP_VULNERABLE_UNCOVERED",
        "vulnerable person in a household under the line, no basic living",
        persons=[person.id_number],
        households=[household.household_id],
        facts=[fact],
    )


def gap_missing_special(export: Export, i: int) -> None:
    if i % 2 == 0:
        household = fresh_household(
            export, size=(3, 6), need=lambda h: any(6 <= p.age() <= 17 for p in h.members)
        )
        person = next(p for p in household.members if 6 <= p.age() <= 17)
        what = "school-age child without education assistance"
    else:
        household = fresh_household(export, size=(2, 5))
        person = household.members[-1]
        give_disability(export, person, 2)
        what = "disabled member without rehabilitation assistance"
    make_poor(export, household)
    ids = enroll_household(export, household, special=False)
    # The other members still get what they qualify for; only `person` is missed.
    others = Household(
        household.household_id,
        household.village_code,
        household.township_code,
        household.address,
        [p for p in household.members if p is not person],
    )
    special_assistance(export, others, export.account_of(household.head))
    export.label(
        "GAP_MISSING_SPECIAL",
        what,
        persons=[person.id_number],
        households=[household.household_id],
        enrollments=[_grant(ids)],
    )


def gap_overdue(export: Export, i: int) -> None:
    if i % 2 == 0:
        household, ids = poor_enrolled(
            export, size=(1, 4), visited=AS_OF - timedelta(days=export.rng.randint(400, 700))
        )
        export.label(
            "GAP_OVERDUE",
            "enrolled household not visited for over a year",
            households=[household.household_id],
            enrollments=[_grant(ids)],
        )
    else:
        household = fresh_household(export, size=(1, 4))
        make_poor(export, household)
        case = export.add_case(
            household,
            "DIBAO",
            household.head,
            AS_OF - timedelta(days=export.rng.randint(45, 120)),
            status="investigating",
        )
        export.label(
            "GAP_OVERDUE",
            "application pending past the 30-day limit",
            households=[household.household_id],
            cases=[case],
        )


def urgent_grant(export: Export, granted: date, status: str, amount: int) -> str:
    """A green-channel grant (先行救助) of temporary assistance, as the township's system exports
    it: paid on `granted`, its review due the rule's days later."""
    household = fresh_household(export, size=(1, 4))
    case = export.add_case(
        household,
        "TEMP",
        household.head,
        granted,
        status=status,
        decided=granted + timedelta(days=export.rng.randint(5, 25)) if status == "approved" else None,
    )
    days = read_casework_rules(CASEWORK_RULES).green_channel.review_within_days
    export.rows["cases"][-1].update(
        urgent_amount=f"{amount}.00",
        urgent_granted_date=granted.isoformat(),
        review_due=(granted + timedelta(days=days)).isoformat(),
    )
    return case


def gap_urgent_unreviewed(export: Export, i: int) -> None:
    days = read_casework_rules(CASEWORK_RULES).green_channel.review_within_days
    rng = export.rng
    granted = AS_OF - timedelta(days=days + rng.randint(3, 90))
    status = "under_review" if i % 2 == 0 else "in_publicity"
    case = urgent_grant(export, granted, status, rng.randrange(500, 1500, 100))
    export.label("GAP_URGENT_UNREVIEWED", "urgent grant not reviewed by its due day", cases=[case])
    # Near misses: one as old but decided on review; one whose review falls due on the day itself.
    decided = urgent_grant(export, granted, "approved", rng.randrange(500, 1500, 100))
    export.near_miss("GAP_URGENT_UNREVIEWED", "urgent grant reviewed (decided) late", cases=[decided])
    due_today = urgent_grant(export, AS_OF - timedelta(days=days), "under_review", 2000)
    export.near_miss("GAP_URGENT_UNREVIEWED", "urgent grant whose review is due today", cases=[due_today])


def gap_staffing(export: Export, understaffed: list[str], uncovered_villages: list[Village]) -> None:
    for township in understaffed:
        export.label("GAP_STAFFING", "township below the caseworker staffing rule", townships=[township])
    for village in uncovered_villages:
        export.label("GAP_STAFFING", "village station without a coordinator", villages=[village.code])


def near_miss_shared(export: Export) -> None:
    """Identifiers shared legitimately: a village office phone, a family across two households."""
    rng = export.rng
    township = rng.choice(export.population.townships)
    office_phone = f"05374{rng.randrange(100000, 999999)}"
    applicants = [export.population.persons[r["applicant_id_number"]] for r in export.rows["cases"]]
    recipients = [
        p
        for p, r in zip(applicants, export.rows["cases"], strict=True)
        if r["household_id"][1:10] == township.code
    ]
    # "Many": more than a ring can hold (rules' max_households, 8), also in a small county
    # where one township has only a handful of applicants.
    recipients += [p for p in applicants if p not in recipients][: max(0, 12 - len(recipients))]
    for person in recipients:
        export.add_phone(person, office_phone, "MZ")
    export.near_miss(
        "RING_SHARED_IDENTIFIER",
        "village office phone given for many recipients",
        phones=[office_phone],
        persons=[p.id_number for p in recipients],
    )


def plant_all(export: Export, per_kind: int) -> None:
    for i in range(per_kind):
        dup_person_multi_household(export)
        dup_exclusive_programmes(export, i)
        dup_payment(export)
        dup_event_aid(export)
        dup_identity(export, i)
        ring_shared_identifier(export)
        payment_to_third_party(export)
        deceased_paid(export)
        asset_ineligible(export, i)
        relationship_benefit(export, filed=False)
        relationship_benefit(export, filed=True)
        gap_vulnerable_uncovered(export, i)
        gap_missing_special(export, i)
        gap_overdue(export, i)
        gap_urgent_unreviewed(export, i)


__all__ = ["plant_all", "gap_staffing", "near_miss_shared", "Person"]
