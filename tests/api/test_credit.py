"""Dishonesty records through the API: the lifecycle and who may take each step, the change
feed, and joint restriction across programmes and departments."""

from __future__ import annotations

from datetime import date

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import LI, WANG, ZHAO

RECORD = (
    "__typename ... on DishonestyRecord { recordId status version facts amount publicityStart publicityEnd "
    "decisionNumber } ... on VersionConflict { currentVersion } ... on InvalidTransition { status message } "
    "... on InvalidInput { field message } ... on Forbidden { message } ... on NotFound { message }"
)
DRAFT = """mutation($input: DraftRecordInput!) { draftDishonestyRecord(input: $input) { %s } }""" % RECORD
DECIDE = (
    """mutation($id: String!, $v: Int!) { decideDishonestyRecord(recordId: $id, expectedVersion: $v,
  decidingAuthority: "泗水县民政局", decisionNumber: "泗民信〔2026〕1号", decisionDate: "2026-11-20",
  stopAid: true, recoveryAmount: "1040.00") { %s } }"""
    % RECORD
)
PUBLISH = (
    """mutation($id: String!, $v: Int!) { """
    """publishDishonestyRecord(recordId: $id, expectedVersion: $v) { %s } }""" % RECORD
)
REPAIR = (
    """mutation($id: String!, $v: Int!) { repairDishonestyRecord(recordId: $id, expectedVersion: $v,
  application: "repaid in full and completed training") { %s } }"""
    % RECORD
)
CORRECT = (
    """mutation($id: String!, $v: Int!) { correctDishonestyRecord(recordId: $id, expectedVersion: $v,
  note: "amount was mistyped in the decision", amount: "1040.50") { %s } }"""
    % RECORD
)
CHANGES = """query($after: Int!) { creditChanges(first: 10, after: $after) { __typename
  ... on CreditChangeConnection { edges { cursor node { sequence change recordId status idNumber amount } } }
  ... on Forbidden { message } } }"""
RESTRICTION = """query($id: String!) {
  restrictionStatus(idNumber: $id, purpose: "housing application check") {
  __typename ... on RestrictionStatus { restricted records { recordId behaviour severity decisionNumber } }
  ... on Forbidden { message } } }"""
CONFIRM = """mutation($id: String!) { confirmFinding(findingId: $id, expectedVersion: 1,
  facts: "the January payment was made twice and kept", amount: "1040.00") { __typename } }"""
FINDINGS = """{ findings(purpose: "fraud review", filter: {kinds: ["DUP_PAYMENT"]}) {
  ... on FindingConnection { edges { node { findingId } } } } }"""


def one(client: TestClient, key: str, query: str, **variables: object) -> dict:
    body = gql(client, key, query, variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def decided_record(client: TestClient, keys: dict[str, str]) -> dict:
    """A confirmed double payment to WANG's household, drafted and decided."""
    inv, officer = keys["investigator"], keys["credit_officer"]
    finding = one(client, inv, FINDINGS)["edges"][0]["node"]["findingId"]
    assert one(client, inv, CONFIRM, id=finding)["__typename"] == "Finding"
    draft = one(
        client,
        inv,
        DRAFT,
        input={
            "findingId": finding,
            "subjectIdNumber": WANG,
            "behaviour": "CONCEALMENT",
            "legalBasis": "《社会救助暂行办法》第六十八条",
            "severity": "GENERAL",
        },
    )
    assert (draft["status"], draft["amount"], draft["facts"]) == (
        "draft",
        "1040.00",
        "the January payment was made twice and kept",
    )
    return one(client, officer, DECIDE, id=draft["recordId"], v=1)


def test_the_lifecycle_and_who_takes_each_step(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    inv, officer = keys["investigator"], keys["credit_officer"]
    finding = one(client, inv, FINDINGS)["edges"][0]["node"]["findingId"]
    unconfirmed = one(
        client,
        inv,
        DRAFT,
        input={
            "findingId": finding,
            "subjectIdNumber": WANG,
            "behaviour": "CONCEALMENT",
            "legalBasis": "第六十八条",
            "severity": "GENERAL",
        },
    )
    assert unconfirmed["__typename"] == "NotFound"  # only confirmed findings become records
    record = decided_record(client, keys)
    rid = record["recordId"]
    again = one(
        client,
        inv,
        DRAFT,
        input={
            "findingId": finding,
            "subjectIdNumber": WANG,
            "behaviour": "CONCEALMENT",
            "legalBasis": "第六十八条",
            "severity": "GENERAL",
        },
    )
    assert again["__typename"] == "NotFound" and "exists already" in again["message"]
    assert (record["status"], record["version"], record["decisionNumber"]) == (
        "decided",
        2,
        "泗民信〔2026〕1号",
    )
    assert one(client, inv, PUBLISH, id=rid, v=2)["__typename"] == "Forbidden"
    published = one(client, officer, PUBLISH, id=rid, v=2)
    assert published["status"] == "published" and published["publicityStart"] == date.today().isoformat()
    assert published["publicityEnd"] > published["publicityStart"]
    early = one(client, officer, REPAIR, id=rid, v=3)
    assert early["__typename"] == "InvalidTransition" and "minimum publicity period" in early["message"]
    corrected = one(client, officer, CORRECT, id=rid, v=3)
    assert (corrected["status"], corrected["version"], corrected["amount"]) == ("published", 4, "1040.50")
    assert one(client, officer, CORRECT, id=rid, v=3)["__typename"] == "VersionConflict"


def test_the_change_feed(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    record = decided_record(client, keys)
    one(client, keys["credit_officer"], PUBLISH, id=record["recordId"], v=2)
    for role in ("investigator", "credit_officer", "partner_mz", "auditor"):
        assert one(client, keys[role], CHANGES, after=0)["__typename"] == "Forbidden"
    feed = one(client, keys["exporter"], CHANGES, after=0)["edges"]
    assert [(e["node"]["sequence"], e["node"]["change"], e["node"]["status"]) for e in feed] == [
        (1, "decided", "decided"),
        (2, "published", "published"),
    ]
    assert one(client, keys["exporter"], CHANGES, after=1)["edges"][0]["node"]["change"] == "published"
    assert one(client, keys["exporter"], CHANGES, after=2)["edges"] == []


def test_joint_restriction_across_programmes_and_departments(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    decided_record(client, keys)
    partner = keys["partner_jt"]
    wang = one(client, partner, RESTRICTION, id=WANG)
    assert wang["restricted"] and wang["records"][0]["behaviour"] == "concealment"
    assert set(wang["records"][0]) == {
        "recordId",
        "behaviour",
        "severity",
        "decisionNumber",
    }  # public fields only
    assert one(client, partner, RESTRICTION, id=LI)["restricted"]  # his wife: same household
    assert not one(client, partner, RESTRICTION, id=ZHAO)["restricted"]
    assert one(client, keys["coordinator"], RESTRICTION, id=WANG)["__typename"] == "Forbidden"

    submit = (
        """mutation($p: String!) { submitApplication(input: {householdId: "H1", programme: $p,
      applicantIdNumber: "%s", channel: WINDOW, commitmentSigned: true}) {
      ... on CaseRecord { caseId status version restricted restrictionOverridden } } }"""
        % LI
    )
    cw = keys["caseworker"]
    for programme in ("DIBAO", "EDU", "HOUSING"):  # civil affairs, education, housing
        assert one(client, cw, submit, p=programme)["restricted"] is True


def test_a_restricted_application_needs_an_override(
    instant_publicity: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    client = instant_publicity
    decided_record(client, keys)
    cw, officer = keys["caseworker"], keys["credit_officer"]
    case = one(
        client,
        cw,
        """mutation { submitApplication(input: {householdId: "H1", programme: "DIBAO",
      applicantIdNumber: "%s", channel: ASSISTED, commitmentSigned: true}) {
      ... on CaseRecord { caseId restricted } } }"""
        % WANG,
    )
    cid = case["caseId"]
    step = (
        "__typename ... on CaseRecord { status version restrictionOverridden } "
        "... on InvalidTransition { message } "
        "... on Forbidden { message } ... on InvalidInput { field }"
    )
    one(
        client,
        cw,
        "mutation($id: String!) { recordHomeInvestigation(caseId: $id, expectedVersion: 1, "
        'summary: "visited") { %s } }' % step,
        id=cid,
    )
    one(
        client,
        cw,
        "mutation($id: String!) { reviewCase(caseId: $id, expectedVersion: 2, approve: true, "
        'proposedMonthlyAmount: "1040.00") { %s } }' % step,
        id=cid,
    )
    decide = (
        "mutation($id: String!, $v: Int!) { decideCase(caseId: $id, expectedVersion: $v, approve: true, "
        'reason: "eligible") { %s } }' % step
    )
    blocked = one(client, keys["caseworker_2"], decide, id=cid, v=3)
    assert "joint restriction" in blocked["message"]
    override = (
        "mutation($id: String!, $v: Int!) { overrideRestriction(caseId: $id, expectedVersion: $v, "
        'reason: "the record concerns a repaid amount; aid is essential") { %s } }' % step
    )
    assert one(client, cw, override, id=cid, v=3)["__typename"] == "Forbidden"
    overridden = one(client, officer, override, id=cid, v=3)
    assert overridden["restrictionOverridden"] is True and overridden["version"] == 4
    assert one(client, keys["caseworker_2"], decide, id=cid, v=4)["status"] == "approved"


def test_the_person_360_shows_records_and_findings_by_role(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    record = decided_record(client, keys)
    query = """query($id: String!) { person(idNumber: $id, purpose: "case review") { ... on Person {
      creditRecords { recordId status decisionNumber } findings { kind status } withheld } } }"""
    inv = one(client, keys["investigator"], query, id=WANG)
    assert inv["creditRecords"] == [
        {"recordId": record["recordId"], "status": "decided", "decisionNumber": "泗民信〔2026〕1号"}
    ]
    assert [(f["kind"], f["status"]) for f in inv["findings"]] == [
        ("DUP_PAYMENT", "confirmed")
    ]  # his household's
    caseworker = one(client, keys["caseworker"], query, id=WANG)
    assert caseworker["creditRecords"][0]["status"] == "decided" and caseworker["findings"] is None
    partner = one(client, keys["partner_mz"], query, id=WANG)
    assert partner["creditRecords"] is None and "CREDIT" in partner["withheld"]


def test_a_loaded_open_application_is_restricted_too(
    client: TestClient, keys: dict[str, str], detected, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from loaders.run import Loader
    from tests.loaders.mini_county import write_csv

    decided_record(client, keys)
    folder = tmp_path / "feed"
    folder.mkdir()
    cases = write_csv(
        folder / "cases.csv",
        [
            "case_id",
            "programme",
            "household_id",
            "applicant_id_number",
            "channel",
            "submitted_date",
            "status",
            "commitment_signed",
        ],
        [
            ["C-EXT-1", "HOUSING", "H1", LI, "window", "2026-11-20", "investigating", "yes"],
            ["C-EXT-2", "HOUSING", "H2", ZHAO, "window", "2026-11-20", "investigating", "yes"],
        ],
    )
    assert Loader(detected, settings, rejects_dir=tmp_path / "rejects").load([cases]).rejected == 0
    records, _, _ = detected.execute_query(
        "MATCH (c:Case) WHERE c.case_id STARTS WITH 'C-EXT' "
        "RETURN c.case_id AS id, c.restricted AS r ORDER BY id",
        database_=settings.neo4j_database,
    )
    assert [(r["id"], r["r"]) for r in records] == [("C-EXT-1", True), ("C-EXT-2", None)]
