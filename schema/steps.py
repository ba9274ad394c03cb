"""One step of a workflow (a case, a finding, a dishonesty record, a report, an
investigation): the event it leaves, and the typed result its mutation returns. Each
workflow has its own GraphQL type with these fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Self, TypeVar

import strawberry

from domain.workflow import Workflow
from resolvers.context import RequestContext
from schema.errors import InvalidTransition, NotFound, VersionConflict, step_refused


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


T = TypeVar("T")


async def step_result(
    workflow: Workflow[Any],
    step: Any,
    row: dict[str, Any] | None,
    expected_version: int,
    done: Callable[[dict[str, Any]], Awaitable[T]],
    *,
    precondition: str = "",
    not_found: NotFound | None = None,
) -> T | NotFound | VersionConflict | InvalidTransition:
    """A guarded step's row (None: no such record) as its mutation's typed result: not
    found, the refusal (wrong status, stale version, the step's own precondition), or what
    ``done`` makes of the row the step wrote."""
    if row is None:
        return not_found or NotFound(message=f"no such {workflow.record}")
    if not row["ok"]:
        return step_refused(workflow, step, row, expected_version, precondition)
    return await done(row)


async def take_step(
    ctx: RequestContext,
    write: Callable[..., Awaitable[dict[str, Any] | None]],
    workflow: Workflow[Any],
    record_id: str,
    step: Any,
    expected_version: int,
    done: Callable[[dict[str, Any]], Awaitable[T]],
    *,
    unmet: str = "",
    not_found: NotFound | None = None,
    **arguments: Any,
) -> T | NotFound | VersionConflict | InvalidTransition:
    """One guarded step taken by the caller (the event records who, in which role) with
    ``write`` (resolvers: record id, step, expected version, by, role and the write's own
    ``arguments``, e.g. note, changes, notify), its row mapped by step_result (``unmet``:
    its precondition)."""
    p = ctx.principal
    row = await write(
        ctx.gateway, record_id, step, expected_version, by=p.subject, role=p.role.value, **arguments
    )
    return await step_result(
        workflow, step, row, expected_version, done, precondition=unmet, not_found=not_found
    )
