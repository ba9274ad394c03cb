"""Hostile queries: each abuse limit refuses them."""

from __future__ import annotations

from starlette.testclient import TestClient

from reliefgraph.app import create_app
from reliefgraph.settings import Settings
from schema.api.build import build_schema
from tests.api.conftest import gql
from tests.loaders.mini_county import WANG


def errors(body: dict) -> str:
    return " ".join(e["message"] for e in body.get("errors", []))


def test_deep_query_is_refused(api_settings: Settings, keys: dict[str, str], county) -> None:  # type: ignore[no-untyped-def]
    # The schema has no cycles yet, so no query is deeper than 5; a low limit shows the
    # limiter is wired in and refuses before anything runs.
    shallow = api_settings.model_copy(update={"max_query_depth": 2})
    query = ('{ person(idNumber: "%s", purpose: "test limits") '
             "{ ... on Person { enrollments { payments { amount } } } } }" % WANG)
    with TestClient(create_app(shallow)) as client:
        body = gql(client, keys["investigator"], query)
    assert "exceeds maximum operation depth" in errors(body)
    assert body.get("data") is None


def test_alias_flood_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(40)) + " }"
    body = gql(client, keys["investigator"], query)
    assert "aliases found" in errors(body).lower() or "alias" in errors(body).lower()
    assert body.get("data") is None


def test_token_flood_is_refused(api_settings: Settings, keys: dict[str, str], county) -> None:  # type: ignore[no-untyped-def]
    roomy = api_settings.model_copy(update={"max_body_bytes": 1_000_000})  # the body limit must not fire first
    query = "{ me { " + " ".join(["role"] * (api_settings.max_tokens + 10)) + " } }"
    with TestClient(create_app(roomy)) as client:
        body = gql(client, keys["investigator"], query)
    assert "token" in errors(body).lower() and body.get("data") is None


def test_oversized_body_is_413(client: TestClient, keys: dict[str, str]) -> None:
    padding = "#" + "x" * 20_000 + "\n"
    response = client.post("/graphql", json={"query": padding + "{ me { role } }"},
                           headers={"authorization": f"Bearer {keys['investigator']}"})
    assert response.status_code == 413


def test_oversized_body_without_content_length_is_413(client: TestClient, keys: dict[str, str]) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 1024

    response = client.post("/graphql", content=chunks(), headers={
        "authorization": f"Bearer {keys['investigator']}", "content-type": "application/json"})
    assert response.status_code == 413


def test_page_size_is_capped(client: TestClient, keys: dict[str, str], api_settings: Settings) -> None:
    query = '{ searchPersons(name: "王", purpose: "test limits", first: %d) { __typename ... on InvalidInput { field } } }'
    body = gql(client, keys["investigator"], query % (api_settings.max_page_size + 1))
    assert body["data"]["searchPersons"] == {"__typename": "InvalidInput", "field": "first/after"}


def test_introspection_and_suggestions_are_off_in_production(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(client, keys["investigator"], "{ __schema { types { name } } }")
    assert body.get("data") is None and "introspection" in errors(body).lower()
    body = gql(client, keys["investigator"], "{ mee { role } }")
    assert "Did you mean" not in errors(body)


def test_development_profile_allows_introspection_and_graphiql(api_settings: Settings, keys: dict[str, str],
                                                               county) -> None:  # type: ignore[no-untyped-def]
    dev = api_settings.model_copy(update={"profile": "development"})
    with TestClient(create_app(dev)) as client:
        body = gql(client, keys["investigator"], "{ __schema { queryType { name } } }")
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"
        page = client.get("/graphql", headers={"accept": "text/html", "authorization": f"Bearer {keys['investigator']}"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_graphiql_is_not_served_in_production(client: TestClient, keys: dict[str, str]) -> None:
    page = client.get("/graphql", headers={"accept": "text/html", "authorization": f"Bearer {keys['investigator']}"})
    assert "graphiql" not in page.text.lower()


def test_internal_errors_are_masked(api_settings: Settings, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    # A real Neo4j failure inside a resolver (the database vanished after start-up): the
    # client learns nothing about the internals.
    broken = api_settings.model_copy()
    with TestClient(create_app(broken)) as client:
        broken.neo4j_database = "no_such_database"
        body = gql(client, keys["investigator"], '{ person(idNumber: "%s", purpose: "test limits") { __typename } }' % WANG)
    assert errors(body) == "Internal error; it has been logged."
    assert "neo4j" not in repr(body).lower() and "database" not in repr(body).lower()


def test_schema_file_matches_the_code() -> None:
    from reliefgraph.settings import PROJECT_ROOT
    from schema.api.build import schema_sdl

    committed = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "regenerate with: reliefgraph schema > schema.graphql"


def test_no_mutation_can_touch_the_audit_trail() -> None:
    schema = build_schema(Settings(profile="development"))
    assert schema.mutation is None or not any(
        "audit" in f.name.lower() for f in schema.mutation.__strawberry_definition__.fields)
