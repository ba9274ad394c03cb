"""The audit trail: every read of a person's personal data, by anyone, is recorded.

Events are only ever created (there is no API to change or delete them) and are written
before the data is returned: a read whose audit event cannot be written fails.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from access.principal import Principal

RECORD_READS = """
UNWIND $persons AS id_number
CREATE (:AuditEvent {
  event_id: randomUUID(), request_id: $request_id, at: datetime(), subject: $subject, role: $role,
  department: $department, person_id_number: id_number, categories: $categories,
  purpose: $purpose, operation: $operation
})
"""

AUDIT_EVENTS = """
MATCH (a:AuditEvent)
WHERE ($person IS NULL OR a.person_id_number = $person)
  AND ($subject IS NULL OR a.subject = $subject)
  AND ($after IS NULL OR [a.at, a.event_id] < [datetime($after_at), $after])
RETURN a {.*, at: toString(a.at)} AS event
ORDER BY a.at DESC, a.event_id DESC
LIMIT $limit
"""


class Writer(Protocol):
    async def write(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]: ...


class AuditTrail:
    """Per request: who is reading, for what stated purpose."""

    def __init__(self, gateway: Writer, principal: Principal) -> None:
        self._gateway = gateway
        self._principal = principal
        self.request_id = str(uuid.uuid4())

    async def record_reads(self, persons: list[str], categories: list[str], purpose: str, operation: str) -> None:
        if not persons:
            return
        p = self._principal
        await self._gateway.write(
            RECORD_READS, persons=sorted(set(persons)), request_id=self.request_id, subject=p.subject,
            role=p.role.value, department=p.department, categories=sorted(set(categories)), purpose=purpose,
            operation=operation,
        )
