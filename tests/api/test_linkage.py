"""Linkage and connecting paths for investigators: shared identifiers, hubs not crossed."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import LI, WANG, ZHAO, ZHAO_CHILD

LINKAGE = """
query($key: String!, $hops: Int!) {
  linkage(key: $key, purpose: "ring investigation", maxHops: $hops) {
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


def linkage(client: TestClient, key: str, hops: int = 2, who: str = "investigator", keys=None) -> dict:  # type: ignore[no-untyped-def]
    return gql(client, keys[who], LINKAGE, {"key": key, "hops": hops})["data"]["linkage"]


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
