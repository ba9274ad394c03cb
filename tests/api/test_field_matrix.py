"""The role × field matrix end to end, generated from access/fields.py and the schema: for
every role that reads persons, a person 360 and a household selecting *every* field the
schema offers (the selection is generated, not written) come back exactly as the table
says — withheld where the role may not read, masked where it may read masked — and no full
ID number, phone or account is anywhere in a response where that category is not fully
readable, whatever field it came through."""

from __future__ import annotations

import json
import re

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLUnionType
from starlette.testclient import TestClient

from access.fields import FIELDS, Shape
from access.policy import Access, DataCategory, access
from tests.access.test_fields import SCHEMA
from tests.api.conftest import PRINCIPALS, gql
from tests.loaders.mini_county import ACCOUNT_WANG, WANG, ZHAO


def selection(kind: object, depth: int = 0) -> str:
    """Every field of a type, recursively (objects, lists, unions), arguments left at defaults."""
    while isinstance(kind, (GraphQLNonNull, GraphQLList)):
        kind = kind.of_type
    if isinstance(kind, GraphQLUnionType):
        return (
            "{ __typename "
            + " ".join(f"... on {t.name} {selection(t, depth + 1)}" for t in kind.types)
            + " }"
        )
    if not isinstance(kind, GraphQLObjectType):
        return ""
    parts = ["__typename"]
    for name, field in kind.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is None for a in field.args.values()):
            continue  # needs an argument the generated query cannot guess
        inner = selection(field.type, depth + 1) if depth < 6 else ""
        target = field.type
        while isinstance(target, (GraphQLNonNull, GraphQLList)):
            target = target.of_type
        if isinstance(target, (GraphQLObjectType, GraphQLUnionType)) and not inner:
            continue
        parts.append(f"{name} {inner}".strip())
    return "{ " + " ".join(parts) + " }"


QUERY = (
    'query($id: String!, $h: String!) { person(idNumber: $id, purpose: "matrix test") '
    + selection(SCHEMA.query_type.fields["person"].type)
    + ' household(householdId: $h, purpose: "matrix test") '
    + selection(SCHEMA.query_type.fields["household"].type)
    + " }"
)

ID_NUMBER = re.compile(r"(?<![0-9*])\d{17}[\dX](?![0-9])")
PHONE = re.compile(r"(?<![0-9*])1[3-9]\d{9}(?![0-9])")


def walk(value: object, type_name: str | None = None):  # type: ignore[no-untyped-def]
    """(type, field, value) for every field of every object in a response."""
    if isinstance(value, list):
        for item in value:
            yield from walk(item, type_name)
    elif isinstance(value, dict):
        here = value.get("__typename", type_name)
        for field, item in value.items():
            if field != "__typename":
                yield here, field, item
                yield from walk(item, here)


@pytest.mark.parametrize(
    ("role", "subject"),
    [
        ("investigator", WANG),
        ("caseworker", WANG),
        ("coordinator", WANG),
        ("partner_mz", WANG),
        ("partner_jt", ZHAO),
    ],
)
def test_every_field_of_the_360_comes_back_as_the_table_says(
    client: TestClient, keys: dict[str, str], role: str, subject: str
) -> None:
    household = gql(
        client,
        keys["investigator"],
        'query($id: String!) { person(idNumber: $id, purpose: "matrix test") '
        "{ ... on Person { memberships { householdId } } } }",
        {"id": subject},
    )
    hid = household["data"]["person"]["memberships"][0]["householdId"]
    body = gql(client, keys[role], QUERY, {"id": subject, "h": hid})
    assert "errors" not in body, body["errors"]
    principal = PRINCIPALS[role]
    seen = 0
    for type_name, field, value in walk(body["data"]):
        rule = FIELDS.get((type_name, field))
        if rule is None or value is None:
            continue
        seen += 1
        level = rule.level(principal)
        if level is Access.DENIED or (level is Access.MASKED and rule.shape is Shape.PLAIN):
            assert value in ([], None), (type_name, field, value)
        if level is not Access.FULL and rule.shape in (Shape.ID_NUMBER, Shape.PHONE, Shape.ACCOUNT):
            for text in value if isinstance(value, list) else [value]:
                assert "*" in text or not ID_NUMBER.fullmatch(text), (type_name, field, text)
        if level is Access.MASKED and rule.shape is Shape.ID_NUMBER:
            # Beside a birth date and sex the same role reads, nothing past the region.
            for text in value if isinstance(value, list) else [value]:
                assert len(text) not in (15, 18) or set(text[6:]) == {"*"}, (type_name, field, text)
    assert seen > 10
    text = json.dumps(body, ensure_ascii=False)
    # Whatever field it came through, classified or not: no full identifier a role may not read.
    if access(principal, DataCategory.IDENTITY) is not Access.FULL:
        assert ID_NUMBER.findall(text) == []
    if access(principal, DataCategory.CONTACT) is not Access.FULL:
        assert PHONE.findall(text) == []
    if access(principal, DataCategory.FINANCIAL) is not Access.FULL:
        assert ACCOUNT_WANG not in text
