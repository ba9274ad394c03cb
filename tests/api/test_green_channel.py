"""The green channel (先行救助) through the app: an urgent temporary-assistance grant made at
once, its publicity and a colleague's review afterwards, the reserve it draws on, and the
finding when the review is not done in time."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from neo4j import Driver
from starlette.testclient import TestClient

from detection.rules import read_rules
from detection.run import run_detection
from domain.finding_kinds import FindingKind
from loaders.run import Loader
from schema.green_channel import urgent_limit_fen
from settings import Settings
from settings.casework_rules import read_casework_rules
from tests.api.conftest import gql
from tests.loaders.mini_county import TOWNSHIP, WANG, ZHAO, write_csv

CASE = (
    "__typename ... on CaseRecord { caseId status version urgent urgentAmount reviewDue recoveryAmount "
    "publicityStart publicityEnd } ... on InvalidInput { field message } ... on NotFound { message } "
    "... on Forbidden { message } ... on ConflictOfInterest { message }"
)
GRANT = "mutation($input: UrgentAssistanceInput!) { grantUrgentAssistance(input: $input) { %s } }" % CASE
REVIEW = (
    """mutation($id: String!, $v: Int!) {
  reviewCase(caseId: $id, expectedVersion: $v, approve: true) { %s } }"""
    % CASE
)
DECIDE = (
    """mutation($id: String!, $v: Int!, $ok: Boolean!) {
  decideCase(caseId: $id, expectedVersion: $v, approve: $ok, reason: "核实后收入超过标准") { %s } }"""
    % CASE
)
RESERVE = """query($year: Int) { temporaryAssistanceReserve(year: $year) {
  __typename
  ... on ReserveBalance { year lines { programme reserve drawn balance grants unreviewed toRecover } }
  ... on Forbidden { message } } }"""


def grant(household: str = "H1", applicant: str = WANG, amount: str = "1200", **more: object) -> dict:
    return {
        "input": {
            "householdId": household,
            "applicantIdNumber": applicant,
            "amount": amount,
            "situation": "房屋火灾，家中无住所，已现场核实",
            "commitmentSigned": True,
        }
        | more
    }


def run(client: TestClient, key: str, query: str, **variables: object) -> dict:
    body = gql(client, key, query, variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


@pytest.fixture
def reserve(county: Driver, settings: Settings, tmp_path: Path) -> Driver:
    """The county's temporary-assistance reserve for this year: 10,000 yuan."""
    folder = tmp_path / "reserve"
    folder.mkdir()
    year = date.today().year
    files = [
        write_csv(
            folder / "budgets.csv",
            ["programme", "year", "amount", "source", "reserve"],
            [["TEMP", year, "10000.00", "CZ", "yes"], ["TEMP", year, "800000.00", "CZ", "no"]],
        )
    ]
    assert Loader(county, settings, rejects_dir=tmp_path / "rejects").load(files).rejected == 0
    return county


def test_grant_publicity_review_and_the_reserve(
    instant_publicity: TestClient, keys: dict[str, str], reserve: Driver, settings: Settings
) -> None:
    client, cw = instant_publicity, keys["caseworker"]
    days = read_casework_rules(settings.casework_rules_file).green_channel.review_within_days
    case = run(client, cw, GRANT, **grant())
    # Paid at once, no publicity yet: the review is due within the rule's days.
    assert (case["status"], case["urgent"], case["urgentAmount"]) == ("under_review", True, "1200.00")
    assert case["reviewDue"] == (date.today() + timedelta(days=days)).isoformat()
    assert case["publicityStart"] is None
    balance = run(client, keys["auditor"], RESERVE, year=date.today().year)
    assert balance["lines"] == [
        {
            "programme": "TEMP",
            "reserve": "10000.00",
            "drawn": "1200.00",
            "balance": "8800.00",
            "grants": 1,
            "unreviewed": 1,
            "toRecover": "0.00",
        }
    ]
    # Publicity follows; the caseworker who granted it does not decide it: a colleague does.
    case = run(client, cw, REVIEW, id=case["caseId"], v=case["version"])
    assert case["status"] == "in_publicity" and case["publicityStart"] == date.today().isoformat()
    refused = run(client, cw, DECIDE, id=case["caseId"], v=case["version"], ok=True)
    assert refused["__typename"] == "ConflictOfInterest"
    case = run(client, keys["caseworker_2"], DECIDE, id=case["caseId"], v=case["version"], ok=True)
    assert (case["status"], case["recoveryAmount"]) == ("approved", None)
    # A second grant, reversed on review: its amount is to be recovered; both drew on the reserve.
    second = run(client, cw, GRANT, **grant("H2", ZHAO, "1500.50"))
    second = run(client, cw, REVIEW, id=second["caseId"], v=second["version"])
    second = run(client, keys["caseworker_2"], DECIDE, id=second["caseId"], v=second["version"], ok=False)
    assert (second["status"], second["recoveryAmount"]) == ("rejected", "1500.50")
    line = run(client, keys["coordinator"], RESERVE)["lines"][0]
    assert (line["drawn"], line["balance"], line["grants"], line["unreviewed"], line["toRecover"]) == (
        "2700.50",
        "7299.50",
        2,
        0,
        "1500.50",
    )


def test_refusals(client: TestClient, keys: dict[str, str], reserve: Driver, settings: Settings) -> None:
    cw = keys["caseworker"]
    # Three months of the township's (rural) dibao line, as rules/casework.toml says by default.
    limit = urgent_limit_fen(settings, TOWNSHIP) // 100
    assert limit == 3 * read_rules(settings.detection_rules_file).income_line.rural
    above = run(client, cw, GRANT, **grant(amount=str(limit + 1)))
    assert (above["__typename"], above["field"]) == ("InvalidInput", "amount")
    other = run(client, cw, GRANT, **grant(programme="DIBAO"))
    assert (other["__typename"], other["field"]) == ("InvalidInput", "programme")
    elsewhere = run(client, keys["caseworker_elsewhere"], GRANT, **grant())
    assert elsewhere["__typename"] == "NotFound"
    for role in ("coordinator", "investigator", "auditor", "partner_mz"):
        assert run(client, keys[role], GRANT, **grant())["__typename"] == "Forbidden"
    assert run(client, keys["partner_mz"], RESERVE)["__typename"] == "Forbidden"
    # The reserve holds 10,000 yuan: grants at the limit draw it down, the one that no longer fits is refused.
    made = 0
    while True:
        result = run(client, cw, GRANT, **grant(amount=str(limit)))
        if result["__typename"] != "CaseRecord":
            break
        made += 1
    assert made == 10000 // limit and result.get("field") == "amount", result
    assert "reserve" in result["message"]
    for bad in ("0", "-5", "12.345", "NaN"):
        assert run(client, cw, GRANT, **grant(amount=bad))["__typename"] == "InvalidInput"
    assert run(client, cw, GRANT, **grant(situation="x"))["field"] == "situation"
    assert run(client, cw, GRANT, **grant(commitmentSigned=False))["field"] == "commitmentSigned"


def test_an_unreviewed_urgent_grant_becomes_a_finding(
    client: TestClient, keys: dict[str, str], reserve: Driver, settings: Settings
) -> None:
    case = run(client, keys["caseworker"], GRANT, **grant())
    days = read_casework_rules(settings.casework_rules_file).green_channel.review_within_days
    rules = read_rules(settings.detection_rules_file)
    kind = [FindingKind.GAP_URGENT_UNREVIEWED]
    due = date.today() + timedelta(days=days)
    run_detection(reserve, settings.neo4j_database, rules, as_of=due, kinds=kind)
    findings = """{ findings(purpose: "green channel review", filter: {kinds: ["GAP_URGENT_UNREVIEWED"]}) {
      ... on FindingConnection { edges { node { kind explanation } } } } }"""
    assert gql(client, keys["investigator"], findings)["data"]["findings"]["edges"] == []
    run_detection(reserve, settings.neo4j_database, rules, as_of=due + timedelta(days=1), kinds=kind)
    edges = gql(client, keys["investigator"], findings)["data"]["findings"]["edges"]
    assert [e["node"]["kind"] for e in edges] == ["GAP_URGENT_UNREVIEWED"]
    assert case["caseId"] in edges[0]["node"]["explanation"]
