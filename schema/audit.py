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
    agreement: str | None = strawberry.field(
        default=None, description="the data-sharing agreement a partner read under"
    )
    outcome: str | None = strawberry.field(
        default=None, description="shown, or not_found for a read that found nobody within your jurisdiction"
    )
