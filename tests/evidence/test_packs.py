"""Evidence packs of a confirmed finding, through the real app and the CLI against the real
Neo4j: what the PDF says (its text read back), what it looks like (page 1 rendered), who may
have one, what stays masked, and that the audit chain vouches for it and for nothing altered."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from neo4j import Driver
from pypdf import PdfReader
from starlette.testclient import TestClient
from typer.testing import CliRunner

from access.audit_chain import verify_chain
from access.principal import Principal, Role
from detection.rules import read_rules
from detection.run import run_detection
from domain.finding_kinds import FindingKind
from evidence.case_file import Attachment, CaseFile, Note
from evidence.pack import make, read_sync, refusal, verify_pack
from loaders.run import Loader
from reliefgraph.cli import app
from settings import Settings
from tests.api.conftest import gql
from tests.loaders.mini_county import ACCOUNT_WANG, TOWNSHIP, VILLAGE_A, WANG, write_csv

FINDINGS = """{ findings(purpose: "fraud review", filter: {kinds: ["DECEASED_PAID"]}) {
  ... on FindingConnection { edges { node { findingId version } } } } }"""
CONFIRM = """mutation($id: String!, $v: Int!) {
  confirmFinding(findingId: $id, expectedVersion: $v, amount: "2080",
                 facts: "王建国已于2025年12月死亡，仍领取两期低保金") { __typename } }"""
PURPOSE = "移送纪委监委"


@pytest.fixture
def deceased(county: Driver, settings: Settings, tmp_path: Path) -> Driver:
    """WANG died in December 2025; E1 still paid his household January and February."""
    folder = tmp_path / "deaths"
    folder.mkdir()
    files = [
        write_csv(
            folder / "deaths.csv",
            ["record_id", "id_number", "source", "as_of", "death_date"],
            [["GA-D1", WANG, "GA", "2026-01-05", "2025-12-15"]],
        )
    ]
    assert Loader(county, settings, rejects_dir=tmp_path / "rejects").load(files).rejected == 0
    run_detection(
        county,
        settings.neo4j_database,
        read_rules(settings.detection_rules_file),
        as_of=date(2026, 11, 1),
        kinds=[FindingKind.DECEASED_PAID],
    )
    return county


def _finding(client: TestClient, key: str) -> dict:
    edges = gql(client, key, FINDINGS)["data"]["findings"]["edges"]
    assert len(edges) == 1
    return edges[0]["node"]


@pytest.fixture
def confirmed(client: TestClient, keys: dict[str, str], deceased: Driver) -> str:
    f = _finding(client, keys["investigator"])
    result = gql(client, keys["investigator"], CONFIRM, {"id": f["findingId"], "v": f["version"]})
    assert result["data"]["confirmFinding"]["__typename"] == "Finding"
    return f["findingId"]


def _get(client: TestClient, key: str, finding_id: str, purpose: str = PURPOSE):  # type: ignore[no-untyped-def]
    return client.get(
        f"/evidence/finding/{finding_id}.pdf",
        params={"purpose": purpose},
        headers={"authorization": f"Bearer {key}"},
    )


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pack_says_what_the_finding_rests_on(
    client: TestClient, keys: dict[str, str], confirmed: str, settings: Settings, deceased: Driver
) -> None:
    response = _get(client, keys["investigator"], confirmed)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith('attachment; filename="evidence-')
    text = _text(response.content)
    # The explanation in Chinese, the confirmed facts and amounts, in yuan.
    assert "王建国于2025-12-15死亡" in text
    assert "仍领取两期低保金" in text
    assert "2,080.00" in text and "1,040.00" in text
    # The death fact with its source file, line and as-of date.
    assert "deaths.csv" in text and "GA:GA-D1" in text and "2026-01-05" in text
    # The payments by id, the review steps, the sections.
    for expected in ("P1", "P2", "确认", "发现", "证据关系图", "核对事实及来源", "相关的查阅记录"):
        assert expected in text, expected
    # The Chinese font is embedded, as a subset.
    fonts = {
        str(f["/BaseFont"])
        for page in PdfReader(io.BytesIO(response.content)).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert any("+" in name for name in fonts), fonts
    # The fact node says where it was read from: the file, and the line under the header.
    records, _, _ = deceased.execute_query(
        "MATCH (d:Death) RETURN d.source_file AS file, d.source_line AS line",
        database_=settings.neo4j_database,
    )
    assert [(r["file"], r["line"]) for r in records] == [("deaths.csv", 2)]
    # The chain accounts for it, and the file verifies against it.
    assert verify_chain(deceased, settings.neo4j_database).ok
    report = verify_pack(deceased, settings.neo4j_database, response.content)
    assert report.ok and report.pack_id == response.headers["x-evidence-pack"], report


def test_page_one_draws_something(client: TestClient, keys: dict[str, str], confirmed: str) -> None:
    pdf = _get(client, keys["investigator"], confirmed).content
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=1).to_pil().convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert image.size[0] > 500 and dark > 2000, dark  # text and the drawn graph, not a blank page


def test_one_flipped_byte_fails_verification(
    client: TestClient, keys: dict[str, str], confirmed: str, settings: Settings, deceased: Driver
) -> None:
    pdf = bytearray(_get(client, keys["investigator"], confirmed).content)
    pdf[len(pdf) // 2] ^= 0x01
    report = verify_pack(deceased, settings.neo4j_database, bytes(pdf))
    assert not report.ok and "altered" in (report.problem or "")


def test_a_manifest_altered_in_the_database_fails_verification(
    client: TestClient, keys: dict[str, str], confirmed: str, settings: Settings, deceased: Driver
) -> None:
    pdf = _get(client, keys["investigator"], confirmed).content
    deceased.execute_query(
        "MATCH (p:EvidencePack) SET p.manifest = replace(p.manifest, '\"version\":1', '\"version\":2')",
        database_=settings.neo4j_database,
    )
    report = verify_pack(deceased, settings.neo4j_database, pdf)
    assert not report.ok and "chain" in (report.problem or "")


def test_who_may_have_a_pack(client: TestClient, keys: dict[str, str], confirmed: str) -> None:
    for role in ("caseworker", "coordinator", "partner_mz", "credit_officer", "exporter"):
        response = _get(client, keys[role], confirmed)
        assert response.status_code == 403, role
        assert response.json()["code"] == "forbidden"
    assert _get(client, "not-a-key", confirmed).status_code == 401
    assert _get(client, keys["investigator"], confirmed, purpose="..").status_code == 400
    missing = _get(client, keys["investigator"], "no-such-finding")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_only_a_confirmed_finding_gets_a_pack(
    client: TestClient, keys: dict[str, str], deceased: Driver
) -> None:
    f = _finding(client, keys["investigator"])
    response = _get(client, keys["investigator"], f["findingId"])
    assert response.status_code == 409
    assert response.json()["code"] == "not_confirmed"
    assert "confirmed" in response.json()["error"]


def test_an_auditor_pack_withholds_what_auditors_may_not_read(
    client: TestClient, keys: dict[str, str], confirmed: str
) -> None:
    response = _get(client, keys["auditor"], confirmed)
    assert response.status_code == 200
    text = _text(response.content)
    assert WANG not in text and "王建国" not in text and ACCOUNT_WANG not in text
    assert "不予显示" in text and "deaths.csv" in text  # provenance is not personal


def test_a_role_that_reads_masked_sees_the_pack_masked(
    confirmed: str, settings: Settings, deceased: Driver
) -> None:
    # No role reads packs masked today; the builder masks by the role's matrix all the same.
    coordinator = Principal("co-a", Role.COORDINATOR, township_code=TOWNSHIP, village_code=VILLAGE_A)
    found = read_sync(deceased, settings.neo4j_database, [confirmed])
    case = CaseFile(
        "investigation",
        "INV-1",
        "王建国死亡后冒领",
        "inv-1",
        (confirmed,),
        notes=(Note("2026-11-02", "inv-1", "已走访村委会"),),
        attachments=(Attachment("death.jpg", "ab" * 32, 1024, "image/jpeg", "inv-1", "2026-11-02"),),
    )
    assert refusal(case, found) is None
    text = _text(make(case, found, coordinator, settings.evidence_font_file).pdf)
    assert WANG not in text and WANG[:6] + "*" * 12 in text
    assert ACCOUNT_WANG not in text
    assert "death.jpg" in text and "王建国死亡后冒领" in text


def test_the_cli_writes_the_pack_and_audit_verify_checks_it(
    confirmed: str, settings: Settings, deceased: Driver, tmp_path: Path
) -> None:
    out = tmp_path / "pack.pdf"
    made = CliRunner().invoke(
        app, ["evidence", "finding", confirmed, str(out), "--by", "inv-1", "--purpose", PURPOSE], obj=settings
    )
    assert made.exit_code == 0, made.output
    manifest = out.with_name("pack.manifest.json")
    assert out.stat().st_mode & 0o777 == 0o600 and manifest.stat().st_mode & 0o777 == 0o600
    assert json.loads(manifest.read_text())["case_file"]["findings"] == [confirmed]
    verified = CliRunner().invoke(
        app, ["audit", "verify", "--pack", str(out), "--manifest", str(manifest)], obj=settings
    )
    assert verified.exit_code == 0, verified.output
    assert "unaltered" in verified.output
    data = bytearray(out.read_bytes())
    data[100] ^= 0x01
    out.write_bytes(bytes(data))
    failed = CliRunner().invoke(app, ["audit", "verify", "--pack", str(out)], obj=settings)
    assert failed.exit_code == 1 and "not verified" in failed.output
    refused = CliRunner().invoke(
        app,
        [
            "evidence",
            "finding",
            confirmed,
            str(out),
            "--by",
            "x",
            "--purpose",
            PURPOSE,
            "--role",
            "caseworker",
        ],
        obj=settings,
    )
    assert refused.exit_code == 1 and "investigators and auditors" in refused.output
