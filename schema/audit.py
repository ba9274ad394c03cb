"""The audit trail as the auditor reads it, and its root field."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from access.audit import AUDIT_EVENTS
from resolvers.context import RequestContext
from schema.errors import Forbidden, InvalidInput
from schema.pagination import Connection, Edge, PageSizeError, connection, decode_key, encode_key, page_size


@strawberry.type
class AuditEvent:
    event_id: str
    request_id: str | None
    at: str
    subject: str
    role: str
    department: str | None
    person_id_number: str
    categories: list[str]
    purpose: str
    operation: str
    agreement: str | None = strawberry.field(
        default=None, description="the data-sharing agreement a partner read under"
    )
    outcome: str | None = strawberry.field(
        default=None, description="shown, or not_found for a read that found nobody within your jurisdiction"
    )


AuditTrailResult = Annotated[
    Connection[AuditEvent] | Forbidden | InvalidInput, strawberry.union("AuditTrailResult")
]


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Who read whose personal data, newest first (auditors only); `agreement` "
        "gives the reads made under one data-sharing agreement."
    )
    async def audit_events(
        self,
        info: Info[RequestContext, None],
        first: int = 50,
        after: str | None = None,
        person_id_number: str | None = None,
        subject: str | None = None,
        agreement: str | None = None,
    ) -> AuditTrailResult:
        ctx = info.context
        try:
            limit = page_size(first, ctx.settings.max_page_size)
            key = decode_key(after)
        except PageSizeError as exc:
            return InvalidInput(field="first/after", message=str(exc))
        rows = await ctx.gateway.read(
            AUDIT_EVENTS,
            person=person_id_number,
            subject=subject,
            agreement=agreement,
            limit=limit + 1,
            after=key[1] if key else None,
            after_at=key[0] if key else None,
        )
        edges = [
            Edge(
                cursor=encode_key(r["event"]["at"], r["event"]["event_id"]),
                node=AuditEvent(**{k: r["event"].get(k) for k in AuditEvent.__annotations__}),
            )
            for r in rows[:limit]
        ]
        # The trail shows whose data was read and why, with full ID numbers: a read like any other.
        await ctx.audit.record_reads(
            [e.node.person_id_number for e in edges if e.node.person_id_number],
            "audit trail review",
            "auditEvents",
        )
        return connection(edges, len(rows), limit)
