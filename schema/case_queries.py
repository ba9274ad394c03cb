"""Reading cases: one by id, or a jurisdiction's list with filters, sorting and cursors."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from access.operations import Area
from resolvers.cases import fetch_case, fetch_cases
from resolvers.context import RequestContext
from resolvers.directory import fetch_programmes, narrowed
from schema.cases import CaseRecord, Channel, case_record
from schema.errors import Forbidden, InvalidInput, NotFound
from schema.operation_access import area_of
from schema.pagination import Connection, Edge, connection, encode_key, keyset_page
from schema.validation import purpose_problem


@strawberry.enum
class CaseOrder(Enum):
    CASE_ID = "CASE_ID"
    SUBMITTED_ASC = "SUBMITTED_ASC"
    SUBMITTED_DESC = "SUBMITTED_DESC"


@strawberry.input
class CaseFilter:
    township_code: str | None = None
    village_code: str | None = None
    programmes: list[str] | None = None
    statuses: list[str] | None = strawberry.field(
        default=None,
        description="submitted, investigating, "
        "under_review, in_publicity, approved, rejected, suspended, terminated",
    )
    channel: Channel | None = None  # type: ignore[valid-type]
    submitted_from: date | None = None
    submitted_to: date | None = None


CaseReadResult = Annotated[
    CaseRecord | NotFound | Forbidden | InvalidInput, strawberry.union("CaseReadResult")
]
CaseListResult = Annotated[
    Connection[CaseRecord] | Forbidden | InvalidInput, strawberry.union("CaseListResult")
]


async def _mandate(ctx: RequestContext, area: Area) -> list[str] | None:
    """A mandate reads its own department's programmes' cases only."""
    if area.department is None:
        return None
    return [p["code"] for p in await fetch_programmes(ctx.gateway, area.department)]


def _visible(area: Area, case: dict[str, Any], mandate: list[str] | None) -> bool:
    return area.holds(case.get("township_code"), case.get("village_code")) and (
        mandate is None or case.get("programme_code") in mandate
    )


@strawberry.type
class CaseQuery:
    @strawberry.field(description="One case by its id, within your jurisdiction or mandate. Audited.")
    async def case(self, info: Info[RequestContext, None], case_id: str, purpose: str) -> CaseReadResult:
        ctx = info.context
        reach = area_of(info)
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        row = await fetch_case(ctx.gateway, case_id.strip())
        if row is None or not _visible(reach, row["case"], await _mandate(ctx, reach)):
            return NotFound()
        await ctx.audit.record_reads([row["applicant"]] if row["applicant"] else [], purpose, "case")
        return case_record(row["case"])

    @strawberry.field(
        description="Cases within your jurisdiction or mandate, filtered and sorted, "
        "a page at a time. Audited."
    )
    async def cases(
        self,
        info: Info[RequestContext, None],
        purpose: str,
        first: int = 20,
        after: str | None = None,
        filter: CaseFilter | None = None,
        order_by: CaseOrder = CaseOrder.SUBMITTED_DESC,
    ) -> CaseListResult:
        ctx = info.context
        reach = area_of(info)
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        wanted = filter or CaseFilter()
        ok_t, township = narrowed(reach.township, wanted.township_code)
        ok_v, village = narrowed(reach.village, wanted.village_code)
        if not (ok_t and ok_v):
            return Forbidden(message="that area is outside your jurisdiction")
        page = keyset_page(first, after, ctx.settings.max_page_size)
        if isinstance(page, InvalidInput):
            return page
        programmes = [p.strip().upper() for p in wanted.programmes] if wanted.programmes else None
        mandate = await _mandate(ctx, reach)
        if mandate is not None:
            programmes = [p for p in (programmes or mandate) if p in mandate]
        rows = await fetch_cases(
            ctx.gateway,
            township=township,
            village=village,
            programmes=programmes,
            statuses=wanted.statuses,
            channel=wanted.channel.value if wanted.channel else None,
            submitted_from=wanted.submitted_from,
            submitted_to=wanted.submitted_to,
            order=order_by.value,
            **page.params(),
        )
        shown = rows[: page.limit]
        edges = [
            Edge(cursor=encode_key(r["sort_key"], r["case"]["case_id"]), node=case_record(r["case"]))
            for r in shown
        ]
        await ctx.audit.record_reads([r["applicant"] for r in shown if r["applicant"]], purpose, "cases")
        return connection(edges, len(rows), page.limit)
