"""Visits to households (探访): recorded by the caseworker or coordinator who made them."""

from __future__ import annotations

from typing import Any

RECORD_VISIT = """
MATCH (h:Household {household_id: $household_id})
WHERE ($township IS NULL OR h.township_code = $township) AND ($village IS NULL OR h.village_code = $village)
CREATE (v:Visit {visit_id: $visit_id, visit_date: $visit_date, note: $note, recorded_by: $by,
                 recorded_role: $role, recorded_at: datetime()})
CREATE (v)-[:VISITED]->(h)
WITH v
OPTIONAL MATCH (s:Staff {staff_id: $by})
FOREACH (x IN [y IN [s] WHERE y IS NOT NULL] | MERGE (x)-[:MADE_VISIT]->(v))
RETURN v {.visit_id, .visit_date, .note} AS visit, s.staff_id AS staff_id
"""


async def record_visit(gateway: Any, **params: Any) -> dict[str, Any] | None:
    rows = await gateway.write(RECORD_VISIT, **params)
    return rows[0] if rows else None
