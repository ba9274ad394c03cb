"""Equivalence: one small county split in two by township. The cross-county job finds the
same DUP_IDENTITY pairs that straddle the split as in-county detection finds on the whole,
and the same persons covered in two households that straddle it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from neo4j import Driver
from typer.testing import CliRunner

from detection.rules import read_rules
from loaders.run import Loader
from province.job import run_job
from province.snapshot import read_tables
from reliefgraph.cli import app
from settings import Settings
from synth.county import synthesize
from tests.province.split import split_by_township

IN_COUNTY = """
MATCH (f:Finding {kind: $kind})
RETURN f.key AS key, f.persons AS persons, f.households AS households
"""


def _in_county(driver: Driver, kind: str) -> list[dict[str, Any]]:
    with driver.session() as s:
        return [r.data() for r in s.run(IN_COUNTY, kind=kind)]


def test_a_split_county_finds_what_the_whole_finds_across_the_split(
    graph: Driver, settings: Settings, tmp_path: Path, spark: Any
) -> None:
    county = tmp_path / "county"
    synthesize(county, seed=11, scale="small")
    Loader(graph, settings, rejects_dir=tmp_path / "rejects").load(
        sorted([*county.glob("*.csv"), *county.glob("*.jsonl")])
    )
    runner = CliRunner()
    kinds = ["DUP_IDENTITY", "DUP_PERSON_MULTI_HOUSEHOLD"]
    detected = runner.invoke(
        app, ["detect", "--as-of", "2026-11-01", *(x for k in kinds for x in ("--kind", k))], obj=settings
    )
    assert detected.exit_code == 0, detected.output
    snapshot = tmp_path / "whole"
    assert runner.invoke(app, ["export", "snapshot", str(snapshot)], obj=settings).exit_code == 0
    tables = read_tables(snapshot)
    township = {h["household"]: h["township"] for h in tables["households"]}
    lives_in: dict[str, set[str]] = {}
    for m in tables["memberships"]:
        if m["until"] is None:
            lives_in.setdefault(m["person"], set()).add(township[m["household"]])
    pairs = [frozenset(f["persons"]) for f in _in_county(graph, "DUP_IDENTITY")]
    assert pairs, "the small county has planted second registrations"

    def straddling(side: set[str]) -> set[frozenset[str]]:
        def where(p: str) -> set[bool]:
            return {t in side for t in lives_in.get(p, set())}

        return {
            pair
            for pair in pairs
            if all(len(where(p)) == 1 for p in pair) and len(set().union(*map(where, pair))) == 2
        }

    # The border where most of the whole county's pairs straddle it.
    names = sorted({t for ts in lives_in.values() for t in ts})
    candidates = [set(names[i::2]) for i in range(2)] + [set(names[: len(names) // 2])]
    side = max(candidates, key=lambda s: len(straddling(s)))
    expected = straddling(side)
    assert expected, "no split of the small county puts a pair on both sides"
    halves = split_by_township(snapshot, side, tmp_path / "halves", ("370831", "379901"))
    out = tmp_path / "findings"
    run_job(spark, halves, out, read_rules(settings.detection_rules_file))
    found = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]

    def persons(f: dict[str, Any]) -> frozenset[str]:
        return frozenset(s["key"] for s in f["subjects"] if s["node"] == "Person")

    assert {persons(f) for f in found if f["kind"] == "DUP_IDENTITY"} == expected

    side_of = {h: township[h] in side for h in township}
    multi = {
        (f["persons"][0], frozenset(f["households"]))
        for f in _in_county(graph, "DUP_PERSON_MULTI_HOUSEHOLD")
        if len({side_of[h] for h in f["households"]}) == 2
    }
    cross = {
        (next(iter(persons(f))), frozenset(s["key"] for s in f["subjects"] if s["node"] == "Household"))
        for f in found
        if f["kind"] == "DUP_PERSON_MULTI_HOUSEHOLD"
    }
    assert cross == multi
