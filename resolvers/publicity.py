"""Publicity lists (公示, DOMAIN.md section 8): who is proposed for or refused aid in an area
and window, built only from what may be posted — masked names, village, household size,
programme, monthly amount, and for refusals the reason. Never ID numbers, phones, accounts
or health details; the query does not even read them."""

from __future__ import annotations

from datetime import date
from typing import Any

from access.operations import area as operation_area
from access.policy import mask_id_number, mask_name
from access.principal import Principal
from credit.shape import PUBLICISED, projection

# area: the county code (6 digits), a township (9) or a village (12).
PUBLICITY = """
MATCH (c:Case)
WHERE ($area = $county OR c.township_code = $area OR c.village_code = $area)
  AND ($programme IS NULL OR c.programme_code = $programme)
  AND ((c.publicity_start IS NOT NULL AND c.publicity_start <= $to AND c.publicity_end >= $from)
       OR (c.status = 'rejected' AND c.decided_date >= $from AND c.decided_date <= $to))
MATCH (c)-[:FOR_PROGRAMME]->(prog:Programme)
MATCH (c)-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (v:Village {code: h.village_code})
RETURN c.case_id AS case_id, c.status AS status, c.reason AS reason, c.publicity_start AS publicity_start,
       c.publicity_end AS publicity_end, c.decided_date AS decided_date,
       head([(a:Person)-[:APPLIED_FOR]->(c) | a.name]) AS applicant,
       head([(a:Person)-[:APPLIED_FOR]->(c) | a.id_number]) AS applicant_id,
       v.name AS village, h.village_code AS village_code,
       size([(h)<-[m:MEMBER_OF]-(:Person) WHERE m.until IS NULL | 1]) AS household_size,
       prog.code AS programme, prog.name AS programme_name,
       coalesce(c.proposed_monthly_amount_fen,
                head([(e:Enrollment)-[:FROM_CASE]->(c) | e.monthly_amount_fen])) AS monthly_amount_fen
ORDER BY village_code, c.status, c.case_id
"""

AREA_NAME = """
OPTIONAL MATCH (t:Township {code: $area})
OPTIONAL MATCH (v:Village {code: $area})
OPTIONAL MATCH (c:County {code: $area})
RETURN coalesce(v.name, t.name, c.name) AS name
"""

DISHONESTY_PUBLICITY = """
MATCH (r:CreditRecord {status: 'published'})-[:ABOUT]->(p:Person)
WHERE r.publicity_start <= $on AND r.publicity_end >= $on
  AND NOT coalesce(r.objection_open, false)  // publication suspended while an objection is handled
  AND r.source_agency IS NULL  // the county publicises its own decisions
  AND ($area = $county OR EXISTS { (p)-[m:MEMBER_OF]->(h:Household)
        WHERE m.until IS NULL AND (h.township_code = $area OR h.village_code = $area) })
RETURN r {PUBLICISED} AS record
ORDER BY r.decision_date DESC, r.record_id
""".replace("{PUBLICISED}", projection(PUBLICISED))


def area_allowed(principal: Principal, area: str) -> bool:
    """A caseworker posts for their township (or its villages), a coordinator for their village:
    the publicity list's area in access/operations.py (the CSV and HTML pages come here too)."""
    reach = operation_area(principal, ("Query", "publicityList"))
    return reach is not None and reach.covers(area)


async def fetch_publicity(
    gateway: Any, *, county: str, area: str, programme: str | None, start: date, end: date
) -> tuple[str | None, list[dict[str, Any]]]:
    name = await gateway.read(AREA_NAME, area=area)
    rows = await gateway.read(
        PUBLICITY, county=county, area=area, programme=programme, **{"from": start, "to": end}
    )
    return (name[0]["name"] if name else None), rows


async def fetch_dishonesty_publicity(
    gateway: Any, *, county: str, area: str, on: date
) -> list[dict[str, Any]]:
    return [r["record"] for r in await gateway.read(DISHONESTY_PUBLICITY, county=county, area=area, on=on)]


def shown_identity(name: str, id_number: str, mode: str) -> tuple[str, str]:
    """Disciplinary publicity shows as much identity as the setting (and local law) allows."""
    if mode == "full":
        return name, id_number
    if mode == "name":
        return name, mask_id_number(id_number)
    return mask_name(name), mask_id_number(id_number)
