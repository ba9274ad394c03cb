"""Every read of personal data leaves an audit event; only auditors read the trail."""

from __future__ import annotations

import json
from datetime import date

from starlette.testclient import TestClient

from domain.ids import make_id_number
from tests.api.conftest import PERSON_360, gql
from tests.loaders.mini_county import LI, WANG, ZHAO

NOBODY = make_id_number("370831", date(1961, 2, 3), 77)

TRAIL = """
query($person: String, $after: String) {
  auditEvents(personIdNumber: $person, first: 2, after: $after) {
    __typename
    ... on AuditEventConnection { edges { cursor node { subject role personIdNumber categories purpose
                                                        operation outcome } }
                                  pageInfo { hasNextPage endCursor } }
  }
}
"""


def test_person_reads_are_audited_with_who_what_and_why(client: TestClient, keys: dict[str, str]) -> None:
    gql(client, keys["coordinator"], PERSON_360, {"id": WANG, "purpose": "home visit planning"})
    gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": "finding F-1 review"})
    body = gql(client, keys["auditor"], TRAIL, {"person": WANG})
    edges = body["data"]["auditEvents"]["edges"]
    events = [e["node"] for e in edges]
    assert [(e["subject"], e["purpose"], e["outcome"]) for e in events] == [
        ("inv-1", "finding F-1 review", "shown"),
        ("co-a", "home visit planning", "shown"),
    ]
    coordinator = events[1]
    assert coordinator["role"] == "coordinator" and coordinator["operation"] == "person"
    assert "financial" not in coordinator["categories"] and "identity" in coordinator["categories"]
    assert "financial" in events[0]["categories"]


def test_search_results_are_audited(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(
        client,
        keys["investigator"],
        '{ searchPersons(name: "赵", purpose: "duplicate check") '
        "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }",
    )
    found = {e["node"]["idNumber"] for e in body["data"]["searchPersons"]["edges"]}
    assert ZHAO in found
    trail = gql(client, keys["auditor"], TRAIL, {"person": ZHAO})["data"]["auditEvents"]["edges"]
    assert trail[0]["node"]["operation"] == "searchPersons"


def test_trail_pages_with_cursors(client: TestClient, keys: dict[str, str]) -> None:
    for i in range(3):
        gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": f"review number {i}"})
    first = gql(client, keys["auditor"], TRAIL, {"person": WANG})["data"]["auditEvents"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    second = gql(client, keys["auditor"], TRAIL, {"person": WANG, "after": first["pageInfo"]["endCursor"]})
    rest = second["data"]["auditEvents"]
    assert [e["node"]["purpose"] for e in rest["edges"]] == ["review number 0"]
    assert not rest["pageInfo"]["hasNextPage"]


def test_only_auditors_read_the_trail(client: TestClient, keys: dict[str, str]) -> None:
    for role in ("investigator", "caseworker", "coordinator", "partner_mz", "exporter"):
        assert gql(client, keys[role], TRAIL, {})["data"]["auditEvents"]["__typename"] == "Forbidden"


def test_coordinator_search_stays_in_the_village_and_masks(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(
        client,
        keys["coordinator"],
        '{ searchPersons(name: "赵", purpose: "active discovery") '
        "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }",
    )
    assert body["data"]["searchPersons"]["edges"] == []  # the Zhaos live in village B
    body = gql(
        client,
        keys["coordinator"],
        '{ searchPersons(name: "王建国", purpose: "active discovery") '
        "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }",
    )
    (edge,) = body["data"]["searchPersons"]["edges"]
    assert (
        edge["node"]["name"] == "王建国"
        and edge["node"]["idNumber"] != WANG
        and "*" in edge["node"]["idNumber"]
    )


def test_search_by_pinyin(client: TestClient, keys: dict[str, str]) -> None:
    for typed in ("wang jianguo", "Wang Jian Guo", "wangjianguo"):
        body = gql(
            client,
            keys["investigator"],
            '{ searchPersons(name: "%s", purpose: "phone enquiry") '
            "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }" % typed,
        )
        assert [e["node"]["idNumber"] for e in body["data"]["searchPersons"]["edges"]] == [WANG], typed


def test_concurrent_reads_lose_no_audit_event(api_settings, keys, county, settings) -> None:  # type: ignore[no-untyped-def]
    """20 reads at once through the group-commit writer: 20 requests' events, none lost."""
    import asyncio

    import httpx

    from reliefgraph.app import create_app
    from tests.loaders.mini_county import WANG

    app = create_app(api_settings)
    query = {
        "query": 'query($id: String!) { person(idNumber: $id, purpose: "concurrent audit test") '
        "{ __typename } }",
        "variables": {"id": WANG},
    }

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                headers = {"authorization": f"Bearer {keys['investigator']}"}
                responses = await asyncio.gather(
                    *[client.post("/graphql", json=query, headers=headers) for _ in range(20)]
                )
            assert all(r.json()["data"]["person"]["__typename"] == "Person" for r in responses)

    asyncio.run(scenario())
    records, _, _ = county.execute_query(
        "MATCH (a:AuditEvent {purpose: 'concurrent audit test'}) RETURN count(a) AS events, "
        "count(DISTINCT a.request_id) AS requests, count(DISTINCT a.person_id_number) AS persons",
        database_=settings.neo4j_database,
    )
    # Each read shows WANG and his spouse: two events a request.
    assert (records[0]["events"], records[0]["requests"], records[0]["persons"]) == (40, 20, 2)


def test_events_waiting_together_share_one_commit(graph, settings) -> None:  # type: ignore[no-untyped-def]
    """Writes queued while the writer is busy (here: not yet started) go out in one transaction."""
    import asyncio

    from access.audit import AuditWriter
    from graph.driver import open_async_driver

    async def scenario() -> int:
        driver = await open_async_driver(settings)
        writer = AuditWriter(driver, settings.neo4j_database, 10)
        try:
            event = {
                "request_id": "r",
                "subject": "s",
                "role": "investigator",
                "department": "MZ",
                "categories": ["basic"],
                "purpose": "group commit test",
                "operation": "test",
            }
            waiting = [writer.submit([{**event, "person_id_number": f"P{i}"}]) for i in range(20)]
            writer.start()
            await asyncio.gather(*waiting)
            return writer.commits
        finally:
            await writer.stop()
            await driver.close()

    assert asyncio.run(scenario()) == 1
    records, _, _ = graph.execute_query(
        "MATCH (a:AuditEvent {purpose: 'group commit test'}) RETURN count(a) AS n",
        database_=settings.neo4j_database,
    )
    assert records[0]["n"] == 20


def test_every_person_a_360_shows_is_audited(client: TestClient, keys: dict[str, str]) -> None:
    # WANG's 360 names his spouse LI (household member, covered by the grant): her data
    # left the building too, so the trail names her.
    gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": "household check"})
    trail = gql(client, keys["auditor"], TRAIL, {"person": LI})["data"]["auditEvents"]["edges"]
    assert [(e["node"]["purpose"], e["node"]["operation"]) for e in trail] == [("household check", "person")]


def test_reads_that_find_nobody_are_audited_and_cost_the_same(
    client: TestClient, keys: dict[str, str]
) -> None:
    # Outside the caller's jurisdiction and nonexistent: both NotFound, both traced, and
    # both one round trip plus the audit write (the 360 is not fetched before the check).
    outside = gql(client, keys["caseworker_elsewhere"], PERSON_360, {"id": WANG, "purpose": "curious"})
    nobody = gql(client, keys["caseworker_elsewhere"], PERSON_360, {"id": NOBODY, "purpose": "curious too"})
    assert outside["data"]["person"]["__typename"] == nobody["data"]["person"]["__typename"] == "NotFound"
    assert outside["extensions"]["cypherRoundTrips"] == nobody["extensions"]["cypherRoundTrips"] == 2
    for key, purpose in ((WANG, "curious"), (NOBODY, "curious too")):
        (event,) = [
            e["node"]
            for e in gql(client, keys["auditor"], TRAIL, {"person": key})["data"]["auditEvents"]["edges"]
            if e["node"]["subject"] == "S9"
        ]
        assert (event["purpose"], event["outcome"], event["categories"]) == (purpose, "not_found", [])


def test_audit_verify_detects_a_deleted_and_an_altered_event(
    client: TestClient, keys: dict[str, str], county, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from reliefgraph.cli import app

    for i in range(3):
        gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": f"chain test {i}"})

    def verify() -> dict:
        result = CliRunner().invoke(app, ["audit", "verify", "--json"], obj=settings)
        return json.loads(result.stdout) | {"exit": result.exit_code}

    intact = verify()
    assert intact["ok"] and intact["exit"] == 0 and intact["events"] == 6  # WANG and LI, three times
    exported = tmp_path / "audit.jsonl"
    CliRunner().invoke(app, ["audit", "export", str(exported)], obj=settings)
    CliRunner().invoke(app, ["audit", "export", str(exported)], obj=settings)  # appends nothing twice
    assert [json.loads(line)["seq"] for line in exported.read_text().splitlines()] == [1, 2, 3, 4, 5, 6]

    county.execute_query(
        "MATCH (a:AuditEvent {seq: 3}) SET a.purpose = 'nothing to see'", database_=settings.neo4j_database
    )
    altered = verify()
    assert (altered["ok"], altered["at_seq"], altered["exit"]) == (False, 3, 1) and "altered" in altered[
        "problem"
    ]
    county.execute_query("MATCH (a:AuditEvent {seq: 3}) DETACH DELETE a", database_=settings.neo4j_database)
    deleted = verify()
    assert (deleted["ok"], deleted["at_seq"]) == (False, 3) and "missing" in deleted["problem"]
    county.execute_query(
        "MATCH (a:AuditEvent) WHERE a.seq >= 3 DETACH DELETE a", database_=settings.neo4j_database
    )
    truncated = verify()
    assert not truncated["ok"] and "deleted" in truncated["problem"]


def test_reading_the_trail_is_audited_too(client: TestClient, keys: dict[str, str]) -> None:
    gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": "finding F-1 review"})
    shown = gql(client, keys["auditor"], TRAIL, {"person": WANG})["data"]["auditEvents"]["edges"]
    assert [e["node"]["personIdNumber"] for e in shown] == [WANG], shown  # full ID numbers and purposes
    latest = gql(client, keys["auditor"], TRAIL, {"person": WANG})["data"]["auditEvents"]["edges"][0]["node"]
    assert (latest["subject"], latest["role"], latest["operation"], latest["outcome"]) == (
        "aud-1",
        "auditor",
        "auditEvents",
        "shown",
    )
    assert latest["categories"] == ["audit trail"]
