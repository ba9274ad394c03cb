"""Recording visits: by the caseworker or coordinator of the household's area, with who and when."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.testclient import TestClient

from tests.api.conftest import gql

VISIT = """mutation($h: String!, $d: Date!, $note: String!) {
  recordVisit(householdId: $h, visitDate: $d, note: $note) {
  __typename ... on Visit { visitId visitDate staffId note } ... on NotFound { message }
  ... on Forbidden { message } ... on InvalidInput { field message } } }"""


def test_a_caseworker_records_a_visit(client: TestClient, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    today = date.today().isoformat()
    visit = gql(client, keys["caseworker"], VISIT, {"h": "h1", "d": today, "note": "家中有人，生活困难"})[
        "data"
    ]["recordVisit"]
    assert visit["__typename"] == "Visit" and visit["staffId"] == "S1" and visit["visitDate"] == today
    records, _, _ = county.execute_query(
        "MATCH (:Staff {staff_id: 'S1'})-[:MADE_VISIT]->(v:Visit {visit_id: $id})-[:VISITED]->(h:Household) "
        "RETURN h.household_id AS h, v.recorded_by AS by, v.recorded_at IS NOT NULL AS dated",
        id=visit["visitId"],
        database_=settings.neo4j_database,
    )
    assert [(r["h"], r["by"], r["dated"]) for r in records] == [("H1", "S1", True)]


def test_visits_stay_within_jurisdiction(client: TestClient, keys: dict[str, str]) -> None:
    today = date.today().isoformat()
    assert (
        gql(client, keys["coordinator"], VISIT, {"h": "H1", "d": today, "note": "探访"})["data"][
            "recordVisit"
        ]["__typename"]
        == "Visit"
    )
    assert (
        gql(client, keys["coordinator_b"], VISIT, {"h": "H1", "d": today, "note": "探访"})["data"][
            "recordVisit"
        ]["__typename"]
        == "NotFound"
    )
    assert (
        gql(client, keys["caseworker_elsewhere"], VISIT, {"h": "H1", "d": today, "note": "探访"})["data"][
            "recordVisit"
        ]["__typename"]
        == "NotFound"
    )
    for role in ("investigator", "partner_mz", "auditor"):
        assert (
            gql(client, keys[role], VISIT, {"h": "H1", "d": today, "note": "探访"})["data"]["recordVisit"][
                "__typename"
            ]
            == "Forbidden"
        )


def test_bad_visits_are_refused(client: TestClient, keys: dict[str, str]) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    refused = gql(client, keys["caseworker"], VISIT, {"h": "H1", "d": tomorrow, "note": "探访"})["data"][
        "recordVisit"
    ]
    assert refused == {
        "__typename": "InvalidInput",
        "field": "visitDate",
        "message": "a visit cannot be in the future",
    }
