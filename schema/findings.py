"""Findings for investigators: lists with filters and cursors, the evidence ready to draw,
and the review steps (assign, confirm with facts and amount, dismiss with a reason)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.money import to_yuan
from resolvers.context import RequestContext
from resolvers.directory import narrowed
from resolvers.findings import (
    FINDING_REVIEW,
    Review,
    fetch_evidence,
    fetch_finding,
    fetch_findings,
    finding_scope,
    finding_summary,
    listed_kinds,
    review,
)
from schema.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, VersionConflict
from schema.linkage import GraphEdge, GraphNode, graph_edge, graph_node, persons_in
from schema.operation_access import area_of
from schema.pagination import Connection, Edge, connection, encode_key, keyset_page
from schema.steps import StepEvent, take_step
from schema.validation import amount_fen, purpose_problem

# What each kind's explanation and evidence disclose, for the audit trail.
KIND_CATEGORIES: dict[str, list[str]] = {
    "DUP_PERSON_MULTI_HOUSEHOLD": ["basic", "identity", "benefits"],
    "DUP_EXCLUSIVE_PROGRAMMES": ["basic", "identity", "benefits"],
    "DUP_PAYMENT": ["basic", "benefits", "financial"],
    "DUP_EVENT_AID": ["basic", "benefits", "financial"],
    "DUP_IDENTITY": ["basic", "identity", "contact", "financial"],
    "RING_SHARED_IDENTIFIER": ["basic", "identity", "contact", "financial", "benefits"],
    "PAYMENT_TO_THIRD_PARTY": ["basic", "identity", "financial", "benefits"],
    "DECEASED_PAID": ["basic", "identity", "benefits"],
    "ASSET_INELIGIBLE": ["basic", "identity", "assets", "financial", "benefits"],
    "RELATIONSHIP_BENEFIT": ["basic", "identity", "benefits"],
    "FUND_AMOUNT_MISMATCH": ["basic", "benefits", "financial"],
    "FUND_LINE_WITHOUT_GRANT": ["basic", "identity", "benefits", "financial"],
    "FUND_ACCOUNT_MISMATCH": ["basic", "identity", "benefits", "financial"],
    "FUND_REISSUED_ELSEWHERE": ["basic", "identity", "benefits", "financial"],
    "FUND_OVER_ALLOCATION": [],
    "FUND_PAID_AFTER_END": ["basic", "benefits", "financial"],
    "FUND_AGENT_ACCOUNT": ["basic", "identity", "benefits", "financial"],
    "GAP_VULNERABLE_UNCOVERED": ["basic", "social", "health", "assets"],
    "GAP_MISSING_SPECIAL": ["basic", "health", "benefits"],
    "GAP_STAFFING": [],
    "GAP_OVERDUE": ["basic", "benefits"],
    "GAP_URGENT_UNREVIEWED": ["basic", "benefits"],
}


@strawberry.enum
class Language(Enum):
    ZH = "zh"
    EN = "en"


@strawberry.enum
class FindingOrder(Enum):
    SCORE_DESC = "SCORE_DESC"
    DETECTED_DESC = "DETECTED_DESC"
    FINDING_ID = "FINDING_ID"


@strawberry.input
class FindingFilter:
    kinds: list[str] | None = None
    statuses: list[str] | None = strawberry.field(
        default=None, description="open, assigned, confirmed, dismissed, resolved"
    )
    township_code: str | None = None
    village_code: str | None = None
    min_score: float | None = None


@strawberry.type
class FindingEvent(StepEvent):
    pass


@strawberry.type
class EvidenceGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]


@strawberry.type
class Finding:
    finding_id: str
    kind: str
    score: float
    status: str
    version: int
    township_code: str | None
    village_code: str | None
    amount: Decimal | None = strawberry.field(description="money involved as detected, yuan")
    first_detected_at: str
    detected_at: str
    assignee: str | None
    reason: str | None = strawberry.field(description="why it was dismissed")
    confirmed_facts: str | None
    confirmed_amount: Decimal | None
    details: str = strawberry.field(description="per-field evidence and counts, as JSON")
    priority: str = strawberry.field(
        default="normal", description="normal, or raised: a report names its subject (reportIds)"
    )
    report_ids: list[str] = strawberry.field(default_factory=list, description="reports naming its subject")
    text_zh: strawberry.Private[str]
    text_en: strawberry.Private[str]
    purpose: strawberry.Private[str]  # the reader's stated purpose, for the evidence's audit events

    @strawberry.field(description="The finding in plain words.")
    def explanation(self, language: Language = Language.ZH) -> str:
        return self.text_zh if language is Language.ZH else self.text_en

    @strawberry.field(description="Every step: detected, assigned, confirmed, dismissed, reopened, resolved.")
    async def events(self, info: Info[RequestContext, None]) -> list[FindingEvent]:
        events = await info.context.finding_events.load(self.finding_id)
        return [FindingEvent.from_record(e) for e in events]

    @strawberry.field(description="The evidence and how it hangs together, as nodes and edges. Audited.")
    async def evidence(self, info: Info[RequestContext, None]) -> EvidenceGraph:
        ctx = info.context
        raw = await fetch_evidence(ctx.gateway, self.finding_id)
        if raw is None:
            return EvidenceGraph(nodes=[], edges=[])
        await ctx.audit.record_reads(
            persons_in(raw["nodes"]),
            self.purpose,
            "findingEvidence",
            disclosed=KIND_CATEGORIES.get(self.kind, ["basic"]),
        )
        return EvidenceGraph(
            nodes=[graph_node(n) for n in raw["nodes"]], edges=[graph_edge(e) for e in raw["edges"]]
        )


def finding(f: dict[str, Any], purpose: str = "review of the finding") -> Finding:
    return Finding(
        purpose=purpose,
        finding_id=f["finding_id"],
        kind=f["kind"],
        score=f["score"],
        status=f["status"],
        version=f["version"],
        township_code=f.get("township_code"),
        village_code=f.get("village_code"),
        amount=to_yuan(f.get("amount_fen")),
        first_detected_at=str(f.get("first_detected_at")),
        detected_at=str(f.get("detected_at")),
        assignee=f.get("assignee"),
        reason=f.get("dismissed_reason"),
        confirmed_facts=f.get("confirmed_facts"),
        confirmed_amount=to_yuan(f.get("confirmed_amount_fen")),
        details=f.get("details") or "{}",
        priority=f.get("priority") or "normal",
        report_ids=list(f.get("reports") or []),
        text_zh=f.get("explanation") or "",
        text_en=f.get("explanation_en") or "",
    )


@strawberry.type
class KindStatusCount:
    kind: str
    status: str
    count: int


@strawberry.type
class VillageGapCount:
    village_code: str
    village_name: str | None
    kind: str
    count: int


@strawberry.type
class StaffingGap:
    level: str = strawberry.field(description="township or village")
    code: str
    name: str | None
    staff: int
    required: int


@strawberry.type
class FindingSummary:
    by_kind_and_status: list[KindStatusCount]
    gaps_by_village: list[VillageGapCount] = strawberry.field(description="open coverage gaps per village")
    staffing: list[StaffingGap]


FindingResult = Annotated[Finding | NotFound | Forbidden | InvalidInput, strawberry.union("FindingResult")]
SummaryResult = Annotated[FindingSummary | Forbidden, strawberry.union("FindingSummaryResult")]
FindingListResult = Annotated[
    Connection[Finding] | Forbidden | InvalidInput, strawberry.union("FindingListResult")
]
FindingReviewResult = Annotated[
    Finding | NotFound | Forbidden | InvalidInput | VersionConflict | InvalidTransition,
    strawberry.union("FindingReviewResult"),
]


def _visible(scope: dict[str, Any], f: dict[str, Any]) -> bool:
    return (scope["township"] is None or f.get("township_code") == scope["township"]) and (
        scope["kinds"] is None or f["kind"] in scope["kinds"]
    )


@strawberry.type
class FindingQuery:
    @strawberry.field(
        description="Findings within your remit, filtered and sorted, a page at a time. Audited."
    )
    async def findings(
        self,
        info: Info[RequestContext, None],
        purpose: str,
        first: int = 20,
        after: str | None = None,
        filter: FindingFilter | None = None,
        order_by: FindingOrder = FindingOrder.SCORE_DESC,
    ) -> FindingListResult:
        ctx = info.context
        scope = finding_scope(ctx.principal, area_of(info))
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        wanted = filter or FindingFilter()
        ok_t, township = narrowed(scope["township"], wanted.township_code)
        if not ok_t:
            return Forbidden(message="that area is outside your jurisdiction")
        kinds, unknown = listed_kinds(wanted.kinds, scope["kinds"])
        if unknown:
            return InvalidInput(field="filter.kinds", message=f"unknown kinds {unknown}")
        page = keyset_page(first, after, ctx.settings.max_page_size)
        if isinstance(page, InvalidInput):
            return page
        rows = await fetch_findings(
            ctx.gateway,
            kinds=kinds,
            statuses=wanted.statuses,
            township=township,
            village=wanted.village_code,
            min_score=wanted.min_score,
            order=order_by.value,
            **page.params(),
        )
        shown = rows[: page.limit]
        # One audit write per kind on the page, not one per finding.
        by_categories: dict[tuple[str, ...], list[str]] = {}
        for r in shown:
            f = r["finding"]
            by_categories.setdefault(tuple(KIND_CATEGORIES.get(f["kind"], ["basic"])), []).extend(
                f.get("persons") or []
            )
        for categories, persons in by_categories.items():
            await ctx.audit.record_reads(persons, purpose, "findings", disclosed=categories)
        edges = [
            Edge(
                cursor=encode_key(r["sort_key"], r["finding"]["finding_id"]),
                node=finding(r["finding"], purpose),
            )
            for r in shown
        ]
        return connection(edges, len(rows), page.limit)

    @strawberry.field(
        description="Counts for a dashboard: findings by kind and status, open coverage gaps by "
        "village, stations below the staffing rule. No personal data."
    )
    async def finding_summary(
        self, info: Info[RequestContext, None], township_code: str | None = None
    ) -> SummaryResult:
        ctx = info.context
        scope = finding_scope(ctx.principal, area_of(info))
        ok, township = narrowed(scope["township"], township_code)
        if not ok:
            return Forbidden(message="that township is outside your jurisdiction")
        summary = await finding_summary(ctx.gateway, township, scope["kinds"])
        return FindingSummary(
            by_kind_and_status=[KindStatusCount(**c) for c in summary["by_kind_and_status"]],
            gaps_by_village=[VillageGapCount(**c) for c in summary["gaps_by_village"]],
            staffing=[StaffingGap(**g) for g in summary["staffing"]],
        )

    @strawberry.field(description="One finding by its id. Audited.")
    async def finding(self, info: Info[RequestContext, None], finding_id: str, purpose: str) -> FindingResult:
        ctx = info.context
        scope = finding_scope(ctx.principal, area_of(info))
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        f = await fetch_finding(ctx.gateway, finding_id.strip())
        if f is None or not _visible(scope, f):
            return NotFound()
        await ctx.audit.record_reads(
            f.get("persons") or [], purpose, "finding", disclosed=KIND_CATEGORIES.get(f["kind"], ["basic"])
        )
        return finding(f, purpose)


async def _review(
    info: Info[RequestContext, None],
    finding_id: str,
    expected_version: int,
    step: Review,
    note: str | None,
    changes: dict[str, Any],
    notify: str | None = None,
) -> FindingReviewResult:
    async def written(row: dict[str, Any]) -> Finding:
        return finding(row["finding"])

    return await take_step(
        info.context,
        review,
        FINDING_REVIEW,
        finding_id.strip(),
        step,
        expected_version,
        written,
        note=note,
        changes=changes,
        notify=notify,
    )


@strawberry.type
class FindingMutation:
    @strawberry.mutation(description="Assign a finding to an investigator.")
    async def assign_finding(
        self, info: Info[RequestContext, None], finding_id: str, expected_version: int, assignee: str
    ) -> FindingReviewResult:
        if not 1 <= len(assignee.strip()) <= 100:
            return InvalidInput(field="assignee", message="name the investigator (1-100 characters)")
        return await _review(
            info,
            finding_id,
            expected_version,
            Review.ASSIGN,
            f"assigned to {assignee.strip()}",
            {"assignee": assignee.strip()},
            notify=assignee.strip(),
        )

    @strawberry.mutation(
        description="Confirm a finding with the established facts and the amount involved "
        "(yuan); a confirmed fraud finding can become a dishonesty record."
    )
    async def confirm_finding(
        self,
        info: Info[RequestContext, None],
        finding_id: str,
        expected_version: int,
        facts: str,
        amount: Decimal | None = None,
    ) -> FindingReviewResult:
        if not 10 <= len(facts.strip()) <= 4000:
            return InvalidInput(field="facts", message="state the established facts (10-4000 characters)")
        fen = amount_fen(amount, "amount")
        if isinstance(fen, InvalidInput):
            return fen
        return await _review(
            info,
            finding_id,
            expected_version,
            Review.CONFIRM,
            facts.strip(),
            {"confirmed_facts": facts.strip(), "confirmed_amount_fen": fen, "confirmed_on": date.today()},
        )

    @strawberry.mutation(
        description="Dismiss a finding, with the reason. It stays dismissed unless its evidence changes."
    )
    async def dismiss_finding(
        self, info: Info[RequestContext, None], finding_id: str, expected_version: int, reason: str
    ) -> FindingReviewResult:
        if not 4 <= len(reason.strip()) <= 2000:
            return InvalidInput(field="reason", message="give the reason (4-2000 characters)")
        return await _review(
            info,
            finding_id,
            expected_version,
            Review.DISMISS,
            reason.strip(),
            {"dismissed_reason": reason.strip()},
        )
