"""Departments, programmes and staff postings: who runs what, and who works where."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.context import RequestContext
from resolvers.directory import fetch_departments, fetch_programmes, fetch_staff, narrowed
from schema.errors import Forbidden, InvalidInput
from schema.operation_access import area_of
from schema.pagination import Connection, Edge, connection, encode_key, keyset_page
from schema.values import to_date


@strawberry.type
class Programme:
    code: str
    name: str
    name_en: str | None
    department: str
    unit: str = strawberry.field(description="household, person or event")
    means_tested: bool
    basic_living: bool


@strawberry.type
class Department:
    code: str
    name: str
    name_en: str | None
    programmes: list[str]


@strawberry.type
class Staff:
    staff_id: str
    name: str
    role: str
    department: str | None
    township_code: str | None
    village_code: str | None
    active_from: date | None
    active_until: date | None
    public_employee: bool | None


@strawberry.enum
class StaffOrder(Enum):
    STAFF_ID = "STAFF_ID"
    NAME = "NAME"
    ACTIVE_FROM = "ACTIVE_FROM"


@strawberry.input
class StaffFilter:
    township_code: str | None = None
    village_code: str | None = None
    role: str | None = strawberry.field(default=None, description="caseworker, coordinator, grid_worker, …")
    department: str | None = None
    active_on: date | None = strawberry.field(default=None, description="only postings active on this date")


StaffResult = Annotated[Connection[Staff] | Forbidden | InvalidInput, strawberry.union("StaffResult")]


def _programme(p: dict[str, Any]) -> Programme:
    return Programme(
        code=p["code"],
        name=p["name"],
        name_en=p.get("name_en"),
        department=p["department_code"],
        unit=p["unit"],
        means_tested=bool(p.get("means_tested")),
        basic_living=bool(p.get("basic_living")),
    )


def _staff(s: dict[str, Any]) -> Staff:
    return Staff(
        staff_id=s["staff_id"],
        name=s["name"],
        role=s["staff_role"],
        department=s.get("department_code"),
        township_code=s.get("township_code"),
        village_code=s.get("village_code"),
        active_from=to_date(s.get("active_from")),
        active_until=to_date(s.get("active_until")),
        public_employee=s.get("public_employee"),
    )


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="The departments and the programmes each runs.")
    async def departments(self, info: Info[RequestContext, None]) -> list[Department]:
        return [
            Department(code=d["code"], name=d["name"], name_en=d.get("name_en"), programmes=d["programmes"])
            for d in await fetch_departments(info.context.gateway)
        ]

    @strawberry.field(description="The assistance programmes, optionally of one department.")
    async def programmes(
        self, info: Info[RequestContext, None], department: str | None = None
    ) -> list[Programme]:
        return [_programme(p) for p in await fetch_programmes(info.context.gateway, department)]

    @strawberry.field(
        description="Staff postings (caseworkers, coordinators, grid workers) within your "
        "jurisdiction, in their official capacity."
    )
    async def staff(
        self,
        info: Info[RequestContext, None],
        first: int = 50,
        after: str | None = None,
        filter: StaffFilter | None = None,
        order_by: StaffOrder = StaffOrder.STAFF_ID,
    ) -> StaffResult:
        ctx = info.context
        reach = area_of(info)
        wanted = filter or StaffFilter()
        ok_t, township = narrowed(reach.township, wanted.township_code)
        ok_v, village = narrowed(reach.village, wanted.village_code)
        if not (ok_t and ok_v):
            return Forbidden(message="that area is outside your jurisdiction")
        page = keyset_page(first, after, ctx.settings.max_page_size)
        if isinstance(page, InvalidInput):
            return page
        rows = await fetch_staff(
            ctx.gateway,
            township=township,
            village=village,
            role=wanted.role,
            department=wanted.department,
            active_on=wanted.active_on,
            order=order_by.value,
            **page.params(),
        )
        edges = [
            Edge(cursor=encode_key(r["sort_key"] or "", r["staff"]["staff_id"]), node=_staff(r["staff"]))
            for r in rows[: page.limit]
        ]
        return connection(edges, len(rows), page.limit)
