"""Publicity lists in GraphQL, CSV and print: masked names, reasons for refusals, and nothing
that may not be posted; dishonesty publicity as the setting allows."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re

import pytest
from starlette.testclient import TestClient

from reliefgraph.app import create_app
from tests.api.conftest import gql
from tests.api.test_credit import PUBLISH, decided_record, one
from tests.loaders.mini_county import ACCOUNT_WANG, LI, TOWNSHIP, VILLAGE_A, WANG, ZHAO

LIST = """query($area: String!) { publicityList(areaCode: $area) { __typename
  ... on PublicityList { areaName proposed { name village householdSize programme monthlyAmount outcome }
                         rejected { name reason outcome } }
  ... on Forbidden { message } ... on InvalidInput { field } } }"""

FORBIDDEN_TEXT = [WANG, LI, ZHAO, WANG[:14], "13805370001", ACCOUNT_WANG, "physical", "severe_mental_illness"]


def _cases(client: TestClient, keys: dict[str, str]) -> None:
    """WANG (H1) proposed for DIBAO at 1,040 yuan; ZHAO (H2) refused with the reason."""
    cw = keys["caseworker"]
    for household, applicant, approve in (("H1", WANG, True), ("H2", ZHAO, False)):
        case = one(
            client,
            cw,
            """mutation($h: String!, $a: String!) { submitApplication(input: {householdId: $h,
          programme: "DIBAO", applicantIdNumber: $a, channel: WINDOW, commitmentSigned: true}) {
          ... on CaseRecord { caseId } } }""",
            h=household,
            a=applicant,
        )
        one(
            client,
            cw,
            "mutation($id: String!) { recordHomeInvestigation(caseId: $id, expectedVersion: 1, "
            'summary: "visited") { __typename } }',
            id=case["caseId"],
        )
        one(
            client,
            cw,
            "mutation($id: String!, $ok: Boolean!, $why: String, $amount: Decimal) { reviewCase(caseId: $id, "
            "expectedVersion: 2, approve: $ok, reason: $why, proposedMonthlyAmount: $amount) "
            "{ __typename } }",
            id=case["caseId"],
            ok=approve,
            why=None if approve else "家庭人均收入高于低保标准",
            amount="1040.00" if approve else None,
        )


def test_the_list_is_masked_and_gives_reasons(client: TestClient, keys: dict[str, str]) -> None:
    _cases(client, keys)
    body = gql(client, keys["caseworker"], LIST, {"area": TOWNSHIP})["data"]["publicityList"]
    assert body["areaName"] == "泉林镇"
    assert body["proposed"] == [
        {
            "name": "王*国",
            "village": "东村",
            "householdSize": 2,
            "programme": "DIBAO",
            "monthlyAmount": "1040.00",
            "outcome": "in_publicity",
        }
    ]
    assert body["rejected"] == [{"name": "赵*", "reason": "家庭人均收入高于低保标准", "outcome": "rejected"}]
    village = gql(client, keys["coordinator"], LIST, {"area": VILLAGE_A})["data"]["publicityList"]
    assert [e["name"] for e in village["proposed"]] == ["王*国"] and village["rejected"] == []


def test_csv_cells_cannot_carry_spreadsheet_formulas(client: TestClient, keys: dict[str, str]) -> None:
    cw = keys["caseworker"]
    case = one(
        client,
        cw,
        """mutation { submitApplication(input: {householdId: "H2", programme: "DIBAO",
      applicantIdNumber: "%s", channel: WINDOW, commitmentSigned: true}) { ... on CaseRecord { caseId } } }"""
        % ZHAO,
    )
    one(
        client,
        cw,
        "mutation($id: String!) { recordHomeInvestigation(caseId: $id, expectedVersion: 1, "
        'summary: "visited") { __typename } }',
        id=case["caseId"],
    )
    one(
        client,
        cw,
        "mutation($id: String!) { reviewCase(caseId: $id, expectedVersion: 2, approve: false, "
        'reason: "=HYPERLINK(\\"http://x\\")") { __typename } }',
        id=case["caseId"],
    )
    text = client.get(f"/publicity/list.csv?area={TOWNSHIP}", headers={"authorization": f"Bearer {cw}"}).text
    reason = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))["reason"]
    assert reason.startswith("'=")


def test_areas_are_limited_to_the_callers_own(client: TestClient, keys: dict[str, str]) -> None:
    assert (
        gql(client, keys["caseworker_elsewhere"], LIST, {"area": TOWNSHIP})["data"]["publicityList"][
            "__typename"
        ]
        == "Forbidden"
    )
    assert (
        gql(client, keys["coordinator_b"], LIST, {"area": VILLAGE_A})["data"]["publicityList"]["__typename"]
        == "Forbidden"
    )
    for role in ("partner_jt", "exporter", "auditor"):
        assert (
            gql(client, keys[role], LIST, {"area": TOWNSHIP})["data"]["publicityList"]["__typename"]
            == "Forbidden"
        )
    assert (
        gql(client, keys["investigator"], LIST, {"area": "37"})["data"]["publicityList"]["__typename"]
        == "InvalidInput"
    )


def test_csv_and_printable_page(client: TestClient, keys: dict[str, str]) -> None:
    _cases(client, keys)
    auth = {"authorization": f"Bearer {keys['caseworker']}"}
    response = client.get(f"/publicity/list.csv?area={TOWNSHIP}", headers=auth)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(r["outcome"], r["name"], r["monthly_amount"], r["reason"]) for r in rows] == [
        ("in_publicity", "王*国", "1040.00", ""),
        ("rejected", "赵*", "", "家庭人均收入高于低保标准"),
    ]
    page = client.get(f"/publicity/list.html?area={TOWNSHIP}", headers=auth)
    assert page.status_code == 200 and "社会救助公示" in page.text and "王*国" in page.text
    assert "家庭人均收入高于低保标准" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for text in (response.text, page.text):
        assert not [x for x in FORBIDDEN_TEXT if x in text], "posted something that may not be posted"
    assert client.get(f"/publicity/list.html?area={TOWNSHIP}").status_code == 401
    assert (
        client.get(
            f"/publicity/list.csv?area={TOWNSHIP}",
            headers={"authorization": f"Bearer {keys['caseworker_elsewhere']}"},
        ).status_code
        == 403
    )
    assert client.get(f"/publicity/list.csv?area={TOWNSHIP}&from=soon", headers=auth).status_code == 400


def test_the_print_button_runs_under_the_page_csp(client: TestClient, keys: dict[str, str]) -> None:
    # The page's own CSP blocked an inline onclick: the button did nothing. Every script on
    # the page must be allowed by its hash, and no element may carry an inline handler.
    _cases(client, keys)
    page = client.get(
        f"/publicity/list.html?area={TOWNSHIP}", headers={"authorization": f"Bearer {keys['caseworker']}"}
    )
    csp = page.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    assert scripts and 'id="print"' in page.text
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "getElementById('print')" in scripts[0] and "window.print()" in scripts[0]
    assert not re.search(r"<[^>]+\son[a-z]+=", page.text), "an inline handler the CSP blocks"
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]


DISHONESTY = """{ dishonestyPublicity { __typename
  ... on DishonestyList { notices { name idNumber behaviour } }
  ... on Forbidden { message } } }"""


@pytest.mark.parametrize(
    ("mode", "name", "id_shown"),
    [("masked", "王*国", False), ("name", "王建国", False), ("full", "王建国", True)],
)
def test_dishonesty_publicity_follows_the_setting(api_settings, keys, detected, mode, name, id_shown) -> None:  # type: ignore[no-untyped-def]
    with TestClient(
        create_app(api_settings.model_copy(update={"dishonesty_publicity_identity": mode}))
    ) as client:
        record = decided_record(client, keys)
        assert gql(client, keys["investigator"], DISHONESTY)["data"]["dishonestyPublicity"]["notices"] == []
        one(client, keys["credit_officer"], PUBLISH, id=record["recordId"], v=record["version"])
        notices = gql(client, keys["caseworker"], DISHONESTY)["data"]["dishonestyPublicity"]["notices"]
        assert [n["name"] for n in notices] == [name]
        assert (notices[0]["idNumber"] == WANG) is id_shown and notices[0]["idNumber"].startswith(WANG[:6])
        assert gql(client, keys["coordinator_b"], DISHONESTY)["data"]["dishonestyPublicity"]["notices"] == []
