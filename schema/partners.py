"""Partner departments: the change feed about the persons they serve (a pull, and a
subscription over graphql-transport-ws) and the receipts of the files they submitted
(POST /feeds/{feed}, reliefgraph/submissions.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from access.fields import fact_category
from access.policy import Access, DataCategory, access
from access.principal import Principal
from domain.partner_changes import ChangeKind
from resolvers.context import RequestContext
from resolvers.partners import ChangePage, ChangeSignal, fetch_receipt, partner_changes
from schema.errors import Forbidden, InvalidInput, NotFound
from schema.operation_access import area_of, stream_area
from schema.pagination import Connection, Edge, PageInfo, PageSizeError, page_size
from schema.values import to_date

strawberry.enum(ChangeKind, name="PartnerChangeKind")  # the domain's kinds, as the schema names them

PURPOSE = "partner change feed"  # what the audit trail says a partner read the feed for
SCAN_PAGES = 10  # a call scans at most this many pages' worth of the log for the caller's persons


@strawberry.type
class PartnerChange:
    sequence: int = strawberry.field(description="the change's number: pass it as `after` to read on")
    kind: ChangeKind
    id_number: str
    occurred_at: str = strawberry.field(description="when reliefgraph recorded it (ISO 8601)")
    fact_kind: str | None = strawberry.field(description="for a verification fact: Death, Vehicle, …")
    source: str | None = strawberry.field(description="the department that reported the fact")
    as_of: date | None
    death_date: date | None
    enrollment_id: str | None
    programme: str | None
    start_date: date | None
    end_date: date | None
    household_id: str | None
    from_village: str | None
    to_village: str | None
    record_id: str | None = strawberry.field(description="the dishonesty record of a restriction")


@strawberry.type
class SubmissionReceipt:
    receipt_id: str
    feed: str
    digest: str = strawberry.field(description="SHA-256 of the file as received, in hex")
    file_name: str
    encoding: str
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    feeds_loaded: list[str]
    rejects_url: str | None = strawberry.field(description="the rejected rows as CSV, for your key only")
    submitted_by: str
    submitted_at: str


PartnerChangesResult = Annotated[
    Connection[PartnerChange] | Forbidden | InvalidInput, strawberry.union("PartnerChangesResult")
]
PartnerChangeEvent = Annotated[
    PartnerChange | Forbidden | InvalidInput, strawberry.union("PartnerChangeEvent")
]
SubmissionResult = Annotated[
    SubmissionReceipt | NotFound | Forbidden | InvalidInput, strawberry.union("SubmissionResult")
]


def _readable(principal: Principal, change: dict[str, Any]) -> bool:
    """A changed verification fact is told only where its category is readable; a
    vulnerability's kind is not kept on the change, so it counts as health data."""
    kind = change.get("fact_kind")
    if change["kind"] != ChangeKind.VERIFICATION_CHANGED or kind is None:
        return True
    category = DataCategory.HEALTH if kind == "Vulnerability" else fact_category(kind)
    return access(principal, category) is not Access.DENIED


def to_change(c: dict[str, Any]) -> PartnerChange:
    return PartnerChange(
        sequence=c["seq"],
        kind=ChangeKind(c["kind"]),
        id_number=c["id_number"],
        occurred_at=c["at"],
        fact_kind=c.get("fact_kind"),
        source=c.get("source"),
        as_of=to_date(c.get("as_of")),
        death_date=to_date(c.get("death_date")),
        enrollment_id=c.get("enrollment_id"),
        programme=c.get("programme"),
        start_date=to_date(c.get("start_date")),
        end_date=to_date(c.get("end_date")),
        household_id=c.get("household_id"),
        from_village=c.get("from_village"),
        to_village=c.get("to_village"),
        record_id=c.get("record_id"),
    )


def to_receipt(r: dict[str, Any]) -> SubmissionReceipt:
    return SubmissionReceipt(
        receipt_id=r["receipt_id"],
        feed=r["feed"],
        digest=r["digest"],
        file_name=r["file_name"],
        encoding=r["encoding"],
        rows=r["rows"],
        accepted=r["accepted"],
        rejected=r["rejected"],
        duplicates=r["duplicates"],
        feeds_loaded=list(r["feeds_loaded"]),
        rejects_url=f"/feeds/receipts/{r['receipt_id']}/rejects.csv" if r.get("rejects_file") else None,
        submitted_by=r["submitted_by"],
        submitted_at=r["submitted_at"],
    )


async def _shown(ctx: RequestContext, page: ChangePage) -> list[dict[str, Any]]:
    shown = [c for c in page.changes if _readable(ctx.principal, c)]
    await ctx.audit.record_reads([c["id_number"] for c in shown], PURPOSE, "partnerChanges")
    return shown


@strawberry.type
class PartnerQuery:
    @strawberry.field(
        description="What changed about the persons your department serves, in order: deaths, "
        "grants started or ended, households moved, restrictions, verification facts. `after` "
        "is the last `endCursor` (or sequence) you processed; each change comes once per cursor. "
        "Audited."
    )
    async def partner_changes(
        self, info: Info[RequestContext, None], first: int = 100, after: int = 0
    ) -> PartnerChangesResult:
        ctx = info.context
        try:
            limit = page_size(first, ctx.settings.max_page_size)
        except PageSizeError as exc:
            return InvalidInput(field="first", message=str(exc))
        if after < 0:
            return InvalidInput(field="after", message="a sequence number, 0 or more")
        page = await partner_changes(ctx.gateway, area_of(info), after, limit, limit * SCAN_PAGES)
        edges = [Edge(cursor=str(c["seq"]), node=to_change(c)) for c in await _shown(ctx, page)]
        # The end cursor is the last change looked at, shown or not: reading on from it skips
        # nothing of yours and rereads nothing.
        return Connection(
            edges=edges, page_info=PageInfo(has_next_page=page.more, end_cursor=str(page.last_scanned))
        )

    @strawberry.field(description="A receipt of a file your department submitted (POST /feeds/{feed}).")
    async def partner_submission(self, info: Info[RequestContext, None], receipt_id: str) -> SubmissionResult:
        ctx = info.context
        if not 1 <= len(receipt_id) <= 80:
            return InvalidInput(field="receiptId", message="a receipt id as a submission answered it")
        department = area_of(info).department
        found = await fetch_receipt(ctx.gateway, receipt_id.strip(), department or "")
        return (
            NotFound(message="no receipt of that id for your department")
            if found is None
            else to_receipt(found)
        )


@strawberry.type
class PartnerSubscription:
    @strawberry.subscription(
        description="The change feed as it happens (graphql-transport-ws): first every change after "
        "`after`, then each new one within seconds of its load. Audited."
    )
    async def partner_changes_live(
        self, info: Info[RequestContext, None], after: int = 0
    ) -> AsyncGenerator[PartnerChangeEvent, None]:
        ctx = info.context
        reach = stream_area(info)
        if isinstance(reach, Forbidden):
            yield reach
            return
        if after < 0:
            yield InvalidInput(field="after", message="a sequence number, 0 or more")
            return
        limit = ctx.settings.max_page_size
        cursor = after
        while True:
            woken = ctx.changes.current() if ctx.changes is not None else None
            page = await partner_changes(ctx.gateway, reach, cursor, limit, limit * SCAN_PAGES)
            for change in await _shown(ctx, page):
                yield to_change(change)
            cursor = page.last_scanned
            if not page.more:
                if woken is None:
                    return  # no signal in this process: nothing to wait for
                await ChangeSignal.wait(woken, ctx.settings.partner_changes_poll_s)
