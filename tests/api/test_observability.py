"""/metrics in the Prometheus format and JSON log lines: what an operator watches."""

from __future__ import annotations

import io
import json
import logging

from neo4j import Driver
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from starlette.testclient import TestClient

from observability.logs import JsonFormatter
from reliefgraph.app import create_app
from settings import Settings
from tests.api.conftest import PERSON_360, gql
from tests.loaders.mini_county import WANG


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_operations_audit_and_findings(
    api_settings: Settings, keys: dict[str, str], detected: Driver
) -> None:
    with TestClient(create_app(api_settings.model_copy(update={"metrics_open": True}))) as client:
        _metrics_count_operations_audit_and_findings(client, keys)


def _metrics_count_operations_audit_and_findings(client: TestClient, keys: dict[str, str]) -> None:
    before = samples(client.get("/metrics").text)
    assert gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": "metrics test"})["data"]
    gql(client, keys["investigator"], "{ me { nope } }")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)
    key = ("reliefgraph_graphql_operations_total", (("operation", "person"), ("outcome", "ok")))
    assert after[key] == before.get(key, 0) + 1
    assert after[("reliefgraph_graphql_operations_total", (("operation", "me"), ("outcome", "error")))] >= 1
    # The histogram observed the one person read: its count, not its seconds.
    timed = ("reliefgraph_graphql_operation_seconds_count", (("operation", "person"),))
    assert after[timed] == before.get(timed, 0) + 1
    committed = ("reliefgraph_audit_events_committed_total", ())
    assert after[committed] > before.get(committed, 0)
    assert after[("reliefgraph_findings", (("kind", "DUP_PAYMENT"), ("status", "open")))] == 1
    assert ("reliefgraph_neo4j_queries_in_flight", ()) in after


def test_metrics_want_their_token_when_one_is_set(api_settings, keys, county) -> None:  # type: ignore[no-untyped-def]
    guarded = api_settings.model_copy(update={"metrics_token": SecretStr("scrape-me-please")})
    with TestClient(create_app(guarded)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"authorization": "Bearer scrape-me-please"}).status_code == 200


def test_json_log_lines_carry_the_request_id_and_subject_and_no_personal_data(
    client: TestClient, keys: dict[str, str]
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("reliefgraph.access")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        response = client.post(
            "/graphql",
            json={"query": '{ person(idNumber: "%s", purpose: "log test") { __typename } }' % WANG},
            headers={"authorization": f"Bearer {keys['investigator']}", "x-request-id": "abc-123"},
        )
    finally:
        log.removeHandler(handler)
    assert response.headers["x-request-id"] == "abc-123"
    [line] = [json.loads(x) for x in stream.getvalue().splitlines() if '"/graphql"' in x]
    assert line["request_id"] == "abc-123" and line["subject"] == "inv-1" and line["status"] == 200
    assert line["path"] == "/graphql" and WANG not in stream.getvalue()
