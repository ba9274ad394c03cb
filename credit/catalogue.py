"""The receiving platform's catalogue (rules/credit-catalogue.toml): how a dishonesty record's
shared fields (credit/shape.py) become the catalogue's fields and codes. Checked when read:
every shared field mapped or dropped with a reason, no key twice, a code for every status the
platform can hear of. A file that is missing or wrong, or a value it has no code for, is one line."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from credit.records import RECORD_LIFECYCLE
from credit.shape import BY_NAME, SHARED, Kind, as_json
from domain.ids import id_document
from settings import CREDIT_CATALOGUE_FILE

_KEY = r"^[a-z][a-z0-9_]*$"


def exported_statuses() -> tuple[str, ...]:
    """The statuses a record can have when the platform hears of it: after every step with a change."""
    out: list[str] = []
    for t in RECORD_LIFECYCLE.transitions.values():
        if t.change is not None:
            for status in (t.to,) if t.to is not None else t.allowed_from:
                if status not in out:
                    out.append(status)
    return tuple(out)


class CatalogueError(ValueError):
    """The catalogue cannot be read, or has no code for a value: said in one line."""


class IdTypes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_KEY)
    resident: str = Field(min_length=1)
    passport: str = Field(min_length=1)
    other: str = Field(min_length=1)

    def code(self, number: str) -> str:
        return str(getattr(self, id_document(number).value))


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.-]*$")
    fields: dict[str, str]  # our field's name -> the catalogue's key
    dropped: dict[str, str] = {}  # our field's name -> why the platform does not receive it
    id_type: IdTypes
    constants: dict[str, str] = {}  # the catalogue's key -> the same value in every record
    values: dict[str, dict[str, str]] = {}  # our field's name -> our value -> the catalogue's code

    @property
    def label(self) -> str:
        return f"credit-catalogue/{self.version}"

    @model_validator(mode="after")
    def _complete(self) -> Catalogue:
        shared = [f.name for f in SHARED]
        for section in ("fields", "dropped", "values"):
            for name in getattr(self, section):
                if name not in shared:
                    raise ValueError(f"[{section}] names {name!r}, not a shared field of credit/shape.py")
        for name in shared:
            if name in self.fields and name in self.dropped:
                raise ValueError(f"the shared field {name!r} is both mapped and dropped")
            if name not in self.fields and name not in self.dropped:
                raise ValueError(f"the shared field {name!r} is neither mapped nor dropped")
        for name, why in self.dropped.items():
            if not why.strip():
                raise ValueError(f"[dropped] {name!r} gives no reason")
        keys = [*self.fields.values(), self.id_type.key, *self.constants]
        for key in keys:
            if not re.match(_KEY, key):
                raise ValueError(f"the catalogue key {key!r} is not lower-case pinyin with underscores")
            if keys.count(key) > 1:
                raise ValueError(f"the catalogue key {key!r} is given twice")
        for name, codes in self.values.items():
            if name not in self.fields or BY_NAME[name].kind is not Kind.TEXT:
                raise ValueError(f"[values.{name}] is not a mapped text field")
            if not all(code.strip() for code in codes.values()):
                raise ValueError(f"[values.{name}] has an empty code")
        missing = [s for s in exported_statuses() if s not in self.values.get("status", {})]
        if "status" in self.fields and missing:
            raise ValueError(f"[values.status] has no code for {', '.join(missing)}")
        return self

    def record(self, row: dict[str, Any]) -> dict[str, Any]:
        """A change's frozen record (graph properties) as the catalogue's record: mapped keys,
        coded values, the ID's document type and the constants."""
        ours = as_json(row, [BY_NAME[name] for name in self.fields])
        out: dict[str, Any] = {}
        for name, key in self.fields.items():
            value = ours[name]
            codes = self.values.get(name)
            if codes is not None and value is not None:
                if value not in codes:
                    raise CatalogueError(
                        f"the credit catalogue {self.label} has no code for {name} {value!r}"
                        f" (record {row.get('record_id')}): add it to [values.{name}]"
                    )
                value = codes[value]
            out[key] = value
        number = row.get(BY_NAME["id_number"].key)
        out[self.id_type.key] = self.id_type.code(number) if isinstance(number, str) and number else None
        return out | self.constants


def read_catalogue(path: Path) -> Catalogue:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"cannot read the credit catalogue {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"the credit catalogue {path} is not valid TOML: {exc}") from None
    return parse_catalogue(data, str(path))


def parse_catalogue(data: dict[str, Any], source: str) -> Catalogue:
    """The catalogue from a TOML file's tables; CatalogueError naming the first thing wrong."""
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(x) for x in error["loc"])
        what = str(error["msg"]).removeprefix("Value error, ")
        raise CatalogueError(
            f"the credit catalogue {source} is not valid: {where + ': ' if where else ''}{what}"
        ) from None


@cache
def shipped_catalogue() -> Catalogue:
    """The catalogue that ships with the code (rules/credit-catalogue.toml)."""
    return read_catalogue(CREDIT_CATALOGUE_FILE)
