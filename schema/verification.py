"""verifyPersons: a partner department checks up to a thousand applicants in one request.

Each ID number is normalised as the loaders do; one that cannot be read is answered for
that item and the rest still run. The whole batch is one Cypher round trip
(resolvers/verification.py) and one append to the audit trail: an event per person shown,
one per ID number that found nobody (outside the agreement reads as not found). An answer
carries only what the agreement allows; the rest is null and named in `withheld`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from access.policy import Access, DataCategory, access
from resolvers.context import RequestContext
from resolvers.verification import verify_persons
from schema.errors import Forbidden, InvalidInput
from schema.operation_access import area_of
from schema.people import Category
from schema.validation import id_number_input
from schema.values import to_date

# What an answer may carry, by category; the joint-restriction answer is credit's.
ANSWER_CATEGORIES = (DataCategory.BASIC, DataCategory.BENEFITS, DataCategory.CREDIT)


@strawberry.type
class VerifiedEnrollment:
    enrollment_id: str
    programme: str
    start_date: date | None
    end_date: date | None


@strawberry.type
class PersonVerification:
    given: str = strawberry.field(description="the ID number as sent")
    id_number: str | None = strawberry.field(description="normalised; null when it could not be read")
    found: bool = strawberry.field(description="false for nobody, or nobody within your agreement")
    problem: str | None = strawberry.field(description="why the ID number could not be read")
    basic_assistance: list[str] | None = strawberry.field(
        description="basic-living programmes the household holds now (DIBAO, TEKUN, DIBAO_EDGE)"
    )
    enrollments: list[VerifiedEnrollment] | None = strawberry.field(
        description="the person's enrollments in your agreement's programmes"
    )
    restricted: bool | None = strawberry.field(
        description="joint restriction (一处失信、处处受限): an active dishonesty record in the household"
    )
    household_size: int | None
    withheld: list[Category] = strawberry.field(description="categories your agreement does not cover")


@strawberry.type
class VerificationBatch:
    agreement: str
    purpose: str
    found: int
    not_found: int
    invalid: int
    results: list[PersonVerification]


VerificationResult = Annotated[
    VerificationBatch | Forbidden | InvalidInput, strawberry.union("VerificationResult")
]


def _read(raw: str, position: int) -> tuple[str | None, str | None]:
    key = id_number_input(raw, f"idNumbers[{position}]")  # the one parser of typed ID numbers
    return (None, key.message) if isinstance(key, InvalidInput) else (key, None)


@strawberry.type
class VerificationQuery:
    @strawberry.field(
        description="Verify up to 1,000 ID numbers in one request, under your data-sharing "
        "agreement; `purpose` is one of its purpose codes. Audited."
    )
    async def verify_persons(
        self, info: Info[RequestContext, None], id_numbers: list[str], purpose: str
    ) -> VerificationResult:
        ctx = info.context
        reach = area_of(info)
        agreement = reach.agreement
        if agreement is None:  # Scope.AGREEMENT always sets it; fail closed all the same
            return Forbidden(message="batch verification needs a data-sharing agreement")
        if purpose not in agreement.purposes:
            return InvalidInput(
                field="purpose",
                message=f"use one of agreement {agreement.agreement_id}'s purpose codes: "
                + ", ".join(agreement.purposes),
            )
        limit = ctx.settings.max_verify_ids
        if not 1 <= len(id_numbers) <= limit:
            return InvalidInput(field="idNumbers", message=f"give 1 to {limit} ID numbers")
        read = [_read(raw, i) for i, raw in enumerate(id_numbers)]
        keys = sorted({key for key, _ in read if key is not None})
        rows = await verify_persons(ctx.gateway, keys, reach, date.today()) if keys else {}
        shown: set[DataCategory] = {
            c for c in ANSWER_CATEGORIES if c is not DataCategory.CREDIT and _readable(ctx, c)
        }
        if agreement.allows(DataCategory.CREDIT):
            shown.add(DataCategory.CREDIT)
        withheld = [Category(c.value) for c in ANSWER_CATEGORIES if c not in shown]
        # One append for the batch: everyone shown, and every ID number that found nobody.
        await ctx.audit.record_batch(
            sorted(rows),
            [k for k in keys if k not in rows],
            purpose,
            "verifyPersons",
            disclosed=[DataCategory.IDENTITY.value, *(c.value for c in shown)],
        )
        results = []
        for raw, (key, problem) in zip(id_numbers, read, strict=True):
            row = rows.get(key) if key is not None else None
            results.append(
                PersonVerification(
                    given=raw[:40],
                    id_number=key,
                    found=row is not None,
                    problem=problem,
                    basic_assistance=row["assistance"] if row else None,
                    enrollments=[
                        VerifiedEnrollment(
                            enrollment_id=e["enrollment_id"],
                            programme=e["programme"],
                            start_date=to_date(e.get("start_date")),
                            end_date=to_date(e.get("end_date")),
                        )
                        for e in row["enrollments"]
                    ]
                    if row
                    else None,
                    restricted=row["restricted"] if row and DataCategory.CREDIT in shown else None,
                    household_size=row["household_size"] if row else None,
                    withheld=withheld,
                )
            )
        found = sum(r.found for r in results)
        invalid = sum(r.problem is not None for r in results)
        return VerificationBatch(
            agreement=agreement.agreement_id,
            purpose=purpose,
            found=found,
            not_found=len(results) - found - invalid,
            invalid=invalid,
            results=results,
        )


def _readable(ctx: RequestContext, category: DataCategory) -> bool:
    return access(ctx.principal, category) is not Access.DENIED
