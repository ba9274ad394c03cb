"""Field types shared by the feed models: ID numbers, money, codes checked against the rule file."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo, model_validator

from domain.ids import InvalidIdNumber, normalize_id_number
from domain.money import to_fen, whole_fen
from domain.names import checked_name, visible_text


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _id_number(value: Any) -> str:
    try:
        return normalize_id_number(str(value))
    except InvalidIdNumber as exc:
        raise ValueError(str(exc)) from None


# A document number that is not shaped like a resident ID (15 or 18 characters): a passport
# or foreign permanent residence card, as the persons feed stores it (upper case, no spaces).
_RESIDENT_SHAPED = re.compile(r"\d{15}|\d{17}[\dX]")
_OTHER_DOCUMENT = re.compile(r"[A-Z0-9]{5,30}")


def _person_document(value: Any) -> str:
    """A resident ID number (validated and repaired), or a foreign resident's document number;
    which person it names is checked against the graph (the feed's references)."""
    text = unicodedata.normalize("NFKC", str(value)).replace(" ", "").strip().upper()
    if _OTHER_DOCUMENT.fullmatch(text) and not _RESIDENT_SHAPED.fullmatch(text) and not text.isdigit():
        return text
    return _id_number(value)


# No balance, income, capital or payment in a county's records comes near this; a larger
# figure is a damaged cell (Excel's 1.2E+10, a pasted account number), never money.
MAX_AMOUNT_YUAN = Decimal(1_000_000_000)
_AMOUNT = re.compile(r"\d+(\.\d*)?")


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValueError(f"{value!r} is not an amount of money")
    text = (
        unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("¥", "").replace("元", "")
    )
    if text.startswith("-"):
        raise ValueError(f"{value!r} is not a non-negative amount")
    if not _AMOUNT.fullmatch(text):  # plain digits: no exponent (1e10), no NaN or Infinity
        raise ValueError(f"{value!r} is not an amount of money in yuan (digits, at most two decimals)")
    amount = Decimal(text)
    if amount > MAX_AMOUNT_YUAN:
        raise ValueError(f"{value!r} is over the maximum of {MAX_AMOUNT_YUAN:,} yuan: a damaged cell?")
    if not whole_fen(amount):
        raise ValueError(f"{value!r} has more than two decimal places")
    return amount


_DATE_FORMATS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


# No record of a living register is dated before 1900 (0001-01-01 is an empty date field
# exported as a date); an end date may lie a lifetime ahead (2099-12-31 stands for "open").
EARLIEST_DAY = date(1900, 1, 1)
YEARS_AHEAD = 80
# Birth dates go back as far as an ID number's may (domain.ids), and never past today.
EARLIEST_BIRTH = date(1880, 1, 1)


def _latest_day() -> date:
    return date(date.today().year + YEARS_AHEAD, 12, 31)


def _within(day: date, earliest: date, latest: date, what: str) -> date:
    if not earliest <= day <= latest:
        raise ValueError(
            f"{what} {day.isoformat()} is out of range ({earliest.isoformat()} to "
            f"{latest.isoformat()}): a placeholder or a typing error?"
        )
    return day


def _day(value: Any) -> date:
    """A calendar date from 1900 to some decades ahead; see _calendar_day."""
    return _within(_calendar_day(value), EARLIEST_DAY, _latest_day(), "date")


def _birth_day(value: Any) -> date:
    return _within(_calendar_day(value), EARLIEST_BIRTH, date.today(), "birth date")


def _calendar_day(value: Any) -> date:
    """A calendar date written YYYY-MM-DD (also YYYY/MM/DD and YYYYMMDD); a spreadsheet's date
    cell. Never a number: 1728000 is not 1970-01-21, nor 45000 an Excel serial we guess."""
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise ValueError(f"{value.isoformat()} has a time of day; a date is due")
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD")
    text = unicodedata.normalize("NFKC", value).strip()
    for pattern in _DATE_FORMATS:
        if match := pattern.fullmatch(text):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                raise ValueError(f"{value!r} is not a real date (YYYY-MM-DD)") from None
    if text.isdigit() and 4 <= len(text) <= 5:
        raise ValueError(
            f"{value!r} looks like a spreadsheet's day number: format the column as a date, YYYY-MM-DD"
        )
    raise ValueError(f"{value!r} is not a date in YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD)")


def _text(value: Any) -> str:
    return visible_text(unicodedata.normalize("NFC", str(value)))


def _name(value: Any) -> str:
    return checked_name(unicodedata.normalize("NFC", str(value)))


def normalize_phone(value: Any) -> str:
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", str(value)))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not re.fullmatch(r"1\d{10}|0\d{9,11}", digits):
        raise ValueError(f"{value!r} is not a mainland mobile (1xxxxxxxxxx) or landline (0xxx…) number")
    return digits


def _address(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"\s+", "", text)
    if len(text) < 4:
        raise ValueError(f"{value!r} is too short to be an address")
    return text


def normalize_account(value: Any) -> str:
    digits = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value)))
    if not re.fullmatch(r"\d{12,30}", digits):
        raise ValueError(f"{value!r} is not a bank account number (12-30 digits)")
    return digits


def _department(value: str, info: ValidationInfo) -> str:
    code = value.strip().upper()
    known = (info.context or {}).get("departments")
    if known is not None and code not in known:
        raise ValueError(f"unknown department code {value!r}")
    return code


def _programme(value: str, info: ValidationInfo) -> str:
    code = value.strip().upper()
    known = (info.context or {}).get("programmes")
    if known is not None and code not in known:
        raise ValueError(f"unknown programme code {value!r}")
    return code


def _bool(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "t"}:
        return True
    if text in {"0", "false", "no", "n", "否", "f"}:
        return False
    raise ValueError(f"{value!r} is not yes/no")


IdNumber = Annotated[str, BeforeValidator(_id_number)]
PersonDocument = Annotated[str, BeforeValidator(_person_document)]
Day = Annotated[date, BeforeValidator(_day)]
BirthDay = Annotated[date, BeforeValidator(_birth_day)]
Money = Annotated[Decimal, BeforeValidator(_money)]
Text = Annotated[str, BeforeValidator(_text)]
Name = Annotated[str, BeforeValidator(_name)]  # of a person, place, bank or business
PhoneNumber = Annotated[str, BeforeValidator(normalize_phone)]
AddressText = Annotated[str, BeforeValidator(_address)]
AccountNumber = Annotated[str, BeforeValidator(normalize_account)]
DepartmentCode = Annotated[str, AfterValidator(_department)]
ProgrammeCode = Annotated[str, AfterValidator(_programme)]
YesNo = Annotated[bool, BeforeValidator(_bool)]


def _code(value: Any) -> str:
    return _text(value).upper()


Code = Annotated[str, BeforeValidator(_code)]


class FeedRow(BaseModel):
    """A validated row. Blank cells are None; unknown columns are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="after")
    def _storable(self) -> FeedRow:
        # The graph stores 64-bit integers and finite floats; anything else is a damaged cell.
        for name, value in self:
            if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
                raise ValueError(f"{name}: {value} is too large a number")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{name}: {value} is not a finite number")
        return self

    @classmethod
    def without_blanks(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """Blank cells are absent: optional fields take their default, required ones say so."""
        return {k: v for k, v in raw.items() if _blank_to_none(v) is not None}

    def params(self) -> dict[str, Any]:
        """The row as Cypher parameters (dates stay dates; money becomes fen)."""
        out: dict[str, Any] = {}
        for name, value in self:
            if isinstance(value, Decimal):
                out[name + "_fen"] = to_fen(value)
            elif hasattr(value, "value") and isinstance(value.value, str):
                out[name] = value.value  # enums
            else:
                out[name] = value
        return out


def period_start(period: str) -> date:
    year, month = period.split("-")
    return date(int(year), int(month), 1)
