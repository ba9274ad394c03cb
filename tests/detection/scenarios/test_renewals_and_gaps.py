"""Scenarios for DUP_PAYMENT across renewals and GAP_MISSING_SPECIAL for lapsed grants
(docs/domain.md section 7), with deaths recorded late."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from neo4j import Driver

from detection.rules import DetectionRules
from domain.finding_kinds import FindingKind
from settings import Settings
from tests.detection.builder import VA, VB, VC, County
from tests.detection.scenarios.scenario import Scenario, evidence

DUP = FindingKind.DUP_PAYMENT
GAP = FindingKind.GAP_MISSING_SPECIAL
DEAD = FindingKind.DECEASED_PAID


@pytest.fixture
def scenario(graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path) -> Scenario:
    return Scenario(graph, settings, rules, tmp_path)


def test_a_month_paid_by_a_grant_and_its_renewal(scenario: Scenario) -> None:
    c = County()
    # 1. A renewal made a second enrollment for the same household and case; June paid by both.
    h1 = c.household(VA)
    p1 = c.person(h1, "蒋一", date(1960, 1, 1))
    case = c.case(h1, p1)
    old = c.enrollment("DIBAO", household=h1, covered=[p1], start="2025-01-01", end="2026-06-30", case=case)
    new = c.enrollment("DIBAO", household=h1, covered=[p1], start="2026-06-01", case=case)
    june = {c.payment(old, "2026-06"), c.payment(new, "2026-06")}
    c.payment(old, "2026-05")
    c.payment(new, "2026-07")
    # 2. A person grant renewed without a case; March paid under both enrollments.
    h2 = c.household(VB)
    elder = c.person(h2, "沈二", date(1938, 1, 1))
    t1 = c.enrollment("TEKUN", person=elder, start="2025-01-01", end="2026-03-31")
    t2 = c.enrollment("TEKUN", person=elder, start="2026-03-01")
    march = {c.payment(t1, "2026-03", "700.00"), c.payment(t2, "2026-03", "700.00")}
    # 3. A renewal after a periodic review under a new case, the old enrollment never closed.
    h3 = c.household(VC)
    p3 = c.person(h3, "韩三", date(1955, 1, 1))
    r1 = c.enrollment("DIBAO", household=h3, covered=[p3], start="2024-01-01", case=c.case(h3, p3))
    r2 = c.enrollment(
        "DIBAO", household=h3, covered=[p3], start="2026-08-01", case=c.case(h3, p3, submitted="2025-11-05")
    )
    august = {c.payment(r1, "2026-08"), c.payment(r2, "2026-08")}
    # Decoys: a renewal paying each month once, including back pay (补发) of a month the old
    # enrollment never paid; two programmes of one household in one month; two temporary-aid
    # events of one person in one month (DUP_EVENT_AID's question, not this one).
    h4 = c.household(VA)
    p4 = c.person(h4, "杨四", date(1962, 1, 1))
    a = c.enrollment("DIBAO", household=h4, covered=[p4], start="2025-01-01", end="2026-05-31")
    b = c.enrollment("DIBAO", household=h4, covered=[p4], start="2026-05-01")
    c.payment(a, "2026-04")
    c.payment(b, "2026-05")
    c.payment(b, "2026-06")
    c.payment(c.enrollment("HOUSING", household=h4, covered=[p4], start="2026-01-01"), "2026-06", "3000.00")
    for cause in ("房屋火灾", "子女住院"):
        e = c.enrollment("TEMP", person=p4, start="2026-06-01", end="2026-06-30")
        c.payment(e, "2026-06", "1000.00", cause=cause, event_date="2026-06-05")
    found = scenario.run(c, DUP)[DUP]
    assert evidence(found, "Payment") == sorted([june, march, august], key=sorted)
    assert sorted(map(sorted, evidence(found, "Enrollment"))) == sorted(
        [sorted([old, new]), sorted([t1, t2]), sorted([r1, r2])]
    )
    assert sorted(s.amount_fen for s in found) == [50000, 50000, 70000]


def test_special_assistance_that_lapsed_is_missing_now(scenario: Scenario) -> None:
    c = County()
    h = c.household(VA)
    mother = c.person(h, "朱母", date(1984, 1, 1), sex="F")
    # 1. A pupil whose EDU ended with the spring term of 2026 and was not renewed.
    pupil = c.person(h, "朱一", date(2013, 3, 1), relation="child")
    c.enrollment("EDU", person=pupil, start="2025-09-01", end="2026-01-20")
    # 2. A grade-2 disabled grandfather whose REHAB ended last year.
    grandpa = c.person(h, "朱爷", date(1948, 1, 1), relation="grandparent")
    c.fact("disabilities", grandpa, "CL", certificate_no="C10", category="physical", grade=2)
    c.enrollment("REHAB", person=grandpa, start="2024-01-01", end="2025-12-31")
    # 3. A grade-3 disabled pupil who has EDU now but whose REHAB lapsed in the summer.
    second = c.person(h, "朱二", date(2012, 6, 1), relation="child")
    c.fact("disabilities", second, "CL", certificate_no="C11", category="intellectual", grade=3)
    c.enrollment("EDU", person=second, start="2026-09-01", end="2027-01-20")
    c.enrollment("REHAB", person=second, start="2025-01-01", end="2026-06-30")
    # Decoys: renewed for the autumn term; between terms (the last term ended in September);
    # a child who died (reported late), whose EDU ended after the death.
    renewed = c.person(h, "朱三", date(2014, 1, 1), relation="child")
    c.enrollment("EDU", person=renewed, start="2026-02-20", end="2026-07-10")
    c.enrollment("EDU", person=renewed, start="2026-09-01")
    between = c.person(h, "朱四", date(2015, 1, 1), relation="child")
    c.enrollment("EDU", person=between, start="2026-03-01", end="2026-09-20")
    died = c.person(h, "朱五", date(2016, 1, 1), relation="child")
    c.enrollment("EDU", person=died, start="2025-09-01", end="2026-06-30")
    c.death(died, "2026-05-02", reported="2026-10-25")
    c.enrollment("DIBAO", household=h, covered=[mother, pupil, grandpa, second, renewed, between, died])
    found = scenario.run(c, GAP)[GAP]
    assert sorted(s.key for s in found) == sorted([f"{pupil}|EDU", f"{grandpa}|REHAB", f"{second}|REHAB"])


def test_deaths_recorded_late_still_stop_the_grant(scenario: Scenario) -> None:
    c = County()
    # 1. The register closed the membership at the death; the certificate reached us months later.
    h = c.household(VB)
    husband = c.person(h, "秦一", date(1945, 1, 1))
    wife = c.person(h, "许二", date(1947, 1, 1), sex="F", relation="spouse", until="2026-03-15")
    c.death(wife, "2026-03-15", reported="2026-10-30", source="WJ")
    account = c.account(husband, "622800000006000101")
    e = c.enrollment(
        "DIBAO", household=h, covered=[husband, wife], start="2025-01-01", end="2026-06-30", account=account
    )
    c.payment(e, "2026-03", account=account)
    after = {c.payment(e, p, account=account) for p in ("2026-04", "2026-05", "2026-06")}
    # Decoy: the renewed grant no longer covers her; it pays after her death without a finding.
    e2 = c.enrollment("DIBAO", household=h, covered=[husband], start="2026-07-01", account=account)
    c.payment(e2, "2026-07", account=account)
    # 2. An old man who moved to his daughter's household, then died; reported half a year late.
    h_old, h_new = c.household(VA), c.household(VC)
    elder = c.person(h_old, "何老", date(1933, 1, 1), until="2025-12-31")
    c.move(elder, h_new, since="2026-01-01", until="2026-04-02", relation="parent")
    c.person(h_new, "何女", date(1965, 1, 1), sex="F")
    c.death(elder, "2026-04-02", reported="2026-10-01")
    tekun = c.enrollment("TEKUN", person=elder, start="2024-01-01")
    c.payment(tekun, "2026-04", "700.00")
    moved = {c.payment(tekun, p, "700.00") for p in ("2026-05", "2026-06")}
    out = scenario.run(c, DEAD, DUP, FindingKind.PAYMENT_TO_THIRD_PARTY)
    assert evidence(out[DEAD], "Payment") == sorted([after, moved], key=sorted)
    assert [s for s in out[DEAD] if s.key == f"{elder}|{tekun}"][0].evidence[-1].key == h_new
    assert out[DUP] == [] and out[FindingKind.PAYMENT_TO_THIRD_PARTY] == []
