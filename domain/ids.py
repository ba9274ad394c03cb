"""Resident identity numbers (GB 11643-1999): normalising real-world dirt and checking them.

Accepted and repaired: 15-digit pre-1999 numbers (``19`` inserted, check digit computed),
lower-case ``x``, spaces, full-width digits, an Excel text-marker apostrophe. Rejected with a
reason: Excel's scientific notation and its trailing-``000`` truncation (the digits are gone),
wrong length, impossible birth dates and a failing check digit. A valid check digit does not
prove a real person: that is for identity resolution, not here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_SPACES = re.compile(r"[\s\u3000'‘’`\-]")


class InvalidIdNumber(ValueError):
    """The reason says what is wrong, in words a data clerk can act on."""


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(digits8: str) -> date:
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise InvalidIdNumber(f"birth date {digits8} in the number is not a real date") from None
    if born.year < 1880 or born > date.today():
        raise InvalidIdNumber(f"birth date {born.isoformat()} in the number is impossible")
    return born


def normalize_id_number(raw: str) -> str:
    """The 18-character canonical form, or InvalidIdNumber saying why not."""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = _SPACES.sub("", text).upper()
    if not text:
        raise InvalidIdNumber("ID number is empty")
    if _SCIENTIFIC.match(text):
        raise InvalidIdNumber(
            f"{text!r} is Excel scientific notation: the digits are lost, re-export as text"
        )
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 15:
        if not text.isdigit():
            raise InvalidIdNumber("a 15-character ID number must be all digits")
        _birth_date("19" + text[6:12])
        first17 = text[:6] + "19" + text[6:]
        return first17 + check_char(first17)
    if len(text) != 18:
        raise InvalidIdNumber(f"ID number has {len(text)} characters; expected 18 (or 15 for old numbers)")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise InvalidIdNumber("ID number must be 17 digits followed by a digit or X")
    _birth_date(text[6:14])
    expected = check_char(text[:17])
    if text[17] != expected:
        if text.endswith("000"):
            # Excel keeps 15 significant digits and pads with zeros. (One such number in
            # eleven passes the check; it cannot be told from a real one ending in 000.)
            raise InvalidIdNumber(
                "ID number ends in 000 and fails its check: Excel truncated it, re-export as text"
            )
        raise InvalidIdNumber(f"check digit is {text[17]}, expected {expected}")
    return text


def birth_date_of(id_number: str) -> date:
    return _birth_date(id_number[6:14])


def sex_of(id_number: str) -> str:
    """'M' or 'F' from the parity of the sequence code."""
    return "M" if int(id_number[16]) % 2 == 1 else "F"


def make_id_number(address_code: str, born: date, sequence: int) -> str:
    """A checksum-valid number (for synthetic data and tests)."""
    first17 = f"{address_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


class IdDocument(StrEnum):
    """What kind of identity document a stored number is (the credit catalogue's 证件类型)."""

    RESIDENT = "resident"  # 居民身份证 (GB 11643-1999)
    PASSPORT = "passport"  # 护照: a letter, then letters and digits, 8 to 10 characters
    OTHER = "other"  # anything else a record may name (a permit, an old number kept as given)


_PASSPORT = re.compile(r"^[A-Z][A-Z0-9]{7,9}$")


def id_document(number: str) -> IdDocument:
    """A resident number only when it is already canonical and valid: a number that would need
    repair is not claimed as one (the platform would hold a number the subject does not carry)."""
    try:
        if normalize_id_number(number) == number:
            return IdDocument.RESIDENT
    except InvalidIdNumber:
        pass
    return IdDocument.PASSPORT if _PASSPORT.match(number) else IdDocument.OTHER
