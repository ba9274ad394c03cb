"""Duplicate claims: each kind found where it is, and not in its look-alike."""

from __future__ import annotations

from datetime import date

from domain.finding_kinds import FindingKind
from tests.detection.builder import VA, VB, VC, County
from tests.detection.conftest import keys


def test_a_person_covered_by_two_households_grants(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h1, h2 = c.household(VA), c.household(VC)
    head1 = c.person(h1, "王建国", date(1960, 1, 1))
    mover = c.person(h1, "王小明", date(1990, 1, 1), relation="child")
    c.person(h2, "李强", date(1965, 1, 1))
    c.rows["persons"].append({**c.rows["persons"][1], "household_id": h2, "relation": "other"})
    c.enrollment("DIBAO", household=h1, covered=[head1, mover], start="2025-01-01")
    c.enrollment("DIBAO", household=h2, covered=[mover], start="2026-03-01")
    # Look-alike: one household's grant ended before the other's began.
    h3, h4 = c.household(VA), c.household(VB)
    leaver = c.person(h3, "赵六", date(1980, 1, 1))
    c.rows["persons"].append({**c.rows["persons"][-1], "household_id": h4, "relation": "other"})
    c.enrollment("DIBAO", household=h3, covered=[leaver], start="2024-01-01", end="2025-06-30")
    c.enrollment("DIBAO", household=h4, covered=[leaver], start="2025-07-01")
    found = detect(c, FindingKind.DUP_PERSON_MULTI_HOUSEHOLD)
    assert keys(found, "Person") == [{mover}]
    assert keys(found, "Household") == [{h1, h2}]
    assert found[0].score > 0.95  # two townships


def test_exclusive_programmes_for_a_person_and_for_a_household(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h1 = c.household()
    elder = c.person(h1, "孙大爷", date(1940, 1, 1))
    son = c.person(h1, "孙强", date(1975, 1, 1), relation="child")
    dibao = c.enrollment("DIBAO", household=h1, covered=[elder, son], start="2025-01-01")
    tekun = c.enrollment("TEKUN", person=elder, start="2026-02-01")
    h2 = c.household()
    p2 = c.person(h2, "钱七", date(1970, 1, 1))
    d2 = c.enrollment("DIBAO", household=h2, covered=[p2], start="2025-01-01")
    edge = c.enrollment("DIBAO_EDGE", household=h2, covered=[p2], start="2026-01-01")
    # Look-alike: tekun after dibao ended.
    h3 = c.household()
    p3 = c.person(h3, "周八", date(1945, 1, 1))
    c.enrollment("DIBAO", household=h3, covered=[p3], start="2024-01-01", end="2025-12-31")
    c.enrollment("TEKUN", person=p3, start="2026-01-01")
    found = detect(c, FindingKind.DUP_EXCLUSIVE_PROGRAMMES)
    assert sorted(map(sorted, keys(found, "Enrollment"))) == sorted(
        [sorted([dibao, tekun]), sorted([d2, edge])]
    )


def test_one_month_paid_twice(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h = c.household()
    p = c.person(h, "吴九", date(1970, 1, 1))
    e = c.enrollment("DIBAO", household=h, covered=[p], start="2026-01-01")
    first = c.payment(e, "2026-02")
    again = c.payment(e, "2026-02")
    c.payment(e, "2026-03")  # look-alike: the next month
    found = detect(c, FindingKind.DUP_PAYMENT)
    assert keys(found, "Payment") == [{first, again}]
    assert found[0].amount_fen == 50000


def test_one_event_paid_by_programmes_that_may_not_be_combined(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h = c.household()
    victim = c.person(h, "郑十", date(1970, 1, 1))
    temp = c.enrollment("TEMP", person=victim, start="2026-05-01", end="2026-05-01")
    disaster = c.enrollment("DISASTER", person=victim, start="2026-05-01", end="2026-05-01")
    p1 = c.payment(temp, "2026-05", "2000.00", cause="房屋火灾", event_date="2026-05-01")
    p2 = c.payment(disaster, "2026-05", "3000.00", cause="房屋火灾", event_date="2026-05-02")
    # Look-alike: medical assistance topped up by charity for one illness is allowed.
    h2 = c.household()
    patient = c.person(h2, "冯病", date(1960, 1, 1))
    med = c.enrollment("MED", person=patient, start="2026-05-01", end="2026-05-01")
    charity = c.enrollment("CHARITY", person=patient, start="2026-05-01", end="2026-05-01")
    c.payment(med, "2026-05", "5000.00", cause="住院", event_date="2026-05-01")
    c.payment(charity, "2026-05", "2000.00", cause="住院", event_date="2026-05-01")
    found = detect(c, FindingKind.DUP_EVENT_AID)
    assert keys(found, "Payment") == [{p1, p2}]
    assert found[0].amount_fen == 200000  # all but the largest payment
