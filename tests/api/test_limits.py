"""Hostile queries: each abuse limit refuses them."""

from __future__ import annotations

from starlette.testclient import TestClient

from reliefgraph.app import create_app
from schema.build import build_schema
from settings import Settings
from tests.api.conftest import gql
from tests.loaders.mini_county import WANG


def errors(body: dict) -> str:
    return " ".join(e["message"] for e in body.get("errors", []))


def test_deep_query_is_refused(api_settings: Settings, keys: dict[str, str], county) -> None:  # type: ignore[no-untyped-def]
    # The schema has no cycles yet, so no query is deeper than 5; a low limit shows the
    # limiter is wired in and refuses before anything runs.
    shallow = api_settings.model_copy(update={"max_query_depth": 2})
    query = (
        '{ person(idNumber: "%s", purpose: "test limits") '
        "{ ... on Person { enrollments { payments { amount } } } } }" % WANG
    )
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
    roomy = api_settings.model_copy(
        update={"max_body_bytes": 1_000_000}
    )  # the body limit must not fire first
    query = "{ me { " + " ".join(["role"] * (api_settings.max_tokens + 10)) + " } }"
    with TestClient(create_app(roomy)) as client:
        body = gql(client, keys["investigator"], query)
    assert "token" in errors(body).lower() and body.get("data") is None


def test_oversized_body_is_413(client: TestClient, keys: dict[str, str]) -> None:
    padding = "#" + "x" * 20_000 + "\n"
    response = client.post(
        "/graphql",
        json={"query": padding + "{ me { role } }"},
        headers={"authorization": f"Bearer {keys['investigator']}"},
    )
    assert response.status_code == 413


def test_oversized_body_without_content_length_is_413(client: TestClient, keys: dict[str, str]) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 1024

    response = client.post(
        "/graphql",
        content=chunks(),
        headers={"authorization": f"Bearer {keys['investigator']}", "content-type": "application/json"},
    )
    assert response.status_code == 413


def test_page_size_is_capped(client: TestClient, keys: dict[str, str], api_settings: Settings) -> None:
    query = (
        '{ searchPersons(name: "王", purpose: "test limits", first: %d) { __typename '
        "... on InvalidInput { field } } }"
    )
    body = gql(client, keys["investigator"], query % (api_settings.max_page_size + 1))
    assert body["data"]["searchPersons"] == {"__typename": "InvalidInput", "field": "first/after"}


def test_introspection_and_suggestions_are_off_in_production(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = gql(client, keys["investigator"], "{ __schema { types { name } } }")
    assert body.get("data") is None and "introspection" in errors(body).lower()
    body = gql(client, keys["investigator"], "{ mee { role } }")
    assert "Did you mean" not in errors(body)


def test_development_profile_allows_introspection_and_graphiql(
    api_settings: Settings, keys: dict[str, str], county
) -> None:  # type: ignore[no-untyped-def]
    dev = api_settings.model_copy(update={"profile": "development"})
    with TestClient(create_app(dev)) as client:
        body = gql(client, keys["investigator"], "{ __schema { queryType { name } } }")
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"
        page = client.get(
            "/graphql", headers={"accept": "text/html", "authorization": f"Bearer {keys['investigator']}"}
        )
        assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_graphiql_is_not_served_in_production(client: TestClient, keys: dict[str, str]) -> None:
    page = client.get(
        "/graphql", headers={"accept": "text/html", "authorization": f"Bearer {keys['investigator']}"}
    )
    assert "graphiql" not in page.text.lower()


def test_internal_errors_are_masked(api_settings: Settings, keys: dict[str, str], county, settings) -> None:  # type: ignore[no-untyped-def]
    # A real Neo4j failure inside a resolver (the database vanished after start-up): the
    # client learns nothing about the internals.
    broken = api_settings.model_copy()
    with TestClient(create_app(broken)) as client:
        broken.neo4j_database = "no_such_database"
        body = gql(
            client,
            keys["investigator"],
            '{ person(idNumber: "%s", purpose: "test limits") { __typename } }' % WANG,
        )
    assert errors(body) == "Internal error; it has been logged."
    assert "neo4j" not in repr(body).lower() and "database" not in repr(body).lower()


def test_schema_file_matches_the_code() -> None:
    from schema.build import schema_sdl
    from settings import PROJECT_ROOT

    committed = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "regenerate with: reliefgraph schema > schema.graphql"


def test_no_mutation_can_touch_the_audit_trail() -> None:
    schema = build_schema(Settings(profile="development"))
    assert schema.mutation is None or not any(
        "audit" in f.name.lower() for f in schema.mutation.__strawberry_definition__.fields
    )


def _fan_out(levels: int, width: int) -> str:
    """The probe's query: each fragment spreads the next `width` times, `levels` deep."""
    fragments = [f"fragment L{i} on Query {{ {' '.join([f'...L{i + 1}'] * width)} }}" for i in range(levels)]
    return "query { ...L0 } " + " ".join(fragments) + f" fragment L{levels} on Query {{ me {{ subject }} }}"


def test_fragment_fan_out_is_refused_while_the_server_serves_others(
    api_settings: Settings, keys: dict[str, str], county
) -> None:  # type: ignore[no-untyped-def]
    # The 735-byte query that froze the server (10^8 expanded fields): refused by the
    # budget, and /healthz is answered meanwhile. With an exponential check the hostile
    # request and every request behind it would outlast the client timeout.
    from concurrent.futures import ThreadPoolExecutor

    import httpx2 as httpx

    from tests.serving import Served

    served = Served(create_app(api_settings))
    hostile = {"query": _fan_out(8, 10)}
    assert len(hostile["query"]) < 800
    auth = {"authorization": f"Bearer {keys['investigator']}", "accept": "application/json"}
    try:
        with httpx.Client(base_url=served.base_url, timeout=20) as http, ThreadPoolExecutor(6) as pool:
            refused = pool.submit(http.post, "/graphql", json=hostile, headers=auth)
            health = [pool.submit(http.get, "/healthz") for _ in range(5)]
            assert all(h.result().status_code == 200 for h in health)
            body = refused.result().json()
    finally:
        served.stop()
    assert body.get("data") is None and "fields once fragments are expanded" in errors(body)


def test_budget_counts_fragments_once_but_limits_their_expansion(
    client: TestClient, keys: dict[str, str], api_settings: Settings
) -> None:
    # A chain of 100 fragments each spreading the next twice: 2^100 fields expanded.
    chain = "query { ...F0 } " + " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(100)
    )
    body = gql(client, keys["investigator"], chain + " fragment F100 on Query { me { role } }")
    assert body.get("data") is None and "fields once fragments are expanded" in errors(body)
    # Aliases hidden in a spread fragment count once per spread.
    per_spread = api_settings.max_aliases // 2 + 1
    aliased = (
        "query { ...A ...A } fragment A on Query { "
        + " ".join(f"a{i}: me {{ role }}" for i in range(per_spread))
        + " }"
    )
    assert "aliases found" in errors(gql(client, keys["investigator"], aliased))
    # An honest query with fragments still runs.
    fine = gql(client, keys["investigator"], "query { ...M } fragment M on Query { me { role } }")
    assert fine["data"]["me"]["role"] == "investigator"


def test_repeated_and_wide_selections_are_refused_before_validation(
    api_settings: Settings, keys: dict[str, str], county
) -> None:  # type: ignore[no-untyped-def]
    # The standard overlap rule compares every pair of fields answering to one name at one place:
    # each shape below is counted with fragments expanded and equal names merged.
    repeats = api_settings.max_repeats + 1
    shapes = {
        "plain": "{ " + " ".join(["me { subject }"] * repeats) + " }",
        "inline fragments": "{ " + " ".join(["... on Query { me { subject } }"] * repeats) + " }",
        "fragment spreads": "query { ...A ...B } fragment A on Query { me { subject } } "
        "fragment B on Query { " + " ".join(["me { role }"] * (repeats - 1)) + " }",
        "nested, merged": "{ " + " ".join(["me { subject subject }"] * (repeats // 2 + 1)) + " }",
        "same alias": "{ " + " ".join(["x: me { subject }"] * repeats) + " }",
    }
    with TestClient(create_app(api_settings)) as client:
        for shape, query in shapes.items():
            body = gql(client, keys["auditor"], query)
            assert body.get("data") is None and "times in one selection set" in errors(body), shape
    wide = api_settings.model_copy(update={"max_selections": 10, "max_repeats": 100})
    with TestClient(create_app(wide)) as client:
        body = gql(client, keys["auditor"], "{ me { " + " ".join(["subject"] * 11) + " } }")
        assert "selects 11 fields in one selection set" in errors(body)
        assert gql(client, keys["auditor"], "{ me { " + " ".join(["subject"] * 10) + " } }")["data"]["me"]
