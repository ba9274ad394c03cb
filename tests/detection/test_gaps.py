"""Coverage gaps: each kind found where it is, and not in its look-alike."""

from __future__ import annotations

from datetime import date

from domain.finding_kinds import FindingKind
from tests.detection.builder import T1, T2, VA, VB, VC, County
from tests.detection.conftest import keys


def test_a_vulnerable_person_under_the_line_without_basic_living(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h = c.household(VA)
    child = c.person(h, "困境儿童", date(2015, 1, 1))
    c.fact("vulnerabilities", child, "MZ", kind="child_in_distress")
    c.poor(h, child, size=1, per_capita_monthly=300)
    # Look-alikes: flagged but enrolled; flagged but income above the line; grade 4 disability.
    h2 = c.household(VA)
    covered = c.person(h2, "已保障", date(1950, 1, 1))
    c.fact("vulnerabilities", covered, "NY", kind="registered_poverty")
    c.poor(h2, covered, size=1)
    c.enrollment("DIBAO", household=h2, covered=[covered])
    h3 = c.household(VA)
    well_off = c.person(h3, "收入高", date(1950, 1, 1))
    c.fact("disabilities", well_off, "CL", certificate_no="C1", category="physical", grade=1)
    c.poor(h3, well_off, size=1, per_capita_monthly=3000)
    h4 = c.household(VA)
    mild = c.person(h4, "轻度", date(1950, 1, 1))
    c.fact("disabilities", mild, "CL", certificate_no="C2", category="physical", grade=4)
    c.poor(h4, mild, size=1)
    found = detect(c, FindingKind.GAP_VULNERABLE_UNCOVERED)
    assert keys(found, "Person") == [{child}]
    assert found[0].village_code == VA


def test_an_enrolled_households_child_without_education_assistance(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h = c.household()
    mother = c.person(h, "母亲", date(1985, 1, 1), sex="F")
    pupil = c.person(h, "学生", date(2014, 5, 1), relation="child")
    disabled = c.person(h, "残疾", date(1960, 1, 1), relation="parent")
    c.fact("disabilities", disabled, "CL", certificate_no="C3", category="physical", grade=2)
    c.enrollment("DIBAO", household=h, covered=[mother, pupil, disabled])
    c.enrollment("REHAB", person=disabled, start="2025-06-01")
    # Look-alike: the sibling gets education assistance; a toddler is not of school age.
    sibling = c.person(h, "哥哥", date(2012, 1, 1), relation="child")
    toddler = c.person(h, "幼儿", date(2023, 1, 1), relation="child")
    c.enrollment("EDU", person=sibling, start="2025-09-01")
    found = detect(c, FindingKind.GAP_MISSING_SPECIAL)
    assert keys(found, "Person") == [{pupil}]
    assert toddler not in keys(found, "Person")[0]


def test_staffing_below_the_rule(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    # T1 (52,000 residents) has 5 caseworkers: enough. T2 (8,000) has 2 of the 3 it needs.
    home = c.household(VA)
    for i in range(5):
        c.staff(c.person(home, f"甲{i}", date(1980, 1, 1 + i), relation="other"), township=T1)
    for i in range(2):
        c.staff(c.person(home, f"乙{i}", date(1981, 1, 1 + i), relation="other"), township=T2)
    # Village stations: VA and VC have a coordinator, VB has none.
    c.staff(c.person(home, "协理员A", date(1982, 1, 1), relation="other"), role="coordinator", village=VA)
    c.staff(
        c.person(home, "协理员C", date(1982, 1, 2), relation="other"),
        role="coordinator",
        township=T2,
        village=VC,
    )
    c.staff(c.person(home, "网格员B", date(1982, 1, 3), relation="other"), role="grid_worker", village=VB)
    found = detect(c, FindingKind.GAP_STAFFING)
    assert sorted(s.key for s in found) == [f"township|{T2}", f"village|{VB}"]


def test_visits_and_applications_overdue(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    hs = c.household(VB)
    worker = c.staff(c.person(hs, "协理员", date(1985, 1, 1)), role="coordinator", village=VB)
    late = c.household(VA)
    p1 = c.person(late, "久未探访", date(1950, 1, 1))
    c.enrollment("DIBAO", household=late, covered=[p1], start="2024-01-01")
    c.visit(late, worker, "2025-06-01")
    recent = c.household(VA)
    p2 = c.person(recent, "近期探访", date(1950, 1, 1))
    c.enrollment("DIBAO", household=recent, covered=[p2], start="2024-01-01")
    c.visit(recent, worker, "2026-09-01")
    pending = c.household(VA)
    p3 = c.person(pending, "等待审批", date(1950, 1, 1))
    stale = c.case(pending, p3, status="investigating", submitted="2026-08-01")
    c.case(pending, p3, status="submitted", submitted="2026-10-20")  # look-alike: within 30 days
    found = detect(c, FindingKind.GAP_OVERDUE)
    assert sorted(s.key for s in found) == sorted([f"visit|{late}", f"case|{stale}"])
