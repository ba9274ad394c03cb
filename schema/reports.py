"""Reports and complaints (投诉举报) for staff: intake by phone, letter or visit, the
investigators' list with the overdue first, and triage (assign, link, reject)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.reports import ReportCategory as ReportCategoryEnum
from domain.reports import ReportChannel as ReportChannelEnum
from domain.reports import ReportStatus, ReportStep
from resolvers.context import RequestContext
from resolvers.reports import (
    REPORT_LIFECYCLE,
    fetch_report,
    fetch_reports,
    intake,
    name_subjects,
    report_step,
)
from schema.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, VersionConflict
from schema.steps import StepEvent, take_step
from schema.validation import UNPRINTABLE, person_key_input, purpose_problem

ReportCategory = strawberry.enum(ReportCategoryEnum, description="What a report is about.")
ReportChannel = strawberry.enum(ReportChannelEnum, description="How a report came in.")
MAX_NAMED = 50  # persons, households, staff or villages one report names


def text_problem(value: str | None, field: str, low: int, high: int) -> InvalidInput | None:
    text = (value or "").strip()
    if not low <= len(text) <= high:
        return InvalidInput(field=field, message=f"{low}-{high} characters")
    if any(ch not in "\n\t" and unicodedata.category(ch) in UNPRINTABLE for ch in text):
        return InvalidInput(field=field, message="no control or invisible characters")
    return None


@strawberry.type
class ReportEvent(StepEvent):
    pass


@strawberry.type
class NamedSubject:
    kind: str = strawberry.field(description="Person, Staff, Household or Village")
    key: str
    name: str | None


@strawberry.type
class Report:
    report_id: str
    category: str
    channel: str
    status: str
    version: int
    summary: str
    named_text: str | None = strawberry.field(description="whom the reporter named, as they wrote it")
    reporter_contact: str | None = strawberry.field(description="only when the reporter chose to give one")
    received_at: str
    received_by: str
    due_date: date | None
    overdue: bool
    assignee: str | None
    reject_reason: str | None
    named: list[NamedSubject]
    finding_ids: list[str]
    investigation_ids: list[str]
    events: list[ReportEvent]


def report(row: dict[str, Any]) -> Report:
    r = row["report"]
    due = r.get("due_date")
    return Report(
        report_id=r["report_id"],
        category=r["category"],
        channel=r["channel"],
        status=r["status"],
        version=r["version"],
        summary=r.get("summary") or "",
        named_text=r.get("named_text"),
        reporter_contact=r.get("reporter_contact"),
        received_at=str(r.get("received_at")),
        received_by=r.get("received_by") or "",
        due_date=due.to_native() if hasattr(due, "to_native") else due,
        overdue=bool(row.get("overdue")),
        assignee=r.get("assignee"),
        reject_reason=r.get("reject_reason"),
        named=[NamedSubject(kind=n["kind"], key=n["key"], name=n.get("name")) for n in row.get("named", [])],
        finding_ids=sorted(row.get("findings", [])),
        investigation_ids=sorted(row.get("investigations", [])),
        events=[ReportEvent.from_record(e) for e in sorted(row.get("events", []), key=lambda e: e["at"])],
    )


@strawberry.type
class ReportReceipt:
    report_id: str
    tracking_code: str = strawberry.field(
        description="for the reporter: shows the report's status and nothing else; shown once"
    )
    status: str
    due_date: date


@strawberry.type
class ReportList:
    reports: list[Report]


@strawberry.input
class ReportInput:
    category: ReportCategory  # type: ignore[valid-type]
    channel: ReportChannel  # type: ignore[valid-type]
    summary: str = strawberry.field(description="what was reported, 10-4000 characters")
    named_text: str | None = None
    reporter_contact: str | None = None
    person_id_numbers: list[str] = strawberry.field(default_factory=list)
    staff_ids: list[str] = strawberry.field(default_factory=list)
    household_ids: list[str] = strawberry.field(default_factory=list)
    village_codes: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class ReportLinks:
    finding_ids: list[str] = strawberry.field(default_factory=list)
    person_id_numbers: list[str] = strawberry.field(default_factory=list)
    staff_ids: list[str] = strawberry.field(default_factory=list)
    household_ids: list[str] = strawberry.field(default_factory=list)
    village_codes: list[str] = strawberry.field(default_factory=list)


ReceiptResult = Annotated[ReportReceipt | Forbidden | InvalidInput, strawberry.union("ReportReceiptResult")]
ReportResult = Annotated[
    Report | NotFound | Forbidden | InvalidInput | VersionConflict | InvalidTransition,
    strawberry.union("ReportResult"),
]
ReportListResult = Annotated[ReportList | Forbidden | InvalidInput, strawberry.union("ReportListResult")]


def subjects(
    persons: list[str], staff: list[str], households: list[str], villages: list[str], findings: list[str]
) -> dict[str, list[str]] | InvalidInput:
    """The keys a report names, normalised as the loaders store them; or what is wrong."""
    if sum(map(len, (persons, staff, households, villages, findings))) > MAX_NAMED:
        return InvalidInput(
            field="named", message=f"at most {MAX_NAMED} persons, households, staff or villages"
        )
    keys = [person_key_input(p, "personIdNumbers") for p in persons if p.strip()]
    if bad := next((k for k in keys if isinstance(k, InvalidInput)), None):
        return bad
    person_keys = sorted({k for k in keys if isinstance(k, str)})
    clean = [x.strip() for x in (*staff, *households, *villages, *findings)]
    if any(len(x) > 60 for x in clean):
        return InvalidInput(field="named", message="a key of at most 60 characters")
    return {
        "persons": person_keys,
        "staff": sorted({s.strip() for s in staff if s.strip()}),
        "households": sorted({h.strip().upper() for h in households if h.strip()}),
        "villages": sorted({v.strip() for v in villages if v.strip()}),
        "findings": sorted({f.strip() for f in findings if f.strip()}),
    }


async def _step(
    info: Info[RequestContext, None],
    report_id: str,
    expected_version: int,
    step: ReportStep,
    note: str | None,
    changes: dict[str, Any],
    notify: str | None = None,
) -> Report | NotFound | VersionConflict | InvalidTransition:
    async def written(_: dict[str, Any]) -> Report:
        full = await fetch_report(info.context.gateway, report_id.strip(), date.today())
        assert full is not None  # just written
        return report(full)

    return await take_step(
        info.context,
        report_step,
        REPORT_LIFECYCLE,
        report_id.strip(),
        step,
        expected_version,
        written,
        note=note,
        changes=changes,
        notify=notify,
    )


@strawberry.type
class ReportQuery:
    @strawberry.field(description="Reports and complaints, the overdue first. Investigators. Audited.")
    async def reports(
        self,
        info: Info[RequestContext, None],
        purpose: str,
        statuses: list[str] | None = None,
        overdue_only: bool = False,
        assignee: str | None = None,
        first: int = 50,
    ) -> ReportListResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        if not 1 <= first <= ctx.settings.max_page_size:
            return InvalidInput(field="first", message=f"between 1 and {ctx.settings.max_page_size}")
        known = {s.value for s in ReportStatus}
        if statuses is not None and not set(statuses) <= known:
            return InvalidInput(field="statuses", message=f"statuses are {', '.join(sorted(known))}")
        rows = await fetch_reports(
            ctx.gateway,
            statuses=statuses,
            assignee=assignee,
            overdue_only=overdue_only,
            today=date.today(),
            limit=first,
        )
        await ctx.audit.record_reads([p for r in rows for p in r["persons"]], purpose, "reports")
        return ReportList(reports=[report(r) for r in rows])

    @strawberry.field(description="One report, with whom it names and its triage. Audited.")
    async def report(self, info: Info[RequestContext, None], report_id: str, purpose: str) -> ReportResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        row = await fetch_report(ctx.gateway, report_id.strip(), date.today())
        if row is None:
            return NotFound(message="no such report")
        await ctx.audit.record_reads(row["persons"], purpose, "report")
        return report(row)


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        description="Take a report by phone, letter or visit; the answer's tracking code is for the reporter."
    )
    async def record_report(self, info: Info[RequestContext, None], input: ReportInput) -> ReceiptResult:
        ctx = info.context
        for bad in (
            text_problem(input.summary, "summary", 10, 4000),
            text_problem(input.named_text, "namedText", 0, 500),
            text_problem(input.reporter_contact, "reporterContact", 0, 200),
        ):
            if bad is not None:
                return bad
        named = subjects(
            input.person_id_numbers, input.staff_ids, input.household_ids, input.village_codes, []
        )
        if isinstance(named, InvalidInput):
            return named
        p = ctx.principal
        row, code = await intake(
            ctx.gateway,
            ctx.settings,
            category=ReportCategoryEnum(input.category),
            channel=ReportChannelEnum(input.channel),
            summary=input.summary,
            named_text=input.named_text,
            reporter_contact=input.reporter_contact,
            by=p.subject,
            role=p.role.value,
            named=named,
        )
        due = row["due_date"]
        return ReportReceipt(
            report_id=row["report_id"],
            tracking_code=code,
            status=row["status"],
            due_date=due.to_native() if hasattr(due, "to_native") else due,
        )

    @strawberry.mutation(description="Assign a report to an investigator (who is notified).")
    async def assign_report(
        self, info: Info[RequestContext, None], report_id: str, expected_version: int, assignee: str
    ) -> ReportResult:
        if not 1 <= len(assignee.strip()) <= 100:
            return InvalidInput(field="assignee", message="name the investigator (1-100 characters)")
        name = assignee.strip()
        return await _step(
            info,
            report_id,
            expected_version,
            ReportStep.ASSIGN,
            f"assigned to {name}",
            {"assignee": name},
            name,
        )

    @strawberry.mutation(
        description="Link a report to findings, and to the persons, households, staff or villages it "
        "names; an open finding whose subject it names gets a raised priority."
    )
    async def link_report(
        self, info: Info[RequestContext, None], report_id: str, expected_version: int, links: ReportLinks
    ) -> ReportResult:
        named = subjects(
            links.person_id_numbers,
            links.staff_ids,
            links.household_ids,
            links.village_codes,
            links.finding_ids,
        )
        if isinstance(named, InvalidInput):
            return named
        if not any(named.values()):
            return InvalidInput(
                field="links", message="name at least one finding, person, household, staff or village"
            )
        ctx = info.context
        note = " ".join(k for keys in named.values() for k in keys)
        result = await _step(info, report_id, expected_version, ReportStep.LINK, note, {})
        if isinstance(result, Report):
            await name_subjects(ctx.gateway, result.report_id, **named)
            full = await fetch_report(ctx.gateway, result.report_id, date.today())
            assert full is not None
            return report(full)
        return result

    @strawberry.mutation(
        description="Reject a report, with the reason (its reporter sees only that it was not taken up)."
    )
    async def reject_report(
        self, info: Info[RequestContext, None], report_id: str, expected_version: int, reason: str
    ) -> ReportResult:
        if (bad := text_problem(reason, "reason", 4, 2000)) is not None:
            return bad
        return await _step(
            info,
            report_id,
            expected_version,
            ReportStep.REJECT,
            reason.strip(),
            {"reject_reason": reason.strip()},
        )
