"""Conflict of interest at the point of decision (回避): a caseworker may not review or decide
a case whose beneficiaries include their kin or household members unless the relation is
filed (备案) and a second caseworker countersigns, and who recorded the home investigation
does not decide. Both per programme in rules/casework.toml; each refusal is typed."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver
from starlette.testclient import TestClient

from reliefgraph.app import create_app
from settings import Settings
from tests.api.conftest import gql
from tests.api.test_case_workflow import DECIDE, INVESTIGATE, SUBMIT, application
from tests.loaders.mini_county import WANG

CASE = (
    "__typename ... on CaseRecord { caseId status version } "
    "... on ConflictOfInterest { reason message code } "
    "... on VersionConflict { currentVersion } ... on InvalidTransition { status message } "
    "... on InvalidInput { field message } ... on NotFound { message } ... on Forbidden { message }"
)
REVIEW = (
    "mutation($id: String!, $v: Int!) { reviewCase(caseId: $id, expectedVersion: $v, approve: true, "
    'proposedMonthlyAmount: "520") { %s } }' % CASE
)
COUNTERSIGN = (
    "mutation($id: String!, $v: Int!) { countersignCase(caseId: $id, expectedVersion: $v, "
    'reason: "经核查申请材料属实，同意由其审核") { %s } }' % CASE
)
DECIDE_TYPED = DECIDE.replace(DECIDE[DECIDE.index("{ __typename") :], "{ %s } }" % CASE)


def run(client: TestClient, key: str, query: str, **variables: object) -> dict:
    body = gql(client, key, query, variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def kin_of_wang(graph: Driver, db: str) -> None:
    """S1 (CHEN) is WANG's cousin: WANG's household applies."""
    graph.execute_query(
        "MATCH (s:Staff {staff_id: 'S1'}), (p:Person {id_number: $wang}) "
        "MERGE (s)-[:KIN_OF {relation: 'cousin', source: 'test'}]->(p)",
        wang=WANG,
        database_=db,
    )


def under_review(client: TestClient, keys: dict[str, str]) -> str:
    """An application for WANG's household, investigated by S2."""
    case = run(client, keys["caseworker_2"], SUBMIT, **application())
    run(client, keys["caseworker_2"], INVESTIGATE, id=case["caseId"], v=1)
    return case["caseId"]


def test_a_caseworker_cannot_review_a_relatives_case_until_filed_and_countersigned(
    instant_publicity: TestClient, keys: dict[str, str], county: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    kin_of_wang(county, db)
    client, s1, s2 = instant_publicity, keys["caseworker"], keys["caseworker_2"]
    cid = under_review(client, keys)
    refused = run(client, s1, REVIEW, id=cid, v=2)
    assert (refused["__typename"], refused["reason"]) == ("ConflictOfInterest", "RELATIVE_NOT_FILED")
    assert refused["code"] == "CONFLICT_OF_INTEREST" and "备案" in refused["message"]

    county.execute_query(
        "MATCH (s:Staff {staff_id: 'S1'}), (p:Person {id_number: $wang}) "
        "MERGE (s)-[:FILED_RELATIVE {relation: 'cousin', filed_date: date()}]->(p)",
        wang=WANG,
        database_=db,
    )
    assert run(client, s1, REVIEW, id=cid, v=2)["reason"] == "COUNTERSIGN_NEEDED"
    # The related caseworker cannot be their own second approver.
    assert run(client, s1, COUNTERSIGN, id=cid, v=2)["reason"] == "RELATIVE_NOT_FILED"
    signed = run(client, s2, COUNTERSIGN, id=cid, v=2)
    assert signed["version"] == 3
    reviewed = run(client, s1, REVIEW, id=cid, v=3)
    assert reviewed["status"] == "in_publicity", reviewed

    # Who investigated does not decide; the countersigned relative may.
    assert run(client, s2, DECIDE_TYPED, id=cid, v=4, ok=True)["reason"] == "INVESTIGATED_THE_CASE"
    assert run(client, s1, DECIDE_TYPED, id=cid, v=4, ok=True)["status"] == "approved"


def test_the_rules_are_per_programme(
    api_settings: Settings, keys: dict[str, str], county: Driver, settings: Settings, tmp_path: Path
) -> None:
    kin_of_wang(county, settings.neo4j_database)
    rules = tmp_path / "casework.toml"
    rules.write_text(
        (settings.casework_rules_file.read_text(encoding="utf-8")).replace(
            "# TEMP = { separate_investigation_and_decision = false }",
            "DIBAO = { relatives = false, separate_investigation_and_decision = false }",
        ),
        encoding="utf-8",
    )
    with TestClient(
        create_app(api_settings.model_copy(update={"casework_rules_file": rules, "publicity_days": 0}))
    ) as client:
        cid = under_review(client, keys)
        assert run(client, keys["caseworker"], REVIEW, id=cid, v=2)["status"] == "in_publicity"
        assert run(client, keys["caseworker_2"], DECIDE_TYPED, id=cid, v=3, ok=True)["status"] == "approved"
