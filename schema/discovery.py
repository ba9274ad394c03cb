"""The village's active-discovery list (主动发现): vulnerable people under the income line
whom no basic-living grant covers, for coordinators to visit and help apply.

Shown through the caller's policy (access/fields.py, on the way out): a coordinator sees the
name, the masked ID number and the social-status flags; health flags (disability, mental
illness, cancers) only as "health", since their role does not read health data.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.finding_kinds import FindingKind
from domain.money import to_yuan
from resolvers.context import RequestContext
from resolvers.directory import narrowed
from resolvers.findings import ACTIVE, fetch_findings
from schema.errors import Forbidden, InvalidInput
from schema.operation_access import area_of
from schema.pagination import Connection, Edge, connection, encode_key, keyset_page
from schema.validation import purpose_problem


@strawberry.type
class DiscoveryCandidate:
    finding_id: str
    status: str
    name: str
    id_number: str | None
    household_id: str
    village_code: str | None
    household_size: int | None
    flags: list[str] = strawberry.field(
        description="social-status flags; 'health' where your role may not see which"
    )
    income_per_capita: Decimal | None = strawberry.field(
        description="verified monthly income per person, yuan"
    )
    income_line: Decimal | None


DiscoveryResult = Annotated[
    Connection[DiscoveryCandidate] | Forbidden | InvalidInput, strawberry.union("DiscoveryResult")
]


@strawberry.type
class DiscoveryQuery:
    @strawberry.field(
        description="Vulnerable people under the income line without basic living assistance, in "
        "your village (coordinators) or jurisdiction. Audited."
    )
    async def active_discovery(
        self,
        info: Info[RequestContext, None],
        purpose: str,
        first: int = 50,
        after: str | None = None,
        village_code: str | None = None,
    ) -> DiscoveryResult:
        ctx = info.context
        reach = area_of(info)
        if (bad := purpose_problem(purpose)) is not None:
            return bad
        ok, village = narrowed(reach.village, village_code)
        if not ok or (village and not reach.covers(village)):
            return Forbidden(message="that village is outside your jurisdiction")
        page = keyset_page(first, after, ctx.settings.max_page_size)
        if isinstance(page, InvalidInput):
            return page
        rows = await fetch_findings(
            ctx.gateway,
            kinds=[FindingKind.GAP_VULNERABLE_UNCOVERED.value],
            statuses=ACTIVE,
            township=reach.township,
            village=village,
            min_score=None,
            order="SCORE_DESC",
            **page.params(),
        )
        edges, persons = [], []
        for r in rows[: page.limit]:
            f = r["finding"]
            d = json.loads(f.get("details") or "{}")
            persons.append(d.get("person"))
            edges.append(
                Edge(
                    cursor=encode_key(r["sort_key"], f["finding_id"]),
                    node=DiscoveryCandidate(
                        finding_id=f["finding_id"],
                        status=f["status"],
                        name=d.get("name", ""),
                        id_number=d.get("person"),
                        household_id=d.get("household", ""),
                        village_code=f.get("village_code"),
                        household_size=d.get("size"),
                        flags=sorted({x["kind"] for x in d.get("flags", [])}),
                        income_per_capita=to_yuan(d.get("income_fen")),
                        income_line=to_yuan(d.get("line_fen")),
                    ),
                )
            )
        await ctx.audit.record_reads([x for x in persons if x], purpose, "activeDiscovery")
        return connection(edges, len(rows), page.limit)
