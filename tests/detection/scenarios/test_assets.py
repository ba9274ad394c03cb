"""Scenarios for ASSET_INELIGIBLE's business rule (docs/domain.md section 4: "a business
registration or shareholding above 100,000 yuan"): stakes are counted, roles are not."""

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

ASSET = FindingKind.ASSET_INELIGIBLE


@pytest.fixture
def scenario(graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path) -> Scenario:
    return Scenario(graph, settings, rules, tmp_path)


def _enrolled(c: County, village: str, name: str) -> tuple[str, str, str]:
    h = c.household(village)
    p = c.person(h, name, date(1970, 1, 1))
    return h, p, c.enrollment("DIBAO", household=h, covered=[p])


def _business(c: County, person: str, role: str, capital: str = "", share: str = "") -> str:
    return c.fact(
        "businesses",
        person,
        "SJ",
        registration_no=f"9137083{len(c.rows['businesses']):011d}",
        business_name="泗水县某合作社",
        role=role,
        registered_capital=capital,
        share_amount=share,
    )


def test_a_legal_representative_holds_no_stake(scenario: Scenario) -> None:
    c = County()
    # Decoys: the village cadre who represents the collective cooperative (法定代表人) in law,
    # with 5 million yuan registered capital he does not own; a representative whose own
    # share is small; a shareholder with a small share of a large company.
    _, cadre, _ = _enrolled(c, VA, "村支书")
    _business(c, cadre, "legal_representative", capital="5000000.00")
    _, rep, _ = _enrolled(c, VB, "理事长")
    _business(c, rep, "legal_representative", capital="2000000.00", share="20000.00")
    _, small, _ = _enrolled(c, VC, "小股东")
    _business(c, small, "shareholder", capital="10000000.00", share="30000.00")
    # Found: the same cooperative's representative who also holds a share above the limit.
    _, holder, e = _enrolled(c, VA, "大股东")
    stake = _business(c, holder, "legal_representative", capital="3000000.00", share="120000.00")
    found = scenario.run(c, ASSET)[ASSET]
    assert evidence(found, "Enrollment") == [{e}]
    assert evidence(found, "Business") == [{stake}]
    assert "120,000.00" in found[0].explanation_en


def test_owners_and_shareholders_by_their_stake(scenario: Scenario) -> None:
    c = County()
    # An individual business's owner (个体工商户: the registered capital is the owner's); a
    # shareholder above the limit; a representative who is also listed as a shareholder.
    _, owner, e1 = _enrolled(c, VA, "个体户")
    _business(c, owner, "owner", capital="200000.00")
    _, share, e2 = _enrolled(c, VB, "股东")
    _business(c, share, "shareholder", capital="1000000.00", share="150000.00")
    _, both, e3 = _enrolled(c, VC, "代表兼股东")
    _business(c, both, "legal_representative", capital="8000000.00")
    _business(c, both, "shareholder", capital="8000000.00", share="400000.00")
    # Decoys: an owner at the limit exactly; a representative of a second cooperative only.
    _, at_limit, _ = _enrolled(c, VA, "小个体")
    _business(c, at_limit, "owner", capital="100000.00")
    _, coop, _ = _enrolled(c, VB, "合作社代表")
    _business(c, coop, "legal_representative", capital="600000.00")
    found = scenario.run(c, ASSET)[ASSET]
    assert evidence(found, "Enrollment") == sorted([{e1}, {e2}, {e3}], key=sorted)
    (e3_found,) = [s for s in found if e3 in {x.key for x in s.evidence}]
    assert len([x for x in e3_found.evidence if x.label == "Business"]) == 1  # the share, not the role
