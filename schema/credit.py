"""Dishonesty records: drafted by investigators from confirmed findings, decided, published,
repaired and corrected by civil affairs' credit officers; joint-restriction checks for every
department; and the change feed the credit-platform export reads."""

from __future__ import annotations

import calendar
import uuid
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from credit.dead_letters import dead_letters, withdraw
from credit.records import (
    RECORD_EVENTS,
    RECORD_LIFECYCLE,
    CreditStep,
    active_restrictions,
    credit_step,
    defence_deadline,
    draft_record,
    fetch_changes,
    fetch_record,
)
from credit.rules import CreditRulesError, read_credit_rules
from credit.shape import build
from resolvers.context import RequestContext
from schema.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, VersionConflict
from schema.pagination import Connection, Edge, PageSizeError, connection, page_size
from schema.steps import StepEvent, take_step
from schema.validation import amount_fen, id_number_input, purpose_problem
from schema.values import to_date


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@strawberry.enum
class Behaviour(Enum):
    FALSE_REPORT = "false_report"  # 虚报
    CONCEALMENT = "concealment"  # 隐瞒
    DECEPTION = "deception"  # 欺骗


@strawberry.enum
class Severity(Enum):
    GENERAL = "general"
    SERIOUS = "serious"
    SEVERE = "severe"


@strawberry.enum
class ServiceMethod(Enum):
    """How the notice reached the subject (送达方式)."""

    IN_PERSON = "in_person"  # 直接送达
    POST = "post"  # 邮寄送达
    PUBLICATION = "publication"  # 公告送达


@strawberry.enum
class ObjectionKind(Enum):
    OBJECTION = "objection"  # 异议
    REVIEW = "review"  # 复核


@strawberry.enum
class ObjectionOutcome(Enum):
    UPHELD = "upheld"  # the record stands
    CORRECTED = "corrected"  # the record is corrected (revocation is revokeDishonestyRecord)


@strawberry.type
class CreditEvent(StepEvent):
    pass


@strawberry.type
class DishonestyRecord:
    record_id: str
    status: str = strawberry.field(
        description="draft, notified, decided, published, repaired, expired, revoked; an external "
        "record: published (in force) or withdrawn (by the platform)"
    )
    version: int
    external: bool = strawberry.field(
        description="published by another agency on the credit platform, not by the county: it "
        "restricts as the county's own do, takes no local step and is not exported"
    )
    source_agency: str | None = strawberry.field(description="the agency that published an external record")
    source_record_key: str | None = strawberry.field(description="the platform's key of an external record")
    restriction_end: date | None = strawberry.field(
        description="an external record restricts until this day (null: until withdrawn)"
    )
    subject_name: str
    id_number: str
    behaviour: str
    facts: str | None
    amount: Decimal | None
    legal_basis: str
    severity: str
    deciding_authority: str | None
    decision_number: str | None
    decision_date: date | None
    publicity_start: date | None
    publicity_end: date | None
    recovery_amount: Decimal | None = strawberry.field(description="money to be recovered, yuan")
    aid_stopped: bool | None
    notice_served_by: str | None = strawberry.field(description="in_person, post or publication")
    notice_served_on: date | None
    defence_deadline: date | None = strawberry.field(description="the last day to state a defence")
    defence_statement: str | None = strawberry.field(description="the subject's statement (陈述申辩)")
    defence_response: str | None = strawberry.field(description="the officer's response to it")
    defence_waived: bool | None = strawberry.field(description="the subject waived the defence in writing")
    objection_open: bool | None = strawberry.field(description="an objection or review is being handled")
    objection_kind: str | None
    objection_grounds: str | None
    revocation_reason: str | None
    revocation_reference: str | None = strawberry.field(description="the decision that overturned it")
    revoked_on: date | None

    @strawberry.field(description="Every step: who, when.")
    async def events(self, info: Info[RequestContext, None]) -> list[CreditEvent]:
        rows = await info.context.gateway.read(RECORD_EVENTS, record_id=self.record_id)
        return [CreditEvent.from_record(r["event"]) for r in rows]


@strawberry.type
class PublicCreditRecord:
    """What a partner department may know of a record: no facts, no amounts."""

    record_id: str
    behaviour: str
    severity: str
    deciding_authority: str | None
    decision_number: str | None
    decision_date: date | None
    publicity_start: date | None
    publicity_end: date | None
    source_agency: str | None = strawberry.field(
        description="set for a record another agency published on the credit platform (external)"
    )
    restriction_end: date | None = strawberry.field(description="an external record restricts until then")


@strawberry.type
class RestrictionStatus:
    restricted: bool
    records: list[PublicCreditRecord]


@strawberry.type
class CreditChange:
    sequence: int
    change_id: str
    change: str = strawberry.field(
        description="decided, published, repaired, expired, corrected, suspended, upheld, revoked"
    )
    record_id: str
    record_version: int
    occurred_at: str
    status: str
    subject_name: str
    id_number: str
    behaviour: str
    facts: str | None
    amount: Decimal | None
    legal_basis: str
    severity: str
    deciding_authority: str | None
    decision_number: str | None
    decision_date: date | None
    publicity_start: date | None
    publicity_end: date | None


def record(r: dict[str, Any]) -> DishonestyRecord:
    return build(DishonestyRecord, r, version=r["version"], external=r.get("source_agency") is not None)


def public_record(r: dict[str, Any]) -> PublicCreditRecord:
    return build(PublicCreditRecord, r)


def change(c: dict[str, Any]) -> CreditChange:
    return build(
        CreditChange,
        c,
        sequence=c["sequence"],
        change_id=c["change_id"],
        change=c["change"],
        record_version=c["record_version"],
        occurred_at=c["occurred_at"],
    )


@strawberry.type
class CreditDeadLetter:
    """A change the receiver refused, with its reason, until re-sent or withdrawn."""

    letter_id: str
    sink: str
    change_id: str
    sequence: int
    record_id: str
    change: str
    reason: str = strawberry.field(description="the receiver's reason")
    status: str = strawberry.field(description="open, resent or withdrawn")
    refusals: int
    refused_at: str
    withdrawn_by: str | None
    withdrawal_reason: str | None


def dead_letter(letter: dict[str, Any]) -> CreditDeadLetter:
    return CreditDeadLetter(**letter)


@strawberry.type
class CreditDeadLetters:
    letters: list[CreditDeadLetter]


DeadLettersResult = Annotated[
    CreditDeadLetters | Forbidden | InvalidInput, strawberry.union("CreditDeadLettersResult")
]
WithdrawResult = Annotated[
    CreditDeadLetter | Forbidden | NotFound | InvalidInput | InvalidTransition,
    strawberry.union("WithdrawDeadLetterResult"),
]

RecordResult = Annotated[
    DishonestyRecord | NotFound | Forbidden | InvalidInput | VersionConflict | InvalidTransition,
    strawberry.union("DishonestyRecordResult"),
]
RestrictionResult = Annotated[
    RestrictionStatus | Forbidden | InvalidInput, strawberry.union("RestrictionResult")
]
ChangesResult = Annotated[
    Connection[CreditChange] | Forbidden | InvalidInput, strawberry.union("CreditChangesResult")
]


@strawberry.input
class DraftRecordInput:
    finding_id: str
    subject_id_number: str
    behaviour: Behaviour
    legal_basis: str = strawberry.field(description="the rule applied, e.g. 《社会救助暂行办法》第六十八条")
    severity: Severity
    case_id: str | None = None


async def _credit_step(
    info: Info[RequestContext, None],
    record_id: str,
    expected_version: int,
    step: CreditStep,
    changes: dict[str, Any],
    note: str | None = None,
    precondition: bool = True,
    refused: str = "",
) -> RecordResult:
    async def written(row: dict[str, Any]) -> DishonestyRecord:
        return record(row["record"])

    return await take_step(
        info.context,
        credit_step,
        RECORD_LIFECYCLE,
        record_id.strip(),
        step,
        expected_version,
        written,
        unmet=refused,
        not_found=NotFound(message="no such dishonesty record"),
        note=note,
        changes=changes,
        precondition=precondition,
    )


@strawberry.type
class CreditQuery:
    @strawberry.field(description="A dishonesty record (credit officers and investigators). Audited.")
    async def dishonesty_record(
        self, info: Info[RequestContext, None], record_id: str, purpose: str
    ) -> RecordResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        r = await fetch_record(ctx.gateway, record_id.strip())
        if r is None:
            return NotFound(message="no such dishonesty record")
        await ctx.audit.record_reads([r["id_number"]], purpose, "dishonestyRecord")
        return record(r)

    @strawberry.field(
        description="Joint restriction (一处失信、处处受限): does this person, or anyone in their "
        "household, have an active dishonesty record? Yes or no, and the records' public "
        "fields. Audited."
    )
    async def restriction_status(
        self, info: Info[RequestContext, None], id_number: str, purpose: str
    ) -> RestrictionResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        key = id_number_input(id_number, "idNumber")
        if isinstance(key, InvalidInput):
            return key
        records = await active_restrictions(ctx.gateway, [key])
        await ctx.audit.record_reads([key], purpose, "restrictionStatus")
        return RestrictionStatus(restricted=bool(records), records=[public_record(r) for r in records])

    @strawberry.field(
        description="The export change feed, in order (credit-export jobs). `after` is the last "
        "sequence number you processed. Audited."
    )
    async def credit_changes(
        self, info: Info[RequestContext, None], first: int = 100, after: int = 0
    ) -> ChangesResult:
        ctx = info.context
        try:
            limit = page_size(first, ctx.settings.max_page_size)
        except PageSizeError as exc:
            return InvalidInput(field="first", message=str(exc))
        if after < 0:
            return InvalidInput(field="after", message="a sequence number, 0 or more")
        rows = await fetch_changes(ctx.gateway, after, limit + 1)
        page = rows[:limit]
        await ctx.audit.record_reads(
            [c["id_number"] for c in page], "credit platform export", "creditChanges"
        )
        edges = [Edge(cursor=str(c["sequence"]), node=change(c)) for c in page]
        return connection(edges, len(rows), limit)

    @strawberry.field(
        description="Changes the credit platform refused, with its reasons (credit officers, auditors); "
        "status: open (default), resent, withdrawn, or null for all."
    )
    async def credit_dead_letters(
        self, info: Info[RequestContext, None], status: str | None = "open", first: int = 100
    ) -> DeadLettersResult:
        ctx = info.context
        if status is not None and status not in ("open", "resent", "withdrawn"):
            return InvalidInput(field="status", message="open, resent or withdrawn (or null for all)")
        try:
            limit = page_size(first, ctx.settings.max_page_size)
        except PageSizeError as exc:
            return InvalidInput(field="first", message=str(exc))
        return CreditDeadLetters(
            letters=[dead_letter(x) for x in await dead_letters(ctx.gateway, status, limit)]
        )


@strawberry.type
class CreditMutation:
    @strawberry.mutation(
        description="Withdraw a dead letter: the platform is not to have this change (credit officers)."
    )
    async def withdraw_credit_dead_letter(
        self, info: Info[RequestContext, None], letter_id: str, reason: str
    ) -> WithdrawResult:
        ctx = info.context
        if not 10 <= len(reason.strip()) <= 2000:
            return InvalidInput(field="reason", message="say why it is withdrawn (10-2000 characters)")
        row = await withdraw(
            ctx.gateway, letter_id.strip()[:200], by=ctx.principal.subject, reason=reason.strip()
        )
        if row is None:
            return NotFound(message="no such dead letter")
        if not row["ok"]:
            return InvalidTransition(
                status=row["before"],
                message=f"only an open dead letter is withdrawn; this one is {row['before']}",
            )
        return dead_letter(row["letter"])

    @strawberry.mutation(
        description="Draft a dishonesty record from a confirmed finding (investigators); facts and "
        "amount come from the confirmation."
    )
    async def draft_dishonesty_record(
        self, info: Info[RequestContext, None], input: DraftRecordInput
    ) -> RecordResult:
        ctx = info.context
        if not 4 <= len(input.legal_basis.strip()) <= 500:
            return InvalidInput(field="legalBasis", message="name the rule applied (4-500 characters)")
        subject = id_number_input(input.subject_id_number, "subjectIdNumber")
        if isinstance(subject, InvalidInput):
            return subject
        p = ctx.principal
        r = await draft_record(
            ctx.gateway,
            finding_id=input.finding_id.strip(),
            subject=subject,
            case_id=input.case_id,
            record_id=f"DR{date.today():%Y%m%d}-{uuid.uuid4().hex[:8].upper()}",
            behaviour=input.behaviour.value,
            legal_basis=input.legal_basis.strip(),
            severity=input.severity.value,
            by=p.subject,
            role=p.role.value,
            note=f"from finding {input.finding_id.strip()}",
        )
        if r is None:
            return NotFound(
                message="no confirmed finding with that person in its evidence, or a record for them "
                "from this finding exists already"
            )
        return record(r)

    @strawberry.mutation(
        description="Decide a drafted record: authority, decision number and date, money to recover, "
        "whether the aid is stopped (credit officers)."
    )
    async def decide_dishonesty_record(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        deciding_authority: str,
        decision_number: str,
        decision_date: date,
        stop_aid: bool,
        recovery_amount: Decimal | None = None,
    ) -> RecordResult:
        if not deciding_authority.strip() or not decision_number.strip():
            return InvalidInput(
                field="decisionNumber", message="give the deciding authority and the decision number"
            )
        if decision_date > date.today():
            return InvalidInput(field="decisionDate", message="a decision cannot be dated in the future")
        recovery = amount_fen(recovery_amount, "recoveryAmount")
        if isinstance(recovery, InvalidInput):
            return recovery
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.DECIDE,
            {
                "deciding_authority": deciding_authority.strip(),
                "decision_number": decision_number.strip(),
                "decision_date": decision_date,
                "recovery_amount_fen": recovery,
                "aid_stopped": stop_aid,
            },
            note=f"decision {decision_number.strip()}",
            refused="the subject's defence window is open (see defenceDeadline): decide after it, or "
            "record their written waiver with recordDefence",
        )

    @strawberry.mutation(
        description="Publish a decided record: publicity starts today and ends at the maximum "
        "period (credit officers)."
    )
    async def publish_dishonesty_record(
        self, info: Info[RequestContext, None], record_id: str, expected_version: int
    ) -> RecordResult:
        ctx = info.context
        today = date.today()
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.PUBLISH,
            {
                "publicity_start": today,
                "publicity_end": add_months(today, ctx.settings.credit_max_publicity_months),
            },
            refused="an objection is being handled: publication waits for its outcome",
        )

    @strawberry.mutation(
        description="Credit repair (信用修复) on the subject's application, once the minimum "
        "publicity period has passed (credit officers)."
    )
    async def repair_dishonesty_record(
        self, info: Info[RequestContext, None], record_id: str, expected_version: int, application: str
    ) -> RecordResult:
        ctx = info.context
        if not 10 <= len(application.strip()) <= 4000:
            return InvalidInput(
                field="application", message="summarise the application and its grounds (10-4000 characters)"
            )
        r = await fetch_record(ctx.gateway, record_id.strip())
        start = to_date(r.get("publicity_start")) if r else None
        earliest = add_months(start, ctx.settings.credit_min_publicity_months) if start else None
        today = date.today()
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.REPAIR,
            {"repaired_on": today},
            note=application.strip(),
            precondition=earliest is not None and today >= earliest,
            refused=f"credit repair is possible from {earliest} (the minimum publicity period)",
        )

    @strawberry.mutation(
        description="Correct a decided or published record; the platform receives the correction "
        "(credit officers)."
    )
    async def correct_dishonesty_record(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        note: str,
        facts: str | None = None,
        amount: Decimal | None = None,
        legal_basis: str | None = None,
    ) -> RecordResult:
        if not 10 <= len(note.strip()) <= 2000:
            return InvalidInput(field="note", message="say what was wrong (10-2000 characters)")
        changes = _corrections(facts, amount, legal_basis)
        if isinstance(changes, InvalidInput):
            return changes
        if not changes:
            return InvalidInput(field="facts", message="correct at least one of facts, amount, legalBasis")
        return await _credit_step(
            info, record_id, expected_version, CreditStep.CORRECT, changes, note=note.strip()
        )

    @strawberry.mutation(
        description="Record the notice of the intended decision served on the subject (facts, basis, "
        "the right to state a defence): how and when; the defence window runs from then "
        "(credit officers). The printable notice: GET /credit/notice.html?record=…"
    )
    async def notify_dishonesty_subject(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        served_by: ServiceMethod,
        served_on: date,
    ) -> RecordResult:
        ctx = info.context
        if served_on > date.today():
            return InvalidInput(field="servedOn", message="a notice cannot be served in the future")
        try:
            days = read_credit_rules(ctx.settings.credit_rules_file).due_process.defence_days
        except CreditRulesError as exc:
            return InvalidInput(field="recordId", message=str(exc))
        deadline = defence_deadline(served_on, days)
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.NOTIFY,
            {
                "notice_served_by": served_by.value,
                "notice_served_on": served_on,
                "defence_deadline": deadline,
            },
            note=f"notice served ({served_by.value}) on {served_on}; defence until {deadline}",
        )

    @strawberry.mutation(
        description="Record the subject's defence (陈述申辩) and the officer's response, or the "
        "subject's written waiver of it (waived: true, the statement saying so) (credit officers)."
    )
    async def record_defence(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        statement: str,
        response: str | None = None,
        waived: bool = False,
    ) -> RecordResult:
        if not 4 <= len(statement.strip()) <= 4000:
            return InvalidInput(
                field="statement", message="the subject's statement or written waiver (4-4000 characters)"
            )
        if not waived and not 4 <= len((response or "").strip()) <= 4000:
            return InvalidInput(field="response", message="answer the defence (4-4000 characters)")
        changes: dict[str, Any] = {
            "defence_statement": statement.strip(),
            "defence_response": (response or "").strip() or None,
            "defence_waived": waived,
            "defence_recorded_on": date.today(),
        }
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.DEFENCE,
            changes,
            note="defence waived in writing" if waived else "defence stated and answered",
        )

    @strawberry.mutation(
        description="Record an objection (异议) or request for review (复核) of a decided or published "
        "record: publication is suspended until it is resolved (credit officers)."
    )
    async def record_credit_objection(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        kind: ObjectionKind,
        received_on: date,
        grounds: str,
    ) -> RecordResult:
        if not 4 <= len(grounds.strip()) <= 4000:
            return InvalidInput(field="grounds", message="the grounds of the objection (4-4000 characters)")
        if received_on > date.today():
            return InvalidInput(field="receivedOn", message="an objection cannot arrive in the future")
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.OBJECT,
            {
                "objection_open": True,
                "objection_kind": kind.value,
                "objection_received_on": received_on,
                "objection_grounds": grounds.strip(),
            },
            note=f"{kind.value} received {received_on}: publication suspended",
            refused="an objection is already being handled for this record",
        )

    @strawberry.mutation(
        description="Resolve the open objection: upheld (the record stands, publication resumes) or "
        "corrected (give the corrections). To overturn it, revokeDishonestyRecord (credit officers)."
    )
    async def resolve_credit_objection(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        outcome: ObjectionOutcome,
        note: str,
        facts: str | None = None,
        amount: Decimal | None = None,
        legal_basis: str | None = None,
    ) -> RecordResult:
        if not 10 <= len(note.strip()) <= 2000:
            return InvalidInput(
                field="note", message="say how the objection was decided (10-2000 characters)"
            )
        changes = _corrections(facts, amount, legal_basis)
        if isinstance(changes, InvalidInput):
            return changes
        if outcome is ObjectionOutcome.CORRECTED and not changes:
            return InvalidInput(field="facts", message="correct at least one of facts, amount, legalBasis")
        if outcome is ObjectionOutcome.UPHELD and changes:
            return InvalidInput(field="outcome", message="an upheld record is not corrected: say CORRECTED")
        changes["objection_outcome"] = outcome.value
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.UPHOLD if outcome is ObjectionOutcome.UPHELD else CreditStep.AMEND,
            changes,
            note=note.strip(),
            refused="no objection is open for this record",
        )

    @strawberry.mutation(
        description="Revoke (撤销) a record overturned on review, reconsideration or in court: it stops "
        "restricting at once, leaves the publicity list, and the platform is told to remove it "
        "(credit officers)."
    )
    async def revoke_dishonesty_record(
        self,
        info: Info[RequestContext, None],
        record_id: str,
        expected_version: int,
        reason: str,
        decision_reference: str,
    ) -> RecordResult:
        if not 10 <= len(reason.strip()) <= 2000:
            return InvalidInput(field="reason", message="say why it is revoked (10-2000 characters)")
        if not 2 <= len(decision_reference.strip()) <= 200:
            return InvalidInput(
                field="decisionReference", message="the number of the decision or judgment that overturned it"
            )
        return await _credit_step(
            info,
            record_id,
            expected_version,
            CreditStep.REVOKE,
            {
                "revocation_reason": reason.strip(),
                "revocation_reference": decision_reference.strip(),
                "revoked_on": date.today(),
            },
            note=f"revoked by {decision_reference.strip()}: {reason.strip()}",
        )


def _corrections(
    facts: str | None, amount: Decimal | None, legal_basis: str | None
) -> dict[str, Any] | InvalidInput:
    changes: dict[str, Any] = {}
    if facts is not None:
        if not 4 <= len(facts.strip()) <= 4000:
            return InvalidInput(field="facts", message="the facts (4-4000 characters)")
        changes["facts"] = facts.strip()
    if legal_basis is not None:
        if not 4 <= len(legal_basis.strip()) <= 500:
            return InvalidInput(field="legalBasis", message="name the rule applied (4-500 characters)")
        changes["legal_basis"] = legal_basis.strip()
    if amount is not None:
        fen = amount_fen(amount, "amount")
        if isinstance(fen, InvalidInput):
            return fen
        changes["amount_fen"] = fen
    return changes
