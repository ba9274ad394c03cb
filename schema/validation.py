"""Checks shared by the query and mutation resolvers."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from domain.ids import InvalidIdNumber, normalize_id_number
from domain.money import to_fen, whole_fen
from schema.errors import InvalidInput

# Control and format characters (NUL, CR/LF, ANSI escapes, zero-width spaces, bidi marks),
# surrogates, private and unassigned code points: invisible or harmful in the audit trail.
UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def person_key(raw: str) -> str:
    """A person's document number as the loaders store it: an ID number normalised (raising
    InvalidIdNumber), other documents (passports) as written, without spaces."""
    text = raw.strip()
    if text[:1].isdigit():
        return normalize_id_number(text)
    return text.replace(" ", "").upper()


def id_number_input(raw: str, field: str) -> str | InvalidInput:
    """An ID number a client typed, normalised as the loaders do; or what is wrong with it."""
    try:
        return normalize_id_number(raw)
    except InvalidIdNumber as exc:
        return InvalidInput(field=field, message=str(exc))


def person_key_input(raw: str, field: str) -> str | InvalidInput:
    """A person's key a client typed (an ID number, or a passport's), as person_key stores it;
    or what is wrong with it."""
    try:
        return person_key(raw)
    except InvalidIdNumber as exc:
        return InvalidInput(field=field, message=str(exc))


def purpose_problem(purpose: str) -> InvalidInput | None:
    """Every read of personal data states why (DOMAIN.md: the audit trail records it): in words,
    so a purpose of dots or invisible characters is refused rather than stored."""
    if not 4 <= len(purpose.strip()) <= 200:
        return InvalidInput(field="purpose", message="state the purpose of this read (4-200 characters)")
    if any(unicodedata.category(c) in UNPRINTABLE for c in purpose):
        return InvalidInput(field="purpose", message="no control or invisible characters in the purpose")
    if sum(c.isalpha() for c in purpose) < 4:
        return InvalidInput(
            field="purpose",
            message="state the purpose of this read in words (at least 4 letters or characters)",
        )
    return None


def amount_fen(value: Decimal | None, field: str) -> int | InvalidInput | None:
    """An amount of money given in yuan, as stored (integer fen); or what is wrong with it."""
    if value is None:
        return None
    if not value.is_finite() or value < 0 or not whole_fen(value):
        return InvalidInput(field=field, message="an amount in yuan, at most 2 decimals, not negative")
    return to_fen(value)
