"""Findings through the API: who reads which, the evidence graph, the review steps, the
coordinators' active-discovery list, and the audit trail."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import VILLAGE_B, ZHAO_CHILD

LIST = """query($first: Int!, $after: String, $filter: FindingFilter) {
  findings(purpose: "fraud review", first: $first, after: $after, filter: $filter) {
    __typename
    ... on FindingConnection { edges { node { findingId kind status version score amount villageCode
                                              explanation en: explanation(language: EN) } }
                               pageInfo { hasNextPage endCursor } }
    ... on Forbidden { message } ... on InvalidInput { field message } } }"""

EVIDENCE = """query($id: String!) { finding(findingId: $id, purpose: "fraud review") {
  __typename ... on Finding { kind evidence { nodes { id kind key } edges { source target type } }
                             events { action by toStatus } } } }"""

REVIEW = (
    "__typename ... on Finding { status version confirmedFacts confirmedAmount reason assignee } "
    "... on VersionConflict { currentVersion } ... on InvalidTransition { status message } "
    "... on InvalidInput { field message } ... on Forbidden { message } ... on NotFound { message }"
)
CONFIRM = (
    """mutation($id: String!, $v: Int!, $facts: String!, $amount: Decimal) {
  confirmFinding(findingId: $id, expectedVersion: $v, facts: $facts, amount: $amount) { %s } }"""
    % REVIEW
)
DISMISS = (
    """mutation($id: String!, $v: Int!, $reason: String!) {
  dismissFinding(findingId: $id, expectedVersion: $v, reason: $reason) { %s } }"""
    % REVIEW
)
ASSIGN = (
    """mutation($id: String!, $v: Int!) {
  assignFinding(findingId: $id, expectedVersion: $v, assignee: "inv-2") { %s } }"""
    % REVIEW
)

DISCOVERY = """query($village: String) { activeDiscovery(purpose: "home visits", villageCode: $village) {
  __typename ... on DiscoveryCandidateConnection { edges { node { name idNumber householdId flags
                                                                   incomePerCapita incomeLine } } }
  ... on Forbidden { message } } }"""


def _list(client: TestClient, key: str, **variables: object) -> dict:
    return gql(client, key, LIST, {"first": 20, **variables})["data"]["findings"]


def _kinds(result: dict) -> list[str]:
    return sorted(e["node"]["kind"] for e in result["edges"])


def test_who_reads_which_findings(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    assert _kinds(_list(client, keys["investigator"])) == ["DUP_PAYMENT", "GAP_VULNERABLE_UNCOVERED"]
    # Caseworkers see their township's coverage gaps, never fraud findings (they may be about them).
    assert _kinds(_list(client, keys["caseworker"])) == ["GAP_VULNERABLE_UNCOVERED"]
    assert _kinds(_list(client, keys["caseworker"], filter={"kinds": ["DUP_PAYMENT"]})) == []
    assert _kinds(_list(client, keys["caseworker_elsewhere"])) == []
    for role in ("coordinator", "partner_mz", "exporter", "auditor"):
        assert _list(client, keys[role])["__typename"] == "Forbidden"


def test_filters_and_pages(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    inv = keys["investigator"]
    assert _kinds(_list(client, inv, filter={"kinds": ["dup_payment"]})) == ["DUP_PAYMENT"]
    assert _kinds(_list(client, inv, filter={"villageCode": VILLAGE_B})) == ["GAP_VULNERABLE_UNCOVERED"]
    assert _kinds(_list(client, inv, filter={"statuses": ["dismissed"]})) == []
    assert _list(client, inv, filter={"kinds": ["NOT_A_KIND"]})["__typename"] == "InvalidInput"
    first = _list(client, inv, first=1)
    second = _list(client, inv, first=1, after=first["pageInfo"]["endCursor"])
    assert first["pageInfo"]["hasNextPage"] and not second["pageInfo"]["hasNextPage"]
    assert {first["edges"][0]["node"]["kind"], second["edges"][0]["node"]["kind"]} == {
        "DUP_PAYMENT",
        "GAP_VULNERABLE_UNCOVERED",
    }
    payment = next(e["node"] for e in _list(client, inv)["edges"] if e["node"]["kind"] == "DUP_PAYMENT")
    assert (
        payment["amount"] == "1040.00"
        and "2026-01" in payment["explanation"]
        and "paid 2 times" in payment["en"]
    )


def test_the_evidence_graph(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    fid = next(
        e["node"]["findingId"]
        for e in _list(client, keys["investigator"])["edges"]
        if e["node"]["kind"] == "DUP_PAYMENT"
    )
    body = gql(client, keys["investigator"], EVIDENCE, {"id": fid})["data"]["finding"]
    kinds = sorted(n["kind"] for n in body["evidence"]["nodes"])
    assert kinds == ["Enrollment", "Finding", "Household", "Payment", "Payment"]
    types = {e["type"] for e in body["evidence"]["edges"]}
    assert {"EVIDENCE", "FOR_ENROLLMENT", "GRANTED_TO"} <= types
    assert body["events"] == [{"action": "detected", "by": "detection", "toStatus": "open"}]


def test_review_steps(client: TestClient, keys: dict[str, str], detected, settings) -> None:  # type: ignore[no-untyped-def]
    inv = keys["investigator"]
    fid = next(
        e["node"]["findingId"] for e in _list(client, inv)["edges"] if e["node"]["kind"] == "DUP_PAYMENT"
    )
    assert (
        gql(client, keys["caseworker"], ASSIGN, {"id": fid, "v": 1})["data"]["assignFinding"]["__typename"]
        == "Forbidden"
    )
    assigned = gql(client, inv, ASSIGN, {"id": fid, "v": 1})["data"]["assignFinding"]
    assert (assigned["status"], assigned["version"], assigned["assignee"]) == ("assigned", 2, "inv-2")
    stale = gql(client, inv, DISMISS, {"id": fid, "v": 1, "reason": "data entry"})["data"]["dismissFinding"]
    assert stale == {"__typename": "VersionConflict", "currentVersion": 2}
    short = gql(client, inv, CONFIRM, {"id": fid, "v": 2, "facts": "short"})["data"]["confirmFinding"]
    assert short["__typename"] == "InvalidInput" and short["field"] == "facts"
    bad = gql(
        client, inv, CONFIRM, {"id": fid, "v": 2, "facts": "paid twice for January 2026", "amount": "-1"}
    )["data"]["confirmFinding"]
    assert bad["__typename"] == "InvalidInput" and bad["field"] == "amount"
    done = gql(
        client, inv, CONFIRM, {"id": fid, "v": 2, "facts": "paid twice for January 2026", "amount": "1040.00"}
    )["data"]["confirmFinding"]
    assert (done["status"], done["confirmedAmount"]) == ("confirmed", "1040.00")
    late = gql(client, inv, DISMISS, {"id": fid, "v": 3, "reason": "data entry"})["data"]["dismissFinding"]
    assert late["__typename"] == "InvalidTransition" and late["status"] == "confirmed"
    events = gql(client, inv, EVIDENCE, {"id": fid})["data"]["finding"]["events"]
    assert [(e["action"], e["by"]) for e in events] == [
        ("detected", "detection"),
        ("assign", "inv-1"),
        ("confirm", "inv-1"),
    ]


def test_the_active_discovery_list(client: TestClient, keys: dict[str, str], detected) -> None:  # type: ignore[no-untyped-def]
    mine = gql(client, keys["coordinator_b"], DISCOVERY)["data"]["activeDiscovery"]["edges"]
    assert len(mine) == 1
    child = mine[0]["node"]
    assert (
        child["name"] == "赵子涵"
        and child["idNumber"] != ZHAO_CHILD
        and child["idNumber"].startswith(ZHAO_CHILD[:6])
    )
    assert child["flags"] == ["child_in_distress", "health"]  # which health flag: not for a coordinator
    assert (child["incomePerCapita"], child["incomeLine"]) == ("200.00", "520.00")
    assert gql(client, keys["coordinator"], DISCOVERY)["data"]["activeDiscovery"]["edges"] == []
    assert (
        gql(client, keys["coordinator"], DISCOVERY, {"village": VILLAGE_B})["data"]["activeDiscovery"][
            "__typename"
        ]
        == "Forbidden"
    )
    full = gql(client, keys["investigator"], DISCOVERY)["data"]["activeDiscovery"]["edges"][0]["node"]
    assert full["idNumber"] == ZHAO_CHILD and full["flags"] == ["child_in_distress", "severe_mental_illness"]
    assert gql(client, keys["partner_mz"], DISCOVERY)["data"]["activeDiscovery"]["__typename"] == "Forbidden"


def test_reading_findings_is_audited(client: TestClient, keys: dict[str, str], detected, settings) -> None:  # type: ignore[no-untyped-def]
    gql(client, keys["coordinator_b"], DISCOVERY)
    records, _, _ = detected.execute_query(
        "MATCH (a:AuditEvent {operation: 'activeDiscovery'}) RETURN a.person_id_number AS person, "
        "a.categories AS categories, a.purpose AS purpose",
        database_=settings.neo4j_database,
    )
    assert [(r["person"], "health" in r["categories"], r["purpose"]) for r in records] == [
        (ZHAO_CHILD, False, "home visits")
    ]


def test_a_page_of_findings_with_events_costs_the_same_round_trips(
    client: TestClient, keys: dict[str, str], detected
) -> None:  # type: ignore[no-untyped-def]
    query = """query($first: Int!) { findings(purpose: "fraud review", first: $first, orderBy: FINDING_ID) {
      ... on FindingConnection { edges { node { findingId events { action } } } } } }"""

    def cost(first: int) -> tuple[int, int]:
        body = gql(client, keys["investigator"], query, {"first": first})
        return len(body["data"]["findings"]["edges"]), body["extensions"]["cypherRoundTrips"]

    one, two = cost(1), cost(2)
    assert (one[0], two[0]) == (1, 2)
    assert two[1] - one[1] <= 1  # at most one more audit write (a second kind on the page), never per finding
