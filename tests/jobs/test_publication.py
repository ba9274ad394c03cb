"""`reliefgraph publish` and /public/: the public disclosure holds counts, masked publicity and
published records only. The field table (access/fields.py) generates the checks: no personal
field it classifies appears in a published table unless the publication lists it with its
reason, and none of the graph's ID numbers, names, phones or accounts appears anywhere in the
files, as written or as the app serves them. Publishing is recorded in the audit chain."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from neo4j import Driver
from starlette.testclient import TestClient
from typer.testing import CliRunner

from access.fields import FIELDS
from jobs.publication import PUBLISHED, digest, published_files
from reliefgraph.app import create_app
from reliefgraph.cli import app as cli
from settings import Settings
from tests.detection.builder import VA, VC, County

ON = date(2026, 11, 1)

# A published (dishonesty) record and one case's publicity window, as the API's steps set them.
SEED_RECORDS = """
MATCH (p:Person {id_number: $subject})
CREATE (r:CreditRecord {record_id: 'CR1', status: 'published', subject_name: p.name, id_number: p.id_number,
  behaviour: 'false_report', severity: 'general', amount_fen: 120000, deciding_authority: '泗水县民政局',
  decision_number: '泗民〔2026〕1号', decision_date: date('2026-09-01'), publicity_start: date('2026-09-02'),
  publicity_end: date('2027-09-01')})-[:ABOUT]->(p)
WITH 1 AS x
MATCH (c:Case {case_id: $case_id})
SET c.status = 'in_publicity', c.publicity_start = date('2026-10-28'), c.publicity_end = date('2026-11-04'),
    c.proposed_monthly_amount_fen = 52000
"""


@pytest.fixture
def published(graph: Driver, settings: Settings, tmp_path: Path) -> tuple[Path, County, dict]:
    c = County()
    expected: dict = {}
    for village, name, size in ((VA, "刘建兵", 3), (VA, "黄梅", 1), (VC, "欧阳春华", 2)):
        h = c.household(village)
        people = [
            c.person(h, name, date(1960 + i, 1, 1), relation="head" if i == 0 else "child")
            for i in range(size)
        ]
        c.phone(people[0], f"1390537{len(c.rows['phones']):04d}")
        account = c.account(people[0], f"62284800{len(c.rows['bank_accounts']):011d}")
        e = c.enrollment("DIBAO", household=h, covered=people, monthly="520.00", account=account)
        for period in ("2026-09", "2026-10"):
            c.payment(e, period, "520.00", account=account)
        expected[h] = size
    h = c.household(VA)
    applicant = c.person(h, "司马相如", date(1980, 2, 2))
    case_id = c.case(h, applicant, status="submitted")
    refused_h = c.household(VC)
    refused = c.person(refused_h, "张三丰", date(1970, 3, 3))
    c.case(refused_h, refused, status="rejected")
    c.rows["cases"][-1].update(decided_date="2026-10-30", reason="家庭收入超过标准")
    c.load(graph, settings, tmp_path / "county")
    with graph.session(database=settings.neo4j_database) as session:
        session.run(SEED_RECORDS, subject=refused, case_id=case_id).consume()
    out = tmp_path / "public"
    args = ["publish", str(out), "--month", "2026-10", "--on", ON.isoformat(), "--by", "ops-1"]
    result = CliRunner().invoke(cli, args, obj=settings)
    assert result.exit_code == 0, result.output
    return out, c, expected


def personal_values(c: County) -> set[str]:
    personal = {r["id_number"] for r in c.rows["persons"]} | {r["name"] for r in c.rows["persons"]}
    return (
        personal
        | {r["phone"] for r in c.rows["phones"]}
        | {r["account_number"] for r in c.rows["bank_accounts"]}
    )


def test_no_classified_personal_field_is_published_without_a_reason(
    published: tuple[Path, County, dict],
) -> None:
    out, _, _ = published
    tables = json.loads((out / "publication.json").read_text(encoding="utf-8"))
    keys = {name: {k for row in tables[name] for k in row} for name in PUBLISHED}
    assert all(keys.values())  # every table holds rows, so the check below sees their fields
    # Every personal field the field table classifies, by its name in the API.
    unexplained = [
        (name, type_name, field)
        for type_name, field in sorted(FIELDS)
        for name, allowed in PUBLISHED.items()
        if field in keys[name] and field not in allowed
    ]
    assert unexplained == []
    # The check bites: the masked name and ID number are classified fields the publication explains.
    appearing = {f for _, f in FIELDS} & {k for ks in keys.values() for k in ks}
    assert {"name", "idNumber"} <= appearing


def test_no_id_number_name_phone_or_account_appears(published: tuple[Path, County, dict]) -> None:
    out, c, _ = published
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))
    personal = personal_values(c)
    assert personal and [v for v in sorted(personal) if v in text] == []
    # What publicity shows instead: the masked names (刘*兵, 黄*) and the region of an ID number.
    tables = json.loads((out / "publication.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in tables["publicity"]} == {"司**如", "张*丰"}
    assert [r["name"] for r in tables["dishonesty"]] == ["张*丰"]
    assert re.fullmatch(r"370831\*+", tables["dishonesty"][0]["idNumber"])


def test_fund_use_counts_recipients_households_and_money(published: tuple[Path, County, dict]) -> None:
    out, _, expected = published
    tables = json.loads((out / "publication.json").read_text(encoding="utf-8"))
    by_month: dict[str, tuple[int, int, float]] = {}
    for r in tables["fund_use"]:
        n, h, y = by_month.get(r["period"], (0, 0, 0.0))
        by_month[r["period"]] = (n + r["recipients"], h + r["households"], y + float(r["amount"]))
    each = (sum(expected.values()), len(expected), 520.0 * len(expected))
    assert by_month == {"2026-09": each, "2026-10": each}
    assert {p.name for p in out.iterdir()} >= {
        "index.html",
        "fund_use.csv",
        "publicity.html",
        "publication.json",
    }
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())


def test_public_serves_the_published_files_and_nothing_else(
    published: tuple[Path, County, dict], settings: Settings
) -> None:
    out, c, _ = published
    names = published_files()
    assert sorted(names) == sorted(p.name for p in out.iterdir())
    with TestClient(create_app(settings.model_copy(update={"public_dir": out}))) as client:
        served = {}
        for name in names:
            response = client.get(f"/public/{name}")
            assert response.status_code == 200, name
            assert response.headers["cache-control"].startswith("public, max-age=")
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "default-src 'none'" in response.headers["content-security-policy"]
            served[name] = response.content
        assert served == {name: (out / name).read_bytes() for name in names}
        assert client.get("/public/").content == (out / "index.html").read_bytes()
        # Nothing but the publication's own names: no other file, no path out of the folder.
        for other in ("api-keys.toml", "..%2Fapi-keys.toml", "%2Fetc%2Fpasswd", "index.htm"):
            assert client.get(f"/public/{other}").status_code == 404, other
        assert client.post("/public/index.html").status_code == 405
    # What is served is held to the same checks as the files: no one's data.
    text = "\n".join(body.decode("utf-8") for body in served.values())
    assert [v for v in sorted(personal_values(c)) if v in text] == []
    tables = json.loads(served["publication.json"])
    keys = {k for name in PUBLISHED for row in tables[name] for k in row}
    assert sorted(f for _, f in FIELDS if f in keys and all(f not in a for a in PUBLISHED.values())) == []


def test_public_is_off_unless_enabled(published: tuple[Path, County, dict], settings: Settings) -> None:
    assert settings.public_dir is None
    with TestClient(create_app(settings)) as client:
        for path in ("/public/", "/public/index.html", "/public/publication.json"):
            assert client.get(path).status_code == 404


def test_publishing_is_recorded_in_the_audit_chain(
    published: tuple[Path, County, dict], graph: Driver, settings: Settings
) -> None:
    out, c, _ = published
    records, _, _ = graph.execute_query(
        "MATCH (a:AuditEvent {operation: 'publish'}) "
        "RETURN a.subject AS by, a.person_id_number AS person, a.document_sha256 AS sha, "
        "a.purpose AS purpose, a.categories AS categories, a.outcome AS outcome ORDER BY person",
        database_=settings.neo4j_database,
    )
    whole, _ = digest(sorted(out.iterdir()))
    subject = next(r["id_number"] for r in c.rows["persons"] if r["name"] == "张三丰")
    # One for the publication, one for the person its dishonesty record names.
    assert [(r["by"], r["person"], r["sha"], r["outcome"]) for r in records] == [
        ("ops-1", "", whole, "published"),
        ("ops-1", subject, whole, "published"),
    ]
    tables = json.loads((out / "publication.json").read_text(encoding="utf-8"))
    counts = [f"{name} {len(tables[name])}" for name in PUBLISHED]
    assert all(n in records[0]["purpose"] for n in counts) and "credit" in records[0]["categories"]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "October"])
def test_a_month_not_written_yyyy_mm_is_one_clear_line(tmp_path: Path, month: str) -> None:
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "out"), "--month", month], obj=Settings())
    assert result.exit_code == 2
    assert "write the month as YYYY-MM" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
