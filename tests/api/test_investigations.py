"""Investigations through the app: open one with a finding and a report, notes, attachments
(upload, download, refusals), hand-over, confirming the finding, closing; who may do what."""

from __future__ import annotations

import io
import os
import stat
import zipfile

from neo4j import Driver
from starlette.testclient import TestClient

from resolvers.attachments import AttachmentStore
from settings import Settings
from tests.api.conftest import gql
from tests.api.test_findings import CONFIRM
from tests.api.test_reports import RECORD
from tests.loaders.mini_county import WANG

FIELDS = """__typename ... on Investigation { investigationId status version owner outcome referredTo
  findings { findingId status version } reports { reportId status } notes { text author at }
  attachments { attachmentId filename mediaType size sha256 downloadPath } events { action by } }
  ... on VersionConflict { currentVersion } ... on InvalidTransition { status message }
  ... on InvalidInput { field message } ... on Forbidden { message } ... on NotFound { message }"""
OPEN = (
    "mutation($f: [String!], $r: [String!]) "
    '{ openInvestigation(title: "王建国家重复发放", findingIds: $f, reportIds: $r) { %s } }' % FIELDS
)
ADD = (
    "mutation($id: String!, $v: Int!, $f: [String!]) "
    "{ addToInvestigation(investigationId: $id, expectedVersion: $v, findingIds: $f) { %s } }" % FIELDS
)
NOTE = """mutation($id: String!, $text: String!) { addInvestigationNote(investigationId: $id, text: $text) {
  __typename ... on Note { noteId text author } ... on InvalidInput { field } ... on NotFound { message }
  ... on Forbidden { message } } }"""
ONE = (
    'query($id: String!) { investigation(investigationId: $id, purpose: "case file review") { %s } }' % FIELDS
)
HAND_OVER = (
    "mutation($id: String!, $v: Int!, $owner: String!) "
    "{ handOverInvestigation(investigationId: $id, expectedVersion: $v, owner: $owner) { %s } }" % FIELDS
)
MOVE = (
    "mutation($id: String!, $v: Int!) "
    "{ moveInvestigation(investigationId: $id, expectedVersion: $v, move: SUBMIT_REVIEW) { %s } }" % FIELDS
)
CLOSE = (
    "mutation($id: String!, $v: Int!) { closeInvestigation(investigationId: $id, expectedVersion: $v, "
    'outcome: CONFIRMED_RECOVERED, conclusion: "重复发放属实，已追回1040元") { %s } }' % FIELDS
)
REFER = (
    "mutation($id: String!, $v: Int!) { referInvestigation(investigationId: $id, expectedVersion: $v, "
    'referredTo: DISCIPLINE_COMMISSION, grounds: "涉嫌村干部截留救助金") { %s } }' % FIELDS
)
LIST = """{ investigations { __typename ... on InvestigationList { investigations { investigationId
  findingCount reportCount status } } ... on Forbidden { message } } }"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(client: TestClient, key: str, investigation_id: str, name: str, content: bytes) -> object:
    return client.post(
        f"/investigations/{investigation_id}/attachments",
        files={"file": (name, content, "text/html")},  # the declared type is never believed
        headers={"authorization": f"Bearer {key}"},
    )


def _finding_and_report(client: TestClient, keys: dict[str, str], graph: Driver, db: str) -> tuple[str, str]:
    finding_id = graph.execute_query(
        "MATCH (f:Finding {kind: 'DUP_PAYMENT'}) RETURN f.finding_id AS id", database_=db
    ).records[0]["id"]
    body = {
        "category": "FRAUDULENT_CLAIM",
        "channel": "LETTER",
        "summary": "来信反映王建国重复领取低保金。",
        "personIdNumbers": [WANG],
    }
    report_id = gql(client, keys["investigator"], RECORD, {"input": body})["data"]["recordReport"]["reportId"]
    return finding_id, report_id


def test_an_investigator_works_a_case_file_from_open_to_closed(
    client: TestClient, keys: dict[str, str], detected: Driver, settings: Settings, api_settings: Settings
) -> None:
    db = settings.neo4j_database
    inv = keys["investigator"]
    finding_id, report_id = _finding_and_report(client, keys, detected, db)
    opened = gql(client, inv, OPEN, {"f": [finding_id], "r": [report_id]})["data"]["openInvestigation"]
    assert opened["__typename"] == "Investigation", opened
    iid = opened["investigationId"]
    assert (opened["status"], opened["owner"]) == ("open", "inv-1")
    assert [f["findingId"] for f in opened["findings"]] == [finding_id]
    assert [(r["reportId"], r["status"]) for r in opened["reports"]] == [(report_id, "investigating")]

    # Notes: appended, authored, timestamped.
    for text in ("电话核实户主，承认二月重复到账。", "银行流水已调取。"):
        note = gql(client, inv, NOTE, {"id": iid, "text": text})["data"]["addInvestigationNote"]
        assert note["author"] == "inv-1"
    assert gql(client, inv, NOTE, {"id": iid, "text": " "})["data"]["addInvestigationNote"]["field"] == "text"
    assert (
        gql(client, inv, NOTE, {"id": "INV-NOPE", "text": "x"})["data"]["addInvestigationNote"]["__typename"]
        == "NotFound"
    )

    # Attachments: stored by content hash, 0600, typed by their content, served as downloads.
    sent = upload(client, inv, iid, "../../银行流水.png", PNG)
    assert sent.status_code == 201, sent.text  # type: ignore[attr-defined]
    meta = sent.json()  # type: ignore[attr-defined]
    assert (meta["mediaType"], meta["size"], meta["filename"]) == ("image/png", len(PNG), "银行流水.png")
    stored = api_settings.state_dir / "attachments" / meta["sha256"][:2] / meta["sha256"]
    assert stored.read_bytes() == PNG and stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(stored.parent).st_mode) == 0o700
    assert upload(client, inv, iid, "minutes.docx", docx()).json()["mediaType"].endswith("document")  # type: ignore[attr-defined]
    assert upload(client, inv, iid, "page.html", b"<html><script>alert(1)</script>").status_code == 415  # type: ignore[attr-defined]
    assert upload(client, inv, iid, "fake.docx", b"PK\x03\x04 not a zip").status_code == 415  # type: ignore[attr-defined]
    assert upload(client, inv, iid, "empty.pdf", b"").status_code == 400  # type: ignore[attr-defined]
    too_big = b"%PDF-" + b"0" * api_settings.attachment_max_bytes
    assert upload(client, inv, iid, "big.pdf", too_big).status_code == 413  # type: ignore[attr-defined]
    assert upload(client, inv, "INV-NOPE", "a.png", PNG).status_code == 404  # type: ignore[attr-defined]
    assert upload(client, keys["caseworker"], iid, "a.png", PNG).status_code == 403  # type: ignore[attr-defined]
    assert upload(client, None, iid, "a.png", PNG).status_code == 401  # type: ignore[arg-type,attr-defined]

    path = f"/attachments/{meta['attachmentId']}"
    auth = {"authorization": f"Bearer {inv}"}
    got = client.get(path, params={"purpose": "case file review"}, headers=auth)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff" and got.headers["cache-control"] == "no-store"
    assert client.get(path, headers=auth).status_code == 400  # no purpose
    assert (
        client.get(
            path, params={"purpose": "look"}, headers={"authorization": f"Bearer {keys['auditor']}"}
        ).status_code
        == 403
    )
    assert (
        client.get("/attachments/nope", params={"purpose": "case file review"}, headers=auth).status_code
        == 404
    )

    # The whole file, audited for the persons its findings and report name.
    whole = gql(client, inv, ONE, {"id": iid})["data"]["investigation"]
    assert [n["text"] for n in whole["notes"]] == ["电话核实户主，承认二月重复到账。", "银行流水已调取。"]
    assert len(whole["attachments"]) == 2 and whole["attachments"][0]["downloadPath"].startswith(
        "/attachments/"
    )
    assert [e["action"] for e in whole["events"]] == ["open", "add", "note", "note", "attach", "attach"]
    audited = detected.execute_query(
        "MATCH (a:AuditEvent) WHERE a.operation IN ['investigation', 'attachment'] "
        "RETURN a.operation AS op, collect(DISTINCT a.person_id_number) AS persons ORDER BY op",
        database_=db,
    ).records
    assert [(r["op"], r["persons"]) for r in audited] == [("attachment", [WANG]), ("investigation", [WANG])]

    # Confirm the finding, hand over (the new owner is notified), review, close.
    facts = {"id": finding_id, "v": whole["findings"][0]["version"], "facts": "二月重复发放，已追回。"}
    confirmed = gql(client, inv, CONFIRM, facts)["data"]["confirmFinding"]
    assert confirmed["status"] == "confirmed"
    v = whole["version"]
    handed = gql(client, inv, HAND_OVER, {"id": iid, "v": v, "owner": "inv-2"})["data"][
        "handOverInvestigation"
    ]
    assert handed["owner"] == "inv-2"
    notified = detected.execute_query(
        "MATCH (n:Notification {recipient: 'inv-2'}) RETURN n.kind AS kind, n.about AS about", database_=db
    ).records
    assert [(r["kind"], r["about"]) for r in notified] == [("investigation_hand_over", iid)]
    stale = gql(client, inv, MOVE, {"id": iid, "v": v})["data"]["moveInvestigation"]
    assert stale["__typename"] == "VersionConflict"
    reviewed = gql(client, inv, MOVE, {"id": iid, "v": v + 1})["data"]["moveInvestigation"]
    assert reviewed["status"] == "under_review"
    closed = gql(client, inv, CLOSE, {"id": iid, "v": v + 2})["data"]["closeInvestigation"]
    assert (closed["status"], closed["outcome"]) == ("closed", "confirmed_recovered")
    assert [r["status"] for r in closed["reports"]] == ["concluded"]  # what its reporter now reads
    refused = gql(client, inv, REFER, {"id": iid, "v": v + 3})["data"]["referInvestigation"]
    assert refused["__typename"] == "InvalidTransition" and "closed" in refused["message"]
    added = gql(client, inv, ADD, {"id": iid, "v": v + 3, "f": [finding_id]})["data"]["addToInvestigation"]
    assert added["__typename"] == "InvalidTransition"
    listed = gql(client, inv, LIST)["data"]["investigations"]["investigations"]
    assert [(i["findingCount"], i["reportCount"], i["status"]) for i in listed] == [(1, 1, "closed")]


def test_only_investigators_open_and_read_case_files(
    client: TestClient, keys: dict[str, str], detected: Driver, settings: Settings
) -> None:
    finding_id, report_id = _finding_and_report(client, keys, detected, settings.neo4j_database)
    for role in ("caseworker", "coordinator", "partner_mz", "credit_officer", "auditor"):
        refused = gql(client, keys[role], OPEN, {"f": [finding_id], "r": []})["data"]["openInvestigation"]
        assert refused["__typename"] == "Forbidden", role
        assert gql(client, keys[role], LIST)["data"]["investigations"]["__typename"] == "Forbidden"
    inv = keys["investigator"]
    unknown = gql(client, inv, OPEN, {"f": ["F-NOPE"], "r": []})["data"]["openInvestigation"]
    assert unknown["__typename"] == "InvalidInput" and "F-NOPE" in unknown["message"]
    opened = gql(client, inv, OPEN, {"f": [], "r": [report_id]})["data"]["openInvestigation"]
    referred = gql(client, inv, REFER, {"id": opened["investigationId"], "v": opened["version"]})["data"]
    assert referred["referInvestigation"]["referredTo"] == "discipline_commission"
    assert gql(client, inv, ONE, {"id": "INV-NOPE"})["data"]["investigation"]["__typename"] == "NotFound"


def test_the_same_content_is_stored_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = AttachmentStore(tmp_path / "a")
    assert store.put(PNG) == store.put(PNG)
    assert len(list((tmp_path / "a").rglob("*"))) == 2  # one folder, one file
    assert store.get("0" * 64) is None


def test_a_person_named_in_the_file_is_what_evidence_packs_read(
    client: TestClient, keys: dict[str, str], detected: Driver, settings: Settings
) -> None:
    import asyncio

    from resolvers.investigations import investigation_file

    body = {
        "category": "FRAUDULENT_CLAIM",
        "channel": "VISIT",
        "summary": "来访反映王建国有车。",
        "personIdNumbers": [WANG],
    }
    report_id = gql(client, keys["investigator"], RECORD, {"input": body})["data"]["recordReport"]["reportId"]
    opened = gql(client, keys["investigator"], OPEN, {"f": [], "r": [report_id]})["data"]["openInvestigation"]

    class Gateway:
        async def read(self, cypher: str, /, **params: object) -> list[dict]:
            records, _, _ = detected.execute_query(cypher, params, database_=settings.neo4j_database)
            return [dict(r) for r in records]

    file = asyncio.run(investigation_file(Gateway(), opened["investigationId"]))
    assert file is not None and file["persons"] == [WANG]
    assert set(file) == {"investigation", "findings", "reports", "notes", "attachments", "events", "persons"}
    assert asyncio.run(investigation_file(Gateway(), "INV-NOPE")) is None
