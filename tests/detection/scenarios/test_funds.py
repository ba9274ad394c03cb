"""Scenarios for the money's path (docs/domain.md section 12, docs/detection.md): the payment
file against the grants, the bank's return against the file, allocations, the agent pattern;
each with the look-alikes the rules allow beside it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from neo4j import Driver

from detection.rules import DetectionRules
from domain.finding_kinds import FindingKind
from settings import Settings
from tests.detection.builder import T1, T2, VA, VB, VC, County
from tests.detection.scenarios.scenario import Scenario, evidence

AMOUNT = FindingKind.FUND_AMOUNT_MISMATCH
NO_GRANT = FindingKind.FUND_LINE_WITHOUT_GRANT
AFTER_END = FindingKind.FUND_PAID_AFTER_END
ACCOUNT = FindingKind.FUND_ACCOUNT_MISMATCH
REISSUED = FindingKind.FUND_REISSUED_ELSEWHERE
OVER = FindingKind.FUND_OVER_ALLOCATION
AGENT = FindingKind.FUND_AGENT_ACCOUNT


@pytest.fixture
def scenario(graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path) -> Scenario:
    return Scenario(graph, settings, rules, tmp_path)


def _household(c: County, name: str, village: str = VA, account: str = "") -> tuple[str, str]:
    h = c.household(village)
    head = c.person(h, name, date(1960, 1, 1))
    if account:
        c.account(head, account)
    return h, head


def test_lines_against_the_grants_behind_them(scenario: Scenario) -> None:
    c = County()
    # The approved amount is 500; October's line asks 650.
    h1, _ = _household(c, "甲一", account="622800000010000101")
    c.enrollment("DIBAO", household=h1, monthly="500.00", account="622800000010000101", start="2025-01-01")
    c.line("2026-09", "622800000010000101", "500.00", household=h1)
    too_much = c.line("2026-10", "622800000010000101", "650.00", household=h1)
    # A renewal at a new amount: July's line follows the new grant (not a mismatch, not after end).
    h2, _ = _household(c, "乙二", account="622800000010000201")
    c.enrollment("DIBAO", household=h2, start="2026-01-01", end="2026-06-30", monthly="500.00")
    c.enrollment("DIBAO", household=h2, start="2026-07-01", monthly="600.00")
    c.line("2026-07", "622800000010000201", "600.00", household=h2)
    # Lines with no grant behind them: a household no register holds, one that holds no grant.
    ghost = c.line("2026-10", "622800000010000301", "500.00", household="HGHOST0001")
    h3, _ = _household(c, "丙三", account="622800000010000401")
    ungranted = c.line("2026-10", "622800000010000401", "500.00", household=h3)
    # A grant starting mid-month covers its first month.
    h4, _ = _household(c, "丁四", account="622800000010000501")
    c.enrollment("DIBAO", household=h4, start="2026-10-15", monthly="500.00")
    c.line("2026-10", "622800000010000501", "500.00", household=h4)
    # Paid after the grant's end (its last month is still due), and after a case's termination.
    h5, _ = _household(c, "戊五", account="622800000010000601")
    ended = c.enrollment("DIBAO", household=h5, start="2025-01-01", end="2026-06-30", monthly="500.00")
    c.line("2026-06", "622800000010000601", "500.00", household=h5)
    after_end = {c.line(p, "622800000010000601", "500.00", household=h5) for p in ("2026-07", "2026-08")}
    h6, head6 = _household(c, "己六", account="622800000010000701")
    case = c.case(h6, head6, status="terminated")
    c.rows["cases"][-1]["decided_date"] = "2026-08-20"
    stopped = c.enrollment("DIBAO", household=h6, start="2025-01-01", monthly="500.00", case=case)
    c.line("2026-08", "622800000010000701", "500.00", household=h6)
    after_termination = c.line("2026-09", "622800000010000701", "500.00", household=h6)

    found = scenario.run(c, AMOUNT, NO_GRANT, AFTER_END)
    assert evidence(found[AMOUNT], "PaymentLine") == [{too_much}]
    assert found[AMOUNT][0].amount_fen == 15000
    assert evidence(found[NO_GRANT], "PaymentLine") == sorted([{ghost}, {ungranted}], key=sorted)
    by_grant = {s.key: {e.key for e in s.evidence if e.label == "PaymentLine"} for s in found[AFTER_END]}
    assert by_grant == {ended: after_end, stopped: {after_termination}}


def test_accounts_the_bank_credited_and_the_file_named(scenario: Scenario) -> None:
    c = County()
    stranger_h = c.household(VC)
    stranger = c.person(stranger_h, "外人", date(1980, 5, 5))
    # The bank credited another account than the file asked for.
    h7, _ = _household(c, "庚七", account="622800000020000101")
    c.enrollment("DIBAO", household=h7, start="2025-01-01", account="622800000020000101")
    diverted = c.line("2026-10", "622800000020000101", household=h7)
    c.bank_return(diverted, account="622800000020000199")
    # The file names an account a stranger holds, not the grant's.
    h8, _ = _household(c, "辛八", account="622800000020000201")
    c.enrollment("DIBAO", household=h8, start="2025-01-01", account="622800000020000201")
    renamed = c.line("2026-10", c.account(stranger, "622800000020000299"), household=h8)
    c.bank_return(renamed)
    # The file names the wife's own account: inside the household, not a finding.
    h9, _ = _household(c, "壬九", account="622800000020000301")
    wife = c.person(h9, "壬妻", date(1962, 1, 1), sex="F", relation="spouse")
    c.enrollment("DIBAO", household=h9, start="2025-01-01", account="622800000020000301")
    c.bank_return(c.line("2026-10", c.account(wife, "622800000020000399"), household=h9))
    # Refused (account closed) and re-issued: to a stranger's account, and to the head's new one.
    h10, _ = _household(c, "癸十", account="622800000020000401")
    c.enrollment("DIBAO", household=h10, start="2025-01-01", account="622800000020000401")
    refused = c.line("2026-10", "622800000020000401", household=h10)
    c.bank_return(refused, status="refused", reason="account_closed")
    elsewhere = c.line("2026-10", c.account(stranger, "622800000020000499"), household=h10)
    c.bank_return(elsewhere)
    h11, head11 = _household(c, "子十一", VB, account="622800000020000501")
    c.enrollment("DIBAO", household=h11, start="2025-01-01", account="622800000020000501")
    c.bank_return(c.line("2026-10", "622800000020000501", household=h11), status="returned", reason="销户")
    c.bank_return(c.line("2026-10", c.account(head11, "622800000020000599"), household=h11))

    found = scenario.run(c, ACCOUNT, REISSUED)
    assert evidence(found[ACCOUNT], "PaymentLine") == sorted([{diverted}, {renamed}], key=sorted)
    assert evidence(found[REISSUED], "PaymentLine") == [{refused, elsewhere}]
    assert stranger in {e.key for e in found[REISSUED][0].evidence if e.label == "Person"}


def test_townships_lines_against_their_allocation(scenario: Scenario) -> None:
    c = County()
    over = c.allocation(T1, "2026-10", "1000.00")
    for name in ("一", "二", "三"):
        h, _ = _household(c, "丑" + name)
        c.line("2026-10", f"62280000003000{len(c.rows['payment_files']):04d}", "500.00", household=h)
    # T2 asks exactly its allocation; a refused line paid nothing (its re-issue is counted).
    c.allocation(T2, "2026-10", "1000.00")
    for name in ("一", "二", "三"):
        h, _ = _household(c, "寅" + name, VC)
        line = c.line(
            "2026-10", f"62280000004000{len(c.rows['payment_files']):04d}", "500.00", household=h, township=T2
        )
        if name == "三":
            c.bank_return(line, status="refused", reason="name_mismatch")
    found = scenario.run(c, OVER)[OVER]
    assert [s.key for s in found] == [over]
    assert found[0].amount_fen == 50000


def test_one_account_credited_for_unrelated_households(scenario: Scenario) -> None:
    c = County()
    agent_h = c.household(VB)
    agent = c.person(agent_h, "代领人", date(1975, 3, 3))
    account = c.account(agent, "622800000050000001")
    unrelated = []
    for name in ("卯一", "卯二", "卯三"):
        h, _ = _household(c, name)
        c.enrollment("DIBAO", household=h, start="2025-01-01")
        c.bank_return(c.line("2026-10", account, household=h))
        unrelated.append(h)
    # Three households of one family (a mother and two married sons) paid into one son's
    # account are two groups at most: kin, not an agent.
    family_account = "622800000050000002"
    heads = []
    for name in ("辰一", "辰二", "辰三"):
        h, head = _household(c, name, VB)
        heads.append(head)
        c.bank_return(c.line("2026-10", family_account, household=h))
    c.account(heads[1], family_account)
    c.kin(heads[0], heads[1], "child")
    c.kin(heads[0], heads[2], "child")
    # Two unrelated households in one account: below the rule's three.
    pair_account = "622800000050000003"
    for name in ("巳一", "巳二"):
        h, _ = _household(c, name)
        c.bank_return(c.line("2026-10", pair_account, household=h))
    found = scenario.run(c, AGENT)[AGENT]
    assert [s.key for s in found] == [account]
    assert set(found[0].households) == set(unrelated)
    assert agent in found[0].persons
