"""Publicity lists through GraphQL: results to post, and dishonesty publicity."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from access.policy import mask_name
from credit.shape import build
from domain.money import to_yuan
from resolvers.context import RequestContext
from resolvers.publicity import area_allowed, fetch_dishonesty_publicity, fetch_publicity, shown_identity
from schema.errors import Forbidden, InvalidInput
from schema.values import to_date


@strawberry.type
class PublicityEntry:
    case_id: str
    name: str = strawberry.field(description="masked: 刘*兵, 黄*")
    village: str | None
    household_size: int
    programme: str
    programme_name: str
    monthly_amount: Decimal | None = strawberry.field(description="yuan")
    outcome: str = strawberry.field(description="in_publicity, approved or rejected")
    reason: str | None = strawberry.field(description="why an application was refused")
    publicity_start: date | None
    publicity_end: date | None


@strawberry.type
class PublicityList:
    area_code: str
    area_name: str | None
    programme: str | None
    window_start: date
    window_end: date
    proposed: list[PublicityEntry]
    rejected: list[PublicityEntry]


@strawberry.type
class DishonestyNotice:
    record_id: str
    name: str
    id_number: str
    behaviour: str
    severity: str
    amount: Decimal | None
    deciding_authority: str | None
    decision_number: str | None
    decision_date: date | None
    publicity_start: date | None
    publicity_end: date | None


@strawberry.type
class DishonestyList:
    notices: list[DishonestyNotice]


PublicityResult = Annotated[PublicityList | Forbidden | InvalidInput, strawberry.union("PublicityResult")]
DishonestyResult = Annotated[DishonestyList | Forbidden, strawberry.union("DishonestyResult")]


def area_argument(area_code: str) -> str:
    """An area code as typed: full-width digits (３７０８３１) are the same code, the rest is left to fail."""
    return unicodedata.normalize("NFKC", area_code).strip()


def entry(r: dict[str, Any]) -> PublicityEntry:
    outcome = (
        "rejected"
        if r["status"] == "rejected"
        else ("approved" if r["status"] == "approved" else "in_publicity")
    )
    return PublicityEntry(
        case_id=r["case_id"],
        name=mask_name(r["applicant"] or ""),
        village=r["village"],
        household_size=r["household_size"],
        programme=r["programme"],
        programme_name=r["programme_name"],
        monthly_amount=to_yuan(r["monthly_amount_fen"]) if outcome != "rejected" else None,
        outcome=outcome,
        reason=r["reason"] if outcome == "rejected" else None,
        publicity_start=to_date(r["publicity_start"]),
        publicity_end=to_date(r["publicity_end"]),
    )


async def publicity_list(
    ctx: RequestContext,
    area_code: str,
    programme: str | None,
    window_start: date | None,
    window_end: date | None,
) -> PublicityList | Forbidden | InvalidInput:
    """Shared by GraphQL and the CSV and HTML pages."""
    area = area_argument(area_code)
    if len(area) not in (6, 9, 12) or not area.isascii() or not area.isdigit():
        return InvalidInput(
            field="areaCode", message="the county (6 digits), a township (9) or a village (12)"
        )
    if not area_allowed(ctx.principal, area):
        return Forbidden(message="you post publicity for your own township or village")
    end = window_end or date.today()
    start = window_start or end - timedelta(days=ctx.settings.publicity_days)
    if start > end or (end - start).days > 366:
        return InvalidInput(field="windowStart", message="a window of at most a year, start before end")
    county = ctx.settings.county_code
    name, rows = await fetch_publicity(
        ctx.gateway,
        county=county,
        area=area,
        programme=programme.strip().upper() if programme else None,
        start=start,
        end=end,
    )
    entries = [entry(r) for r in rows]
    await ctx.audit.record_reads(
        [r["applicant_id"] for r in rows if r["applicant_id"]],
        "publicity list",
        "publicity",
    )
    return PublicityList(
        area_code=area,
        area_name=name,
        programme=programme,
        window_start=start,
        window_end=end,
        proposed=[e for e in entries if e.outcome != "rejected"],
        rejected=[e for e in entries if e.outcome == "rejected"],
    )


def default_area(ctx: RequestContext) -> str:
    p = ctx.principal
    return p.village_code or p.township_code or ctx.settings.county_code


async def dishonesty_notices(ctx: RequestContext, area: str) -> list[DishonestyNotice]:
    records = await fetch_dishonesty_publicity(
        ctx.gateway, county=ctx.settings.county_code, area=area, on=date.today()
    )
    mode = ctx.settings.dishonesty_publicity_identity
    await ctx.audit.record_reads(
        [r["id_number"] for r in records],
        "dishonesty publicity",
        "dishonestyPublicity",
    )
    notices = []
    for r in records:
        name, id_number = shown_identity(r["subject_name"], r["id_number"], mode)
        notices.append(build(DishonestyNotice, r, name=name, id_number=id_number))
    return notices


@strawberry.type
class PublicityQuery:
    @strawberry.field(
        description="The publicity list (公示) of an area — the county, a township or a village — for "
        "a programme (or all) and a window (default: the last publicity period). Masked "
        "names only; never ID numbers, phones, accounts or health details."
    )
    async def publicity_list(
        self,
        info: Info[RequestContext, None],
        area_code: str,
        programme: str | None = None,
        window_start: date | None = None,
        window_end: date | None = None,
    ) -> PublicityResult:
        return await publicity_list(info.context, area_code, programme, window_start, window_end)

    @strawberry.field(
        description="Published dishonesty records of an area (default: your own), shown as the "
        "disciplinary-publicity setting allows."
    )
    async def dishonesty_publicity(
        self, info: Info[RequestContext, None], area_code: str | None = None
    ) -> DishonestyResult:
        ctx = info.context
        area = area_argument(area_code or default_area(ctx))
        if not area_allowed(ctx.principal, area):
            return Forbidden(message="you post publicity for your own township or village")
        return DishonestyList(notices=await dishonesty_notices(ctx, area))
