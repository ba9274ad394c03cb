"""The case workflow: the state machine, typed errors, concurrent edits, who and when."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import WANG, ZHAO

CASE = (
    "__typename ... on CaseRecord { caseId status version publicityStart publicityEnd reason } "
    "... on VersionConflict { currentVersion } ... on InvalidTransition { status message } "
    "... on InvalidInput { field message } ... on NotFound { message } ... on Forbidden { message }"
)

SUBMIT = """mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { %s } }""" % CASE
INVESTIGATE = (
    """mutation($id: String!, $v: Int!) {
  recordHomeInvestigation(caseId: $id, expectedVersion: $v, summary: "visited; income verified") { %s } }"""
    % CASE
)
REVIEW = (
    """mutation($id: String!, $v: Int!, $ok: Boolean!, $why: String) {
  reviewCase(caseId: $id, expectedVersion: $v, approve: $ok, reason: $why) { %s } }"""
    % CASE
)
OBJECT = (
    """mutation($id: String!, $v: Int!) {
  recordObjection(caseId: $id, expectedVersion: $v, objection: "neighbour reports a car") { %s } }"""
    % CASE
)
DECIDE = (
    """mutation($id: String!, $v: Int!, $ok: Boolean!) {
  decideCase(caseId: $id, expectedVersion: $v, approve: $ok, reason: "meets the criteria") { %s } }"""
    % CASE
)


def application(household: str = "H1", applicant: str = WANG, signed: bool = True) -> dict:
    return {
        "input": {
            "householdId": household,
            "programme": "DIBAO",
            "applicantIdNumber": applicant,
            "channel": "ASSISTED",
            "commitmentSigned": signed,
        }
    }


def run(client: TestClient, key: str, query: str, **variables: object) -> dict:
    body = gql(client, key, query, variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def test_the_whole_path_from_application_to_approval(
    instant_publicity: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    cw = keys["caseworker"]
    case = run(instant_publicity, cw, SUBMIT, **application())
    assert (case["status"], case["version"]) == ("submitted", 1)
    case = run(instant_publicity, cw, INVESTIGATE, id=case["caseId"], v=1)
    assert (case["status"], case["version"]) == ("under_review", 2)
    case = run(instant_publicity, cw, REVIEW, id=case["caseId"], v=2, ok=True, why=None)
    assert case["status"] == "in_publicity" and case["publicityStart"] == case["publicityEnd"]
    case = run(instant_publicity, cw, OBJECT, id=case["caseId"], v=3)
    assert case["status"] == "investigating"
    case = run(instant_publicity, cw, INVESTIGATE, id=case["caseId"], v=4)
    case = run(instant_publicity, cw, REVIEW, id=case["caseId"], v=5, ok=True, why=None)
    # Who recorded the home investigation does not decide (rules/casework.toml): a colleague does.
    case = run(instant_publicity, keys["caseworker_2"], DECIDE, id=case["caseId"], v=6, ok=True)
    assert (case["status"], case["version"], case["reason"]) == ("approved", 7, "meets the criteria")
    records, _, _ = county.execute_query(
        """
        MATCH (c:Case {case_id: $id})-[:HAS_EVENT]->(e:CaseEvent)
        RETURN e.action AS action, e.by AS by, e.from_status AS before, e.to_status AS after,
               e.at IS NOT NULL AS dated
        ORDER BY e.at""",
        id=case["caseId"],
        database_=settings.neo4j_database,
    )
    assert [r["action"] for r in records] == [
        "submit",
        "investigate",
        "review_approve",
        "objection",
        "investigate",
        "review_approve",
        "decide_approve",
    ]
    assert [r["by"] for r in records] == ["S1"] * 6 + ["S2"] and all(r["dated"] for r in records)
    links, _, _ = county.execute_query(
        "MATCH (s:Staff {staff_id: 'S1'})-[r]->(:Case {case_id: $id}) RETURN collect(type(r)) AS types",
        id=case["caseId"],
        database_=settings.neo4j_database,
    )
    assert set(links[0]["types"]) == {"HANDLED", "REVIEWED"}


def test_decision_waits_for_the_publicity_window(client: TestClient, keys: dict[str, str]) -> None:
    cw = keys["caseworker"]
    case = run(client, cw, SUBMIT, **application())
    run(client, cw, INVESTIGATE, id=case["caseId"], v=1)
    run(client, cw, REVIEW, id=case["caseId"], v=2, ok=True, why=None)
    early = run(client, keys["caseworker_2"], DECIDE, id=case["caseId"], v=3, ok=True)
    assert early["__typename"] == "InvalidTransition" and "publicity window runs until" in early["message"]


def test_steps_out_of_order_are_typed_errors(client: TestClient, keys: dict[str, str]) -> None:
    cw = keys["caseworker"]
    case = run(client, cw, SUBMIT, **application())
    wrong = run(client, cw, DECIDE, id=case["caseId"], v=1, ok=True)
    assert wrong["__typename"] == "InvalidTransition" and wrong["status"] == "submitted"


def test_concurrent_edits_are_detected(client: TestClient, keys: dict[str, str]) -> None:
    cw = keys["caseworker"]
    case = run(client, cw, SUBMIT, **application())
    first = run(client, cw, INVESTIGATE, id=case["caseId"], v=1)
    assert first["version"] == 2
    stale = run(client, cw, REVIEW, id=case["caseId"], v=1, ok=True, why=None)  # based on version 1
    assert stale == {"__typename": "VersionConflict", "currentVersion": 2}


def test_rejection_needs_a_reason(client: TestClient, keys: dict[str, str]) -> None:
    cw = keys["caseworker"]
    case = run(client, cw, SUBMIT, **application())
    run(client, cw, INVESTIGATE, id=case["caseId"], v=1)
    missing = run(client, cw, REVIEW, id=case["caseId"], v=2, ok=False, why=None)
    assert missing["__typename"] == "InvalidInput" and missing["field"] == "reason"
    rejected = run(client, cw, REVIEW, id=case["caseId"], v=2, ok=False, why="owns a car")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "owns a car")


def test_application_rules(client: TestClient, keys: dict[str, str]) -> None:
    cw = keys["caseworker"]
    unsigned = run(client, cw, SUBMIT, **application(signed=False))
    assert unsigned["__typename"] == "InvalidInput" and unsigned["field"] == "commitmentSigned"
    assert run(client, cw, SUBMIT, **application(applicant=ZHAO))["__typename"] == "NotFound"  # not of H1
    bad = run(client, cw, SUBMIT, **application(applicant="110105194912310021"))
    assert bad["__typename"] == "InvalidInput"


def test_only_the_townships_caseworkers_run_cases(client: TestClient, keys: dict[str, str]) -> None:
    for role in ("investigator", "coordinator", "partner_mz", "auditor", "exporter"):
        assert run(client, keys[role], SUBMIT, **application())["__typename"] == "Forbidden"
    assert run(client, keys["caseworker_elsewhere"], SUBMIT, **application())["__typename"] == "NotFound"
    case = run(client, keys["caseworker"], SUBMIT, **application())
    other = run(client, keys["caseworker_elsewhere"], INVESTIGATE, id=case["caseId"], v=1)
    assert other["__typename"] == "NotFound"


def test_mutations_over_get_are_405(client: TestClient, keys: dict[str, str]) -> None:
    mutation = 'mutation { resumeCase(caseId: "A1", expectedVersion: 1) { __typename } }'
    response = client.get(
        "/graphql", params={"query": mutation}, headers={"authorization": f"Bearer {keys['caseworker']}"}
    )
    assert response.status_code == 405


def test_every_application_carries_the_signed_honesty_commitment(
    client: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    case = run(client, keys["caseworker"], SUBMIT, **application())
    records, _, _ = county.execute_query(
        """
        MATCH (p:Person)-[:SIGNED]->(h:HonestyCommitment)-[:COMMITS_TO]->(c:Case)
        RETURN c.case_id AS case, p.id_number AS signer, h.received_by AS by ORDER BY case""",
        database_=settings.neo4j_database,
    )
    # The loaded case C1 (commitment signed at the window) and the new application.
    signed = {r["case"]: (r["signer"], r["by"]) for r in records}
    assert signed == {"C1": (WANG, None), case["caseId"]: (WANG, "S1")}
