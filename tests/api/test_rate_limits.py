"""Rate limits at the door: failed authentications lock an address out, keys and addresses
have a burst, and /metrics shows failures, refusals and reads per subject. Time is a fake
clock that the tests move; nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from neo4j import Driver
from pydantic import SecretStr
from starlette.testclient import TestClient

from domain.ids import make_id_number
from reliefgraph.app import create_app
from reliefgraph.rate_limit import Buckets, Lockout
from settings import Settings
from tests.api.conftest import PERSON_360
from tests.api.test_observability import samples
from tests.loaders.mini_county import WANG

ME = {"query": "{ me { subject } }"}
METRICS = {"authorization": "Bearer scrape-me-please"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def app_client(settings: Settings, clock: Clock, **changes: Any) -> Iterator[TestClient]:
    # "testclient" is the TestClient's peer address: as a trusted proxy, X-Forwarded-For picks the client.
    changed = settings.model_copy(
        update={"trusted_proxies": ["testclient"], "metrics_token": SecretStr("scrape-me-please"), **changes}
    )
    with TestClient(create_app(changed, clock=clock)) as client:
        yield client


def call(client: TestClient, address: str, key: str | None, body: dict[str, Any] = ME) -> Any:
    headers = {"x-forwarded-for": f"203.0.113.9, {address}", "accept": "application/json"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    return client.post("/graphql", json=body, headers=headers)


def test_failed_authentications_lock_out_their_address_only(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    clock = Clock()
    with app_client(api_settings, clock) as client:
        before = samples(client.get("/metrics", headers=METRICS).text)
        for n in range(20):
            assert call(client, "10.0.0.1", f"rg_guess-{n}").status_code == 401
        locked = call(client, "10.0.0.1", keys["investigator"])
        assert locked.status_code == 429 and locked.headers["retry-after"] == "300"
        assert "failed authentications" in locked.json()["errors"][0]["message"]
        other = call(client, "10.0.0.2", keys["investigator"])
        assert other.status_code == 200 and other.json()["data"]["me"]["subject"] == "inv-1"
        clock.now += 299
        assert call(client, "10.0.0.1", keys["investigator"]).status_code == 429
        clock.now += 2
        assert call(client, "10.0.0.1", keys["investigator"]).status_code == 200
        after = samples(client.get("/metrics", headers=METRICS).text)
    failures = ("reliefgraph_auth_failures_total", (("reason", "unknown_key"),))
    assert after[failures] == before.get(failures, 0) + 20
    lockouts = ("reliefgraph_rate_limited_total", (("limit", "lockout"),))
    assert after[lockouts] == before.get(lockouts, 0) + 2


def test_requests_without_credentials_do_not_lock_an_address_out(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    clock = Clock()
    with app_client(api_settings, clock) as client:
        for _ in range(25):
            assert call(client, "10.0.0.3", None).status_code == 401
        assert call(client, "10.0.0.3", keys["investigator"]).status_code == 200


def test_forged_jwts_count_as_failures_by_reason(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    clock = Clock()
    with app_client(api_settings, clock, auth_failure_limit=3) as client:
        before = samples(client.get("/metrics", headers=METRICS).text)
        for n in range(3):
            forged = f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged{n}"
            assert call(client, "10.0.0.4", forged).status_code == 401
        assert call(client, "10.0.0.4", keys["investigator"]).status_code == 429
        after = samples(client.get("/metrics", headers=METRICS).text)
    failures = ("reliefgraph_auth_failures_total", (("reason", "invalid_jwt"),))
    assert after[failures] == before.get(failures, 0) + 3


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    clock = Clock()
    # The TestClient is not a trusted proxy here: every request is its own address, whatever it claims.
    strict = api_settings.model_copy(update={"auth_failure_limit": 3})
    with TestClient(create_app(strict, clock=clock)) as client:
        for n in range(3):
            assert call(client, f"10.0.1.{n}", f"rg_guess-{n}").status_code == 401
        assert call(client, "10.0.1.99", keys["investigator"]).status_code == 429


def test_a_key_over_its_burst_gets_429_until_it_refills(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    clock = Clock()
    with app_client(
        api_settings, clock, rate_limit_principal_burst=5, rate_limit_principal_per_s=0.5
    ) as client:
        before = samples(client.get("/metrics", headers=METRICS).text)
        for _ in range(5):
            assert call(client, "10.0.0.5", keys["investigator"]).status_code == 200
        refused = call(client, "10.0.0.6", keys["investigator"])  # another address: the key is limited
        assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
        assert call(client, "10.0.0.5", keys["caseworker"]).status_code == 200  # another key is not
        clock.now += 2
        assert call(client, "10.0.0.5", keys["investigator"]).status_code == 200
        assert call(client, "10.0.0.5", keys["investigator"]).status_code == 429
        after = samples(client.get("/metrics", headers=METRICS).text)
    limited = ("reliefgraph_rate_limited_total", (("limit", "principal"),))
    assert after[limited] == before.get(limited, 0) + 2


def test_an_address_over_its_burst_gets_429(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    clock = Clock()
    with app_client(api_settings, clock, rate_limit_address_burst=3, rate_limit_address_per_s=1) as client:
        for role in ("investigator", "caseworker", "auditor"):
            assert call(client, "10.0.0.7", keys[role]).status_code == 200
        refused = call(client, "10.0.0.7", keys["coordinator"])
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        assert call(client, "10.0.0.8", keys["coordinator"]).status_code == 200
        probe = client.get("/healthz", headers={"x-forwarded-for": "10.0.0.7"})
        assert probe.status_code == 200  # probes are not limited
        clock.now += 1
        assert call(client, "10.0.0.7", keys["coordinator"]).status_code == 200


def test_personal_reads_are_counted_per_subject(
    api_settings: Settings, keys: dict[str, str], county: Driver
) -> None:
    with app_client(api_settings, Clock()) as client:
        before = samples(client.get("/metrics", headers=METRICS).text)
        body = {"query": PERSON_360, "variables": {"id": WANG, "purpose": "metrics per subject"}}
        assert call(client, "10.0.0.9", keys["investigator"], body).json()["data"]["person"]
        nobody = make_id_number("370831", date(1990, 1, 1), 999)
        missing = {"query": PERSON_360, "variables": {"id": nobody, "purpose": "metrics per subject"}}
        assert call(client, "10.0.0.9", keys["investigator"], missing).status_code == 200
        after = samples(client.get("/metrics", headers=METRICS).text)
    shown = ("reliefgraph_personal_reads_total", (("outcome", "shown"), ("subject", "inv-1")))
    assert after[shown] >= before.get(shown, 0) + 1
    not_found = ("reliefgraph_personal_reads_total", (("outcome", "not_found"), ("subject", "inv-1")))
    assert after[not_found] == before.get(not_found, 0) + 1


def test_metrics_are_closed_in_production_unless_opened(api_settings: Settings, county: Driver) -> None:
    with TestClient(create_app(api_settings)) as client:
        closed = client.get("/metrics")
        assert closed.status_code == 403 and "RELIEFGRAPH_METRICS_TOKEN" in closed.text
        assert "reliefgraph_" not in closed.text
    with TestClient(create_app(api_settings.model_copy(update={"metrics_open": True}))) as client:
        assert client.get("/metrics").status_code == 200
    with TestClient(create_app(api_settings.model_copy(update={"profile": "development"}))) as client:
        assert client.get("/metrics").status_code == 200


def test_token_buckets_refill_at_their_rate() -> None:
    clock = Clock()
    buckets = Buckets(per_second=2, burst=2, clock=clock, max_keys=2)
    assert [buckets.take("a"), buckets.take("a")] == [0, 0]
    assert buckets.take("a") == 0.5
    clock.now += 0.5
    assert buckets.take("a") == 0 and buckets.take("a") > 0
    buckets.take("b")
    buckets.take("c")  # "a" is forgotten: at most max_keys buckets are kept
    assert buckets.take("a") == 0
    assert Buckets(per_second=0, burst=1, clock=clock).take("x") == 0  # 0: no limit


def test_failures_outside_the_window_are_forgotten() -> None:
    clock = Clock()
    lockout = Lockout(limit=3, window_s=60, lockout_s=300, clock=clock)
    for _ in range(2):
        lockout.failed("a")
    clock.now += 61
    lockout.failed("a")
    assert lockout.remaining("a") == 0
    lockout.failed("a")
    lockout.failed("a")
    assert lockout.remaining("a") == 300
    never = Lockout(limit=0, window_s=60, lockout_s=300, clock=clock)
    for _ in range(5):
        never.failed("a")
    assert never.remaining("a") == 0
