"""Reports and complaints through the app: the public form (no key, same origin, form token,
limited per address) and its status page, staff intake, and the investigators' triage."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from neo4j import Driver
from starlette.testclient import TestClient

from reliefgraph.app import create_app
from settings import Settings
from tests.api.conftest import gql
from tests.loaders.mini_county import WANG

ORIGIN = {"origin": "http://testserver"}
RECORD = """mutation($input: ReportInput!) { recordReport(input: $input) {
  __typename ... on ReportReceipt { reportId trackingCode status dueDate }
  ... on Forbidden { message } ... on InvalidInput { field message } } }"""
REPORT_FIELDS = """__typename ... on Report { reportId status version category overdue assignee rejectReason
  summary reporterContact named { kind key name } findingIds events { action by toStatus } }
  ... on VersionConflict { currentVersion } ... on InvalidTransition { status message }
  ... on InvalidInput { field message } ... on Forbidden { message } ... on NotFound { message }"""
LIST = """query($overdue: Boolean!) { reports(purpose: "report triage", overdueOnly: $overdue) {
  __typename ... on ReportList { reports { %s } } ... on Forbidden { message } } }""" % REPORT_FIELDS.split(
    " ... on VersionConflict"
)[0]
ONE = 'query($id: String!) { report(reportId: $id, purpose: "report triage") { %s } }' % REPORT_FIELDS
ASSIGN = (
    'mutation($id: String!, $v: Int!) { assignReport(reportId: $id, expectedVersion: $v, assignee: "inv-1") '
    "{ %s } }" % REPORT_FIELDS
)
LINK = (
    "mutation($id: String!, $v: Int!, $links: ReportLinks!) "
    "{ linkReport(reportId: $id, expectedVersion: $v, links: $links) { %s } }" % REPORT_FIELDS
)
REJECT = (
    "mutation($id: String!, $v: Int!, $reason: String!) "
    "{ rejectReport(reportId: $id, expectedVersion: $v, reason: $reason) { %s } }" % REPORT_FIELDS
)
INBOX = """{ inbox { __typename ... on Inbox {
  unread notifications { notificationId kind about read mailStatus } } } }"""
READ = """mutation($ids: [String!]!) { markNotificationsRead(notificationIds: $ids) {
  __typename ... on MarkedRead { marked } } }"""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def public(
    api_settings: Settings, keys: dict[str, str], county: Driver, clock: Clock
) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings, clock=clock)) as client:
        yield client


def token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def submit(client: TestClient, **fields: str) -> object:
    form = client.get("/report").text
    data = {
        "category": "staff_misconduct",
        "summary": "村干部优亲厚友，把低保给了自己的亲戚。",
        "token": token(form),
    }
    return client.post("/report", data={**data, **fields}, headers=ORIGIN)


def tracking_code(page: str) -> str:
    found = re.search(r'<p class="code">([A-Z0-9-]+)</p>', page)
    assert found, page
    return found.group(1)


def status_of(client: TestClient, code: str) -> object:
    form = client.get("/report/status").text
    return client.post("/report/status", data={"code": code, "token": token(form)}, headers=ORIGIN)


def test_the_public_form_takes_a_report_without_a_key_and_shows_only_its_status(public: TestClient) -> None:
    page = public.get("/report")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp and "script" not in csp
    assert "<script" not in page.text
    sent = submit(public, named_text="王某某", contact="13800000000")
    assert sent.status_code == 200, sent.text  # type: ignore[attr-defined]
    code = tracking_code(sent.text)  # type: ignore[attr-defined]
    assert re.fullmatch(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", code)
    shown = status_of(public, code.lower().replace("-", " "))
    assert shown.status_code == 200  # type: ignore[attr-defined]
    assert "已受理" in shown.text  # type: ignore[attr-defined]
    # The status and nothing else: not what was reported, not whom, not the contact.
    for secret in ("优亲厚友", "王某某", "13800000000", "staff_misconduct"):
        assert secret not in shown.text  # type: ignore[attr-defined]
    assert status_of(public, "AAAA-BBBB-CCCC-DDDD").status_code == 404  # type: ignore[attr-defined]


def test_the_form_refuses_other_origins_forged_tokens_and_bad_input(public: TestClient, clock: Clock) -> None:
    good = token(public.get("/report").text)
    data = {"category": "inaction", "summary": "办事拖拉，三个月没有答复。", "token": good}

    def post(headers: dict[str, str] = ORIGIN, **fields: str) -> object:
        clock.now += 3600  # each attempt counts against the address: here, each in its own hour
        return public.post("/report", data={**data, **fields}, headers=headers)

    assert post({"origin": "https://evil.example"}).status_code == 403  # type: ignore[attr-defined]
    assert post({"origin": "null"}).status_code == 403  # type: ignore[attr-defined]
    assert post({"sec-fetch-site": "cross-site"}).status_code == 403  # type: ignore[attr-defined]
    assert post(token=good[:-4] + "0000").status_code == 400  # type: ignore[attr-defined]
    assert post(token="").status_code == 400  # type: ignore[attr-defined]
    assert post(category="nonsense").status_code == 400  # type: ignore[attr-defined]
    short = post(summary="短")
    assert short.status_code == 400 and "10-4000" in short.text  # type: ignore[attr-defined]
    assert post(summary="x" * 5000).status_code == 400  # type: ignore[attr-defined]
    assert post(summary="有控制字符\x1b[31m在这里").status_code == 400  # type: ignore[attr-defined]
    assert post().status_code == 200  # type: ignore[attr-defined]


def test_the_form_is_limited_per_address(public: TestClient, api_settings: Settings, clock: Clock) -> None:
    for _ in range(api_settings.report_form_burst):
        assert submit(public).status_code == 200  # type: ignore[attr-defined]
    assert submit(public).status_code == 429  # type: ignore[attr-defined]
    clock.now += 3600 / api_settings.report_form_per_hour  # one more report's worth of time
    assert submit(public).status_code == 200  # type: ignore[attr-defined]


def _intake(client: TestClient, key: str, **extra: object) -> dict:
    body = {
        "category": "FRAUDULENT_CLAIM",
        "channel": "HOTLINE",
        "summary": "王建国家有车还在领低保。",
        **extra,
    }
    return gql(client, key, RECORD, {"input": body})["data"]["recordReport"]


def test_staff_take_reports_and_only_investigators_triage_them(
    client: TestClient, keys: dict[str, str], detected: Driver, settings: Settings
) -> None:
    receipt = _intake(client, keys["caseworker"], personIdNumbers=[WANG], reporterContact="来电人 139")
    assert receipt["__typename"] == "ReportReceipt" and receipt["status"] == "received"
    for role in ("coordinator", "partner_mz", "auditor"):
        assert _intake(client, keys[role])["__typename"] == "Forbidden"
    assert _intake(client, keys["investigator"], summary="短")["__typename"] == "InvalidInput"
    assert _intake(client, keys["investigator"], personIdNumbers=["123"])["field"] == "personIdNumbers"
    inv = keys["investigator"]
    # Caseworkers take reports but never read them (they may be about them).
    for role in ("caseworker", "coordinator", "partner_mz"):
        assert (
            gql(client, keys[role], LIST, {"overdue": False})["data"]["reports"]["__typename"] == "Forbidden"
        )
    listed = gql(client, inv, LIST, {"overdue": False})["data"]["reports"]["reports"]
    assert [r["reportId"] for r in listed] == [receipt["reportId"]]
    assert listed[0]["named"][0]["key"] == WANG and listed[0]["reporterContact"] == "来电人 139"

    # WANG's household is the subject of the open DUP_PAYMENT finding: its priority went up.
    raised = detected.execute_query(
        "MATCH (f:Finding {kind: 'DUP_PAYMENT'}) RETURN f.priority AS priority, f.reports AS reports",
        database_=settings.neo4j_database,
    ).records
    assert [(r["priority"], r["reports"]) for r in raised] == [("raised", [receipt["reportId"]])]

    rid = receipt["reportId"]
    assigned = gql(client, inv, ASSIGN, {"id": rid, "v": 1})["data"]["assignReport"]
    assert (assigned["status"], assigned["assignee"], assigned["version"]) == ("assigned", "inv-1", 2)
    assert (
        gql(client, inv, ASSIGN, {"id": rid, "v": 1})["data"]["assignReport"]["__typename"]
        == "VersionConflict"
    )
    finding_id = detected.execute_query(
        "MATCH (f:Finding {kind: 'DUP_PAYMENT'}) RETURN f.finding_id AS id", database_=settings.neo4j_database
    ).records[0]["id"]
    linked = gql(client, inv, LINK, {"id": rid, "v": 2, "links": {"findingIds": [finding_id]}})["data"]
    assert linked["linkReport"]["findingIds"] == [finding_id]
    bad = gql(client, inv, LINK, {"id": rid, "v": 3, "links": {}})["data"]["linkReport"]
    assert bad["__typename"] == "InvalidInput"
    rejected = gql(client, inv, REJECT, {"id": rid, "v": 3, "reason": "经核实车辆已于去年转让"})["data"]
    assert rejected["rejectReport"]["status"] == "rejected"
    again = gql(client, inv, REJECT, {"id": rid, "v": 4, "reason": "again and again"})["data"]["rejectReport"]
    assert again["__typename"] == "InvalidTransition" and "rejected" in again["message"]
    assert [e["action"] for e in rejected["rejectReport"]["events"]] == [
        "receive",
        "assign",
        "link",
        "reject",
    ]
    missing = gql(client, inv, ONE, {"id": "R-NOPE"})["data"]["report"]
    assert missing["__typename"] == "NotFound"

    # The assignee learned of it in their inbox, and can mark it read.
    inbox = gql(client, inv, INBOX)["data"]["inbox"]
    assert [(n["kind"], n["about"], n["read"]) for n in inbox["notifications"]] == [
        ("report_assign", rid, False)
    ]
    assert inbox["unread"] == 1
    ids = [n["notificationId"] for n in inbox["notifications"]]
    assert gql(client, keys["auditor"], READ, {"ids": ids})["data"]["markNotificationsRead"]["marked"] == 0
    assert gql(client, inv, READ, {"ids": ids})["data"]["markNotificationsRead"]["marked"] == 1
    assert gql(client, inv, INBOX)["data"]["inbox"]["unread"] == 0

    # The reads were audited: the persons the reports named.
    audited = detected.execute_query(
        "MATCH (a:AuditEvent {operation: 'reports'}) RETURN DISTINCT a.person_id_number AS p",
        database_=settings.neo4j_database,
    ).records
    assert [r["p"] for r in audited] == [WANG]


def test_an_overdue_report_comes_first(
    client: TestClient, keys: dict[str, str], county: Driver, settings
) -> None:  # type: ignore[no-untyped-def]
    inv = keys["investigator"]
    late = _intake(client, inv)["reportId"]
    fresh = _intake(client, inv, category="EMBEZZLEMENT")
    assert fresh["dueDate"] > _intake(client, inv)["dueDate"]  # 60 days against 30 (rules/casework.toml)
    county.execute_query(
        "MATCH (r:Report {report_id: $id}) SET r.due_date = date() - duration({days: 1})",
        id=late,
        database_=settings.neo4j_database,
    )
    listed = gql(client, inv, LIST, {"overdue": False})["data"]["reports"]["reports"]
    assert listed[0]["reportId"] == late and listed[0]["overdue"]
    assert not any(r["overdue"] for r in listed[1:])
    overdue = gql(client, inv, LIST, {"overdue": True})["data"]["reports"]["reports"]
    assert [r["reportId"] for r in overdue] == [late]
