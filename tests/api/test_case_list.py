"""Case lists: filters, sorting, cursors, jurisdiction and department mandates; audited."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import VILLAGE_B, WANG, ZHAO

CASES = """query($first: Int!, $after: String, $filter: CaseFilter, $order: CaseOrder!) {
  cases(purpose: "case review", first: $first, after: $after, filter: $filter, orderBy: $order) {
    __typename
    ... on CaseRecordConnection { edges { node { caseId programme status submittedDate } }
                                  pageInfo { hasNextPage endCursor } }
    ... on Forbidden { message }
    ... on InvalidInput { field message }
  } }"""

ONE = """query($id: String!) { case(caseId: $id, purpose: "case review") {
  __typename ... on CaseRecord { caseId status } } }"""


def _more_cases(county, settings) -> None:  # type: ignore[no-untyped-def]
    """C2 (EDU, H2, later) and C3 (DIBAO, H2, earliest, rejected) besides the mini county's C1."""
    county.execute_query(
        """
        UNWIND $cases AS c
        MATCH (h:Household {household_id: c.household}), (p:Programme {code: c.programme}),
              (a:Person {id_number: c.applicant})
        CREATE (x:Case {case_id: c.id, programme_code: c.programme, household_id: h.household_id,
                        township_code: h.township_code, village_code: h.village_code, status: c.status,
                        submitted_date: date(c.submitted), version: 1})
        CREATE (x)-[:FOR_HOUSEHOLD]->(h), (x)-[:FOR_PROGRAMME]->(p), (a)-[:APPLIED_FOR]->(x)""",
        cases=[
            {
                "id": "C2",
                "programme": "EDU",
                "household": "H2",
                "applicant": ZHAO,
                "status": "submitted",
                "submitted": "2026-03-01",
            },
            {
                "id": "C3",
                "programme": "DIBAO",
                "household": "H2",
                "applicant": ZHAO,
                "status": "rejected",
                "submitted": "2024-01-01",
            },
        ],
        database_=settings.neo4j_database,
    )


def _ids(body: dict) -> list[str]:
    return [e["node"]["caseId"] for e in body["data"]["cases"]["edges"]]


def test_sorting_and_paging(client: TestClient, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    _more_cases(county, settings)
    inv = keys["investigator"]
    assert _ids(gql(client, inv, CASES, {"first": 10, "order": "SUBMITTED_DESC"})) == ["C2", "C1", "C3"]
    assert _ids(gql(client, inv, CASES, {"first": 10, "order": "SUBMITTED_ASC"})) == ["C3", "C1", "C2"]
    seen, after = [], None
    while True:
        page = gql(client, inv, CASES, {"first": 2, "after": after, "order": "SUBMITTED_DESC"})["data"][
            "cases"
        ]
        seen += [e["node"]["caseId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["C2", "C1", "C3"]


def test_filters(client: TestClient, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    _more_cases(county, settings)
    inv = keys["investigator"]
    assert _ids(
        gql(client, inv, CASES, {"first": 10, "order": "CASE_ID", "filter": {"programmes": ["dibao"]}})
    ) == ["C1", "C3"]
    assert _ids(
        gql(
            client,
            inv,
            CASES,
            {"first": 10, "order": "CASE_ID", "filter": {"statuses": ["rejected", "submitted"]}},
        )
    ) == ["C2", "C3"]
    assert _ids(
        gql(
            client,
            inv,
            CASES,
            {
                "first": 10,
                "order": "CASE_ID",
                "filter": {"submittedFrom": "2025-01-01", "submittedTo": "2025-12-31"},
            },
        )
    ) == ["C1"]
    assert _ids(
        gql(client, inv, CASES, {"first": 10, "order": "CASE_ID", "filter": {"villageCode": VILLAGE_B}})
    ) == ["C2", "C3"]


def test_jurisdiction_and_mandate(client: TestClient, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    _more_cases(county, settings)
    assert _ids(gql(client, keys["coordinator"], CASES, {"first": 10, "order": "CASE_ID"})) == ["C1"]
    assert _ids(gql(client, keys["coordinator_b"], CASES, {"first": 10, "order": "CASE_ID"})) == ["C2", "C3"]
    assert _ids(gql(client, keys["caseworker_elsewhere"], CASES, {"first": 10, "order": "CASE_ID"})) == []
    # The education department reads education cases only, whatever it asks for.
    assert _ids(gql(client, keys["partner_jt"], CASES, {"first": 10, "order": "CASE_ID"})) == ["C2"]
    assert (
        _ids(
            gql(
                client,
                keys["partner_jt"],
                CASES,
                {"first": 10, "order": "CASE_ID", "filter": {"programmes": ["DIBAO"]}},
            )
        )
        == []
    )
    assert gql(client, keys["partner_jt"], ONE, {"id": "C1"})["data"]["case"]["__typename"] == "NotFound"
    assert gql(client, keys["coordinator"], ONE, {"id": "C1"})["data"]["case"]["status"] == "approved"
    assert gql(client, keys["coordinator_b"], ONE, {"id": "C1"})["data"]["case"]["__typename"] == "NotFound"
    for role in ("exporter", "auditor"):
        assert (
            gql(client, keys[role], CASES, {"first": 10, "order": "CASE_ID"})["data"]["cases"]["__typename"]
            == "Forbidden"
        )


def test_reading_cases_is_audited(client: TestClient, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    gql(client, keys["coordinator"], CASES, {"first": 10, "order": "CASE_ID"})
    records, _, _ = county.execute_query(
        "MATCH (a:AuditEvent {operation: 'cases'}) RETURN a.person_id_number AS person, a.subject AS subject",
        database_=settings.neo4j_database,
    )
    assert [(r["person"], r["subject"]) for r in records] == [(WANG, "co-a")]


def test_a_page_of_cases_with_their_events_costs_the_same_round_trips_whatever_its_size(
    client: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    query = """query($first: Int!) { cases(purpose: "case review", first: $first, orderBy: CASE_ID) {
      ... on CaseRecordConnection { edges { node { caseId events { action by } } } } } }"""

    def cost(first: int) -> tuple[int, int]:
        body = gql(client, keys["investigator"], query, {"first": first})
        return len(body["data"]["cases"]["edges"]), body["extensions"]["cypherRoundTrips"]

    _more_cases(county, settings)
    county.execute_query(
        "MATCH (c:Case) CREATE (c)-[:HAS_EVENT]->(:CaseEvent {event_id: randomUUID(), "
        "at: datetime(), action: 'submit', by: 'S1', role: 'caseworker', to_status: 'submitted'})",
        database_=settings.neo4j_database,
    )
    one, three = cost(1), cost(3)
    assert (one[0], three[0]) == (1, 3)
    assert one[1] == three[1]
