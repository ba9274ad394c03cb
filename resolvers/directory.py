"""Reading the county's directory: departments, programmes and staff postings.

Departments and programmes are public reference data. Staff postings are read in their
official capacity (staff id, name, role, posting); never their ID number or private data.
"""

from __future__ import annotations

from typing import Any

DEPARTMENTS = """
MATCH (d:Department)
RETURN d {.code, .name, .name_en,
          programmes: [(d)-[:RUNS]->(p:Programme) | p.code]} AS department
ORDER BY d.code
"""

PROGRAMMES = """
MATCH (d:Department)-[:RUNS]->(p:Programme)
WHERE $department IS NULL OR d.code = $department
RETURN p {.code, .name, .name_en, .unit, .means_tested, .basic_living, department_code: d.code} AS programme
ORDER BY p.code
"""

# Keyset pagination on (sort key, staff id): stable under concurrent inserts.
STAFF = """
MATCH (s:Staff)
WHERE ($township IS NULL OR s.township_code = $township)
  AND ($village IS NULL OR s.village_code = $village)
  AND ($role IS NULL OR s.staff_role = $role)
  AND ($department IS NULL OR s.department_code = $department)
  AND ($active_on IS NULL OR (s.active_from <= $active_on
                               AND (s.active_until IS NULL OR s.active_until >= $active_on)))
WITH s,
  CASE $order WHEN 'NAME' THEN s.name WHEN 'ACTIVE_FROM' THEN toString(s.active_from) ELSE s.staff_id END AS k
WHERE $after_key IS NULL OR k > $after_key OR (k = $after_key AND s.staff_id > $after_id)
RETURN s {.staff_id, .name, .staff_role, .department_code, .township_code, .village_code, .active_from,
          .active_until, .public_employee} AS staff, k AS sort_key
ORDER BY k, s.staff_id
LIMIT $limit
"""


def narrowed(scope: str | None, wanted: str | None) -> tuple[bool, str | None]:
    """Combine the caller's scope with a filter: (allowed, effective filter)."""
    if scope is None:
        return True, wanted
    if wanted is None or wanted.startswith(scope):
        return True, wanted or scope
    return False, None


async def fetch_staff(gateway: Any, **params: Any) -> list[dict[str, Any]]:
    return await gateway.read(STAFF, **params)


async def fetch_departments(gateway: Any) -> list[dict[str, Any]]:
    return [r["department"] for r in await gateway.read(DEPARTMENTS)]


async def fetch_programmes(gateway: Any, department: str | None) -> list[dict[str, Any]]:
    return [r["programme"] for r in await gateway.read(PROGRAMMES, department=department)]
