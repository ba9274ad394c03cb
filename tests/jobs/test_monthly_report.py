"""The monthly township report: the spreadsheet, read back with python-calamine, holds the
figures a plain count over the county's tables gives."""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path

from neo4j import Driver
from python_calamine import CalamineWorkbook

from detection.rules import read_rules
from jobs.monthly_report import COLUMNS, monthly_report, write_report
from settings import Settings
from tests.detection.builder import T1, T2, VA, VC, County

MONTH = "2026-10"


def test_the_spreadsheet_holds_the_plain_counts(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    c = County()
    staff = {T1: c.staff(c.person(c.household(VA), "员一", date(1980, 1, 1))), T2: ""}
    c.staff(c.person(c.household(VC), "员二", date(1981, 1, 1)), township=T2)
    village = {T1: VA, T2: VC}
    # Decisions 10 to 45 days after the application, some in October, some not.
    for township, submitted, decided in (
        (T1, "2026-09-20", "2026-10-02"),
        (T1, "2026-09-01", "2026-10-16"),
        (T1, "2026-10-01", "2026-10-31"),
        (T1, "2026-08-01", "2026-09-30"),
        (T2, "2026-09-25", "2026-10-05"),
        (T2, "2026-10-20", "2026-11-02"),
    ):
        h = c.household(village[township])
        c.case(h, c.person(h, "申请人", date(1970, 1, 1)), submitted=submitted)
        c.rows["cases"][-1]["decided_date"] = decided
        if staff[township]:
            for when in ("2026-10-03", "2026-10-30", "2026-11-01"):
                c.visit(h, staff[township], when)
    c.load(graph, settings, tmp_path / "county")
    rules = read_rules(settings.detection_rules_file)
    xlsx, page = write_report(monthly_report(graph, settings, rules, MONTH), tmp_path / "out")

    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == ["乡镇代码", "乡镇(街道)", "审批件数"]
    read = {row[0]: dict(zip([k for k, _, _ in COLUMNS], row, strict=True)) for row in sheet[2:]}

    township_of = {r["village_code"]: r["township_code"] for r in c.rows["regions"]}
    home = {r["household_id"]: township_of[r["village_code"]] for r in c.rows["households"]}
    for township in (T1, T2):
        days = [
            (date.fromisoformat(r["decided_date"]) - date.fromisoformat(r["submitted_date"])).days
            for r in c.rows["cases"]
            if home[r["household_id"]] == township and r["decided_date"].startswith(MONTH)
        ]
        visits = sum(
            1
            for v in c.rows["visits"]
            if home[v["household_id"]] == township and v["visit_date"].startswith(MONTH)
        )
        staff_count = sum(1 for s in c.rows["staff"] if s["township_code"] == township)
        row = read[township]
        assert row["decided"] == len(days)
        assert row["decided_in_time"] == sum(1 for d in days if d <= rules.overdue.application_days)
        assert row["median_days"] == statistics.median(days)
        assert row["visits"] == visits
        assert row["staff"] == staff_count
        assert row["findings_opened"] == 0 and row["findings_resolved"] == 0
    assert read[T1]["staff_required"] == 5 and read[T2]["staff_required"] == 3
    assert "社会救助月度通报 2026-10" in page.read_text(encoding="utf-8")
    assert xlsx.stat().st_mode & 0o777 == 0o600
