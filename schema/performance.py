"""Township performance (绩效评价) for the dashboard: the monthly report's figures per township
and month, with the county's total, over a trend of months in one round trip; and the
investigators' staff-level roll-up of inaction (慢作为). The figures are defined in
detection/performance.py; no figure names a person."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from detection.performance import (
    MAX_MONTHS,
    MonthError,
    TownshipMonth,
    county_month,
    fetch_inaction,
    fetch_performance,
    months_ending,
    parse_month,
)
from detection.rules import DetectionRules, read_rules
from resolvers.context import RequestContext
from resolvers.directory import narrowed
from schema.errors import Forbidden, InvalidInput
from schema.operation_access import area_of


@lru_cache(maxsize=4)
def detection_rules(path: Path) -> DetectionRules:
    return read_rules(path)


@strawberry.type(description="One township's (or the county's) figures for one month.")
class TownshipMonthFigures:
    month: str
    township_code: str | None = strawberry.field(description="null: the county's total")
    township_name: str | None
    decided: int = strawberry.field(description="applications decided in the month")
    decided_in_time: int = strawberry.field(description="of them, within the time limit")
    median_days: float | None = strawberry.field(description="median days from application to decision")
    findings_opened: int
    findings_resolved: int = strawberry.field(description="confirmed, dismissed or resolved in the month")
    findings_overdue: int = strawberry.field(description="at the month's end, unanswered past the limit")
    reports_due: int = strawberry.field(description="reports and complaints due in the month")
    reports_answered_in_time: int
    visits_due: int = strawberry.field(description="basic-living households due a visit by the month's end")
    visits_due_made: int = strawberry.field(description="of them, visited in the month")
    visits: int = strawberry.field(description="visits made in the month")
    discovery_candidates: int = strawberry.field(description="active-discovery candidates found in the month")
    discovery_acted: int = strawberry.field(description="of them, acted on within the limit")
    staff: int
    staff_required: int
    recovery_records: int = strawberry.field(description="dishonesty records decided in the month")
    recovery_ordered: Decimal = strawberry.field(description="money they order recovered, yuan")


@strawberry.type
class TownshipPerformance:
    months: list[str] = strawberry.field(description="the months, oldest first")
    townships: list[TownshipMonthFigures] = strawberry.field(description="per township and month")
    county: list[TownshipMonthFigures] = strawberry.field(
        description="the county's total per month (over the townships you may read)"
    )


@strawberry.type(description="Overdue items one staff member holds today (慢作为).")
class StaffInaction:
    holder: str = strawberry.field(description="the staff id or assignee the items name")
    applications: int = strawberry.field(description="applications they handle, pending past the limit")
    findings: int = strawberry.field(description="findings assigned to them, unanswered past the limit")
    reports: int = strawberry.field(description="reports assigned to them, open past their due date")
    since: date = strawberry.field(description="when the oldest of them was submitted, detected or due")


@strawberry.type
class StaffInactionList:
    staff: list[StaffInaction]


PerformanceResult = Annotated[
    TownshipPerformance | Forbidden | InvalidInput, strawberry.union("TownshipPerformanceResult")
]
InactionResult = Annotated[StaffInactionList | Forbidden, strawberry.union("StaffInactionResult")]


def _figures(t: TownshipMonth) -> TownshipMonthFigures:
    f: dict[str, Any] = dict(t.figures)
    if f["median_days"] is not None:
        f["median_days"] = float(f["median_days"])
    return TownshipMonthFigures(month=t.month, township_code=t.code, township_name=t.name or None, **f)


@strawberry.type
class PerformanceQuery:
    @strawberry.field(
        description="The monthly report's figures (定期通报) for the `months` months up to `month` "
        "(YYYY-MM), per township and for the county. No personal data."
    )
    async def township_performance(
        self,
        info: Info[RequestContext, None],
        month: str,
        months: int = 12,
        township_code: str | None = None,
    ) -> PerformanceResult:
        ctx = info.context
        try:
            month = parse_month(month)
        except MonthError as exc:
            return InvalidInput(field="month", message=str(exc))
        if not 1 <= months <= MAX_MONTHS:
            return InvalidInput(field="months", message=f"months must be between 1 and {MAX_MONTHS}")
        wanted = (township_code or "").strip() or None
        ok, township = narrowed(area_of(info).township, wanted)
        if not ok:
            return Forbidden(message="that township is outside your jurisdiction")
        rules = detection_rules(ctx.settings.detection_rules_file)
        found = await fetch_performance(ctx.gateway, rules, month, months, township)
        listed = months_ending(month, months)
        return TownshipPerformance(
            months=listed,
            townships=[_figures(t) for t in found],
            county=[_figures(county_month(m, [t for t in found if t.month == m])) for m in listed],
        )

    @strawberry.field(
        description="Per staff member, the overdue items they hold today (慢作为): applications, "
        "findings and reports past their limits. For investigators."
    )
    async def staff_inaction(
        self, info: Info[RequestContext, None], township_code: str | None = None
    ) -> InactionResult:
        ctx = info.context
        wanted = (township_code or "").strip() or None
        ok, township = narrowed(area_of(info).township, wanted)
        if not ok:
            return Forbidden(message="that township is outside your jurisdiction")
        rules = detection_rules(ctx.settings.detection_rules_file)
        held = await fetch_inaction(ctx.gateway, rules, datetime.now(UTC), township)
        return StaffInactionList(
            staff=[
                StaffInaction(
                    holder=s.holder,
                    applications=s.applications,
                    findings=s.findings,
                    reports=s.reports,
                    since=s.since,
                )
                for s in held
            ]
        )
