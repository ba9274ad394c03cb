"""Background drawn across the thresholds of rules/detection.toml, labelled by nobody here.

A plant builds a finding and says so; these build situations whose parameter is drawn from
a range that straddles a rule's threshold (a visit 358-372 days ago, deposits 0.95-1.05
times the limit, payments that stop in the month of death or run on), and write no label.
Whether each one is a finding is left to the independent oracle (synth/oracle.py), so
detectors are graded on cases nobody shaped to fit them. Ranges are centred on the default
thresholds; a county that edits its rule file moves the line, not the draws.
"""

from __future__ import annotations

from datetime import date, timedelta

from synth.benefits import enroll_household, give_disability
from synth.export import PERIODS, Export, dibao_line
from synth.plants import drawn_as_chance_draws, fresh_household, make_poor, poor_enrolled
from synth.population import AS_OF, Person

SCHOOL_YEAR = date(2025, 9, 1)  # education assistance is granted by age at the start of the school year


def _around(export: Export, centre: float, spread: float) -> float:
    return centre * (1 + export.rng.uniform(-spread, spread))


def visit_near_a_year(export: Export) -> None:
    poor_enrolled(export, size=(1, 4), visited=AS_OF - timedelta(days=365 + export.rng.randint(-7, 7)))


def application_near_the_limit(export: Export) -> None:
    household = fresh_household(export, size=(1, 4))
    make_poor(export, household)
    export.add_case(
        household,
        "DIBAO",
        household.head,
        AS_OF - timedelta(days=30 + export.rng.randint(-4, 4)),
        status=export.rng.choice(("submitted", "investigating", "under_review")),
    )


def deposits_near_the_limit(export: Export) -> None:
    household, _ = poor_enrolled(export, size=(1, 4))
    limit = len(household.members) * dibao_line(household) * 24
    savers = [p for p in household.members if p.age() >= 18] or [household.head]
    total = round(_around(export, limit, 0.05))
    for saver in savers[:2]:
        export.add_fact(
            "deposits", "YH", saver, bank="农村商业银行", balance=f"{total // min(2, len(savers))}.00"
        )


def income_near_the_line(export: Export) -> None:
    """A recipient household whose verified income sits just under or just over the line."""
    household = fresh_household(export, size=(1, 5))
    per_capita = _around(export, dibao_line(household), 0.04)
    export.add_fact(
        "incomes",
        "SW",
        household.head,
        year=2025,
        annual_income=f"{round(per_capita * 12 * len(household.members))}.00",
        income_kind="务农",
    )
    enroll_household(export, household)


def vulnerable_near_the_line(export: Export) -> None:
    """A severely disabled person in an unenrolled household with income about the line."""
    household = fresh_household(export, size=(1, 5))
    give_disability(export, export.rng.choice(household.members), export.rng.choice((1, 2, 3)))
    per_capita = _around(export, dibao_line(household), 0.04)
    export.add_fact(
        "incomes",
        "SW",
        household.head,
        year=2025,
        annual_income=f"{round(per_capita * 12 * len(household.members))}.00",
        income_kind="务农",
    )


def business_near_the_limit(export: Export) -> None:
    household, _ = poor_enrolled(export, size=(2, 5), need=lambda h: h.head.age() <= 65)
    capital = 100_000 + export.rng.choice((-5000, -1000, 0, 0, 1000, 5000))
    role = export.rng.choice(("owner", "shareholder"))
    export.add_fact(
        "businesses",
        "SJ",
        household.head,
        registration_no=f"92370831MA{export.rng.randrange(10**7, 10**8)}",
        business_name=f"泗水县{household.head.name}农资店",
        role=role,
        registered_capital=f"{capital if role == 'owner' else capital * 3}.00",
        share_amount=f"{capital}.00",
    )


def homes_and_vehicles(export: Export) -> None:
    """One home or two; a car, a truck, a motorcycle or a farm vehicle."""
    household, _ = poor_enrolled(export, size=(2, 5))
    owner = household.head
    for _ in range(export.rng.choice((1, 2))):
        export.add_fact(
            "properties", "ZR", owner, property_kind="residential", area_m2=export.rng.randint(50, 120)
        )
    if export.rng.random() < 0.5:
        export.add_fact(
            "vehicles",
            "GA",
            owner,
            plate=f"鲁H{export.rng.randrange(10000, 99999)}",
            vehicle_type=export.rng.choice(("car", "truck", "motorcycle", "agricultural")),
        )


def death_near_the_last_payment(export: Export) -> None:
    """A lone elder dies; payments stop in the month of death, or run on one or two months."""
    household, ids = poor_enrolled(export, size=(1, 1), need=lambda h: h.head.age() >= 60)
    grant = ids.get("TEKUN") or ids["DIBAO"]
    died = date(2026, export.rng.randint(2, 8), export.rng.choice((1, 2, 15, 27, 28)))
    export.add_fact("deaths", "GA", household.head, death_date=died.isoformat())
    last = PERIODS.index(f"{died:%Y-%m}") + export.rng.choice((0, 0, 1, 2))
    stop = set(PERIODS[last + 1 :])
    export.rows["payments"][:] = [
        p for p in export.rows["payments"] if not (p["enrollment_id"] == grant and p["period"] in stop)
    ]


def staff_relative_on_a_case(export: Export) -> None:
    """A caseworker's relative applies: handled by them (filed or not), or by a colleague."""
    township = export.rng.choice(export.population.townships).code
    caseworker = export.staff_of(township, "caseworker")
    staff_person = export.population.persons[export.staff[caseworker]["id_number"]]
    household = fresh_household(export, township=township, size=(1, 4))
    relative = export.rng.choice(household.members)
    relation = export.rng.choice(("sibling", "parent", "child", "cousin"))
    export.population.kinship.append((staff_person.id_number, relative.id_number, relation))
    make_poor(export, household)
    colleagues = [s for s in export.staff_posted(township, "caseworker") if s != caseworker]
    scenario = export.rng.choice(("handled, not filed", "handled, filed", "a colleague handled"))
    handler = (
        caseworker if scenario != "a colleague handled" or not colleagues else export.rng.choice(colleagues)
    )
    enroll_household(export, household, handled_by=handler)
    if scenario == "handled, filed":
        export.rows["relative_filings"].append(
            {
                "staff_id": caseworker,
                "relative_id_number": relative.id_number,
                "relation": relation,
                "filed_date": "2023-03-01",
            }
        )


def households_sharing(export: Export) -> None:
    """Two recipient households sharing a phone and an address, or only an address; with a
    recorded family tie (a parent and a grown child) or without one."""
    township = export.rng.choice(export.population.townships).code
    first, _ = poor_enrolled(export, township=township, size=(1, 3))
    second, _ = poor_enrolled(export, township=township, size=(1, 3))
    if export.rng.random() < 0.5:
        export.population.kinship.append((first.head.id_number, second.head.id_number, "parent"))
    export.rows["addresses"].append(
        {
            "id_number": second.head.id_number,
            "address": first.address,
            "kind": "residence",
            "source": "MZ",
            "as_of": (AS_OF - timedelta(days=60)).isoformat(),
        }
    )
    if export.rng.random() < 0.6:
        export.add_phone(second.head, export.phone_of(first.head), "MZ")


def namesakes(export: Export) -> None:
    """A second resident with the same name and birth date (a county of half a million has
    many): another person, another number, nothing shared."""
    # Two strangers share a name and a birth date by chance: the name drawn as chance draws it.
    by_chance = drawn_as_chance_draws(export, (p.name for p in export.population.persons.values()))
    home = fresh_household(export, size=(1, 4), need=lambda h: h.head.age() >= 25 and by_chance(h.head.name))
    original = home.head
    # Half of them in the same village: neighbours of one name born the same day, the pair a
    # detector reading the address as evidence would merge.
    try:
        if export.rng.random() >= 0.5:
            raise LookupError
        other = fresh_household(
            export,
            township=home.township_code,
            size=(1, 3),
            need=lambda h: h.village_code == home.village_code,
        ).head
    except LookupError:
        other = fresh_household(export, size=(1, 3)).head
    _become(export, other, original.name, original.birth_date, original.sex)
    # Numbers drawn at random are one keystroke apart for one pair in thirty: with the name and
    # the birth date equal too, that pair is on every particular a retyped second
    # registration, which no register can tell from one (and an investigator should see).
    # Chance makes such namesakes at the county's rate of namesakes, far below the rate these
    # are drawn at: draw the number again.
    while _one_keystroke(original.id_number, other.id_number):
        _become(export, other, original.name, original.birth_date, original.sex)
    if export.rng.random() < 0.5:
        household = next(h for h in export.population.households.values() if other in h.members)
        make_poor(export, household)
        enroll_household(export, household)


def _one_keystroke(a: str, b: str) -> bool:
    """Region and sequence digits equal, or one changed, or two neighbours swapped."""
    x, y = a[:6] + a[14:17], b[:6] + b[14:17]
    differ = [i for i in range(len(x)) if x[i] != y[i]]
    return len(differ) <= 1 or (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and x[differ[0]] == y[differ[1]]
        and x[differ[1]] == y[differ[0]]
    )


def _become(export: Export, person: Person, name: str, born: date, sex: str) -> None:
    population = export.population
    del population.persons[person.id_number]
    export.reserved.discard(person.id_number)
    population.kinship[:] = [k for k in population.kinship if person.id_number not in k[:2]]
    person.id_number = population.new_id(born, sex)
    person.name, person.birth_date, person.sex = name, born, sex
    population.persons[person.id_number] = person
    export.reserved.add(person.id_number)


def school_age_edges(export: Export) -> None:
    """A child who turned 6 or 18 around the detection date; education assistance granted as
    schools do, by age at the start of the school year."""

    def near_edge(p: Person) -> bool:
        return any(
            abs((p.birth_date.replace(year=p.birth_date.year + years) - AS_OF).days) <= 60
            for years in (6, 18)
            if not (p.birth_date.month == 2 and p.birth_date.day == 29)
        )

    household = fresh_household(export, size=(2, 6), need=lambda h: any(near_edge(p) for p in h.members))
    make_poor(export, household)
    enroll_household(export, household, special=False)
    account = export.account_of(household.head)
    for member in household.members:
        if 6 <= member.age(SCHOOL_YEAR) <= 17:
            edu = export.add_enrollment("EDU", SCHOOL_YEAR, person=member, account=account)
            export.add_payment(edu, "2026-03", 1000, account)


def exclusive_edges(export: Export) -> None:
    """An elder's support (TEKUN) that ended before the household's dibao began, or overlapped it."""
    household, ids = poor_enrolled(export, size=(2, 5), need=lambda h: any(p.age() >= 62 for p in h.members))
    elder = next(p for p in household.members if p.age() >= 62)
    start = next(
        date.fromisoformat(e["start_date"])
        for e in export.rows["enrollments"]
        if e["enrollment_id"] == ids["DIBAO"]
    )
    end = start + timedelta(days=export.rng.choice((-1, -1, 0, 31)))
    export.add_enrollment(
        "TEKUN",
        start - timedelta(days=400),
        person=elder,
        monthly=840,
        end=end,
        account=export.account_of(household.head),
    )


def event_days_apart(export: Export) -> None:
    """One cause paid by temporary assistance and disaster relief, 12-18 days apart."""
    household, _ = poor_enrolled(export, size=(1, 4))
    person, account = household.members[0], export.account_of(household.head)
    first = date(2026, export.rng.randint(2, 8), export.rng.randint(1, 10))
    second = first + timedelta(days=15 + export.rng.randint(-3, 3))
    for programme, when, amount in (("TEMP", first, 1500), ("DISASTER", second, 2500)):
        enrollment = export.add_enrollment(programme, when, person=person, end=when, account=account)
        export.add_payment(enrollment, f"{when:%Y-%m}", amount, account, "房屋倒塌", when)


def paid_to_a_relative(export: Export) -> None:
    """A grant paid into a spouse's account (a member) or a grown child's in another household."""
    household = fresh_household(export, size=(2, 4))
    if export.rng.random() < 0.5:
        holder = household.members[1]
    else:
        holder = fresh_household(export, size=(1, 4)).head
        export.population.kinship.append((household.head.id_number, holder.id_number, "parent"))
    make_poor(export, household)
    enroll_household(export, household, account=export.account_of(holder))


def back_pay(export: Export) -> None:
    """A missed month paid later (another period: allowed), or one month paid twice."""
    household, ids = poor_enrolled(export, size=(1, 4))
    grant = ids.get("DIBAO") or ids["TEKUN"]
    paid = export.payments_of(grant)
    if len(paid) < 2:
        return
    last = paid[-1]
    period = last["period"] if export.rng.random() < 0.5 else "2025-12"
    if period == "2025-12" and any(p["period"] == period for p in paid):
        return
    export.add_payment(grant, period, float(last["amount"]), last["account_number"])


STRADDLES = (
    visit_near_a_year,
    application_near_the_limit,
    deposits_near_the_limit,
    income_near_the_line,
    vulnerable_near_the_line,
    business_near_the_limit,
    homes_and_vehicles,
    death_near_the_last_payment,
    staff_relative_on_a_case,
    households_sharing,
    namesakes,
    school_age_edges,
    exclusive_edges,
    event_days_apart,
    paid_to_a_relative,
    back_pay,
)


def straddle_all(export: Export, per_kind: int) -> None:
    for _ in range(per_kind):
        for build in STRADDLES:
            build(export)
