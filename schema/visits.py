"""Recording a visit to a household (探访慰问): who went, when, what they found."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.context import RequestContext
from resolvers.visits import record_visit
from schema.errors import Forbidden, InvalidInput, NotFound
from schema.operation_access import area_of
from schema.people import Visit
from schema.values import to_date

# Before the assistance programmes this records existed: an earlier date is a typing error (0001-01-01).
EARLIEST_VISIT = date(1990, 1, 1)

VisitResult = Annotated[Visit | NotFound | Forbidden | InvalidInput, strawberry.union("VisitResult")]


@strawberry.type
class VisitMutation:
    @strawberry.mutation(description="Record a visit you made to a household in your township or village.")
    async def record_visit(
        self, info: Info[RequestContext, None], household_id: str, visit_date: date, note: str
    ) -> VisitResult:
        ctx = info.context
        p = ctx.principal
        if visit_date > date.today():
            return InvalidInput(field="visitDate", message="a visit cannot be in the future")
        if visit_date < EARLIEST_VISIT:
            return InvalidInput(field="visitDate", message=f"a visit is dated {EARLIEST_VISIT} or later")
        if not 2 <= len(note.strip()) <= 2000:
            return InvalidInput(field="note", message="describe the visit (2-2000 characters)")
        row = await record_visit(
            ctx.gateway,
            household_id=household_id.strip().upper(),
            township=area_of(info).township,
            village=area_of(info).village,
            visit_id=f"V{visit_date:%Y%m%d}-{uuid.uuid4().hex[:10].upper()}",
            visit_date=visit_date,
            note=note.strip(),
            by=p.subject,
            role=p.role.value,
        )
        if row is None:
            return NotFound(message="no such household in your jurisdiction")
        v = row["visit"]
        return Visit(
            visit_id=v["visit_id"],
            visit_date=to_date(v["visit_date"]),
            staff_id=row["staff_id"],
            note=v["note"],
        )
