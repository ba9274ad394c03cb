"""One shape of a dishonesty record: every field, its kind, and who receives it. The API's
types, the export's records, the publicity and restriction projections and the change
feed's frozen copy all derive from RECORD_FIELDS; a field is added here, once.

A field's graph property is its `key`; money is kept in fen (`amount_fen`) and named
without the suffix everywhere else (`amount`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from domain.money import to_yuan


class Kind(StrEnum):
    TEXT = "text"
    MONEY = "money"  # fen in the graph, yuan outside
    DATE = "date"
    FLAG = "flag"


@dataclass(frozen=True)
class RecordField:
    key: str  # the graph property
    kind: Kind = Kind.TEXT
    public: bool = False  # partners may know it (joint restriction, the person 360's summary)
    shared: bool = True  # the platform receives it: frozen with every change of the feed

    @property
    def name(self) -> str:
        return self.key.removesuffix("_fen")


F, K = RecordField, Kind
RECORD_FIELDS: tuple[RecordField, ...] = (
    F("record_id", public=True),
    F("status", public=True),
    F("subject_name"),
    F("id_number"),
    F("behaviour", public=True),
    F("facts"),
    F("amount_fen", K.MONEY),
    F("legal_basis"),
    F("severity", public=True),
    F("deciding_authority", public=True),
    F("decision_number", public=True),
    F("decision_date", K.DATE, public=True),
    F("publicity_start", K.DATE, public=True),
    F("publicity_end", K.DATE, public=True),
    F("recovery_amount_fen", K.MONEY),
    F("aid_stopped", K.FLAG),
    F("repaired_on", K.DATE),
    F("expired_on", K.DATE),
    F("objection_open", K.FLAG),
    F("revoked_on", K.DATE),
    F("revocation_reason"),
    F("revocation_reference"),
    # Due process stays in the county: the platform hears of the decision, not the defence.
    F("notice_served_by", shared=False),
    F("notice_served_on", K.DATE, shared=False),
    F("defence_deadline", K.DATE, shared=False),
    F("defence_statement", shared=False),
    F("defence_response", shared=False),
    F("defence_waived", K.FLAG, shared=False),
    F("objection_kind", shared=False),
    F("objection_grounds", shared=False),
    # External records (credit/external.py): published by another agency on the platform and
    # pushed back here; they restrict as local ones do and are never sent to the platform again.
    F("source_agency", public=True, shared=False),
    F("source_record_key", public=True, shared=False),
    F("restriction_end", K.DATE, public=True, shared=False),
)
BY_NAME = {f.name: f for f in RECORD_FIELDS}
SHARED = tuple(f for f in RECORD_FIELDS if f.shared)
PUBLIC = tuple(f for f in RECORD_FIELDS if f.public)
# What the publicity list shows of a record besides its public fields.
PUBLICISED = PUBLIC + tuple(BY_NAME[n] for n in ("subject_name", "id_number", "amount"))


def projection(fields: Iterable[RecordField]) -> str:
    """A Cypher map projection of the fields' properties: `{.record_id, .status, …}`."""
    return "{" + ", ".join("." + f.key for f in fields) + "}"


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def values(row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a graph row as Python values: money in yuan (Decimal), dates as dates."""
    out: dict[str, Any] = {}
    for name in names:
        f = BY_NAME[name]
        raw = row.get(f.key)
        out[name] = to_yuan(raw) if f.kind is Kind.MONEY else _native(raw) if f.kind is Kind.DATE else raw
    return out


def as_json(row: dict[str, Any], fields: Iterable[RecordField]) -> dict[str, Any]:
    """The fields as JSON values: yuan as decimal strings with two places, dates ISO 8601."""
    out: dict[str, Any] = {}
    for name, value in values(row, [f.name for f in fields]).items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


T = TypeVar("T")


def build(cls: type[T], row: dict[str, Any], **given: Any) -> T:
    """An instance of an API type (a dataclass) whose fields are record fields, from a graph
    row; `given` sets the fields that are not (a version, a change's number) or overrides."""
    names = [f.name for f in fields(cls) if f.name in BY_NAME and f.name not in given]  # type: ignore[arg-type]
    return cls(**values(row, names), **given)
