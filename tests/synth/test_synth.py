"""The synthetic county: deterministic, dirty like real exports, with every finding kind planted."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from neo4j import Driver

from domain.ids import InvalidIdNumber, normalize_id_number
from loaders.run import Loader
from settings import Settings
from synth.county import synthesize

FINDING_KINDS = {
    "DUP_PERSON_MULTI_HOUSEHOLD",
    "DUP_EXCLUSIVE_PROGRAMMES",
    "DUP_PAYMENT",
    "DUP_EVENT_AID",
    "DUP_IDENTITY",
    "RING_SHARED_IDENTIFIER",
    "PAYMENT_TO_THIRD_PARTY",
    "DECEASED_PAID",
    "ASSET_INELIGIBLE",
    "RELATIONSHIP_BENEFIT",
    "GAP_VULNERABLE_UNCOVERED",
    "GAP_MISSING_SPECIAL",
    "GAP_STAFFING",
    "GAP_OVERDUE",
    "GAP_URGENT_UNREVIEWED",
    "FUND_AMOUNT_MISMATCH",
    "FUND_LINE_WITHOUT_GRANT",
    "FUND_ACCOUNT_MISMATCH",
    "FUND_REISSUED_ELSEWHERE",
    "FUND_OVER_ALLOCATION",
    "FUND_PAID_AFTER_END",
    "FUND_AGENT_ACCOUNT",
}


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("county")
    synthesize(out, seed=5, scale="small")
    return out


def labels(folder: Path, name: str = "labels.jsonl") -> list[dict]:
    return [json.loads(line) for line in (folder / "labels" / name).read_text(encoding="utf-8").splitlines()]


def test_same_seed_same_files(county: Path, tmp_path: Path) -> None:
    synthesize(tmp_path / "again", seed=5, scale="small")
    assert digests(tmp_path / "again") == digests(county)


def test_another_seed_other_files(county: Path, tmp_path: Path) -> None:
    synthesize(tmp_path / "other", seed=6, scale="small")
    assert digests(tmp_path / "other")["persons_GA.csv"] != digests(county)["persons_GA.csv"]


def test_every_finding_kind_is_planted_and_labelled(county: Path) -> None:
    planted = labels(county)
    assert {item["kind"] for item in planted} == FINDING_KINDS
    for item in planted:
        assert item["note"]
        assert any(item.get(key) for key in ("persons", "households", "townships", "villages", "cases"))
    assert {item["kind"] for item in labels(county, "near_misses.jsonl")} >= {
        "DUP_EVENT_AID",
        "ASSET_INELIGIBLE",
        "RELATIONSHIP_BENEFIT",
        "RING_SHARED_IDENTIFIER",
    }


def test_exports_carry_real_world_dirt(county: Path) -> None:
    persons = (county / "persons_GA.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        persons.decode("utf-8")  # the population register comes in GB18030
    rows = list(csv.DictReader(persons.decode("gb18030").splitlines()))
    ids = [r["id_number"] for r in rows]
    assert any(len(i) == 15 for i in ids)
    assert any(i.endswith("x") for i in ids)
    assert any("E+17" in i or (len(i) == 18 and i.endswith("000")) for i in ids)
    assert len(rows) > len({tuple(r.values()) for r in rows})  # duplicate rows
    broken = 0
    for i in ids:
        try:
            normalize_id_number(i)
        except InvalidIdNumber:
            broken += 1
    assert 0 < broken < len(ids) * 0.01


def test_labelled_people_are_in_the_register(county: Path) -> None:
    text = (county / "persons_GA.csv").read_bytes().decode("gb18030")
    registered = set()
    for row in csv.DictReader(text.splitlines()):
        try:
            registered.add(normalize_id_number(row["id_number"]))
        except InvalidIdNumber:
            pass
    for item in labels(county):
        assert set(item.get("persons", [])) <= registered, item


def test_small_county_loads_rejecting_only_excel_damage(
    graph: Driver, settings: Settings, county: Path, rejects_dir: Path
) -> None:
    files = sorted([*county.glob("*.csv"), *county.glob("*.jsonl")])
    report = Loader(graph, settings, rejects_dir=rejects_dir).load(files)
    assert {f.feed for f in report.rejects_files()} == {"persons"}
    persons = next(f for f in report.files if f.feed == "persons")
    with persons.rejects_file.open(encoding="utf-8") as fh:  # type: ignore[union-attr]
        reasons = {r["reason"] for r in csv.DictReader(fh)}
    assert reasons and all("Excel" in reason for reason in reasons)
    records, _, _ = graph.execute_query(
        "MATCH (p:Person) RETURN count(p) AS persons", database_=settings.neo4j_database
    )
    assert records[0]["persons"] > 5000
