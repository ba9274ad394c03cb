"""Every root field and mutation of the schema is in access/operations.py, and every entry
exists; then, generated from the schema, every role calls every operation through the real
app and is let in or refused exactly as the table says."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    Undefined,
)
from starlette.routing import Route
from starlette.testclient import TestClient

from access.operations import OPERATIONS, ROUTES, Area, area, route_area
from reliefgraph.app import create_app
from settings import Settings
from tests.access.test_fields import SCHEMA
from tests.api.conftest import PRINCIPALS, gql

# One caller per role.
CALLERS = ("investigator", "caseworker", "coordinator", "partner_mz", "credit_officer", "exporter", "auditor")
SCALARS = {
    "String": "generated 0",
    "Int": 1,
    "Boolean": False,
    "Date": "2026-01-01",
    "Decimal": "1",
    "Float": 1.0,
    "ID": "generated 0",
}


def schema_operations() -> dict[tuple[str, str], GraphQLField]:
    roots = {"Query": SCHEMA.query_type, "Mutation": SCHEMA.mutation_type}
    return {(name, field): f for name, kind in roots.items() for field, f in kind.fields.items()}


def test_every_operation_is_in_the_table_and_every_entry_exists() -> None:
    # Subscriptions too; they are called over websockets (tests/api/test_partners.py), not here.
    subscriptions = {("Subscription", f): field for f, field in SCHEMA.subscription_type.fields.items()}
    operations = schema_operations() | subscriptions
    assert sorted(k for k in operations if k not in OPERATIONS) == []
    assert sorted(k for k in OPERATIONS if k not in operations) == []


def test_an_operation_that_refuses_someone_can_say_forbidden() -> None:
    # A refused call answers with the Forbidden member of its result, where there is one.
    everyone = {p.role for p in PRINCIPALS.values()}
    for key, field in schema_operations().items():
        if everyone - set(OPERATIONS[key].grants):
            kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            assert isinstance(kind, GraphQLUnionType) and "Forbidden" in {t.name for t in kind.types}, key


def test_every_route_in_the_table_is_a_route_of_the_app(settings: Settings) -> None:
    routes = {
        f"{m} {r.path}" for r in create_app(settings).routes if isinstance(r, Route) for m in r.methods or ()
    }
    assert sorted(k for k in ROUTES if k not in routes) == []
    for key, entry in ROUTES.items():
        for name, principal in PRINCIPALS.items():
            assert (route_area(principal, key) is not None) == (principal.role in entry.grants), (key, name)


def test_a_missing_entry_or_code_is_refused() -> None:
    assert area(PRINCIPALS["investigator"], ("Query", "noSuchOperation")) is None
    assert area(PRINCIPALS["coordinator"], ("Query", "household")) == Area("370831100", "370831100001")
    assert area(PRINCIPALS["partner_mz"], ("Query", "person")) == Area(department="MZ")


def value(kind: Any) -> Any:
    """A value of an input type: any will do, the call only has to reach the door."""
    if isinstance(kind, GraphQLNonNull):
        return value(kind.of_type)
    if isinstance(kind, GraphQLList):
        return [value(kind.of_type)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: value(f.type)
            for name, f in kind.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        }
    assert isinstance(kind, GraphQLScalarType)
    return SCALARS[kind.name]


def call(field_name: str, field: GraphQLField, operation: str) -> tuple[str, dict[str, Any]]:
    required = {
        name: a
        for name, a in field.args.items()
        if isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
    }
    declared = ", ".join(f"${name}: {a.type}" for name, a in required.items())
    passed = ", ".join(f"{name}: ${name}" for name in required)
    kind = field.type
    while isinstance(kind, (GraphQLNonNull, GraphQLList)):
        kind = kind.of_type
    selection = "{ __typename }" if isinstance(kind, (GraphQLObjectType, GraphQLUnionType)) else ""
    document = (
        f"{operation}{f'({declared})' if declared else ''} "
        f"{{ {field_name}{f'({passed})' if passed else ''} {selection} }}"
    )
    return document, {name: value(a.type) for name, a in required.items()}


def test_every_role_is_let_in_or_refused_as_the_table_says(
    api_settings: Settings, keys: dict[str, str], county: Any
) -> None:
    # Every operation for every caller, from one address as fast as it goes: the rate
    # limits (tested on their own in tests/api/test_rate_limits.py) would answer 429.
    unlimited = api_settings.model_copy(
        update={"rate_limit_address_per_s": 0, "rate_limit_principal_per_s": 0}
    )
    wrong = []
    with TestClient(create_app(unlimited)) as client:
        for (root, field_name), field in schema_operations().items():
            document, variables = call(field_name, field, root.lower())
            for caller in CALLERS:
                wrong += _checked(client, keys, caller, root, field_name, document, variables)
    assert wrong == []


def _checked(
    client: TestClient,
    keys: dict[str, str],
    caller: str,
    root: str,
    field_name: str,
    document: str,
    variables: dict[str, Any],
) -> list[tuple[str, str, str, Any]]:
    """The call as this caller, if it was let in or refused against the table."""
    body = gql(client, keys[caller], document, variables)
    result = (body.get("data") or {}).get(field_name)
    refused = isinstance(result, dict) and result.get("__typename") == "Forbidden"
    allowed = PRINCIPALS[caller].role in OPERATIONS[(root, field_name)].grants
    wrong = allowed != (not refused) or (allowed and "errors" in body)
    return [(root, field_name, caller, body)] if wrong else []
