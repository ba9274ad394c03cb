"""The independent oracle: plain Python over the generated tables, by the rule file.

It must confirm every planted case (the generator and the oracle were written apart, so
agreement is evidence both read DOMAIN.md alike), and it alone decides the background drawn
across the thresholds: these tests pin it at the line, where a mistake would hide.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from detection.evaluate import DECIDING, MATCH_JACCARD, _fields, _label_keys
from domain.finding_kinds import FindingKind
from synth.county import synthesize
from synth.oracle import oracle_labels


def read(folder: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (folder / "labels" / name).read_text(encoding="utf-8").splitlines()]


def keys(label: dict) -> set[str]:
    kind = FindingKind(label["kind"])
    return _label_keys(label, _fields(kind, label))


@pytest.mark.parametrize("seed", [5, 13])
def test_the_oracle_confirms_every_planted_case_and_labels_more(seed: int, tmp_path: Path) -> None:
    synthesize(tmp_path, seed=seed, scale="small")
    oracle, planted = read(tmp_path, "labels.jsonl"), read(tmp_path, "planted.jsonl")
    unconfirmed = [
        p
        for p in planted
        if not any(
            o["kind"] == p["kind"] and len(keys(o) & keys(p)) / len(keys(o) | keys(p)) >= MATCH_JACCARD
            for o in oracle
        )
    ]
    assert unconfirmed == []
    # The straddling background puts cases on both sides of the lines: some cross them.
    assert len(oracle) > len(planted) + 10
    assert {o["kind"] for o in oracle} == {k.value for k in DECIDING}


def tables(**rows: list[dict]) -> dict[str, list[dict]]:
    base = {
        "regions": [
            {"township_code": "370831101", "township_population": 30000, "village_code": "370831101001"}
        ],
        "households": [
            {"household_id": "H1", "village_code": "370831101001", "address": "一号"},
            {"household_id": "H2", "village_code": "370831101001", "address": "二号"},
        ],
        "persons": [
            {"id_number": p, "household_id": h, "birth_date": "1950-01-01", "member_until": ""}
            for p, h in (("A", "H1"), ("B", "H1"), ("C", "H2"))
        ],
    }
    return {**base, **rows}


def grant(enrollment: str = "E1", household: str = "H1", programme: str = "DIBAO", **extra: str) -> dict:
    return {
        "enrollment_id": enrollment,
        "programme": programme,
        "household_id": household,
        "id_number": "",
        "covered_id_numbers": "A;B" if household == "H1" else "C",
        "start_date": "2026-06-01",
        "end_date": "",
        "account_number": "",
        **extra,
    }


def kinds(labels: list[dict]) -> list[str]:
    return [label["kind"] for label in labels if label["kind"] != "GAP_STAFFING"]


@pytest.mark.parametrize(("balance", "flagged"), [(24960, False), (24961, True)])
def test_deposits_are_judged_strictly_above_the_limit(balance: int, flagged: bool) -> None:
    # Two members x 520 yuan x 24 months = 24,960 yuan: the limit itself is allowed.
    rows = tables(
        enrollments=[grant()],
        deposits=[{"record_id": "D1", "source": "YH", "id_number": "A", "balance": f"{balance}.00"}],
    )
    assert kinds(oracle_labels(rows, date(2026, 11, 1), [])) == (["ASSET_INELIGIBLE"] if flagged else [])


@pytest.mark.parametrize(("visited", "flagged"), [("2025-11-01", False), ("2025-10-31", True)])
def test_a_visit_is_overdue_after_365_days(visited: str, flagged: bool) -> None:
    rows = tables(enrollments=[grant()], visits=[{"household_id": "H1", "visit_date": visited}])
    assert kinds(oracle_labels(rows, date(2026, 11, 1), [])) == (["GAP_OVERDUE"] if flagged else [])


@pytest.mark.parametrize(("last_period", "flagged"), [("2026-03", False), ("2026-04", True)])
def test_payments_after_the_month_of_death(last_period: str, flagged: bool) -> None:
    periods = ["2026-01", "2026-02", "2026-03", "2026-04"]
    rows = tables(
        enrollments=[grant()],
        deaths=[{"id_number": "B", "death_date": "2026-03-30"}],
        payments=[
            {
                "payment_id": f"P{p}",
                "enrollment_id": "E1",
                "period": p,
                "account_number": "",
                "event_cause": "",
            }
            for p in periods
            if p <= last_period
        ],
    )
    assert kinds(oracle_labels(rows, date(2026, 11, 1), [])) == (["DECEASED_PAID"] if flagged else [])


def test_a_shared_address_alone_is_no_ring_but_with_a_phone_it_is() -> None:
    both = [grant(), grant("E2", "H2")]
    address = [{"id_number": "C", "address": "一号"}]
    assert kinds(oracle_labels(tables(enrollments=both, addresses=address), date(2026, 11, 1), [])) == []
    phones = [{"id_number": "A", "phone": "13800000000"}, {"id_number": "C", "phone": "13800000000"}]
    assert kinds(
        oracle_labels(tables(enrollments=both, addresses=address, phones=phones), date(2026, 11, 1), [])
    ) == ["RING_SHARED_IDENTIFIER"]
    kin = [{"id_number": "A", "relative_id_number": "C"}]
    assert (
        kinds(oracle_labels(tables(enrollments=both, phones=phones, kinship=kin), date(2026, 11, 1), []))
        == []
    )
    # Or one person registered twice (identity's truth), which is DUP_IDENTITY's finding.
    assert kinds(oracle_labels(tables(enrollments=both, phones=phones), date(2026, 11, 1), [("A", "C")])) == [
        "DUP_IDENTITY"
    ]
