"""Investigations (case files) for investigators: open one with findings and reports, add
to it, notes, hand-over, review, referral and closing. Attachments are uploaded and
downloaded over HTTP (reliefgraph/attachment_routes.py); here they are listed."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.investigations import InvestigationStatus, InvestigationStep
from domain.investigations import Outcome as OutcomeEnum
from domain.investigations import ReferredTo as ReferredToEnum
from resolvers.context import RequestContext
from resolvers.investigations import (
    INVESTIGATION_LIFECYCLE,
    add_members,
    add_note,
    fetch_investigations,
    investigation_file,
    investigation_step,
    members_found,
    open_with_members,
)
from schema.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, VersionConflict
from schema.findings import Finding, finding
from schema.reports import text_problem
from schema.steps import StepEvent, step_result, take_step
from schema.validation import purpose_problem

Outcome = strawberry.enum(OutcomeEnum, description="How a closed investigation ended.")
ReferredTo = strawberry.enum(ReferredToEnum, description="Where an investigation was referred.")
MAX_MEMBERS = 100  # findings and reports added in one call


@strawberry.enum
class InvestigationMove(Enum):
    SUBMIT_REVIEW = "submit_review"
    RETURN = "return"


@strawberry.type
class InvestigationEvent(StepEvent):
    pass


@strawberry.type
class Note:
    note_id: str
    text: str
    author: str
    at: str


@strawberry.type
class Attachment:
    attachment_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str
    download_path: str = strawberry.field(description="GET it with your bearer token and ?purpose=")


def attachment(a: dict[str, Any]) -> Attachment:
    return Attachment(
        attachment_id=a["attachment_id"],
        filename=a["filename"],
        media_type=a["media_type"],
        size=a["size"],
        sha256=a["sha256"],
        uploaded_by=a["uploaded_by"],
        uploaded_at=a["uploaded_at"],
        download_path=f"/attachments/{a['attachment_id']}",
    )


@strawberry.type
class InvestigationReport:
    report_id: str
    category: str
    status: str
    summary: str


@strawberry.type
class Investigation:
    investigation_id: str
    title: str
    owner: str
    status: str
    version: int
    opened_at: str
    opened_by: str
    referred_to: str | None
    outcome: str | None
    conclusion: str | None
    findings: list[Finding]
    reports: list[InvestigationReport]
    notes: list[Note]
    attachments: list[Attachment]
    events: list[InvestigationEvent]


@strawberry.type
class InvestigationSummary:
    investigation_id: str
    title: str
    owner: str
    status: str
    version: int
    opened_at: str
    finding_count: int
    report_count: int


@strawberry.type
class InvestigationList:
    investigations: list[InvestigationSummary]


def investigation(file: dict[str, Any], purpose: str = "investigation") -> Investigation:
    i = file["investigation"]
    return Investigation(
        investigation_id=i["investigation_id"],
        title=i["title"],
        owner=i["owner"],
        status=i["status"],
        version=i["version"],
        opened_at=str(i.get("opened_at")),
        opened_by=i.get("opened_by") or "",
        referred_to=i.get("referred_to"),
        outcome=i.get("outcome"),
        conclusion=i.get("conclusion"),
        findings=[finding(f, purpose) for f in file["findings"]],
        reports=[
            InvestigationReport(
                report_id=r["report_id"],
                category=r["category"],
                status=r["status"],
                summary=r.get("summary") or "",
            )
            for r in file["reports"]
        ],
        notes=[
            Note(note_id=n["note_id"], text=n["text"], author=n["author"], at=n["at"]) for n in file["notes"]
        ],
        attachments=[attachment(a) for a in file["attachments"]],
        events=[InvestigationEvent.from_record(e) for e in file["events"]],
    )


InvestigationResult = Annotated[
    Investigation | NotFound | Forbidden | InvalidInput | VersionConflict | InvalidTransition,
    strawberry.union("InvestigationResult"),
]
InvestigationListResult = Annotated[
    InvestigationList | Forbidden | InvalidInput, strawberry.union("InvestigationListResult")
]
NoteResult = Annotated[Note | NotFound | Forbidden | InvalidInput, strawberry.union("NoteResult")]


def _ids(values: list[str], field: str) -> list[str] | InvalidInput:
    ids = sorted({v.strip() for v in values if v.strip()})
    if len(ids) > MAX_MEMBERS or any(len(v) > 60 for v in ids):
        return InvalidInput(field=field, message=f"at most {MAX_MEMBERS} ids of at most 60 characters")
    return ids


async def _members(
    ctx: RequestContext, finding_ids: list[str], report_ids: list[str]
) -> tuple[list[str], list[str]] | InvalidInput:
    findings, reports = _ids(finding_ids, "findingIds"), _ids(report_ids, "reportIds")
    if isinstance(findings, InvalidInput):
        return findings
    if isinstance(reports, InvalidInput):
        return reports
    found_f, found_r = await members_found(ctx.gateway, findings, reports)
    if missing := [f for f in findings if f not in found_f]:
        return InvalidInput(field="findingIds", message=f"no such finding: {', '.join(missing)}")
    if missing := [r for r in reports if r not in found_r]:
        return InvalidInput(
            field="reportIds", message=f"no such report, or rejected or concluded: {', '.join(missing)}"
        )
    return findings, reports


async def _file(ctx: RequestContext, investigation_id: str) -> Investigation:
    file = await investigation_file(ctx.gateway, investigation_id)
    assert file is not None  # just written
    return investigation(file)


async def _step(
    info: Info[RequestContext, None],
    investigation_id: str,
    expected_version: int,
    step: InvestigationStep,
    note: str | None,
    changes: dict[str, Any],
    notify: str | None = None,
) -> InvestigationResult:
    async def written(_: dict[str, Any]) -> Investigation:
        return await _file(info.context, investigation_id.strip())

    return await take_step(
        info.context,
        investigation_step,
        INVESTIGATION_LIFECYCLE,
        investigation_id.strip(),
        step,
        expected_version,
        written,
        note=note,
        changes=changes,
        notify=notify,
    )


@strawberry.type
class InvestigationQuery:
    @strawberry.field(description="Investigations, newest first, by status and owner. Investigators.")
    async def investigations(
        self,
        info: Info[RequestContext, None],
        statuses: list[str] | None = None,
        owner: str | None = None,
        first: int = 50,
    ) -> InvestigationListResult:
        ctx = info.context
        if not 1 <= first <= ctx.settings.max_page_size:
            return InvalidInput(field="first", message=f"between 1 and {ctx.settings.max_page_size}")
        known = {s.value for s in InvestigationStatus}
        if statuses is not None and not set(statuses) <= known:
            return InvalidInput(field="statuses", message=f"statuses are {', '.join(sorted(known))}")
        rows = await fetch_investigations(ctx.gateway, statuses=statuses, owner=owner, limit=first)
        return InvestigationList(
            investigations=[
                InvestigationSummary(
                    investigation_id=r["investigation"]["investigation_id"],
                    title=r["investigation"]["title"],
                    owner=r["investigation"]["owner"],
                    status=r["investigation"]["status"],
                    version=r["investigation"]["version"],
                    opened_at=str(r["investigation"].get("opened_at")),
                    finding_count=r["findings"],
                    report_count=r["reports"],
                )
                for r in rows
            ]
        )

    @strawberry.field(
        description="One investigation: its findings, reports, notes, attachments, events. Audited."
    )
    async def investigation(
        self, info: Info[RequestContext, None], investigation_id: str, purpose: str
    ) -> InvestigationResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        file = await investigation_file(ctx.gateway, investigation_id.strip())
        if file is None:
            return NotFound(message="no such investigation")
        await ctx.audit.record_reads(file["persons"], purpose, "investigation")
        return investigation(file, purpose)


@strawberry.type
class InvestigationMutation:
    @strawberry.mutation(
        description="Open an investigation with findings and reports; you own it unless you name the owner."
    )
    async def open_investigation(
        self,
        info: Info[RequestContext, None],
        title: str,
        finding_ids: list[str] | None = None,
        report_ids: list[str] | None = None,
        owner: str | None = None,
    ) -> InvestigationResult:
        ctx = info.context
        if (bad := text_problem(title, "title", 4, 200)) is not None:
            return bad
        if owner is not None and not 1 <= len(owner.strip()) <= 100:
            return InvalidInput(field="owner", message="name the owner (1-100 characters)")
        members = await _members(ctx, finding_ids or [], report_ids or [])
        if isinstance(members, InvalidInput):
            return members
        p = ctx.principal
        findings, reports = members
        opened = await open_with_members(
            ctx.gateway,
            title=title.strip(),
            owner=(owner or p.subject).strip(),
            findings=findings,
            reports=reports,
            by=p.subject,
            role=p.role.value,
            today=date.today(),
        )
        return await _file(ctx, opened)

    @strawberry.mutation(description="Add findings and reports to an open investigation.")
    async def add_to_investigation(
        self,
        info: Info[RequestContext, None],
        investigation_id: str,
        expected_version: int,
        finding_ids: list[str] | None = None,
        report_ids: list[str] | None = None,
    ) -> InvestigationResult:
        ctx = info.context
        members = await _members(ctx, finding_ids or [], report_ids or [])
        if isinstance(members, InvalidInput):
            return members
        findings, reports = members
        if not findings and not reports:
            return InvalidInput(field="findingIds/reportIds", message="name a finding or a report to add")
        p = ctx.principal
        row = await add_members(
            ctx.gateway,
            investigation_id.strip(),
            expected_version,
            findings=findings,
            reports=reports,
            by=p.subject,
            role=p.role.value,
        )

        async def written(_: dict[str, Any]) -> Investigation:
            return await _file(ctx, investigation_id.strip())

        return await step_result(
            INVESTIGATION_LIFECYCLE, InvestigationStep.ADD, row, expected_version, written
        )

    @strawberry.mutation(description="Append a note (notes are never changed or deleted).")
    async def add_investigation_note(
        self, info: Info[RequestContext, None], investigation_id: str, text: str
    ) -> NoteResult:
        ctx = info.context
        if (bad := text_problem(text, "text", 1, 10000)) is not None:
            return bad
        p = ctx.principal
        note = await add_note(
            ctx.gateway, investigation_id.strip(), text.strip(), by=p.subject, role=p.role.value
        )
        if note is None:
            return NotFound(message="no such investigation")
        return Note(note_id=note["note_id"], text=note["text"], author=note["author"], at=note["at"])

    @strawberry.mutation(description="Hand an investigation over to another investigator (who is notified).")
    async def hand_over_investigation(
        self, info: Info[RequestContext, None], investigation_id: str, expected_version: int, owner: str
    ) -> InvestigationResult:
        if not 1 <= len(owner.strip()) <= 100:
            return InvalidInput(field="owner", message="name the new owner (1-100 characters)")
        name = owner.strip()
        return await _step(
            info,
            investigation_id,
            expected_version,
            InvestigationStep.HAND_OVER,
            f"handed over to {name}",
            {"owner": name},
            name,
        )

    @strawberry.mutation(description="Submit an open investigation for review, or return it from review.")
    async def move_investigation(
        self,
        info: Info[RequestContext, None],
        investigation_id: str,
        expected_version: int,
        move: InvestigationMove,
        note: str | None = None,
    ) -> InvestigationResult:
        if (bad := text_problem(note, "note", 0, 2000)) is not None:
            return bad
        return await _step(
            info,
            investigation_id,
            expected_version,
            InvestigationStep(move.value),
            (note or "").strip() or None,
            {},
        )

    @strawberry.mutation(
        description="Refer an investigation (纪委监委, the police, a credit officer), with the grounds."
    )
    async def refer_investigation(
        self,
        info: Info[RequestContext, None],
        investigation_id: str,
        expected_version: int,
        referred_to: ReferredTo,  # type: ignore[valid-type]
        grounds: str,
    ) -> InvestigationResult:
        if (bad := text_problem(grounds, "grounds", 10, 4000)) is not None:
            return bad
        to = ReferredToEnum(referred_to).value
        return await _step(
            info,
            investigation_id,
            expected_version,
            InvestigationStep.REFER,
            grounds.strip(),
            {"referred_to": to, "conclusion": grounds.strip()},
        )

    @strawberry.mutation(description="Close an investigation with its outcome and conclusion.")
    async def close_investigation(
        self,
        info: Info[RequestContext, None],
        investigation_id: str,
        expected_version: int,
        outcome: Outcome,  # type: ignore[valid-type]
        conclusion: str,
    ) -> InvestigationResult:
        if (bad := text_problem(conclusion, "conclusion", 10, 4000)) is not None:
            return bad
        return await _step(
            info,
            investigation_id,
            expected_version,
            InvestigationStep.CLOSE,
            conclusion.strip(),
            {"outcome": OutcomeEnum(outcome).value, "conclusion": conclusion.strip()},
        )
