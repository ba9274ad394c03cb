"""What callers say is checked at the door: a JWT's claims as strictly as an API key's fields,
a purpose that is words, and a visit's date within reason."""

from __future__ import annotations

import json
import time

import jwt
from starlette.testclient import TestClient

from tests.api.conftest import JWT_SECRET, PERSON_360, gql
from tests.api.test_auth import ME, _token
from tests.api.test_visits import VISIT
from tests.loaders.mini_county import WANG


def _raw_token(claims_json: str) -> str:
    """A signed token whose payload is exactly this JSON (PyJWT will not write 1e308 as such)."""
    segments = [
        jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
        jwt.utils.base64url_encode(claims_json.encode()),
    ]
    signing_input = b".".join(segments)
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        signing_input, JWT_SECRET.encode()
    )
    return (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()


def test_odd_jwt_claims_are_401_with_a_one_line_reason(client: TestClient) -> None:
    soon = int(time.time()) + 300
    bad = {
        "full-width township": _token(township="３７０８３１１００"),
        "village of another county": _token(role="coordinator", township=None, village="370832100001"),
        "township of another county": _token(township="370832100"),
        "township as a number": _token(township=370831100),
        "department *": _token(role="department_partner", township=None, department="*"),
        "empty subject": _token(sub=""),
        "6 KB subject": _token(sub="a" * 6000),
        "control characters in the subject": _token(sub="inv-1\x1b[2J\r\n"),
        "exp 1e308": _raw_token(
            '{"sub": "jwt-user", "role": "investigator", "aud": "reliefgraph", "exp": 1e308}'
        ),
        "exp a year away": _token(exp=soon + 365 * 86400),
        "exp as a fraction": _raw_token(
            '{"sub": "jwt-user", "role": "investigator", "aud": "reliefgraph", "exp": %d.5}' % soon
        ),
        "role as a list": _token(role=["investigator"]),
    }
    for name, token in bad.items():
        response = client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
        assert response.text.startswith("invalid token: ") and "\n" not in response.text, name
        assert len(response.text) < 200, name
    # Still accepted: an ordinary token, a department partner with a code of capitals.
    assert gql(client, _token(), ME)["data"]["me"]["subject"] == "jwt-user"
    partner = _token(role="department_partner", township=None, department="JTYS", sub="client.jt@county")
    assert gql(client, partner, ME)["data"]["me"]["department"] == "JTYS"


def test_purposes_without_words_or_with_control_characters_are_refused(
    client: TestClient, keys: dict[str, str]
) -> None:
    for purpose in (
        "\u200b\u200b\u200b\u200b\u200b",
        "....",
        "1234 5678",
        "audit\x00read",
        "audit\r\nread",
        "\x1b[31maudit\x1b[0m",
        "review\u202ecase",
        "   ab   ",
    ):
        body = gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": purpose})
        assert body["data"]["person"]["__typename"] == "InvalidInput", repr(purpose)
        assert body["data"]["person"]["field"] == "purpose", repr(purpose)
    for purpose in ("低保复核", "review of case 42", "低保 复核\u3000入户"):
        body = gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": purpose})
        assert body["data"]["person"]["__typename"] == "Person", repr(purpose)


def test_visits_dated_before_1990_are_refused(client: TestClient, keys: dict[str, str]) -> None:
    for day in ("0001-01-01", "1989-12-31"):
        refused = gql(client, keys["caseworker"], VISIT, {"h": "H1", "d": day, "note": "探访"})["data"][
            "recordVisit"
        ]
        assert refused == {
            "__typename": "InvalidInput",
            "field": "visitDate",
            "message": "a visit is dated 1990-01-01 or later",
        }, day
    kept = gql(client, keys["caseworker"], VISIT, {"h": "H1", "d": "1990-01-01", "note": "探访"})["data"]
    assert kept["recordVisit"]["__typename"] == "Visit"
