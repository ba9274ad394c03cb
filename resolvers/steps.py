"""The one guarded write of a workflow step (domain/workflow.py), as cases' siblings take it:
findings, reports and investigations each pass their named Cypher, which reads the same
parameters."""

from __future__ import annotations

from typing import Any

from domain.workflow import Workflow


async def guarded_step(
    gateway: Any,
    cypher: str,
    workflow: Workflow[Any],
    step: Any,
    record: tuple[str, str],
    expected_version: int | None,
    *,
    notify_as: str,
    by: str,
    role: str,
    note: str | None,
    changes: dict[str, Any],
    notify: str | None = None,
    **extra: Any,
) -> dict[str, Any] | None:
    """Takes ``step`` on the record (its key parameter, its id) when its status and version
    allow: the row says whether it applied (``ok``) and what it found; None for no such
    record. ``notify`` is told of it as ``<notify_as>_<step>``; ``extra`` are the statement's
    own parameters."""
    key, record_id = record
    rows = await gateway.write(
        cypher,
        **{key: record_id},
        **workflow.guard(step),
        expected_version=expected_version,
        by=by,
        role=role,
        note=note,
        changes=changes,
        notify=notify,
        notify_kind=f"{notify_as}_{step.value}",
        notify_about=record_id,
        **extra,
    )
    return rows[0] if rows else None
