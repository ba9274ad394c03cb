"""verifyPersons through the real app: one round trip for the batch, per-item errors, the
agreement's reach and categories, one append to the audit trail, and agreements and keys
that take effect (or stop) without a restart."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from neo4j import Driver
from starlette.testclient import TestClient

from access.agreements import revoke_agreement, trust_document
from access.principal import Principal, Role
from access.tokens import add_key
from reliefgraph.app import create_app
from settings import Settings
from tests.api.conftest import gql, partner_agreement
from tests.loaders.mini_county import LI, WANG, ZHAO, ZHAO_CHILD

VERIFY = """
query($ids: [String!]!, $purpose: String!) {
  verifyPersons(idNumbers: $ids, purpose: $purpose) {
    __typename
    ... on VerificationBatch {
      agreement found notFound invalid
      results { given idNumber found problem basicAssistance householdSize restricted withheld
                enrollments { enrollmentId programme startDate } }
    }
    ... on InvalidInput { field message }
    ... on Forbidden { message }
  }
}
"""


@pytest.fixture
def api_settings(api_settings: Settings) -> Settings:
    # The server plans the batch's statement once; on a 2-core machine shared with other
    # work that first planning can take longer than the production timeout.
    return api_settings.model_copy(update={"query_timeout_s": 60.0})


def verify(client: TestClient, key: str, ids: list[str], purpose: str = "EDU_AID_ELIGIBILITY") -> Any:
    body = gql(client, key, VERIFY, {"ids": ids, "purpose": purpose})
    assert "errors" not in body, body
    return body


def events(driver: Driver, settings: Settings) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(
        "MATCH (a:AuditEvent {operation: 'verifyPersons'}) "
        "RETURN a.person_id_number AS person, a.outcome AS outcome, a.agreement AS agreement, "
        "a.request_id AS request, a.seq AS seq, a.categories AS categories ORDER BY a.seq",
        database_=settings.neo4j_database,
    )
    return [r.data() for r in records]


def test_a_batch_answers_each_item_in_one_round_trip(
    client: TestClient, keys: dict[str, str], county: Driver, api_settings: Settings
) -> None:
    bad = "37083119500304001X"  # wrong check digit
    body = verify(client, keys["partner_jt"], [ZHAO.lower(), WANG, bad, " " + ZHAO + " "])
    batch = body["data"]["verifyPersons"]
    assert (batch["found"], batch["notFound"], batch["invalid"]) == (2, 1, 1)
    zhao, wang, invalid, again = batch["results"]
    assert zhao["found"] and zhao["idNumber"] == ZHAO and again == {**zhao, "given": " " + ZHAO + " "}
    assert zhao["householdSize"] == 2 and zhao["basicAssistance"] == [] and zhao["restricted"] is False
    assert zhao["enrollments"] == [{"enrollmentId": "E-EDU", "programme": "EDU", "startDate": "2025-09-01"}]
    # WANG exists, but JT's agreement does not reach him: as if he did not.
    assert wang == {**wang, "found": False, "householdSize": None, "enrollments": None, "problem": None}
    assert invalid["found"] is False and invalid["idNumber"] is None and "check digit" in invalid["problem"]
    # The batch's read, and its audit append: two round trips, whatever its size.
    assert body["extensions"]["cypherRoundTrips"] == 2
    trail = events(county, api_settings)
    assert {(e["person"], e["outcome"]) for e in trail} == {(ZHAO, "shown"), (WANG, "not_found")}
    assert {e["agreement"] for e in trail} == {"AGR-TEST-JT"} and len({e["request"] for e in trail}) == 1
    shown = next(e for e in trail if e["outcome"] == "shown")
    assert "benefits" in shown["categories"] and "identity" in shown["categories"]


def test_basic_living_assistance_is_the_households(client: TestClient, keys: dict[str, str]) -> None:
    batch = verify(client, keys["partner_mz"], [WANG, LI, ZHAO_CHILD])["data"]["verifyPersons"]
    wang, li, child = batch["results"]
    assert wang["basicAssistance"] == ["DIBAO"] == li["basicAssistance"] and wang["householdSize"] == 2
    assert child["found"] is False  # not in civil affairs' programmes or feeds


def test_a_category_outside_the_agreement_is_withheld_and_named(
    api_settings: Settings, county: Driver
) -> None:
    narrow = partner_agreement(
        api_settings, "JT", categories=["identity", "basic"], agreement_id="AGR-NARROW"
    )
    key = add_key(
        api_settings.api_keys_file, Principal("jt-narrow", Role.DEPARTMENT_PARTNER, "JT"), agreement=narrow
    )
    with TestClient(create_app(api_settings)) as client:
        result = verify(client, key, [ZHAO])["data"]["verifyPersons"]["results"][0]
        person = gql(
            client,
            key,
            "query($id: String!) { person(idNumber: $id, purpose: 'education aid check') "
            "{ ... on Person { withheld enrollments { enrollmentId } } } }".replace("'", '"'),
            {"id": ZHAO},
        )["data"]["person"]
    assert result["found"] and result["householdSize"] == 2
    assert (
        result["basicAssistance"] is None and result["enrollments"] is None and result["restricted"] is None
    )
    assert result["withheld"] == ["BENEFITS", "CREDIT"]
    # The same agreement narrows every read of its key, not only the batch.
    assert person["enrollments"] is None and "BENEFITS" in person["withheld"]


def test_purposes_are_the_agreements_codes_and_the_batch_has_a_size(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    with TestClient(create_app(api_settings.model_copy(update={"max_verify_ids": 3}))) as client:
        free = verify(client, keys["partner_jt"], [ZHAO], "checking applicants")["data"]["verifyPersons"]
        over = verify(client, keys["partner_jt"], [ZHAO] * 4)["data"]["verifyPersons"]
        empty = verify(client, keys["partner_jt"], [])["data"]["verifyPersons"]
    assert free["__typename"] == "InvalidInput" and "EDU_AID_ELIGIBILITY" in free["message"]
    assert over["__typename"] == "InvalidInput" and over["field"] == "idNumbers"
    assert empty["__typename"] == "InvalidInput"


def test_a_partner_without_an_agreement_is_refused(api_settings: Settings, county: Driver) -> None:
    key = add_key(api_settings.api_keys_file, Principal("jt-unbound", Role.DEPARTMENT_PARTNER, "JT"))
    with TestClient(create_app(api_settings)) as client:
        result = verify(client, key, [ZHAO])["data"]["verifyPersons"]
    assert result["__typename"] == "Forbidden" and "agreement" in result["message"]


def test_keys_and_agreements_take_effect_without_a_restart(api_settings: Settings, county: Driver) -> None:
    with TestClient(create_app(api_settings)) as client:
        # Made while the server runs, as `reliefgraph agreement create` and `apikey create` do.
        agreement = partner_agreement(api_settings, "JT", agreement_id="AGR-LIVE")
        key = add_key(
            api_settings.api_keys_file,
            Principal("jt-live", Role.DEPARTMENT_PARTNER, "JT"),
            agreement=agreement,
        )
        assert verify(client, key, [ZHAO])["data"]["verifyPersons"]["found"] == 1
        revoke_agreement(
            api_settings.agreements_file, "AGR-LIVE", "the partner asked to end it", date.today()
        )
        refused = client.post(
            "/graphql",
            json={"query": VERIFY, "variables": {"ids": [ZHAO], "purpose": "EDU_AID_ELIGIBILITY"}},
            headers={"authorization": f"Bearer {key}"},
        )
    assert refused.status_code == 403
    assert "revoked" in refused.text and "the partner asked to end it" in refused.text


def test_an_expired_agreement_is_refused_with_its_date(api_settings: Settings, county: Driver) -> None:
    old = partner_agreement(
        api_settings,
        "JT",
        agreement_id="AGR-OLD",
        valid_from=date(2020, 1, 1),
        valid_until=date(2022, 12, 31),
    )
    key = add_key(
        api_settings.api_keys_file, Principal("jt-old", Role.DEPARTMENT_PARTNER, "JT"), agreement=old
    )
    with TestClient(create_app(api_settings)) as client:
        response = client.post(
            "/graphql", json={"query": "{ me { subject } }"}, headers={"authorization": f"Bearer {key}"}
        )
    assert response.status_code == 403 and "expired on 2022-12-31" in response.text


def test_in_production_a_partner_runs_only_its_trusted_documents(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    trust_document(api_settings.agreements_file, "AGR-TEST-JT", VERIFY)
    with TestClient(create_app(api_settings.model_copy(update={"trusted_documents": True}))) as client:
        trusted = verify(client, keys["partner_jt"], [ZHAO])["data"]["verifyPersons"]
        other = client.post(
            "/graphql",
            json={"query": "{ me { subject } }"},
            headers={"authorization": f"Bearer {keys['partner_jt']}"},
        )
        staff = gql(client, keys["investigator"], "{ me { subject } }")
    assert trusted["found"] == 1
    assert other.status_code == 400 and "unknown document" in other.text and "AGR-TEST-JT" in other.text
    assert staff["data"]["me"]["subject"] == "inv-1"  # staff keys are not bound to documents
