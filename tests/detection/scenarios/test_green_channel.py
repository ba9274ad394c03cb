"""Scenarios for GAP_URGENT_UNREVIEWED (docs/domain.md section 12, the green channel): an urgent
temporary-assistance grant paid before publicity whose publicity and review were not done by
the day due, with decoys the rules allow."""

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

KIND = FindingKind.GAP_URGENT_UNREVIEWED
ON = date(2026, 11, 1)


@pytest.fixture
def scenario(graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path) -> Scenario:
    return Scenario(graph, settings, rules, tmp_path)


def urgent(c: County, village: str, name: str, status: str, granted: str, due: str) -> str:
    h = c.household(village)
    p = c.person(h, name, date(1970, 5, 5))
    case = c.case(h, p, programme="TEMP", status=status, submitted=granted)
    c.rows["cases"][-1].update(urgent_amount="3000.00", urgent_granted_date=granted, review_due=due)
    if status in ("approved", "rejected"):
        c.rows["cases"][-1].update(
            decided_date="2026-10-25", reason="" if status == "approved" else "收入超标"
        )
    return case


def test_an_urgent_grant_not_reviewed_by_its_due_day(scenario: Scenario) -> None:
    c = County()
    # Paid in August, due for review by 31 August: still awaiting review, and still in publicity.
    waiting = urgent(c, VA, "韩急", "under_review", "2026-08-01", "2026-08-31")
    posted = urgent(c, VB, "秦急", "in_publicity", "2026-09-10", "2026-10-10")
    # Decoys: due on the detection day itself (still within the days); due next week; reviewed
    # late but reviewed (approved), and reversed (rejected): both decided; an ordinary
    # application long under review (GAP_OVERDUE's question, not this one).
    urgent(c, VC, "许今", "under_review", "2026-10-02", ON.isoformat())
    urgent(c, VA, "何下", "in_publicity", "2026-10-08", "2026-11-07")
    urgent(c, VB, "吕审", "approved", "2026-07-01", "2026-07-31")
    urgent(c, VC, "施撤", "rejected", "2026-07-01", "2026-07-31")
    h = c.household(VA)
    c.case(
        h,
        c.person(h, "张常", date(1965, 1, 1)),
        programme="TEMP",
        status="under_review",
        submitted="2026-06-01",
    )
    found = scenario.run(c, KIND, as_of=ON)[KIND]
    assert sorted(evidence(found, "Case"), key=sorted) == sorted([{waiting}, {posted}], key=sorted)
    days = {s.details["days"] for s in found}
    assert days == {(ON - date(2026, 8, 31)).days, (ON - date(2026, 10, 10)).days}
    assert all("先行救助" in s.explanation and "review" in s.explanation_en for s in found)
