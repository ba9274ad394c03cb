"""`reliefgraph export snapshot`: one county's Parquet snapshot for the province."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from neo4j import Driver
from typer.testing import CliRunner

from access.fields import SNAPSHOT_FIELDS
from province.snapshot import FORMAT, TABLES, SnapshotError, read_manifest
from reliefgraph.cli import app
from settings import Settings
from tests.detection.builder import VA, VC, County


def _county() -> tuple[County, dict[str, str]]:
    c = County()
    h1, h2 = c.household(VA), c.household(VC)
    a = c.person(h1, "张伟", date(1970, 3, 4))
    b = c.person(h2, "李芳", date(1980, 5, 6), sex="F")
    c.phone(a, "13800000001")
    c.account(b, "6228480000000000099")
    e = c.enrollment("DIBAO", household=h1, covered=[a])
    c.payment(e, "2026-03")
    c.death(b, "2026-02-01", "2026-04-01")
    return c, {"h1": h1, "a": a, "b": b, "e": e}


def test_snapshot_holds_the_county_in_classified_columns(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county, keys = _county()
    county.load(graph, settings, tmp_path / "county")
    out = tmp_path / "snap"
    result = CliRunner().invoke(app, ["export", "snapshot", str(out), "--json"], obj=settings)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == FORMAT and manifest["county"] == settings.county_code
    assert set(manifest["tables"]) == set(TABLES)
    assert read_manifest(out) == manifest  # digests check
    persons = pq.read_table(out / "persons.parquet").to_pylist()
    assert {p["person"] for p in persons} == {keys["a"], keys["b"]}
    assert {p["county"] for p in persons} == {settings.county_code}
    enrollments = pq.read_table(out / "enrollments.parquet").to_pylist()
    assert enrollments[0]["household"] == keys["h1"] and enrollments[0]["covered"] == [keys["a"]]
    deaths = pq.read_table(out / "deaths.parquet").to_pylist()
    assert [(d["person"], d["death_date"]) for d in deaths] == [(keys["b"], "2026-02-01")]
    # Every column the export writes is in the snapshot's field table: no unclassified way out.
    for table in TABLES:
        for column in pq.read_schema(out / f"{table}.parquet").names:
            assert (table, column) in SNAPSHOT_FIELDS, (table, column)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}


def test_a_changed_snapshot_is_refused(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    county, _ = _county()
    county.load(graph, settings, tmp_path / "county")
    out = tmp_path / "snap"
    assert CliRunner().invoke(app, ["export", "snapshot", str(out)], obj=settings).exit_code == 0
    (out / "phones.parquet").write_bytes(b"not parquet")
    try:
        read_manifest(out)
    except SnapshotError as exc:
        assert "SHA-256" in str(exc)
    else:
        raise AssertionError("a changed table was accepted")


def test_an_empty_graph_is_one_clear_line(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "snapshot", str(tmp_path / "snap")], obj=settings)
    assert result.exit_code == 2 and "no county" in result.output
