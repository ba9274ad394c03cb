"""Scenarios for PAYMENT_TO_THIRD_PARTY and RING_SHARED_IDENTIFIER (docs/domain.md section 7):
membership over time, accounts with several holders, chains of identifiers, agents' accounts."""

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

THIRD = FindingKind.PAYMENT_TO_THIRD_PARTY
RING = FindingKind.RING_SHARED_IDENTIFIER
DEAD = FindingKind.DECEASED_PAID


@pytest.fixture
def scenario(graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path) -> Scenario:
    return Scenario(graph, settings, rules, tmp_path)


def _recipient(c: County, village: str, name: str, born: date, account: str = "") -> tuple[str, str, str]:
    h = c.household(village)
    p = c.person(h, name, born)
    return h, p, c.enrollment("DIBAO", household=h, covered=[p], start="2025-01-01", account=account)


def test_grants_paid_into_accounts_of_people_who_left_the_household(scenario: Scenario) -> None:
    c = County()
    # 1. A household grant paid on into the ex-wife's account after her membership ended.
    h1 = c.household(VA)
    husband = c.person(h1, "张立", date(1970, 1, 1))
    ex = c.person(h1, "王芳", date(1972, 1, 1), sex="F", relation="spouse", until="2026-03-31")
    c.move(ex, c.household(VB), since="2026-04-01", relation="head")
    ex_account = c.account(ex, "622800000001000101")
    e1 = c.enrollment("DIBAO", household=h1, covered=[husband], start="2025-01-01", account=ex_account)
    c.payment(e1, "2026-03", account=ex_account)  # still her household's month: not a finding
    after_divorce = {c.payment(e1, p, account=ex_account) for p in ("2026-05", "2026-06")}
    # 2. An old man's person grant paid into the account of a son who moved out in 2025.
    h2 = c.household(VA)
    elder = c.person(h2, "李老汉", date(1940, 1, 1))
    son = c.person(h2, "李强", date(1968, 1, 1), relation="child", until="2025-12-31")
    c.move(son, c.household(VC), since="2026-01-01", relation="head")
    son_account = c.account(son, "622800000001000201")
    e2 = c.enrollment("TEKUN", person=elder, start="2025-01-01")
    son_paid = {c.payment(e2, "2026-02", account=son_account)}
    # 3. A grant not yet paid whose account is a former member's: judged on the detection date.
    h3 = c.household(VB)
    mother = c.person(h3, "赵梅", date(1980, 1, 1), sex="F")
    lodger = c.person(h3, "钱进", date(1975, 1, 1), relation="other", until="2026-02-28")
    e3 = c.enrollment(
        "DIBAO",
        household=h3,
        covered=[mother],
        start="2026-09-01",
        account=c.account(lodger, "622800000001000301"),
    )
    found = scenario.run(c, THIRD)[THIRD]
    assert evidence(found, "Household") == sorted([{h1}, {h2}, {h3}], key=sorted)
    paid = sorted(map(sorted, evidence(found, "Payment")))
    assert paid == sorted([sorted(after_divorce), sorted(son_paid), []])
    assert {e3} in evidence(found, "Enrollment")


def test_accounts_inside_the_household_are_not_third_parties(scenario: Scenario) -> None:
    c = County()
    # A wife's account, a daughter-in-law married in before the payments, a jointly held account
    # (the wife and her brother outside the household), a wife who died and was reported late.
    h1 = c.household(VA)
    head = c.person(h1, "孙一", date(1960, 1, 1))
    wife = c.person(h1, "周二", date(1962, 1, 1), sex="F", relation="spouse")
    own = c.account(wife, "622800000002000101")
    e1 = c.enrollment("DIBAO", household=h1, covered=[head, wife], account=own)
    c.payment(e1, "2026-02", account="622800000002000101")
    h2 = c.household(VA)
    elder = c.person(h2, "吴老太", date(1938, 1, 1), sex="F")
    bride = c.person(h2, "郑三", date(1990, 1, 1), sex="F", relation="child_in_law", since="2025-05-20")
    e2 = c.enrollment("TEKUN", person=elder, start="2025-06-01")
    c.payment(e2, "2025-07", account=c.account(bride, "622800000002000201"))
    h3 = c.household(VB)
    husband = c.person(h3, "冯四", date(1965, 1, 1))
    spouse = c.person(h3, "陈五", date(1966, 1, 1), sex="F", relation="spouse")
    brother = c.person(c.household(VC), "陈六", date(1970, 1, 1))
    joint = c.account(spouse, "622800000002000301")
    c.account(brother, joint, joint=True)
    e3 = c.enrollment("DIBAO", household=h3, covered=[husband, spouse], account=joint)
    c.payment(e3, "2026-03", account=joint)
    h4 = c.household(VB)
    widower = c.person(h4, "褚七", date(1950, 1, 1))
    late = c.person(h4, "卫八", date(1952, 1, 1), sex="F", relation="spouse", until="2026-04-10")
    c.death(late, "2026-04-10", reported="2026-10-20")
    her_account = c.account(late, "622800000002000401")
    e4 = c.enrollment("DIBAO", household=h4, covered=[widower, late], start="2025-01-01", account=her_account)
    after_death = {c.payment(e4, p, account=her_account) for p in ("2026-05", "2026-06")}
    out = scenario.run(c, THIRD, DEAD)
    assert out[THIRD] == []
    # The late-reported death is DECEASED_PAID, not a third party: the account is her household's.
    assert evidence(out[DEAD], "Payment") == [after_death]


def test_a_newborn_entered_late_is_judged_by_the_household_joined_first(scenario: Scenario) -> None:
    c = County()
    # A baby born on 25 March and entered in the register on 8 April; its rehabilitation grant
    # pays March into the mother's account: her household is the baby's first.
    h1 = c.household(VA)
    mother = c.person(h1, "冯丽", date(1978, 8, 27), sex="F")
    baby = c.person(h1, "郑平军", date(2026, 3, 25), relation="child", since="2026-04-08")
    e1 = c.enrollment(
        "REHAB", person=baby, start="2026-03-01", account=c.account(mother, "622800000005000101")
    )
    for period in ("2026-03", "2026-04", "2026-05"):
        c.payment(e1, period, account="622800000005000101")
    # The same shape into a neighbour's account: a third party whatever the month.
    h2 = c.household(VB)
    c.person(h2, "褚芳", date(1985, 2, 2), sex="F")
    baby2 = c.person(h2, "褚安", date(2026, 3, 20), relation="child", since="2026-04-02")
    neighbour = c.person(c.household(VB), "卫强", date(1980, 5, 5))
    e2 = c.enrollment(
        "REHAB", person=baby2, start="2026-03-01", account=c.account(neighbour, "622800000005000201")
    )
    paid = {c.payment(e2, period, account="622800000005000201") for period in ("2026-03", "2026-04")}
    found = scenario.run(c, THIRD)[THIRD]
    assert evidence(found, "Household") == [{h2}]
    assert evidence(found, "Payment") == [paid]


def test_a_chain_through_different_identifiers_is_one_ring(scenario: Scenario) -> None:
    c = County()
    # A and B share a phone; C's grant is paid into B's account.
    (ha, pa, _), (hb, pb, _) = (
        _recipient(c, VA, "甲", date(1950, 1, 1)),
        _recipient(c, VB, "乙", date(1951, 1, 1)),
    )
    c.phone(pa, "13900000011")
    c.phone(pb, "13900000011")
    b_account = c.account(pb, "622800000003000101")
    hc, _, ec = _recipient(c, VC, "丙", date(1952, 1, 1), account=b_account)
    c.payment(ec, "2026-04", account=b_account)
    # A chain of three phones and an address through four households in two townships.
    chain = [
        _recipient(c, v, n, date(1955, 1, i + 1))
        for i, (v, n) in enumerate(((VA, "丁"), (VB, "戊"), (VC, "己"), (VC, "庚")))
    ]
    for (_, x, _), (_, y, _), phone in zip(
        chain, chain[1:], ("13900000021", "13900000022", "13900000023"), strict=False
    ):
        c.phone(x, phone)
        c.phone(y, phone)
    c.address(chain[2][1], "星村镇南村88号")
    c.address(chain[3][1], "星村镇南村88号")
    found = scenario.run(c, RING)[RING]
    assert evidence(found, "Household") == sorted([{ha, hb, hc}, {h for h, _, _ in chain}], key=sorted)
    first = next(s for s in found if ha in {e.key for e in s.evidence})
    shared = {tuple(i) for i in first.details["identifiers"]}
    assert {("phone", "13900000011"), ("account", b_account)} <= shared


def test_unrelated_households_paid_into_one_agents_account(scenario: Scenario) -> None:
    c = County()
    # Three elderly households, in two townships, all paid into a go-between's account; the
    # agent's own household receives nothing.
    agent = c.person(c.household(VB), "代办人", date(1978, 1, 1))
    agents = c.account(agent, "622800000004000101")
    elderly = [
        _recipient(c, v, n, date(1936 + i, 5, 5), account=agents)
        for i, (v, n) in enumerate(((VA, "老甲"), (VB, "老乙"), (VC, "老丙")))
    ]
    for _, _, e in elderly:
        c.payment(e, "2026-06", account=agents)
    # Decoy: a care home's account paid for more households than the rule lets link (集中供养).
    home = c.person(c.household(VC), "敬老院", date(1970, 1, 1))
    care = c.account(home, "622800000004000201")
    for i in range(10):
        _, _, e = _recipient(c, VC, f"入住{i}", date(1930, 1, 1 + i), account=care)
        c.payment(e, "2026-06", account=care)
    out = scenario.run(c, RING, THIRD)
    assert evidence(out[RING], "Household") == [{h for h, _, _ in elderly}]
    assert agent in {e.key for e in out[RING][0].evidence if e.label == "Person"}
    assert len(out[THIRD]) == 13  # each grant is also paid to a third party


def test_two_households_need_more_than_one_shared_phone(scenario: Scenario) -> None:
    c = County()
    # Decoys: two households sharing one phone and nothing else; kin sharing a phone and an
    # account; a grant paid into the account of the grantee's spouse.
    (_, x, _), (_, y, _) = (
        _recipient(c, VA, "邻甲", date(1950, 1, 1)),
        _recipient(c, VA, "邻乙", date(1951, 1, 1)),
    )
    c.phone(x, "13900000031")
    c.phone(y, "13900000031")
    (_, k1, _), (_, k2, _) = (
        _recipient(c, VB, "兄", date(1950, 2, 2)),
        _recipient(c, VB, "弟", date(1953, 2, 2)),
    )
    c.kin(k1, k2, "sibling")
    c.phone(k1, "13900000032")
    c.phone(k2, "13900000032")
    c.account(k1, "622800000005000101")
    c.account(k2, "622800000005000101", joint=True)
    h = c.household(VC)
    head = c.person(h, "户主", date(1960, 3, 3))
    wife = c.person(h, "妻", date(1961, 3, 3), sex="F", relation="spouse")
    c.enrollment("DIBAO", household=h, covered=[head, wife], account=c.account(wife, "622800000005000201"))
    # Found: a pair sharing a phone and an address; a pair sharing a phone, one paid into the other's account.
    (hp, p, _), (hq, q, _) = (
        _recipient(c, VC, "丁甲", date(1944, 4, 4)),
        _recipient(c, VC, "丁乙", date(1945, 4, 4)),
    )
    for person in (p, q):
        c.phone(person, "13900000033")
        c.address(person, "星村镇南村5号")
    hr, r, _ = _recipient(c, VA, "戊甲", date(1946, 4, 4))
    c.phone(r, "13900000034")
    r_account = c.account(r, "622800000005000301")
    hs, s, es = _recipient(c, VB, "戊乙", date(1947, 4, 4), account=r_account)
    c.phone(s, "13900000034")
    c.payment(es, "2026-05", account=r_account)
    found = scenario.run(c, RING)[RING]
    assert evidence(found, "Household") == sorted([{hp, hq}, {hr, hs}], key=sorted)
