"""The audit trail as the auditor reads it."""

from __future__ import annotations

import strawberry


@strawberry.type
class AuditEvent:
    event_id: str
    request_id: str | None
    at: str
    subject: str
    role: str
    department: str | None
    person_id_number: str
    categories: list[str]
    purpose: str
    operation: str
