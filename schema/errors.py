"""Expected failures, returned as members of union results (not as exceptions)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain.workflow import Refusal, Workflow


@strawberry.enum
class ErrorCode(Enum):
    NOT_FOUND = "not_found"  # also: exists, but outside the caller's jurisdiction or mandate
    FORBIDDEN = "forbidden"  # the caller's role may never read this kind of object
    INVALID_INPUT = "invalid_input"
    CONFLICT_OF_INTEREST = "conflict_of_interest"  # the caller may not take this step on this case (回避)


@strawberry.enum
class ConflictReason(Enum):
    RELATIVE_NOT_FILED = "relative_not_filed"  # kin or household among the beneficiaries, not filed (备案)
    COUNTERSIGN_NEEDED = "countersign_needed"  # the relation is filed: a second caseworker must countersign
    INVESTIGATED_THE_CASE = "investigated_the_case"  # who recorded the home investigation does not decide


@strawberry.type
class NotFound:
    code: ErrorCode = ErrorCode.NOT_FOUND
    message: str = "no such record within your jurisdiction"


@strawberry.type
class Forbidden:
    code: ErrorCode = ErrorCode.FORBIDDEN
    message: str = "your role may not read this"


@strawberry.type
class InvalidInput:
    field: str
    message: str
    code: ErrorCode = ErrorCode.INVALID_INPUT


@strawberry.type
class ConflictOfInterest:
    reason: ConflictReason
    message: str
    code: ErrorCode = ErrorCode.CONFLICT_OF_INTEREST


@strawberry.type
class VersionConflict:
    current_version: int
    message: str = "the record changed since you read it; reload and try again"
    code: ErrorCode = ErrorCode.INVALID_INPUT


@strawberry.type
class InvalidTransition:
    status: str
    message: str
    code: ErrorCode = ErrorCode.INVALID_INPUT


def step_refused(
    workflow: Workflow[Any], step: Any, row: dict[str, Any], expected_version: int, precondition: str = ""
) -> VersionConflict | InvalidTransition:
    """A workflow step that did not apply, as the typed error its mutation returns;
    `precondition` says what the step's own condition was, where status and version fit."""
    refused = workflow.refusal(step, row, expected_version)
    if refused.why is Refusal.STALE_VERSION:
        return VersionConflict(current_version=refused.current_version, message=refused.message)
    return InvalidTransition(
        status=refused.status,
        message=precondition if refused.why is Refusal.PRECONDITION else refused.message,
    )
