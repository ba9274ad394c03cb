"""Every read of personal data leaves an audit event; only auditors read the trail."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import PERSON_360, gql
from tests.loaders.mini_county import WANG, ZHAO

TRAIL = """
query($person: String, $after: String) {
  auditEvents(personIdNumber: $person, first: 2, after: $after) {
    __typename
    ... on AuditEventConnection { edges { cursor node { subject role personIdNumber categories purpose operation } }
                                  pageInfo { hasNextPage endCursor } }
  }
}
"""


def test_person_reads_are_audited_with_who_what_and_why(client: TestClient, keys: dict[str, str]) -> None:
    gql(client, keys["coordinator"], PERSON_360, {"id": WANG, "purpose": "home visit planning"})
    gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": "finding F-1 review"})
    gql(client, keys["caseworker_elsewhere"], PERSON_360, {"id": WANG, "purpose": "curious"})  # NotFound: nothing read
    body = gql(client, keys["auditor"], TRAIL, {"person": WANG})
    edges = body["data"]["auditEvents"]["edges"]
    events = [e["node"] for e in edges]
    assert [(e["subject"], e["purpose"]) for e in events] == [("inv-1", "finding F-1 review"),
                                                               ("co-a", "home visit planning")]
    coordinator = events[1]
    assert coordinator["role"] == "coordinator" and coordinator["operation"] == "person"
    assert "financial" not in coordinator["categories"] and "identity" in coordinator["categories"]
    assert "financial" in events[0]["categories"]


def test_search_results_are_audited(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(client, keys["investigator"],
               '{ searchPersons(name: "赵", purpose: "duplicate check") '
               "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }")
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
    body = gql(client, keys["coordinator"],
               '{ searchPersons(name: "赵", purpose: "active discovery") '
               "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }")
    assert body["data"]["searchPersons"]["edges"] == []  # the Zhaos live in village B
    body = gql(client, keys["coordinator"],
               '{ searchPersons(name: "王建国", purpose: "active discovery") '
               "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }")
    (edge,) = body["data"]["searchPersons"]["edges"]
    assert edge["node"]["name"] == "王建国" and edge["node"]["idNumber"] != WANG and "*" in edge["node"]["idNumber"]


def test_search_by_pinyin(client: TestClient, keys: dict[str, str]) -> None:
    for typed in ("wang jianguo", "Wang Jian Guo", "wangjianguo"):
        body = gql(client, keys["investigator"],
                   '{ searchPersons(name: "%s", purpose: "phone enquiry") '
                   "{ ... on PersonSummaryConnection { edges { node { idNumber name } } } } }" % typed)
        assert [e["node"]["idNumber"] for e in body["data"]["searchPersons"]["edges"]] == [WANG], typed
