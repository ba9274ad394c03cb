"""Who is calling: API keys and JWTs, and the refusals."""

from __future__ import annotations

import time

import jwt
from starlette.testclient import TestClient

from tests.api.conftest import JWT_SECRET, gql

ME = "{ me { subject role department townshipCode villageCode } }"


def test_health_and_readiness_need_no_credentials(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_no_credentials_is_401(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": ME})
    assert response.status_code == 401
    assert "Authorization" in response.text


def test_unknown_key_is_401(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": ME}, headers={"authorization": "Bearer rg_not-a-key"})
    assert response.status_code == 401


def test_api_key_maps_to_its_principal(client: TestClient, keys: dict[str, str]) -> None:
    me = gql(client, keys["coordinator"], ME)["data"]["me"]
    assert me == {
        "subject": "co-a",
        "role": "coordinator",
        "department": "MZ",
        "townshipCode": "370831100",
        "villageCode": "370831100001",
    }


def _token(**claims: object) -> str:
    base = {
        "sub": "jwt-user",
        "role": "caseworker",
        "township": "370831100",
        "aud": "reliefgraph",
        "exp": int(time.time()) + 300,
    }
    return jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")


def test_jwt_maps_claims_to_a_principal(client: TestClient) -> None:
    me = gql(client, _token(), ME)["data"]["me"]
    assert (me["subject"], me["role"], me["townshipCode"]) == ("jwt-user", "caseworker", "370831100")


def test_expired_wrong_audience_and_forged_jwts_are_401(client: TestClient) -> None:
    for token in (
        _token(exp=int(time.time()) - 10),
        _token(aud="someone-else"),
        jwt.encode(
            {"sub": "x", "role": "investigator", "aud": "reliefgraph", "exp": int(time.time()) + 60},
            "a-different-secret-also-thirty-two-bytes",
            algorithm="HS256",
        ),
    ):
        response = client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_jwt_with_unknown_role_or_alg_none_is_401(client: TestClient) -> None:
    unsigned = jwt.encode(
        {"sub": "x", "role": "investigator", "aud": "reliefgraph", "exp": int(time.time()) + 60},
        None,
        algorithm="none",
    )
    for token in (_token(role="superuser"), unsigned):
        response = client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_caseworker_jwt_without_township_is_401(client: TestClient) -> None:
    response = client.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {_token(township=None)}"}
    )
    assert response.status_code == 401


def test_coordinator_jurisdiction_comes_from_the_village(client: TestClient) -> None:
    # The probe's token: a coordinator with a village and no township. Its township is the
    # village's, so searches stay in the village instead of spanning the county.
    me = gql(client, _token(role="coordinator", township=None, village="370831100001"), ME)["data"]["me"]
    assert (me["townshipCode"], me["villageCode"]) == ("370831100", "370831100001")
    body = gql(
        client,
        _token(role="coordinator", township=None, village="370831100001"),
        '{ searchPersons(name: "赵", purpose: "test search scope") '
        "{ ... on PersonSummaryConnection { edges { node { name } } } } }",
    )
    assert body["data"]["searchPersons"]["edges"] == []  # 赵 lives in village B


def test_contradictory_or_malformed_jurisdiction_is_401_with_the_reason(client: TestClient) -> None:
    for claims, reason in (
        ({"role": "coordinator", "township": "370831101", "village": "370831100001"}, "is not in township"),
        ({"role": "coordinator", "township": None, "village": None}, "needs a village_code"),
        ({"role": "caseworker", "township": "3708"}, "is not 9 digits"),
    ):
        response = client.post(
            "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {_token(**claims)}"}
        )
        assert response.status_code == 401 and reason in response.text, (claims, response.text)
