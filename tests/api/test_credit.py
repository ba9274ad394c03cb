"""Dishonesty records through the API: the lifecycle and who may take each step, due process
(notice, defence, waiver), objections and revocation, the change feed, and joint restriction
across programmes and departments."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import LI, WANG, ZHAO

RECORD = (
    "__typename ... on DishonestyRecord { recordId status version facts amount publicityStart publicityEnd "
    "decisionNumber defenceDeadline defenceWaived objectionOpen revocationReference } "
    "... on VersionConflict { currentVersion } ... on InvalidTransition { status message } "
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
NOTIFY = (
    """mutation($id: String!, $v: Int!, $on: Date!) { notifyDishonestySubject(recordId: $id,
  expectedVersion: $v, servedBy: IN_PERSON, servedOn: $on) { %s } }"""
    % RECORD
)
WAIVE = (
    """mutation($id: String!, $v: Int!) { recordDefence(recordId: $id, expectedVersion: $v,
  statement: "本人放弃陈述申辩（书面声明，签字）", waived: true) { %s } }"""
    % RECORD
)
DEFEND = (
    """mutation($id: String!, $v: Int!) { recordDefence(recordId: $id, expectedVersion: $v,
  statement: "the second payment was the bank's error", response: "the bank confirms no error") { %s } }"""
    % RECORD
)
OBJECT = (
    """mutation($id: String!, $v: Int!) { recordCreditObjection(recordId: $id, expectedVersion: $v,
  kind: OBJECTION, receivedOn: "2026-11-21", grounds: "the household had separated before January") {
  %s } }"""
    % RECORD
)
UPHOLD = (
    """mutation($id: String!, $v: Int!) { resolveCreditObjection(recordId: $id, expectedVersion: $v,
  outcome: UPHELD, note: "the separation was registered in March") { %s } }"""
    % RECORD
)
REVOKE = (
    """mutation($id: String!, $v: Int!) { revokeDishonestyRecord(recordId: $id, expectedVersion: $v,
  reason: "overturned on administrative reconsideration", decisionReference: "济政复〔2026〕9号") { %s } }"""
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
    rid = draft["recordId"]
    notified = one(client, officer, NOTIFY, id=rid, v=1, on=date.today().isoformat())
    assert notified["status"] == "notified"
    assert one(client, officer, WAIVE, id=rid, v=2)["defenceWaived"] is True
    return one(client, officer, DECIDE, id=rid, v=3)


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
        4,
        "泗民信〔2026〕1号",
    )
    assert one(client, inv, PUBLISH, id=rid, v=4)["__typename"] == "Forbidden"
    published = one(client, officer, PUBLISH, id=rid, v=4)
    assert published["status"] == "published" and published["publicityStart"] == date.today().isoformat()
    assert published["publicityEnd"] > published["publicityStart"]
    early = one(client, officer, REPAIR, id=rid, v=5)
    assert early["__typename"] == "InvalidTransition" and "minimum publicity period" in early["message"]
    corrected = one(client, officer, CORRECT, id=rid, v=5)
    assert (corrected["status"], corrected["version"], corrected["amount"]) == ("published", 6, "1040.50")
    assert one(client, officer, CORRECT, id=rid, v=5)["__typename"] == "VersionConflict"


def test_the_change_feed(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    record = decided_record(client, keys)
    one(client, keys["credit_officer"], PUBLISH, id=record["recordId"], v=4)
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


def drafted(client: TestClient, keys: dict[str, str]) -> str:
    inv = keys["investigator"]
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
    return str(draft["recordId"])


def test_no_decision_without_notice_and_while_the_defence_window_is_open(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    officer = keys["credit_officer"]
    rid = drafted(client, keys)
    unnotified = one(client, officer, DECIDE, id=rid, v=1)
    assert unnotified["__typename"] == "InvalidTransition" and "notified" in unnotified["message"]
    assert (
        one(client, keys["investigator"], NOTIFY, id=rid, v=1, on="2026-11-20")["__typename"] == "Forbidden"
    )
    future = one(client, officer, NOTIFY, id=rid, v=1, on="2999-01-01")
    assert future["__typename"] == "InvalidInput" and future["field"] == "servedOn"
    served = date.today()
    notified = one(client, officer, NOTIFY, id=rid, v=1, on=served.isoformat())
    assert notified["defenceDeadline"] == (served + timedelta(days=7)).isoformat()  # rules/credit.toml
    early = one(client, officer, DECIDE, id=rid, v=2)
    assert early["__typename"] == "InvalidTransition" and "defence window is open" in early["message"]
    defended = one(client, officer, DEFEND, id=rid, v=2)
    assert (defended["status"], defended["defenceWaived"]) == ("notified", False)
    # Stating a defence does not close the window early: only a written waiver does.
    assert one(client, officer, DECIDE, id=rid, v=3)["__typename"] == "InvalidTransition"
    assert one(client, officer, WAIVE, id=rid, v=3)["defenceWaived"] is True
    assert one(client, officer, DECIDE, id=rid, v=4)["status"] == "decided"
    feed = one(client, keys["exporter"], CHANGES, after=0)["edges"]
    assert [e["node"]["change"] for e in feed] == ["decided"]  # notice and defence are not shared


def test_a_notice_served_long_enough_ago_lets_the_decision_through(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    officer = keys["credit_officer"]
    rid = drafted(client, keys)
    one(client, officer, NOTIFY, id=rid, v=1, on=(date.today() - timedelta(days=8)).isoformat())
    assert one(client, officer, DECIDE, id=rid, v=2)["status"] == "decided"


def test_an_objection_suspends_publication_and_a_revocation_ends_the_restriction(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    officer, partner = keys["credit_officer"], keys["partner_jt"]
    record = decided_record(client, keys)
    rid = record["recordId"]
    published = one(client, officer, PUBLISH, id=rid, v=4)
    publicity = """{ dishonestyPublicity { ... on DishonestyList { notices { recordId } } } }"""
    shown = gql(client, keys["caseworker"], publicity)["data"]["dishonestyPublicity"]["notices"]
    assert [n["recordId"] for n in shown] == [rid]
    assert one(client, keys["investigator"], OBJECT, id=rid, v=5)["__typename"] == "Forbidden"
    objected = one(client, officer, OBJECT, id=rid, v=published["version"])
    assert (objected["status"], objected["objectionOpen"]) == ("published", True)
    twice = one(client, officer, OBJECT, id=rid, v=6)
    assert twice["__typename"] == "InvalidTransition" and "already" in twice["message"]
    assert gql(client, keys["caseworker"], publicity)["data"]["dishonestyPublicity"]["notices"] == []
    upheld = one(client, officer, UPHOLD, id=rid, v=6)
    assert upheld["objectionOpen"] is False
    assert [
        n["recordId"]
        for n in gql(client, keys["caseworker"], publicity)["data"]["dishonestyPublicity"]["notices"]
    ] == [rid]
    none_open = one(client, officer, UPHOLD, id=rid, v=7)
    assert none_open["__typename"] == "InvalidTransition" and "no objection" in none_open["message"]
    assert one(client, partner, RESTRICTION, id=WANG)["restricted"]
    # Overturned on reconsideration: revoked, and at once no restriction and no publicity.
    objected = one(client, officer, OBJECT, id=rid, v=7)
    revoked = one(client, officer, REVOKE, id=rid, v=8)
    assert (revoked["status"], revoked["revocationReference"], revoked["objectionOpen"]) == (
        "revoked",
        "济政复〔2026〕9号",
        False,
    )
    assert not one(client, partner, RESTRICTION, id=WANG)["restricted"]
    assert not one(client, partner, RESTRICTION, id=LI)["restricted"]
    assert gql(client, keys["caseworker"], publicity)["data"]["dishonestyPublicity"]["notices"] == []
    feed = one(client, keys["exporter"], CHANGES, after=0)["edges"]
    assert [(e["node"]["change"], e["node"]["status"]) for e in feed] == [
        ("decided", "decided"),
        ("published", "published"),
        ("suspended", "published"),
        ("upheld", "published"),
        ("suspended", "published"),
        ("revoked", "revoked"),
    ]
    assert one(client, officer, PUBLISH, id=rid, v=9)["__typename"] == "InvalidTransition"


def test_the_notice_is_a_printable_page_for_credit_officers(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    officer = keys["credit_officer"]
    rid = drafted(client, keys)

    def page(key: str, record: str = rid):  # type: ignore[no-untyped-def]
        return client.get(f"/credit/notice.html?record={record}", headers={"authorization": f"Bearer {key}"})

    assert page(officer).status_code == 409  # not served yet: nothing to print
    one(client, officer, NOTIFY, id=rid, v=1, on="2026-11-20")
    shown = page(officer)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert "失信记录拟列入告知书" in shown.text and "王建国" in shown.text
    assert "2026年11月27日前" in shown.text and "陈述和申辩" in shown.text and "直接送达" in shown.text
    assert page(keys["caseworker"]).status_code == 403
    assert page(officer, "DR-NONE").status_code == 404
    assert client.get(f"/credit/notice.html?record={rid}").status_code == 401


def test_dead_letters_are_listed_and_withdrawn_by_credit_officers(
    client: TestClient, keys: dict[str, str], detected, settings
) -> None:  # type: ignore[no-untyped-def]
    detected.execute_query(
        "CREATE (:DeadLetter {letter_id: 'CC-9 http:x', sink: 'http:x', change_id: 'CC-9', sequence: 9, "
        "record_id: 'DR-9', change: 'decided', reason: '行为代码不在目录中', status: 'open', refusals: 1, "
        "refused_at: datetime()})",
        database_=settings.neo4j_database,
    )
    listing = (
        "{ creditDeadLetters { __typename ... on CreditDeadLetters { letters { letterId reason status } } } }"
    )
    withdraw = """mutation($id: String!) { withdrawCreditDeadLetter(letterId: $id,
      reason: "the decision was annulled before the platform had it") { __typename
      ... on CreditDeadLetter { status withdrawnBy } ... on InvalidTransition { message } } }"""
    for role in ("credit_officer", "auditor"):
        assert one(client, keys[role], listing)["letters"] == [
            {"letterId": "CC-9 http:x", "reason": "行为代码不在目录中", "status": "open"}
        ]
    assert one(client, keys["caseworker"], listing)["__typename"] == "Forbidden"
    assert one(client, keys["auditor"], withdraw, id="CC-9 http:x")["__typename"] == "Forbidden"
    done = one(client, keys["credit_officer"], withdraw, id="CC-9 http:x")
    assert (done["status"], done["withdrawnBy"]) == ("withdrawn", "mz-credit")
    assert (
        one(client, keys["credit_officer"], withdraw, id="CC-9 http:x")["__typename"] == "InvalidTransition"
    )
    assert one(client, keys["credit_officer"], listing)["letters"] == []  # open ones only, by default
