"""Partner departments' reads: their change feed (domain/partner_changes.py), scoped by the
mandate at the time of reading, and the receipts of the files they submitted."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from access.operations import PERSON_IN_AREA, Area

# The next changes after a cursor, each with whether its person is inside the caller's area.
# A page scans at most $scan changes, so a partner whose persons changed rarely still moves
# its cursor forward instead of reading the whole log again on every call.
PARTNER_CHANGES = (
    """
MATCH (c:PartnerChange) WHERE c.seq > $after
WITH c ORDER BY c.seq LIMIT $scan
OPTIONAL MATCH (p:Person {id_number: c.id_number})
WITH c, p IS NOT NULL AND """
    + PERSON_IN_AREA
    + """ AS inside
RETURN c {.*, at: toString(c.at)} AS change, inside
ORDER BY c.seq
"""
)

RECEIPT = """
MATCH (s:Submission {receipt_id: $receipt_id}) WHERE s.department = $department
RETURN s {.*, submitted_at: toString(s.submitted_at)} AS receipt
"""

# One receipt per department, feed and content: a second submission of the same file
# finds the first one's receipt.
RECORD_RECEIPT = """
MERGE (s:Submission {receipt_id: $receipt_id})
ON CREATE SET s += $receipt, s.submitted_at = datetime()
RETURN s {.*, submitted_at: toString(s.submitted_at)} AS receipt
"""


@dataclass(frozen=True)
class ChangePage:
    changes: list[dict[str, Any]]  # inside the area, in order
    last_scanned: int  # the cursor to read on from (equal to `after` when nothing was there)
    more: bool  # the scan stopped at its bound: more changes follow


async def partner_changes(gateway: Any, reach: Area, after: int, limit: int, scan: int) -> ChangePage:
    rows = await gateway.read(PARTNER_CHANGES, after=after, scan=scan, **reach.params())
    changes: list[dict[str, Any]] = []
    last = after
    for row in rows:
        if len(changes) == limit:
            return ChangePage(changes, last, True)
        last = row["change"]["seq"]
        if row["inside"]:
            changes.append(row["change"])
    return ChangePage(changes, last, len(rows) == scan)


async def fetch_receipt(gateway: Any, receipt_id: str, department: str) -> dict[str, Any] | None:
    rows = await gateway.read(RECEIPT, receipt_id=receipt_id, department=department)
    return rows[0]["receipt"] if rows else None


class ChangeSignal:
    """Wakes this process's subscriptions when a load made here may have appended changes;
    loads made by another process are found by each subscription's periodic look.

    A subscription takes the current event before it reads the log, so a load that finishes
    while it reads still wakes it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def current(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        """From the event loop: every subscription waiting now reads the log again."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    @staticmethod
    async def wait(event: asyncio.Event, timeout_s: float) -> None:
        """Until ``event`` is set, or at most ``timeout_s``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout_s)
