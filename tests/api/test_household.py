"""Household lookup: members, grants, cases, visits; jurisdiction and masking as for persons."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.loaders.mini_county import LI, WANG

HOUSEHOLD = """
query($id: String!) {
  household(householdId: $id, purpose: "annual review") {
    __typename
    ... on Household { householdId villageCode address withheld members { idNumber name relation }
                       enrollments { enrollmentId programme covered payments { account } } cases { caseId }
                       visits { visitId } }
  }
}
"""


def household(client: TestClient, key: str, household_id: str = "H1") -> dict:
    return gql(client, key, HOUSEHOLD, {"id": household_id})["data"]["household"]


def test_investigator_sees_the_household(client: TestClient, keys: dict[str, str]) -> None:
    h = household(client, keys["investigator"], "h1")
    assert h["__typename"] == "Household" and h["address"] == "泉林镇东村1号"
    assert [m["idNumber"] for m in h["members"]] == sorted([WANG, LI])
    assert [e["programme"] for e in h["enrollments"]] == ["DIBAO"]
    assert [c["caseId"] for c in h["cases"]] == ["C1"]


def test_coordinator_sees_masked_members_in_own_village_only(
    client: TestClient, keys: dict[str, str]
) -> None:
    h = household(client, keys["coordinator"])
    assert all("*" in m["idNumber"] for m in h["members"])
    assert all(p["account"] is None for e in h["enrollments"] for p in e["payments"])
    assert household(client, keys["coordinator_b"])["__typename"] == "NotFound"
    assert household(client, keys["caseworker_elsewhere"])["__typename"] == "NotFound"


def test_partners_and_non_readers_are_refused(client: TestClient, keys: dict[str, str]) -> None:
    for role in ("partner_mz", "auditor", "exporter"):
        assert household(client, keys[role])["__typename"] == "Forbidden"


def test_household_reads_are_audited_for_every_member(client: TestClient, keys: dict[str, str]) -> None:
    household(client, keys["caseworker"])
    for member in (WANG, LI):
        trail = gql(
            client,
            keys["auditor"],
            '{ auditEvents(personIdNumber: "%s") { ... on AuditEventConnection '
            "{ edges { node { operation subject } } } } }" % member,
        )
        assert trail["data"]["auditEvents"]["edges"][0]["node"] == {"operation": "household", "subject": "S1"}
