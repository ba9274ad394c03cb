"""Checks shared by the query and mutation resolvers."""

from __future__ import annotations

from decimal import Decimal

from domain.money import to_fen
from schema.api.errors import InvalidInput


def purpose_problem(purpose: str) -> InvalidInput | None:
    """Every read of personal data states why (DOMAIN.md: the audit trail records it)."""
    if not 4 <= len(purpose.strip()) <= 200:
        return InvalidInput(field="purpose", message="state the purpose of this read (4-200 characters)")
    return None


def amount_fen(value: Decimal | None, field: str) -> int | InvalidInput | None:
    """An amount of money given in yuan, as stored (integer fen); or what is wrong with it."""
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return InvalidInput(field=field, message="an amount in yuan, at most 2 decimals, not negative")
    return to_fen(value)
