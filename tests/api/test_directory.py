"""Departments, programmes and staff postings: reference data for all, staff by jurisdiction."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import TOWNSHIP, VILLAGE_B

STAFF = """query($first: Int!, $after: String, $filter: StaffFilter, $order: StaffOrder!) {
  staff(first: $first, after: $after, filter: $filter, orderBy: $order) {
    __typename
    ... on StaffConnection { edges { cursor node { staffId name role townshipCode } }
                             pageInfo { hasNextPage endCursor } }
    ... on Forbidden { message }
    ... on InvalidInput { field message }
  } }"""


def test_programmes_name_their_department(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(
        client,
        keys["partner_jt"],
        '{ programmes(department: "JT") { code department unit } departments { code programmes } }',
    )
    assert body["data"]["programmes"] == [{"code": "EDU", "department": "JT", "unit": "person"}]
    departments = {d["code"]: d["programmes"] for d in body["data"]["departments"]}
    assert "DIBAO" in departments["MZ"] and departments["JT"] == ["EDU"]


def test_staff_list_is_paged_and_scoped(client: TestClient, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    # A second posting in the same township, so there is a second page.
    county.execute_query(
        """MATCH (p:Person {name: '李秀英'}) SET p:Staff, p.staff_id = 'S0', p.staff_role = 'coordinator',
                            p.township_code = $t, p.village_code = $v, p.department_code = 'MZ'""",
        t=TOWNSHIP,
        v=VILLAGE_B,
        database_=settings.neo4j_database,
    )
    first = gql(client, keys["caseworker"], STAFF, {"first": 1, "order": "STAFF_ID"})["data"]["staff"]
    assert [e["node"]["staffId"] for e in first["edges"]] == ["S0"] and first["pageInfo"]["hasNextPage"]
    second = gql(
        client,
        keys["caseworker"],
        STAFF,
        {"first": 1, "after": first["pageInfo"]["endCursor"], "order": "STAFF_ID"},
    )["data"]["staff"]
    assert [e["node"]["staffId"] for e in second["edges"]] == ["S1"] and not second["pageInfo"]["hasNextPage"]
    by_role = gql(
        client, keys["investigator"], STAFF, {"first": 10, "order": "NAME", "filter": {"role": "caseworker"}}
    )["data"]["staff"]
    assert [e["node"]["staffId"] for e in by_role["edges"]] == ["S1"]
    # Another township's caseworker sees none of them, and may not ask for this township.
    assert (
        gql(client, keys["caseworker_elsewhere"], STAFF, {"first": 10, "order": "STAFF_ID"})["data"]["staff"][
            "edges"
        ]
        == []
    )
    refused = gql(
        client,
        keys["caseworker_elsewhere"],
        STAFF,
        {"first": 10, "order": "STAFF_ID", "filter": {"townshipCode": TOWNSHIP}},
    )["data"]["staff"]
    assert refused["__typename"] == "Forbidden"
    for role in ("partner_ga", "exporter", "auditor"):
        assert (
            gql(client, keys[role], STAFF, {"first": 10, "order": "STAFF_ID"})["data"]["staff"]["__typename"]
            == "Forbidden"
        )


def test_staff_page_size_is_capped(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(client, keys["investigator"], STAFF, {"first": 1000, "order": "STAFF_ID"})["data"]["staff"]
    assert body["__typename"] == "InvalidInput"
