"""Linked fraud: each kind found where it is, and not in its look-alike."""

from __future__ import annotations

from datetime import date

from domain.finding_kinds import FindingKind
from tests.detection.builder import VA, VB, VC, County
from tests.detection.conftest import keys


def _recipient(c: County, village: str, name: str, born: date) -> tuple[str, str]:
    h = c.household(village)
    p = c.person(h, name, born)
    c.enrollment("DIBAO", household=h, covered=[p], start="2026-01-01")
    return h, p


def test_unrelated_recipients_sharing_a_phone_and_an_address_form_a_ring(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    ring = [
        _recipient(c, v, n, date(1960 + i, 1, 1))
        for i, (v, n) in enumerate(((VA, "甲一"), (VB, "乙二"), (VC, "丙三")))
    ]
    for _, person in ring:
        c.phone(person, "13900000001")
        c.address(person, "泉林镇东村99号")
    # Look-alikes: a real family (kin recorded) sharing an address and a phone; a village office
    # phone given by many recipients; two recipients sharing only an address.
    (_, pa), (_, pb) = (
        _recipient(c, VA, "刘父", date(1950, 1, 1)),
        _recipient(c, VA, "刘子", date(1975, 1, 1)),
    )
    c.kin(pa, pb, "parent")
    for p in (pa, pb):
        c.phone(p, "13900000002")
        c.address(p, "泉林镇东村7号")
    office = [_recipient(c, VB, f"村民{i}", date(1950 + i, 2, 2)) for i in range(10)]
    for _, p in office:
        c.phone(p, "053740000001")
    (_, x), (_, y) = (
        _recipient(c, VC, "独居甲", date(1940, 3, 3)),
        _recipient(c, VC, "独居乙", date(1941, 3, 3)),
    )
    for p in (x, y):
        c.address(p, "星村镇南村1号")
    found = detect(c, FindingKind.RING_SHARED_IDENTIFIER)
    assert keys(found, "Household") == [{h for h, _ in ring}]
    assert keys(found, "Phone") == [{"13900000001"}]


def test_benefit_paid_into_a_caseworkers_account(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    hs = c.household(VB)
    worker = c.person(hs, "经办员", date(1985, 1, 1))
    c.staff(worker)
    account = c.account(worker, "6228000000000000099")
    h = c.household(VA)
    p = c.person(h, "受助人", date(1950, 1, 1))
    e = c.enrollment("DIBAO", household=h, covered=[p], account=account)
    pay = c.payment(e, "2026-02", account=account)
    # Look-alike: paid into the account of a household member (the grantee's wife).
    h2 = c.household(VA)
    husband = c.person(h2, "丈夫", date(1950, 1, 1))
    wife = c.person(h2, "妻子", date(1952, 1, 1), sex="F", relation="spouse")
    own = c.account(wife, "6228000000000000100")
    e2 = c.enrollment("DIBAO", household=h2, covered=[husband, wife], account=own)
    c.payment(e2, "2026-02", account=own)
    found = detect(c, FindingKind.PAYMENT_TO_THIRD_PARTY)
    assert keys(found, "Household") == [{h}]
    assert keys(found, "Payment") == [{pay}]
    assert found[0].score == 0.99 and found[0].details["staff"]  # held by staff: the worst case


def test_payments_after_death(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h = c.household()
    elder = c.person(h, "老人", date(1935, 1, 1))
    e = c.enrollment("TEKUN", person=elder, start="2026-01-01")
    before = c.payment(e, "2026-03")
    after = [c.payment(e, "2026-05"), c.payment(e, "2026-06")]
    c.fact("deaths", elder, "GA", death_date="2026-04-12")
    # Look-alike: the last payment was for the month of death.
    h2 = c.household()
    other = c.person(h2, "老二", date(1936, 1, 1))
    e2 = c.enrollment("TEKUN", person=other, start="2026-01-01")
    c.payment(e2, "2026-04")
    c.fact("deaths", other, "GA", death_date="2026-04-20")
    found = detect(c, FindingKind.DECEASED_PAID)
    assert keys(found, "Payment") == [set(after)] and before not in keys(found, "Payment")[0]
    assert found[0].amount_fen == 100000


def test_means_tested_aid_despite_a_car_or_public_employment(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h1 = c.household()
    owner = c.person(h1, "有车", date(1980, 1, 1))
    e1 = c.enrollment("DIBAO", household=h1, covered=[owner])
    car = c.fact("vehicles", owner, "GA", plate="鲁H12345", vehicle_type="car")
    h2 = c.household()
    clerk = c.person(h2, "公务员", date(1980, 1, 1))
    e2 = c.enrollment("DIBAO", household=h2, covered=[clerk])
    c.fact("employment", clerk, "CZ", employer="某镇政府", public_employee="yes", monthly_wage="5000.00")
    # Look-alikes: an e-bike, a disability scooter, a small deposit; and a car in a household
    # whose programme is not means-tested (education assistance).
    h3 = c.household()
    rider = c.person(h3, "骑车", date(1980, 1, 1))
    c.enrollment("DIBAO", household=h3, covered=[rider])
    c.fact("vehicles", rider, "GA", plate="鲁H00001", vehicle_type="e_bike")
    c.fact("vehicles", rider, "GA", plate="鲁H00002", vehicle_type="disability_scooter")
    c.fact("deposits", rider, "YH", bank="农商行", balance="3000.00")
    h4 = c.household()
    student = c.person(h4, "学生", date(2010, 1, 1))
    c.enrollment("EDU", person=student)
    c.fact("vehicles", student, "GA", plate="鲁H00003", vehicle_type="car")
    found = detect(c, FindingKind.ASSET_INELIGIBLE)
    assert sorted(map(sorted, keys(found, "Enrollment"))) == sorted([[e1], [e2]])
    assert {car} in keys(found, "Vehicle")


def test_a_caseworker_handling_an_unfiled_relatives_case(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    hs = c.household(VB)
    worker = c.person(hs, "经办员", date(1985, 1, 1))
    staff_id = c.staff(worker)
    h = c.household(VA)
    sister = c.person(h, "妹妹", date(1988, 1, 1), sex="F")
    c.kin(worker, sister, "sibling")
    case = c.case(h, sister, handled_by=staff_id)
    # Look-alike: the same caseworker, another sibling, relation filed (备案).
    h2 = c.household(VA)
    brother = c.person(h2, "弟弟", date(1990, 1, 1))
    c.kin(worker, brother, "sibling")
    c.filing(staff_id, brother)
    c.case(h2, brother, handled_by=staff_id)
    found = detect(c, FindingKind.RELATIONSHIP_BENEFIT)
    assert keys(found, "Case") == [{case}]
    assert keys(found, "Person") == [{worker, sister}]
