"""The case workflow's mutations, with typed expected failures."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.money import to_fen, to_yuan
from loaders.rows.benefits import Channel as ChannelEnum
from resolvers.cases import (
    CASE_WORKFLOW,
    DECIDING,
    REVIEWING,
    Step,
    apply_step,
    conflict,
    countersign,
    flag_restricted,
    override_restriction,
    step_changes,
    submit_application,
)
from resolvers.context import RequestContext
from resolvers.reports import casework_rules
from schema.errors import (
    ConflictOfInterest,
    ConflictReason,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    VersionConflict,
)
from schema.operation_access import area_of
from schema.steps import StepEvent, step_result
from schema.validation import id_number_input
from schema.values import to_date

Channel = strawberry.enum(ChannelEnum, description="How the application came in.")


@strawberry.type
class CaseEvent(StepEvent):
    pass


@strawberry.type
class CaseRecord:
    case_id: str
    status: str
    version: int
    programme: str
    household_id: str
    township_code: str | None
    channel: str | None
    submitted_date: date | None
    publicity_start: date | None
    publicity_end: date | None
    decided_date: date | None
    reason: str | None
    restricted: bool = strawberry.field(
        description="someone in the household has an active dishonesty record "
        "(joint restriction): approval needs an override"
    )
    restriction_overridden: bool
    proposed_monthly_amount: Decimal | None = strawberry.field(
        description="yuan, set at review; shown in publicity"
    )
    urgent: bool = strawberry.field(
        description="granted through the green channel (先行救助): paid before publicity and review"
    )
    urgent_amount: Decimal | None = strawberry.field(description="yuan, paid when the urgent grant was made")
    review_due: date | None = strawberry.field(
        description="an urgent grant: the day by which it is to be decided (rules/casework.toml)"
    )
    recovery_amount: Decimal | None = strawberry.field(
        description="yuan to recover: an urgent grant reversed on review"
    )

    @strawberry.field(description="Every step of the workflow: who, when, from which status to which.")
    async def events(self, info: Info[RequestContext, None]) -> list[CaseEvent]:
        events = await info.context.case_events.load(self.case_id)
        return [CaseEvent.from_record(e) for e in events]

    @strawberry.field(
        description="Honesty incentive (守信激励): may this application take the fast track (简化审核)? "
        "Yes where the household kept its honesty commitment for the years of rules/credit.toml "
        "with no dishonesty record (the county's or another agency's) and the programme allows it."
    )
    async def fast_track(self, info: Info[RequestContext, None]) -> FastTrack:
        return FastTrack(**await info.context.fast_track.load(self.case_id))


@strawberry.type
class FastTrack:
    eligible: bool
    explanation: str = strawberry.field(description="why or why not, in plain words")


CaseResult = Annotated[
    CaseRecord
    | NotFound
    | Forbidden
    | InvalidInput
    | VersionConflict
    | InvalidTransition
    | ConflictOfInterest,
    strawberry.union("CaseResult"),
]


@strawberry.input
class SubmitApplicationInput:
    household_id: str
    programme: str
    applicant_id_number: str
    channel: Channel  # type: ignore[valid-type]
    commitment_signed: bool = strawberry.field(
        description="the applicant signed the honesty commitment (守信承诺)"
    )
    note: str | None = None


def case_record(c: dict[str, Any]) -> CaseRecord:
    return CaseRecord(
        case_id=c["case_id"],
        status=c["status"],
        version=c["version"],
        programme=c["programme_code"],
        household_id=c["household_id"],
        township_code=c.get("township_code"),
        channel=c.get("channel"),
        submitted_date=to_date(c.get("submitted_date")),
        publicity_start=to_date(c.get("publicity_start")),
        publicity_end=to_date(c.get("publicity_end")),
        decided_date=to_date(c.get("decided_date")),
        reason=c.get("reason"),
        restricted=bool(c.get("restricted")),
        restriction_overridden=bool(c.get("restriction_overridden")),
        proposed_monthly_amount=to_yuan(c.get("proposed_monthly_amount_fen")),
        urgent=bool(c.get("urgent")),
        urgent_amount=to_yuan(c.get("urgent_amount_fen")),
        review_due=to_date(c.get("review_due")),
        recovery_amount=to_yuan(c.get("recovery_fen")),
    )


async def _step(
    info: Info[RequestContext, None],
    case_id: str,
    expected_version: int,
    step: Step,
    note: str | None = None,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> CaseResult:
    ctx = info.context
    if step in (
        Step.REVIEW_REJECT,
        Step.DECIDE_REJECT,
        Step.SUSPEND,
        Step.TERMINATE,
        Step.OBJECTION,
    ) and not (reason and reason.strip()):
        return InvalidInput(field="reason", message="give the reason; it is shown to the applicant")
    p = ctx.principal
    if step in (*REVIEWING, *DECIDING):
        refused = await _conflict_of_interest(info, case_id, step)
        if refused is not None:
            return refused
    row = await apply_step(
        ctx.gateway,
        case_id,
        step,
        expected_version,
        township=area_of(info).township,
        by=p.subject,
        role=p.role.value,
        note=note,
        changes=step_changes(step, date.today(), ctx.settings.publicity_days, reason) | (extra or {}),
    )
    if row is not None and not row["ok"] and row.get("blocked"):
        return InvalidTransition(
            status=row["before"],
            message=(
                "joint restriction: someone in this household has an active dishonesty record; "
                "a credit officer must override it (overrideRestriction) before approval"
            ),
        )

    async def written(done: dict[str, Any]) -> CaseRecord:
        return case_record(done["case"])

    # step_result, not take_step: the precondition's words come from the row.
    return await step_result(
        CASE_WORKFLOW,
        step,
        row,
        expected_version,
        written,
        precondition=f"the publicity window runs until {row['publicity_end']}" if row else "",
        not_found=NotFound(),
    )


async def _conflict_of_interest(
    info: Info[RequestContext, None], case_id: str, step: Step
) -> ConflictOfInterest | None:
    """Refuses a review or decision the caller must stand aside from (rules/casework.toml)."""
    ctx = info.context
    row = await conflict(ctx.gateway, case_id, township=area_of(info).township, by=ctx.principal.subject)
    if row is None or row["status"] not in CASE_WORKFLOW.transitions[step].allowed_from:
        return None  # the step itself answers NotFound, or why it does not start from here
    relatives_rule, separation = casework_rules(
        ctx.settings.casework_rules_file
    ).conflict_of_interest.for_programme(row["programme"] or "")
    if separation and step in DECIDING and row["investigated"]:
        return ConflictOfInterest(
            reason=ConflictReason.INVESTIGATED_THE_CASE,
            message="you recorded this case's home investigation; another caseworker decides it",
        )
    relatives = row["relatives"]
    if relatives_rule and relatives:
        if not all(r["filed"] for r in relatives):
            return ConflictOfInterest(
                reason=ConflictReason.RELATIVE_NOT_FILED,
                message=f"{len(relatives)} of this case's beneficiaries are your kin or household members "
                "and the relation is not filed (备案); stand aside (回避) or file it",
            )
        signed = row["countersigned_by"]
        if signed is None or signed == ctx.principal.subject:
            return ConflictOfInterest(
                reason=ConflictReason.COUNTERSIGN_NEEDED,
                message="your relation to a beneficiary is filed (备案); a second caseworker must "
                "countersign this case (countersignCase) before you review or decide it",
            )
    return None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Accept an application at the window, online, assisted (帮办代办) or found "
        "by a grid worker. The signed honesty commitment is required."
    )
    async def submit_application(
        self, info: Info[RequestContext, None], input: SubmitApplicationInput
    ) -> CaseResult:
        ctx = info.context
        if not input.commitment_signed:
            return InvalidInput(field="commitmentSigned", message="the honesty commitment must be signed")
        applicant = id_number_input(input.applicant_id_number, "applicantIdNumber")
        if isinstance(applicant, InvalidInput):
            return applicant
        p = ctx.principal
        case_id = f"A{date.today():%Y%m%d}-{uuid.uuid4().hex[:10].upper()}"
        row = await submit_application(
            ctx.gateway,
            household_id=input.household_id.strip().upper(),
            township=area_of(info).township,
            applicant=applicant,
            programme=input.programme.strip().upper(),
            case_id=case_id,
            channel=ChannelEnum(input.channel).value,
            by=p.subject,
            role=p.role.value,
            note=input.note,
        )
        if row is None:
            return NotFound(
                message="no such household in your township with that applicant, or no such programme"
            )
        # Joint restriction: flagged when submitted, in any programme of any department.
        return case_record(await flag_restricted(ctx.gateway, row["case"]["case_id"]))

    @strawberry.mutation(description="Record the home investigation and verification results; to review.")
    async def record_home_investigation(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, summary: str
    ) -> CaseResult:
        return await _step(info, case_id, expected_version, Step.INVESTIGATE, note=summary)

    @strawberry.mutation(
        description="Township review: approve for publicity (with the proposed monthly amount, "
        "yuan, shown in the publicity list), or reject with the reason."
    )
    async def review_case(
        self,
        info: Info[RequestContext, None],
        case_id: str,
        expected_version: int,
        approve: bool,
        reason: str | None = None,
        proposed_monthly_amount: Decimal | None = None,
    ) -> CaseResult:
        if proposed_monthly_amount is not None and (
            not proposed_monthly_amount.is_finite() or not 0 <= proposed_monthly_amount <= 100_000
        ):
            return InvalidInput(field="proposedMonthlyAmount", message="a monthly amount in yuan, 0-100000")
        extra = (
            {}
            if proposed_monthly_amount is None
            else {"proposed_monthly_amount_fen": to_fen(proposed_monthly_amount)}
        )
        return await _step(
            info,
            case_id,
            expected_version,
            Step.REVIEW_APPROVE if approve else Step.REVIEW_REJECT,
            reason=reason,
            extra=extra,
        )

    @strawberry.mutation(
        description="Joint restriction: let a restricted application be approved, with the "
        "reason (credit officers, recorded)."
    )
    async def override_restriction(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, reason: str
    ) -> CaseResult:
        ctx = info.context
        if not 10 <= len(reason.strip()) <= 2000:
            return InvalidInput(
                field="reason", message="give the reason for the override (10-2000 characters)"
            )
        p = ctx.principal
        row = await override_restriction(
            ctx.gateway,
            case_id.strip(),
            expected_version,
            by=p.subject,
            role=p.role.value,
            reason=reason.strip(),
        )
        if row is None:
            return NotFound(message="no such case")
        if row["ok"]:
            return case_record(row["case"])
        if not row["restricted"]:
            return InvalidTransition(
                status=row["case"]["status"], message="this application is not restricted"
            )
        return VersionConflict(current_version=row["seen"])

    @strawberry.mutation(
        description="Countersign a case as its second approver, where the reviewer or decider has "
        "a filed relation (备案) to a beneficiary. You may not be related to them yourself."
    )
    async def countersign_case(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, reason: str
    ) -> CaseResult:
        ctx = info.context
        if not 10 <= len(reason.strip()) <= 2000:
            return InvalidInput(field="reason", message="give the grounds (10-2000 characters)")
        p = ctx.principal
        row = await countersign(
            ctx.gateway,
            case_id.strip(),
            expected_version,
            township=area_of(info).township,
            by=p.subject,
            role=p.role.value,
            reason=reason.strip(),
        )
        if row is None:
            return NotFound(message="no such case")
        if row["ok"]:
            return case_record(row["case"])
        if row["related"]:
            return ConflictOfInterest(
                reason=ConflictReason.RELATIVE_NOT_FILED,
                message="you are related to this case's beneficiaries yourself; "
                "another caseworker countersigns",
            )
        if row["seen"] != expected_version:
            return VersionConflict(current_version=row["seen"])
        return InvalidTransition(
            status=row["case"]["status"], message="a case is countersigned while under review or in publicity"
        )

    @strawberry.mutation(description="An objection during the publicity window: back to investigation.")
    async def record_objection(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, objection: str
    ) -> CaseResult:
        return await _step(info, case_id, expected_version, Step.OBJECTION, reason=objection)

    @strawberry.mutation(description="Approve or reject once the publicity window is over.")
    async def decide_case(
        self,
        info: Info[RequestContext, None],
        case_id: str,
        expected_version: int,
        approve: bool,
        reason: str | None = None,
    ) -> CaseResult:
        return await _step(
            info,
            case_id,
            expected_version,
            Step.DECIDE_APPROVE if approve else Step.DECIDE_REJECT,
            reason=reason,
        )

    @strawberry.mutation(description="Suspend an approved case, with the reason.")
    async def suspend_case(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, reason: str
    ) -> CaseResult:
        return await _step(info, case_id, expected_version, Step.SUSPEND, reason=reason)

    @strawberry.mutation(description="Resume a suspended case.")
    async def resume_case(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, note: str | None = None
    ) -> CaseResult:
        return await _step(info, case_id, expected_version, Step.RESUME, note=note)

    @strawberry.mutation(description="Terminate an approved or suspended case, with the reason.")
    async def terminate_case(
        self, info: Info[RequestContext, None], case_id: str, expected_version: int, reason: str
    ) -> CaseResult:
        return await _step(info, case_id, expected_version, Step.TERMINATE, reason=reason)
