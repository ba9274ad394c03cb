"""Linkage and connecting paths for investigators: shared identifiers, hubs not crossed."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import ACCOUNT_WANG, CHEN, LI, WANG, ZHAO, ZHAO_CHILD

LINKAGE = """
query($key: String!, $hops: Int!, $kind: NodeKind) {
  linkage(key: $key, purpose: "ring investigation", maxHops: $hops, kind: $kind) {
    __typename
    ... on Linkage { center truncated nodes { id kind key label } edges { source target type } }
    ... on InvalidInput { field message }
  }
}
"""

PATHS = """
query($a: String!, $b: String!) {
  paths(source: $a, target: $b, purpose: "ring investigation") {
    __typename
    ... on PathList { paths { length nodes { kind key } edges { type } } }
  }
}
"""


def linkage(
    client: TestClient, key: str, hops: int = 2, who: str = "investigator", keys=None, kind=None
) -> dict:  # type: ignore[no-untyped-def]
    return gql(client, keys[who], LINKAGE, {"key": key, "hops": hops, "kind": kind})["data"]["linkage"]


def test_shared_phone_links_two_households(client: TestClient, keys: dict[str, str]) -> None:
    graph = linkage(client, WANG, 2, keys=keys)
    by_key = {(n["kind"], n["key"]) for n in graph["nodes"]}
    assert {
        ("Person", WANG),
        ("Person", LI),
        ("Household", "H1"),
        ("Phone", "13805370001"),
        ("Person", ZHAO),
    } <= by_key
    ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
    assert {"MEMBER_OF", "HAS_PHONE"} <= {e["type"] for e in graph["edges"]}
    # Three hops reach ZHAO's household and child.
    three = {(n["kind"], n["key"]) for n in linkage(client, WANG, 3, keys=keys)["nodes"]}
    assert ("Household", "H2") in three and ("Person", ZHAO_CHILD) not in by_key


def test_a_widely_shared_phone_is_shown_but_not_crossed(
    client: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    county.execute_query(
        """
        MATCH (w:Person {id_number: $wang})
        MERGE (office:Phone {number: '053741234567'})
        MERGE (w)-[:HAS_PHONE]->(office)
        WITH office UNWIND range(1, 30) AS i
        CREATE (:Person {id_number: 'VILLAGER' + toString(i), name: '村民'})-[:HAS_PHONE]->(office)
    """,
        wang=WANG,
        database_=settings.neo4j_database,
    )
    graph = linkage(client, WANG, 2, keys=keys)
    keys_seen = {n["key"] for n in graph["nodes"]}
    assert "053741234567" in keys_seen
    assert not any(k.startswith("VILLAGER") for k in keys_seen)


def test_shortest_path_names_each_hop(client: TestClient, keys: dict[str, str]) -> None:
    result = gql(client, keys["investigator"], PATHS, {"a": WANG, "b": ZHAO})["data"]["paths"]
    (path,) = result["paths"]
    assert path["length"] == 2
    assert [n["kind"] for n in path["nodes"]] == ["Person", "Phone", "Person"]
    assert [e["type"] for e in path["edges"]] == ["HAS_PHONE", "HAS_PHONE"]


def test_household_keys_and_limits(client: TestClient, keys: dict[str, str]) -> None:
    assert linkage(client, "H1", 1, keys=keys)["__typename"] == "Linkage"
    too_far = linkage(client, WANG, 9, keys=keys)
    assert too_far["__typename"] == "InvalidInput" and too_far["field"] == "maxHops"
    assert linkage(client, "H404", 1, keys=keys)["__typename"] == "NotFound"


def test_only_investigators_follow_links(client: TestClient, keys: dict[str, str]) -> None:
    for role in ("caseworker", "coordinator", "partner_mz", "auditor", "exporter"):
        assert linkage(client, WANG, 2, who=role, keys=keys)["__typename"] == "Forbidden"


def test_linkage_reads_are_audited(client: TestClient, keys: dict[str, str]) -> None:
    linkage(client, WANG, 2, keys=keys)
    trail = gql(
        client,
        keys["auditor"],
        '{ auditEvents(personIdNumber: "%s") { ... on AuditEventConnection '
        "{ edges { node { operation purpose } } } } }" % ZHAO,
    )
    assert trail["data"]["auditEvents"]["edges"][0]["node"] == {
        "operation": "linkage",
        "purpose": "ring investigation",
    }


def kinds_and_keys(graph: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(n["kind"], n["key"]) for n in graph["nodes"]}


def test_a_phone_leads_to_everyone_who_holds_it(client: TestClient, keys: dict[str, str]) -> None:
    # Typed as people write it: spaces and all.
    graph = linkage(client, "138 0537 0001", 1, keys=keys, kind="PHONE")
    assert graph["__typename"] == "Linkage"
    assert kinds_and_keys(graph) == {("Phone", "13805370001"), ("Person", WANG), ("Person", ZHAO)}
    center = next(n["id"] for n in graph["nodes"] if n["kind"] == "Phone")
    assert graph["center"] == center


def test_an_account_leads_to_its_holder_the_grant_and_the_payments_into_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    graph = linkage(client, ACCOUNT_WANG, 1, keys=keys, kind="BANK_ACCOUNT")
    assert {
        ("Person", WANG),
        ("Enrollment", "E1"),
        ("BankAccount", ACCOUNT_WANG),
        ("Payment", "P1"),
        ("Payment", "P2"),
    } <= kinds_and_keys(graph)
    assert {"HOLDS_ACCOUNT", "PAYS_INTO", "PAID_TO"} <= {e["type"] for e in graph["edges"]}
    # A payment is shown next to where a walk starts, never further: a household's monthly
    # payments would drown a wider walk. From the payment: its account, its grant, the holder.
    assert not any(n["kind"] == "Payment" for n in linkage(client, WANG, 3, keys=keys)["nodes"])
    payment = linkage(client, "P1", 2, keys=keys, kind="PAYMENT")
    seen = kinds_and_keys(payment)
    assert {("Payment", "P1"), ("BankAccount", ACCOUNT_WANG), ("Enrollment", "E1"), ("Person", WANG)} <= seen
    assert ("Payment", "P2") not in seen
    assert {"PAID_TO", "FOR_ENROLLMENT", "HOLDS_ACCOUNT"} <= {e["type"] for e in payment["edges"]}
    grant = kinds_and_keys(linkage(client, "E1", 1, keys=keys, kind="GRANT"))
    assert {("Payment", "P1"), ("Payment", "P2"), ("BankAccount", ACCOUNT_WANG), ("Household", "H1")} <= grant


def test_staff_and_cases_lead_to_each_other(client: TestClient, keys: dict[str, str]) -> None:
    case = linkage(client, "c1", 1, keys=keys, kind="CASE")
    assert {("Case", "C1"), ("Staff", CHEN), ("Person", WANG), ("Household", "H1")} <= kinds_and_keys(case)
    assert {"HANDLED", "APPLIED_FOR", "FOR_HOUSEHOLD"} <= {e["type"] for e in case["edges"]}
    by_staff_id = linkage(client, "S1", 2, keys=keys, kind="STAFF")
    by_id_number = linkage(client, CHEN, 2, keys=keys, kind="STAFF")
    assert kinds_and_keys(by_staff_id) == kinds_and_keys(by_id_number)
    assert {("Case", "C1"), ("Person", WANG)} <= kinds_and_keys(by_staff_id)
    # A person who is no staff member is not found as one.
    assert linkage(client, WANG, 1, keys=keys, kind="STAFF")["__typename"] == "NotFound"


def test_an_address_and_a_household_by_kind(
    client: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    records, _, _ = county.execute_query(
        "MATCH (:Household {household_id: 'H1'})-[:LIVES_AT]->(a:Address) RETURN a.key AS key",
        database_=settings.neo4j_database,
    )
    address = records[0]["key"]
    graph = linkage(client, address, 1, keys=keys, kind="ADDRESS")
    assert ("Household", "H1") in kinds_and_keys(graph)
    assert ("Person", WANG) in kinds_and_keys(linkage(client, "h1", 1, keys=keys, kind="HOUSEHOLD"))


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("12", "PHONE"),
        ("not an account", "BANK_ACCOUNT"),
        ("   ", "CASE"),
        ("1" * 300, "ADDRESS"),
        ("123", "PERSON"),
    ],
)
def test_a_key_that_cannot_be_of_its_kind_is_refused_in_one_line(
    client: TestClient, keys: dict[str, str], key: str, kind: str
) -> None:
    refused = linkage(client, key, 1, keys=keys, kind=kind)
    assert refused["__typename"] == "InvalidInput" and refused["field"] == "key"
    assert refused["message"] and "\n" not in refused["message"]


def test_an_unknown_identifier_is_not_found(client: TestClient, keys: dict[str, str]) -> None:
    for key, kind in [("13900000000", "PHONE"), ("C404", "CASE"), ("P404", "PAYMENT"), ("S404", "STAFF")]:
        assert linkage(client, key, 1, keys=keys, kind=kind)["__typename"] == "NotFound"


def test_a_walk_costs_the_same_round_trips_from_every_kind(client: TestClient, keys: dict[str, str]) -> None:
    def cost(key: str, kind: str | None) -> int:
        body = gql(client, keys["investigator"], LINKAGE, {"key": key, "hops": 2, "kind": kind})
        assert body["data"]["linkage"]["__typename"] == "Linkage", (key, kind)
        return body["extensions"]["cypherRoundTrips"]

    starts = [
        (WANG, None),
        (WANG, "PERSON"),
        ("H1", "HOUSEHOLD"),
        ("13805370001", "PHONE"),
        (ACCOUNT_WANG, "BANK_ACCOUNT"),
        ("S1", "STAFF"),
        ("C1", "CASE"),
        ("E1", "GRANT"),
        ("P1", "PAYMENT"),
    ]
    assert {cost(key, kind) for key, kind in starts} == {2}  # the walk, and the audit write


PATHS_BY_KIND = """
query($a: String!, $ak: NodeKind, $b: String!, $bk: NodeKind) {
  paths(source: $a, sourceKind: $ak, target: $b, targetKind: $bk, purpose: "who handled whose case") {
    __typename
    ... on PathList { paths { length nodes { kind key } edges { type } } }
    ... on InvalidInput { field }
  }
}
"""


def test_a_path_from_a_staff_member_to_a_payment(client: TestClient, keys: dict[str, str]) -> None:
    result = gql(
        client, keys["investigator"], PATHS_BY_KIND, {"a": "S1", "ak": "STAFF", "b": "P1", "bk": "PAYMENT"}
    )
    paths = result["data"]["paths"]["paths"]
    assert paths and all(p["nodes"][0]["key"] == CHEN and p["nodes"][-1]["key"] == "P1" for p in paths)
    assert "HANDLED" in {e["type"] for p in paths for e in p["edges"]}
    bad = gql(
        client, keys["investigator"], PATHS_BY_KIND, {"a": "S1", "ak": "STAFF", "b": "x", "bk": "PHONE"}
    )
    assert bad["data"]["paths"] == {"__typename": "InvalidInput", "field": "target"}
