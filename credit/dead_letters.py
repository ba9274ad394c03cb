"""Dead letters seen from the API: the changes a receiver refused, for credit officers (who
correct and re-send, or withdraw them) and auditors. The export writes them
(jobs/credit_export.py); here they are listed and withdrawn."""

from __future__ import annotations

from typing import Any

DEAD_LETTERS = """
MATCH (l:DeadLetter) WHERE $status IS NULL OR l.status = $status
RETURN l {.letter_id, .sink, .change_id, .sequence, .record_id, .change, .reason, .status, .refusals,
          refused_at: toString(l.refused_at), withdrawn_by: l.withdrawn_by,
          withdrawal_reason: l.withdrawal_reason} AS letter
ORDER BY l.sequence, l.sink LIMIT $limit
"""

# Withdrawn: the platform is not to have this change (what it says is wrong and cannot be
# corrected, or the record itself is gone); only an open letter can be withdrawn.
WITHDRAW = """
MATCH (l:DeadLetter {letter_id: $letter_id})
WITH l, l.status = 'open' AS ok, l.status AS before
FOREACH (x IN CASE WHEN ok THEN [1] ELSE [] END |
  SET l.status = 'withdrawn', l.withdrawn_by = $by, l.withdrawn_at = datetime(),
      l.withdrawal_reason = $reason)
RETURN l {.letter_id, .sink, .change_id, .sequence, .record_id, .change, .reason, .status, .refusals,
          refused_at: toString(l.refused_at), withdrawn_by: l.withdrawn_by,
          withdrawal_reason: l.withdrawal_reason} AS letter, ok, before
"""


async def dead_letters(gateway: Any, status: str | None, limit: int) -> list[dict[str, Any]]:
    return [r["letter"] for r in await gateway.read(DEAD_LETTERS, status=status, limit=limit)]


async def withdraw(gateway: Any, letter_id: str, *, by: str, reason: str) -> dict[str, Any] | None:
    rows = await gateway.write(WITHDRAW, letter_id=letter_id, by=by, reason=reason)
    return rows[0] if rows else None


def withdraw_letter(
    driver: Any, database: str, letter_id: str, *, by: str, reason: str
) -> dict[str, Any] | None:
    """`withdraw`, for the command line (a synchronous driver, a managed transaction)."""

    def work(tx: Any) -> dict[str, Any] | None:
        record = tx.run(WITHDRAW, letter_id=letter_id, by=by, reason=reason).single()
        return dict(record) if record else None

    with driver.session(database=database) as session:
        return session.execute_write(work)
