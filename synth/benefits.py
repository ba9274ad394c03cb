"""The ordinary county: who is poor and enrolled, who is paid, visited, and what departments know.

Built so that, before plants, no finding kind fires: enrolled households get the special
assistance their members qualify for, are visited on time and own nothing disqualifying.
"""

from __future__ import annotations

from datetime import date, timedelta

from synth.export import PERIODS, TEKUN_MONTHLY, Export, dibao_line
from synth.population import AS_OF, Household, Person

EVENT_CAUSES = ("重病住院", "意外伤害", "火灾", "交通事故", "突发疾病")


def _annual_income(export: Export, household: Household, poor: bool) -> None:
    line = dibao_line(household)
    earners = [p for p in household.members if 18 <= p.age() <= 70] or [household.head]
    if poor:
        per_capita = export.rng.randint(int(line * 0.2), int(line * 0.8))
    else:
        per_capita = export.rng.randint(int(line * 2.0), int(line * 6.0))
    total = per_capita * 12 * len(household.members)
    for earner in earners:
        export.add_fact(
            "incomes",
            "SW",
            earner,
            year=2025,
            annual_income=f"{total // len(earners)}.00",
            income_kind="工资及经营",
        )


def enroll_household(
    export: Export,
    household: Household,
    start: date | None = None,
    *,
    account: str | None = None,
    handled_by: str | None = None,
    special: bool = True,
    visited: date | None = None,
) -> dict[str, str]:
    """DIBAO (or TEKUN for a lone elder) with its case, payments, special assistance and visits."""
    rng = export.rng
    head = household.head
    start = start or date(2026, 1, 1) - timedelta(days=rng.randint(0, 900))
    start = start.replace(day=1)
    submitted = start - timedelta(days=rng.randint(30, 50))
    account = account or export.account_of(head)
    export.phone_of(head)
    ids: dict[str, str] = {}
    if len(household.members) == 1 and head.age() >= 60:
        case = export.add_case(household, "TEKUN", head, submitted, handled_by=handled_by)
        ids["TEKUN"] = export.add_enrollment(
            "TEKUN", start, person=head, monthly=TEKUN_MONTHLY, case_id=case, account=account
        )
        export.monthly_payments(ids["TEKUN"], start, TEKUN_MONTHLY, account)
    else:
        monthly = dibao_line(household) * len(household.members)
        case = export.add_case(household, "DIBAO", head, submitted, handled_by=handled_by)
        ids["DIBAO"] = export.add_enrollment(
            "DIBAO",
            start,
            household=household,
            covered=household.members,
            monthly=monthly,
            case_id=case,
            account=account,
        )
        export.monthly_payments(ids["DIBAO"], start, monthly, account)
    ids["case"] = case
    export.enrolled.add(household.household_id)
    if special:
        special_assistance(export, household, account)
    export.add_visit(
        household, visitor_for(export, household), visited or AS_OF - timedelta(days=rng.randint(5, 80))
    )
    return ids


def visitor_for(export: Export, household: Household) -> str:
    """The village coordinator, or the grid worker where the station has none."""
    for role in ("coordinator", "grid_worker", "caseworker"):
        try:
            return export.staff_of(
                household.township_code, role, None if role == "caseworker" else household.village_code
            )
        except IndexError:
            continue
    raise LookupError(f"no staff at all in township {household.township_code}")


def special_assistance(export: Export, household: Household, account: str) -> None:
    """EDU for school-age children and REHAB for disabled members: what the household qualifies for."""
    for member in household.members:
        if 6 <= member.age() <= 17:
            edu = export.add_enrollment("EDU", date(2025, 9, 1), person=member, account=account)
            for period in ("2026-03", "2026-09"):
                export.add_payment(edu, period, 1000, account)
        if member.id_number in export.population_disabled:
            rehab = export.add_enrollment(
                "REHAB", date(2025, 6, 1), person=member, monthly=300, account=account
            )
            export.monthly_payments(rehab, date(2026, 1, 1), 300, account)


def give_disability(export: Export, person: Person, grade: int) -> str:
    export.population_disabled.add(person.id_number)
    return export.add_fact(
        "disabilities",
        "CL",
        person,
        certificate_no=f"CL{person.id_number[-8:]}{grade}",
        category=export.rng.choice(("physical", "visual", "intellectual", "multiple")),
        grade=grade,
    )


def ordinary_county(export: Export) -> None:
    rng = export.rng
    population = export.population
    for township in population.townships:
        for village in township.villages:
            for household in village.households:
                if any(p.id_number in export.reserved for p in household.members):
                    continue  # a plant's household: the plant wrote all it needs
                if any(p.id_number in export.staff_by_person for p in household.members):
                    _non_poor_facts(export, household, staff_home=True)
                    continue
                household.poor = rng.random() < 0.04
                if household.poor:
                    _poor_household(export, household)
                else:
                    _non_poor_facts(export, household)
    for older, younger in population.phone_shared:
        # Relatives of one name in two households, one phone given for both; not where a
        # plant rewrote either of them.
        if {older.id_number, younger.id_number} & export.reserved or older.name != younger.name:
            continue
        export.add_phone(younger, export.phone_of(older), "MZ")


def _poor_household(export: Export, household: Household) -> None:
    rng = export.rng
    for member in household.members:
        if rng.random() < 0.10:
            give_disability(export, member, rng.choice((1, 2, 3, 4)))
    _annual_income(export, household, poor=True)
    for member in household.members:
        if member.age() >= 18 and rng.random() < 0.5:
            export.add_fact(
                "deposits",
                "YH",
                member,
                bank=rng.choice(("农村商业银行", "中国邮政储蓄银行")),
                balance=f"{rng.randint(0, 3000)}.00",
            )
    if rng.random() < 0.5:
        export.add_fact("vulnerabilities", "NY", household.head, kind="registered_poverty")
    enroll_household(export, household)
    if rng.random() < 0.08:  # a one-off event paid by a single programme
        person = rng.choice(household.members)
        cause, when = rng.choice(EVENT_CAUSES), date(2026, rng.randint(1, 9), rng.randint(1, 28))
        account = export.account_of(household.head)
        enrollment = export.add_enrollment("TEMP", when, person=person, end=when, account=account)
        export.add_payment(enrollment, f"{when:%Y-%m}", rng.randint(5, 30) * 100, account, cause, when)


def _non_poor_facts(export: Export, household: Household, staff_home: bool = False) -> None:
    rng = export.rng
    adults = [p for p in household.members if p.age() >= 18]
    if not adults:
        return
    owner = rng.choice(adults)
    if rng.random() < 0.15:
        export.add_fact(
            "vehicles",
            "GA",
            owner,
            plate=f"鲁H{rng.randrange(10000, 99999)}",
            vehicle_type=rng.choice(("car", "car", "car", "truck", "motorcycle", "e_bike")),
        )
    if rng.random() < 0.30:
        export.add_fact(
            "properties",
            "ZR",
            owner,
            property_kind="residential",
            area_m2=rng.randint(60, 160),
            location=household.address,
        )
    if rng.random() < 0.03:
        export.add_fact("properties", "ZR", owner, property_kind="commercial", area_m2=rng.randint(30, 300))
    if rng.random() < 0.04:
        capital = rng.randint(5, 200) * 10_000
        export.add_fact(
            "businesses",
            "SJ",
            owner,
            registration_no=f"91370831MA{rng.randrange(10**7, 10**8)}",
            business_name=f"泗水县{owner.name}商贸有限公司",
            role="owner",
            registered_capital=f"{capital}.00",
            share_amount=f"{capital}.00",
        )
    for adult in adults:
        if not staff_home and adult.age() <= 60 and rng.random() < 0.2:
            export.add_fact(
                "employment",
                "RS",
                adult,
                employer="泗水县某企业",
                public_employee="no",
                monthly_wage=f"{rng.randint(2500, 7000)}.00",
            )
    if rng.random() < 0.10:
        _annual_income(export, household, poor=False)
    if rng.random() < 0.30:
        export.phone_of(household.head)
    if rng.random() < 0.25:
        export.account_of(household.head)
    for member in household.members:
        if rng.random() < 0.02:
            give_disability(export, member, rng.choice((1, 2, 3, 4)))
        if member.age() >= 75 and rng.random() < 0.03 and member.id_number not in export.staff_by_person:
            export.add_fact(
                "deaths",
                "GA",
                member,
                death_date=date(2026, rng.randint(1, 10), rng.randint(1, 28)).isoformat(),
            )


__all__ = ["ordinary_county", "enroll_household", "give_disability", "PERIODS"]
