"""One shape per credit record: every API type that shows a record takes its record fields
from credit/shape.py, and the export sends exactly the shared ones (in the
platform's catalogue, credit/catalogue.py)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from credit.catalogue import shipped_catalogue
from credit.shape import BY_NAME, PUBLIC, SHARED, build
from jobs.credit_export import change_record
from schema.credit import CreditChange, DishonestyRecord, PublicCreditRecord
from schema.people import PersonCreditRecord
from schema.publicity import DishonestyNotice

# Fields of the API types that are not the record's own: a version, a change's identity, the
# identity as the publicity setting shows it.
NOT_RECORD_FIELDS = {
    DishonestyRecord: {"version", "events", "external"},  # external: source_agency is set
    CreditChange: {"sequence", "change_id", "change", "record_version", "occurred_at"},
    PublicCreditRecord: set(),
    PersonCreditRecord: set(),
    DishonestyNotice: {"name"},
}


def test_every_api_type_takes_its_record_fields_from_the_shape() -> None:
    for cls, extra in NOT_RECORD_FIELDS.items():
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        assert sorted(names - extra - set(BY_NAME)) == [], cls.__name__


def test_partners_see_only_public_fields() -> None:
    public = {f.name for f in PUBLIC}
    assert {f.name for f in fields(PublicCreditRecord)} <= public  # type: ignore[arg-type]
    assert not {"subject_name", "id_number", "facts", "amount"} & public


def test_the_export_sends_the_shared_fields_in_yuan_and_iso_dates() -> None:
    row = {
        "change_id": "CC-1",
        "sequence": 1,
        "change": "decided",
        "occurred_at": "2026-11-20T09:00:00+00:00",
        "record_id": "DR-1",
        "record_version": 2,
        "amount_fen": 104050,
        "decision_date": date(2026, 11, 20),
        "defence_statement": "kept in the county",
    }
    catalogue = shipped_catalogue()
    record = change_record(row)["record"]
    mapped = {catalogue.fields[f.name] for f in SHARED if f.name not in catalogue.dropped}
    assert set(record) == mapped | {catalogue.id_type.key, *catalogue.constants}
    assert (record["sheji_jine"], record["rending_riqi"]) == ("1040.50", "2026-11-20")
    assert "defence_statement" not in record and "kept in the county" not in record.values()


def test_a_type_is_built_from_a_graph_row() -> None:
    r = build(PublicCreditRecord, {"record_id": "DR-1", "behaviour": "concealment", "severity": "general"})
    assert (r.record_id, r.decision_date) == ("DR-1", None)
