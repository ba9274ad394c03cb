"""One step of a workflow (a case, a finding, a dishonesty record): who took it, when, from
which status to which. Each workflow has its own GraphQL type with these fields."""

from __future__ import annotations

from typing import Any, Self

import strawberry


@strawberry.type
class StepEvent:
    action: str
    from_status: str | None
    to_status: str
    by: str
    role: str
    at: str
    note: str | None

    @classmethod
    def from_record(cls, event: dict[str, Any]) -> Self:
        values: dict[str, Any] = {k: event.get(k) for k in StepEvent.__annotations__}
        return cls(**values)
