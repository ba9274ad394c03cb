"""The green channel (先行救助): urgent temporary assistance granted at once by a township
caseworker, before publicity, drawing on the county's temporary-assistance reserve.

The grant is a Case that enters the workflow at under_review with the amount paid and the
day its review is due (rules/casework.toml [green_channel]); publicity and a colleague's
decision follow through the ordinary steps (resolvers/cases.py). A reversal records the
amount to recover. The reserve is the budget line marked reserve for the programme and
year; its balance is the line less every urgent grant of that year, reversed ones included
(the money left the reserve; recovering it is a separate matter).
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver, ManagedTransaction

from resolvers.cases import APPLICATION_LINKS, CASE_OPENED


def budget_line_id(programme: str, year: int, reserve: bool) -> str:
    """A budget line's key: the programme's year, or its reserve's (the budgets feed)."""
    return f"{programme}-{year}{'-reserve' if reserve else ''}"


# The statuses after which an urgent grant counts as reviewed: decided, one way or the other.
REVIEWED = ("approved", "rejected", "suspended", "terminated")

# One write: the reserve line is locked first (the SET), so two grants racing for the last
# of it are serialised, and the balance is read after the lock.
GRANT_URGENT = (
    """
MATCH (h:Household {household_id: $household_id})
WHERE $township IS NULL OR h.township_code = $township
MATCH (applicant:Person {id_number: $applicant})-[:MEMBER_OF]->(h)
MATCH (prog:Programme {code: $programme})
OPTIONAL MATCH (b:BudgetLine {budget_id: $reserve_id})
SET b.drawn_checked_at = datetime()
WITH h, applicant, prog, b
WITH h, applicant, prog, b, coalesce(b.amount_fen, 0) - COLLECT {
       MATCH (u:Case {programme_code: $programme, urgent: true})
       WHERE u.urgent_granted_date.year = $year
       RETURN sum(u.urgent_amount_fen) }[0] AS balance
WITH h, applicant, prog, b, balance, b IS NOT NULL AND balance >= $amount_fen AS ok
OPTIONAL CALL (h, applicant, prog, ok) {
  WITH h, applicant, prog WHERE ok
  CREATE (c:Case {"""
    + CASE_OPENED
    + """, submitted_date: $today, status: 'under_review',
                  urgent: true, urgent_amount_fen: $amount_fen, urgent_granted_date: $today,
                  urgent_situation: $note, review_due: $review_due})"""
    + APPLICATION_LINKS
    + """  RETURN c {.*} AS case
}
RETURN case, ok, b IS NOT NULL AS reserve_loaded, balance
"""
)


async def grant_urgent(gateway: Any, **params: Any) -> dict[str, Any] | None:
    """The new case and the reserve's balance before it; None: no such household in the area."""
    reserve_id = budget_line_id(params["programme"], params["year"], reserve=True)
    rows = await gateway.write(GRANT_URGENT, reserve_id=reserve_id, action="urgent_grant", **params)
    return rows[0] if rows else None


# Per reserve line of a year: what it held, what urgent grants drew, how many, how many are
# still unreviewed, and what reversals left to recover.
RESERVE_BALANCE = """
MATCH (b:BudgetLine {reserve: true, year: $year})
OPTIONAL MATCH (u:Case {programme_code: b.programme_code, urgent: true})
WHERE u.urgent_granted_date.year = $year
WITH b, collect(u) AS grants
RETURN b.programme_code AS programme, b.year AS year, b.amount_fen AS reserve_fen,
       reduce(t = 0, u IN grants | t + u.urgent_amount_fen) AS drawn_fen,
       size(grants) AS grants,
       size([u IN grants WHERE NOT u.status IN $reviewed]) AS unreviewed,
       reduce(t = 0, u IN grants | t + coalesce(u.recovery_fen, 0)) AS to_recover_fen
ORDER BY programme
"""


def reserve_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r | {"balance_fen": r["reserve_fen"] - r["drawn_fen"]} for r in rows]


async def reserve_balance(gateway: Any, year: int) -> list[dict[str, Any]]:
    return reserve_rows(await gateway.read(RESERVE_BALANCE, year=year, reviewed=list(REVIEWED)))


def read_reserve_balance(driver: Driver, database: str, year: int) -> list[dict[str, Any]]:
    """The same, for jobs on the synchronous driver (the monthly report): one row per reserve
    line of the year, amounts in fen, `balance_fen` what is left."""

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [dict(r) for r in tx.run(RESERVE_BALANCE, year=year, reviewed=list(REVIEWED))]

    with driver.session(database=database) as session:
        return reserve_rows(session.execute_read(work))
