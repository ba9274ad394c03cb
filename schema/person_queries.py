"""The root fields of persons and households: who am I, person 360, a household, name search."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from access.handles import InvalidHandle
from access.operations import OPERATIONS
from resolvers.context import RequestContext
from resolvers.people import fetch_household, fetch_person_360, name_query, search_persons
from schema.errors import Forbidden, InvalidInput, NotFound
from schema.operation_access import area_of
from schema.pagination import (
    Connection,
    Edge,
    PageSizeError,
    connection,
    decode_offset,
    encode_offset,
    page_size,
)
from schema.people import Household, Person
from schema.person_view import PersonView
from schema.validation import person_key_input, purpose_problem
from schema.values import to_date

PersonResult = Annotated[Person | NotFound | Forbidden | InvalidInput, strawberry.union("PersonResult")]
HouseholdResult = Annotated[
    Household | NotFound | Forbidden | InvalidInput, strawberry.union("HouseholdResult")
]


@strawberry.type
class Me:
    subject: str
    role: str
    department: str | None
    township_code: str | None
    village_code: str | None
    operations: list[str] = strawberry.field(
        description="the root queries and mutations your role may call (the workbench names the "
        "tabs it may not use)"
    )


@strawberry.type
class PersonSummary:
    id_number: str | None
    name: str
    sex: str | None
    birth_date: date | None
    handle: str | None = strawberry.field(
        description="opens this person with person(handle:) — for callers who see ID numbers masked; "
        "yours alone, for a working day"
    )


PersonSearchResult = Annotated[
    Connection[PersonSummary] | Forbidden | InvalidInput, strawberry.union("PersonSearchResult")
]


@strawberry.type
class PersonQuery:
    @strawberry.field(description="The authenticated caller.")
    def me(self, info: Info[RequestContext, None]) -> Me:
        p = info.context.principal
        return Me(
            subject=p.subject,
            role=p.role.value,
            department=p.department,
            township_code=p.township_code,
            village_code=p.village_code,
            operations=sorted(name for (_, name), op in OPERATIONS.items() if p.role in op.grants),
        )

    @strawberry.field(description="Everything about one person that your role may see. Audited.")
    async def person(
        self,
        info: Info[RequestContext, None],
        purpose: str,
        id_number: str | None = None,
        handle: str | None = None,
    ) -> PersonResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        if id_number is None and handle is None:
            return InvalidInput(
                field="idNumber/handle", message="give the ID number or a handle from a search"
            )
        if id_number is not None and handle is not None:
            return InvalidInput(
                field="idNumber/handle", message="give the ID number or a handle from a search, not both"
            )
        if handle is not None:
            try:
                id_number = ctx.handles.resolve(ctx.principal, handle) if ctx.handles else None
            except InvalidHandle as exc:
                return InvalidInput(field="handle", message=str(exc))
            if id_number is None:
                return InvalidInput(field="handle", message="handles are not offered here")
        key = person_key_input(id_number or "", "idNumber")  # one of the two is given (checked above)
        if isinstance(key, InvalidInput):
            return key
        record = await fetch_person_360(ctx.gateway, key, area_of(info))
        if record is None:
            # Probing leaves a trace: outside the jurisdiction and nonexistent alike.
            await ctx.audit.record_attempt(key, purpose, "person", "not_found")
            return NotFound()
        view = PersonView(ctx.principal, area_of(info))
        person = view.person(record)
        # The subject, and every member, relative, grantee or applicant the response names.
        await ctx.audit.record_reads(
            sorted(view.shown), purpose, "person", disclosed=[c.value for c in view.disclosed]
        )
        return person

    @strawberry.field(description="A household: its members over time, grants, cases and visits. Audited.")
    async def household(
        self, info: Info[RequestContext, None], household_id: str, purpose: str
    ) -> HouseholdResult:
        ctx = info.context
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        record = await fetch_household(ctx.gateway, household_id.strip().upper(), area_of(info))
        if record is None:
            await ctx.audit.record_attempt(
                household_id.strip().upper()[:40], purpose, "household", "not_found"
            )
            return NotFound()
        view = PersonView(ctx.principal, area_of(info))
        household = view.household(record)
        await ctx.audit.record_reads(
            sorted(view.shown | {m["id_number"] for m in record["members"]}),
            purpose,
            "household",
            disclosed=[c.value for c in view.disclosed],
        )
        return household

    @strawberry.field(
        description="Persons by name — Han characters (王建国, 建国) or pinyin (wang jianguo) — "
        "within your jurisdiction. Audited."
    )
    async def search_persons(
        self,
        info: Info[RequestContext, None],
        name: str,
        purpose: str,
        first: int = 20,
        after: str | None = None,
    ) -> PersonSearchResult:
        ctx = info.context
        p = ctx.principal
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        if not name.strip() or len(name) > 50:
            return InvalidInput(field="name", message="give 1-50 characters of the name")
        try:
            limit = page_size(first, ctx.settings.max_page_size)
            skip = decode_offset(after)
        except PageSizeError as exc:
            return InvalidInput(field="first/after", message=str(exc))
        query = name_query(name)
        if not query:
            return InvalidInput(field="name", message="give some letters or characters of the name")
        found, more = await search_persons(ctx.gateway, query, area_of(info), skip, limit)
        edges = [
            Edge(
                cursor=encode_offset(offset),
                node=PersonSummary(
                    handle=ctx.handles.issue(p, r["id_number"]) if ctx.handles else None,
                    id_number=r["id_number"],
                    name=r["name"],
                    sex=r["sex"],
                    birth_date=to_date(r["birth_date"]),
                ),
            )
            for offset, r in enumerate(found, start=skip)
        ]
        await ctx.audit.record_reads([r["id_number"] for r in found], purpose, "searchPersons")
        return connection(edges, limit + 1 if more else len(found), limit)
