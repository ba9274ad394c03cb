"""The green channel (先行救助): an urgent temporary-assistance grant made at once, and the
county's temporary-assistance reserve it draws on (resolvers/green_channel.py)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import strawberry
from strawberry.types import Info

from detection.detectors.households import line_fen
from detection.rules import DetectionRules, read_rules
from domain.money import to_fen, to_yuan, yuan_text
from loaders.rows.benefits import Channel as ChannelEnum
from resolvers.cases import flag_restricted
from resolvers.context import RequestContext
from resolvers.green_channel import grant_urgent, reserve_balance
from resolvers.reports import casework_rules
from schema.cases import CaseResult, Channel, case_record
from schema.errors import Forbidden, InvalidInput, NotFound
from schema.operation_access import area_of
from schema.validation import id_number_input
from settings import Settings


@lru_cache(maxsize=4)
def _detection_rules(path: Path) -> DetectionRules:
    return read_rules(path)


def urgent_limit_fen(settings: Settings, township: str | None) -> int:
    """The most one urgent grant may pay in a township: the green channel's months of its
    dibao line (the line the detectors use, urban or rural)."""
    months = casework_rules(settings.casework_rules_file).green_channel.limit_months_of_line
    return months * line_fen(_detection_rules(settings.detection_rules_file), township)


@strawberry.input
class UrgentAssistanceInput:
    household_id: str
    applicant_id_number: str
    amount: Decimal = strawberry.field(
        description="yuan, up to the green channel's limit: months of the township's dibao line"
    )
    situation: str = strawberry.field(
        description="what happened and what was verified on the spot (10-2000 characters); "
        "it is the grant's record until the review"
    )
    programme: str = "TEMP"
    channel: Channel = ChannelEnum.WINDOW  # type: ignore[valid-type]
    commitment_signed: bool = strawberry.field(
        default=False, description="the applicant signed the honesty commitment (守信承诺)"
    )


@strawberry.type
class ReserveLine:
    programme: str
    year: int
    reserve: Decimal = strawberry.field(description="yuan: the reserve budget line")
    drawn: Decimal = strawberry.field(description="yuan: urgent grants of the year, reversed ones included")
    balance: Decimal = strawberry.field(description="yuan: the reserve less what was drawn")
    grants: int
    unreviewed: int = strawberry.field(description="urgent grants not yet decided on review")
    to_recover: Decimal = strawberry.field(description="yuan: urgent grants reversed on review")


@strawberry.type
class ReserveBalance:
    year: int
    lines: list[ReserveLine]


ReserveResult = Annotated[ReserveBalance | Forbidden | InvalidInput, strawberry.union("ReserveResult")]


@strawberry.type
class GreenChannelMutation:
    @strawberry.mutation(
        description="Green channel (先行救助): grant urgent temporary assistance at once, without "
        "the publicity window, up to the limit in rules/casework.toml. The case enters review: "
        "publicity and another caseworker's decision follow within the rule's days."
    )
    async def grant_urgent_assistance(
        self, info: Info[RequestContext, None], input: UrgentAssistanceInput
    ) -> CaseResult:
        ctx = info.context
        rules = casework_rules(ctx.settings.casework_rules_file).green_channel
        programme = input.programme.strip().upper()
        if programme not in rules.programmes:
            return InvalidInput(
                field="programme",
                message=f"the green channel grants {', '.join(rules.programmes)} only",
            )
        amount = input.amount
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            return InvalidInput(field="amount", message="an amount in yuan above 0, at most two decimals")
        township = area_of(info).township
        limit_fen = urgent_limit_fen(ctx.settings, township)
        if to_fen(amount) > limit_fen:  # type: ignore[operator]
            return InvalidInput(
                field="amount",
                message=f"the green channel grants at most {yuan_text(limit_fen)} yuan here "
                f"({rules.limit_months_of_line} months of the dibao line); a larger amount goes "
                "through the ordinary application (submitApplication)",
            )
        situation = input.situation.strip()
        if not 10 <= len(situation) <= 2000:
            return InvalidInput(field="situation", message="describe the situation (10-2000 characters)")
        if not input.commitment_signed:
            return InvalidInput(field="commitmentSigned", message="the honesty commitment must be signed")
        applicant = id_number_input(input.applicant_id_number, "applicantIdNumber")
        if isinstance(applicant, InvalidInput):
            return applicant
        p = ctx.principal
        today = date.today()
        amount_fen = to_fen(amount)
        row = await grant_urgent(
            ctx.gateway,
            household_id=input.household_id.strip().upper(),
            township=township,
            applicant=applicant,
            programme=programme,
            case_id=f"U{today:%Y%m%d}-{uuid.uuid4().hex[:10].upper()}",
            channel=ChannelEnum(input.channel).value,
            amount_fen=amount_fen,
            year=today.year,
            today=today,
            review_due=today + timedelta(days=rules.review_within_days),
            note=situation,
            by=p.subject,
            role=p.role.value,
        )
        if row is None:
            return NotFound(
                message="no such household in your township with that applicant, or no such programme"
            )
        if not row["ok"]:
            if not row["reserve_loaded"]:
                return InvalidInput(
                    field="amount",
                    message=f"no temporary-assistance reserve for {today.year} is loaded "
                    "(a budgets line marked reserve)",
                )
            return InvalidInput(
                field="amount",
                message=f"the reserve holds {yuan_text(row['balance'])} yuan for {today.year}; "
                "ask the county to top it up, or grant less",
            )
        return case_record(await flag_restricted(ctx.gateway, row["case"]["case_id"]))


@strawberry.type
class GreenChannelQuery:
    @strawberry.field(
        description="The county's temporary-assistance reserve (备用金) of a year: what it held, "
        "what urgent grants drew, the balance, and the grants still unreviewed."
    )
    async def temporary_assistance_reserve(
        self, info: Info[RequestContext, None], year: int | None = None
    ) -> ReserveResult:
        year = date.today().year if year is None else year
        if not 2000 <= year <= 2100:
            return InvalidInput(field="year", message="a year, 2000-2100")
        rows = await reserve_balance(info.context.gateway, year)
        return ReserveBalance(
            year=year,
            lines=[
                ReserveLine(
                    programme=r["programme"],
                    year=r["year"],
                    reserve=to_yuan(r["reserve_fen"]),
                    drawn=to_yuan(r["drawn_fen"]),
                    balance=to_yuan(r["balance_fen"]),
                    grants=r["grants"],
                    unreviewed=r["unreviewed"],
                    to_recover=to_yuan(r["to_recover_fen"]),
                )
                for r in rows
            ],
        )
