"""External dishonesty records: published by other agencies on the credit platform, pushed
(POST /credit/inbound) or loaded from the platform's file (credit_records_external). They
restrict applications as the county's own do, are shown to officers as external, take no
local step, are absent from the export, and end when withdrawn or at their restriction's end."""

from __future__ import annotations

from datetime import date, timedelta

from neo4j import Driver
from starlette.testclient import TestClient

from domain.ids import make_id_number
from loaders.run import Loader
from settings import Settings
from tests.api.test_credit import CHANGES, PUBLISH, one
from tests.loaders.mini_county import LI, WANG, ZHAO, write_csv

INBOUND = "/credit/inbound"
AGENCY = "济宁市市场监督管理局"
RECORD = {
    "source_agency": AGENCY,
    "source_record_key": "SD-2026-000123",
    "subject_name": "王建国",
    "id_number": WANG,
    "behaviour": "提供虚假材料骗取行政许可",
    "legal_basis": "《行政许可法》第七十九条",
    "severity": "严重失信",
    "deciding_authority": AGENCY,
    "decision_number": "济市监罚〔2026〕17号",
    "decision_date": "2026-10-01",
    "publicity_start": "2026-10-08",
    "publicity_end": "2029-10-08",
}
RESTRICTION = """query($id: String!) {
  restrictionStatus(idNumber: $id, purpose: "housing application check") {
  __typename ... on RestrictionStatus { restricted records { recordId sourceAgency restrictionEnd } } } }"""
RECORD_QUERY = """query($id: String!) { dishonestyRecord(recordId: $id, purpose: "restriction review") {
  __typename ... on DishonestyRecord { recordId status version external sourceAgency sourceRecordKey
  behaviour restrictionEnd } } }"""
SUBMIT = (
    """mutation($p: String!) { submitApplication(input: {householdId: "H1", programme: $p,
  applicantIdNumber: "%s", channel: WINDOW, commitmentSigned: true}) {
  ... on CaseRecord { caseId restricted } } }"""
    % LI
)


def push(client: TestClient, key: str, records: list[dict[str, object]]) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(INBOUND, json={"records": records}, headers={"authorization": f"Bearer {key}"})
    return response.status_code, response.json()


def test_a_pushed_record_restricts_shows_as_external_and_is_not_exported(
    client: TestClient, keys: dict[str, str]
) -> None:
    platform, officer = keys["exporter"], keys["credit_officer"]
    stranger = make_id_number("110105", date(1970, 1, 1), 17)
    status, answer = push(
        client,
        platform,
        [
            RECORD,
            {**RECORD, "source_record_key": "SD-2026-000124", "id_number": stranger},
            {**RECORD, "source_record_key": "SD-2026-000125", "decision_date": "someday"},
            {"source_record_key": "SD-2026-000126", "source_agency": AGENCY},
        ],
    )
    assert status == 200, answer
    assert answer["accepted"] == ["SD-2026-000123"]
    reasons = {r["source_record_key"]: r["reason"] for r in answer["refused"]}
    assert "not in the county's register" in reasons["SD-2026-000124"]
    assert reasons["SD-2026-000125"].startswith("decision_date:")
    assert "needs subject_name, id_number, behaviour, decision_date" in reasons["SD-2026-000126"]

    # Sent again: accepted again, nothing changes.
    assert push(client, platform, [RECORD])[1] == {"accepted": ["SD-2026-000123"], "refused": []}
    shown = one(client, officer, RECORD_QUERY, id="EXT-SD-2026-000123")
    assert (shown["status"], shown["version"], shown["external"], shown["sourceAgency"]) == (
        "published",
        1,
        True,
        AGENCY,
    )
    assert shown["restrictionEnd"] == "2029-10-08"  # the platform's publicity, without a period of its own

    # Restricts the household as a local record does, in any programme.
    wang = one(client, officer, RESTRICTION, id=LI)  # his wife: same household
    assert wang["restricted"] and wang["records"][0]["sourceAgency"] == AGENCY
    assert not one(client, officer, RESTRICTION, id=ZHAO)["restricted"]
    assert one(client, keys["caseworker"], SUBMIT, p="HOUSING")["restricted"] is True

    # No local step; never in the export.
    refused = one(client, officer, PUBLISH, id="EXT-SD-2026-000123", v=1)
    assert refused["__typename"] == "InvalidTransition"
    assert one(client, keys["exporter"], CHANGES, after=0)["edges"] == []

    # Only the platform's key pushes.
    for role in ("credit_officer", "partner_mz", "caseworker"):
        assert push(client, keys[role], [RECORD])[0] == 403
    assert client.post(INBOUND, json={"records": [RECORD]}).status_code == 401
    assert (
        client.post(
            INBOUND,
            content=b"{",
            headers={"authorization": f"Bearer {platform}", "content-type": "application/json"},
        ).status_code
        == 400
    )

    # The platform withdraws it: the restriction ends at once.
    withdrawal = {
        "source_record_key": "SD-2026-000123",
        "source_agency": AGENCY,
        "withdrawn": True,
        "withdrawal_reason": "撤销：行政复议决定",
    }
    assert push(client, platform, [withdrawal])[1]["accepted"] == ["SD-2026-000123"]
    assert not one(client, officer, RESTRICTION, id=WANG)["restricted"]
    assert one(client, officer, RECORD_QUERY, id="EXT-SD-2026-000123")["status"] == "withdrawn"
    assert one(client, keys["caseworker"], SUBMIT, p="HOUSING")["restricted"] is False


def test_a_loaded_record_restricts_until_its_restriction_ends(
    client: TestClient, keys: dict[str, str], county: Driver, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "platform"
    folder.mkdir()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    # The platform's own Chinese headers, as its download names them.
    headers = [
        "认定单位",
        "信息编号",
        "主体名称",
        "证件号码",
        "失信行为",
        "认定日期",
        "公示截止日期",
        "惩戒截止日期",
    ]
    rows = [
        [AGENCY, "SD-F-1", "李秀英", LI, "拖欠农民工工资", "2026-09-01", "2029-09-01", ""],
        [AGENCY, "SD-F-2", "赵强", ZHAO, "拖欠农民工工资", "2025-09-01", "2029-09-01", yesterday],
    ]
    report = Loader(county, settings, rejects_dir=tmp_path / "rejects").load(
        [write_csv(folder / "credit_records_external.csv", headers, rows)]
    )
    assert (report.rejected, report.files[0].loaded) == (0, 2)
    officer = keys["credit_officer"]
    li = one(client, officer, RESTRICTION, id=WANG)  # LI's household
    assert [r["recordId"] for r in li["records"]] == ["EXT-SD-F-1"] and li["records"][0][
        "sourceAgency"
    ] == AGENCY
    assert one(client, keys["caseworker"], SUBMIT, p="DIBAO")["restricted"] is True
    assert not one(client, officer, RESTRICTION, id=ZHAO)["restricted"]  # its restriction ended yesterday
    assert one(client, keys["exporter"], CHANGES, after=0)["edges"] == []
