"""Four small counties, each in its own Neo4j: snapshot each, run the Spark job over the four,
import the findings back into each, and read them as an investigator of that county would."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from neo4j import Driver
from typer.testing import CliRunner

from access.policy import mask_id_number
from domain.ids import make_id_number
from reliefgraph.cli import app
from tests.detection.builder import VA, VB, VC, County
from tests.province.conftest import CountyServer

CODES = {
    "a": ("370831", "泗水县"),
    "b": ("370881", "曲阜市"),
    "c": ("370883", "邹城市"),
    "d": ("370882", "兖州区"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌"


def _fillers(c: County, rng: random.Random, n: int) -> None:
    """Households of unrelated people: the register identity resolution is trained over."""
    for _ in range(n):
        h = c.household(rng.choice((VA, VB, VC)))
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
        c.person(h, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), born, sex=rng.choice("MF"))


def _counties() -> tuple[dict[str, County], dict[str, Any]]:
    rng = random.Random(30)
    cs = {k: County() for k in CODES}
    for c in cs.values():
        _fillers(c, rng, 40)
    planted: dict[str, Any] = {}
    # One person covered by household grants in a and b (registered in both).
    x_born = date(1961, 4, 5)
    x = make_id_number("370831", x_born, 415)
    ha = cs["a"].household(VA)
    cs["a"].person(ha, "孔繁星", x_born, id_number=x)
    hb = cs["b"].household(VB)
    cs["b"].person(hb, "孔繁星", x_born, id_number=x)
    cs["a"].enrollment("DIBAO", household=ha, covered=[x])
    cs["b"].enrollment("DIBAO", household=hb, covered=[x])
    planted["multi"] = (x, ha, hb)
    # A death recorded in c; the grant paid on in d.
    y_born = date(1938, 2, 3)
    y = make_id_number("370883", y_born, 221)
    hc = cs["c"].household(VA)
    cs["c"].person(hc, "颜如玉", y_born, sex="F", id_number=y)
    cs["c"].death(y, "2026-03-15", "2026-04-01")
    hd = cs["d"].household(VC)
    cs["d"].person(hd, "颜如玉", y_born, sex="F", id_number=y)
    e = cs["d"].enrollment("TEKUN", person=y, covered=[y])
    pays = [cs["d"].payment(e, f"2026-{m:02d}") for m in (5, 6)]
    planted["deceased"] = (y, e, pays)
    # One person holding, in a and c, programmes that may not be combined.
    z_born = date(1950, 8, 9)
    z = make_id_number("370831", z_born, 333)
    hz = cs["a"].household(VB)
    cs["a"].person(hz, "曾子墨", z_born, id_number=z)
    cs["a"].enrollment("DIBAO", household=hz, covered=[z])
    hz2 = cs["c"].household(VC)
    cs["c"].person(hz2, "曾子墨", z_born, id_number=z)
    cs["c"].enrollment("TEKUN", person=z, covered=[z])
    planted["exclusive"] = z
    # Two recipient households in b and d sharing a phone and an account: a ring over the border.
    r1, r2 = cs["b"].household(VC), cs["d"].household(VA)
    p1 = cs["b"].person(r1, "孟浩然", date(1970, 1, 2))
    p2 = cs["d"].person(r2, "闵子骞", date(1981, 3, 4))
    for c, h, p in ((cs["b"], r1, p1), (cs["d"], r2, p2)):
        c.phone(p, "13905370001")
        c.account(p, "6228480000012345678")
        c.enrollment("DIBAO", household=h, covered=[p])
    planted["ring"] = (r1, r2)
    # One person registered in a and again in d under a number one keystroke off.
    w_born = date(1966, 11, 12)
    w = make_id_number("370831", w_born, 517)
    w2 = make_id_number("370831", w_born, 571)
    cs["a"].person(cs["a"].household(VA), "仲由路", w_born, id_number=w)
    cs["d"].person(cs["d"].household(VB), "仲由路", w_born, id_number=w2)
    planted["identity"] = (w, w2)
    return cs, planted


FINDINGS = """
MATCH (f:Finding {origin: 'province'})
RETURN f.kind AS kind, f.key AS key, f.status AS status, f.explanation AS explanation,
       f.details AS details, [(f)-[e:EVIDENCE]->(n) | e.label + ':' + e.key] AS evidence
ORDER BY kind, key
"""


def _findings(driver: Driver) -> list[dict[str, Any]]:
    with driver.session() as s:
        return [r.data() for r in s.run(FINDINGS)]


def test_four_counties_snapshot_detect_and_write_back(
    county_servers: list[CountyServer], spark: Any, tmp_path: Path
) -> None:
    counties, planted = _counties()
    runner = CliRunner()
    snapshots = []
    for server, (key, c) in zip(county_servers, counties.items(), strict=True):
        c.load(server.driver, server.settings, tmp_path / key)
        code, name = CODES[key]
        with server.driver.session() as s:  # each county's own code and name (the builder writes Sishui's)
            s.run("MATCH (c:County) SET c.code = $code, c.name = $name", code=code, name=name).consume()
        out = tmp_path / f"snap-{key}"
        result = runner.invoke(app, ["export", "snapshot", str(out)], obj=server.settings)
        assert result.exit_code == 0, result.output
        snapshots.append(str(out))
    found = tmp_path / "findings"
    result = runner.invoke(
        app, ["province", "detect", *snapshots, "--out", str(found)], obj=county_servers[0].settings
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (found / "findings.jsonl").read_text().splitlines()]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for f in lines:
        by_kind.setdefault(f["kind"], []).append(f)

    def persons(f: dict[str, Any]) -> set[str]:
        return {s["key"] for s in f["subjects"] if s["node"] == "Person"}

    x, ha, hb = planted["multi"]
    assert [(persons(f), f["counties"]) for f in by_kind["DUP_PERSON_MULTI_HOUSEHOLD"]] == [
        ({x}, ["370831", "370881"])
    ]
    y, enrollment, pays = planted["deceased"]
    (dead,) = by_kind["DECEASED_PAID"]
    assert persons(dead) == {y} and dead["counties"] == ["370882", "370883"]
    assert {s["key"] for s in dead["subjects"] if s["node"] == "Payment"} == set(pays)
    assert [persons(f) for f in by_kind["DUP_EXCLUSIVE_PROGRAMMES"]] == [{planted["exclusive"]}]
    (ring,) = by_kind["RING_SHARED_IDENTIFIER"]
    assert {s["key"] for s in ring["subjects"] if s["node"] == "Household"} == set(planted["ring"])
    assert [persons(f) for f in by_kind["DUP_IDENTITY"]] == [set(planted["identity"])]

    # Written back into each county it concerns, as findings of that county.
    reports = {}
    for server, key in zip(county_servers, counties, strict=True):
        result = runner.invoke(
            app, ["import", "province-findings", str(found), "--json"], obj=server.settings
        )
        assert result.exit_code == 0, result.output
        reports[key] = json.loads(result.stdout)
    assert {k: sum(r["found"].values()) for k, r in reports.items()} == {"a": 3, "b": 2, "c": 2, "d": 3}
    in_a = _findings(county_servers[0].driver)
    multi = next(f for f in in_a if f["kind"] == "DUP_PERSON_MULTI_HOUSEHOLD")
    assert multi["status"] == "open" and f"Household:{ha}" in multi["evidence"]
    assert f"Person:{x}" in multi["evidence"]
    external = json.loads(multi["details"])["external"]
    assert {(e["county"], e["node"], e["key"]) for e in external} >= {("370881", "Household", hb)}
    assert "曲阜市" in multi["explanation"] and hb in multi["explanation"]
    identity = next(f for f in in_a if f["kind"] == "DUP_IDENTITY")
    w, w2 = planted["identity"]
    ext = json.loads(identity["details"])["external"]
    # The other county's number, masked as the field table masks an ID number.
    assert [(e["county"], e["key"]) for e in ext] == [("370882", mask_id_number(w2))]
    assert w2 not in identity["explanation"] and f"Person:{w}" in identity["evidence"]

    # Importing again changes nothing.
    for server in county_servers:
        again = runner.invoke(app, ["import", "province-findings", str(found), "--json"], obj=server.settings)
        summary = json.loads(again.stdout)
        assert summary["new"] == summary["reopened"] == summary["resolved"] == 0
    assert _findings(county_servers[0].driver) == in_a
