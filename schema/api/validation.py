"""Checks shared by the query and mutation resolvers."""

from __future__ import annotations

from schema.api.errors import InvalidInput


def purpose_problem(purpose: str) -> InvalidInput | None:
    """Every read of personal data states why (DOMAIN.md: the audit trail records it)."""
    if not 4 <= len(purpose.strip()) <= 200:
        return InvalidInput(field="purpose", message="state the purpose of this read (4-200 characters)")
    return None
