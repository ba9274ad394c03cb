"""Expected failures, returned as members of union results (not as exceptions)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class ErrorCode(Enum):
    NOT_FOUND = "not_found"  # also: exists, but outside the caller's jurisdiction or mandate
    FORBIDDEN = "forbidden"  # the caller's role may never read this kind of object
    INVALID_INPUT = "invalid_input"


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
