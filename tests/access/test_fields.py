"""Every field of the schema whose name suggests personal data is classified in
access/fields.py (FIELDS or NOT_PERSONAL), and every classified field exists: a new field
returning an ID number fails here until someone decides who may see it. The same table,
end to end, per role: tests/api/test_field_matrix.py."""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType

from access.fields import FIELDS, ID_NUMBER_HINTS, MIN_ID_CANDIDATES, NOT_PERSONAL, Shape, id_candidates
from access.policy import MATRIX, Access, DataCategory, access, mask_id_number
from access.principal import Principal, Role
from schema.build import build_schema
from settings import Settings

SCHEMA = build_schema(Settings(profile="development"))._schema
# Names that may carry a person's identity or data (a field matching none is not personal
# by its name; the response-wide scans below catch one that is anyway).
PERSONAL = re.compile(
    r"(?i)(idnumber|name$|^sex$|birth|phone|account|address|grantee|covered|applicant|subject|"
    r"holder|members|relatives|memberships|^facts$|flags|^key$|^label$|^value$|properties|"
    r"explanation|details|^by$|By$|assignee|staffid|note|reason|^number$|records|findings|"
    r"enrollments|cases|visits|center|income|confirmedfacts|recoveryamount)"
)


def schema_fields() -> dict[tuple[str, str], object]:
    out = {}
    for name, kind in SCHEMA.type_map.items():
        if name.startswith("__") or not isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType)):
            continue
        if name in ("Query", "Mutation"):
            continue
        out.update({(name, field): f for field, f in kind.fields.items()})
    return out


def test_every_personal_field_is_classified_and_every_classified_field_exists() -> None:
    fields = schema_fields()
    unclassified = sorted(
        k for k in fields if PERSONAL.search(k[1]) and k not in FIELDS and k not in NOT_PERSONAL
    )
    assert unclassified == []
    assert sorted(k for k in [*FIELDS, *NOT_PERSONAL] if k not in fields) == []
    assert set(FIELDS) & set(NOT_PERSONAL) == set()


def test_a_masked_level_always_has_a_mask() -> None:
    # A category a role reads masked, on a field with no mask shape, is withheld (fail
    # closed); that is allowed, but the identity fields must really be masked, not dropped.
    for key, rule in FIELDS.items():
        if rule.categories == (DataCategory.IDENTITY,):
            assert rule.shape is Shape.ID_NUMBER, key


# Names of fields that give away digits of their person's ID number.
ID_HINT = re.compile(r"(?i)(birth|born|^sex$|gender|^age$)")


def test_every_field_that_tells_part_of_an_id_number_is_a_hint_and_classified() -> None:
    fields = schema_fields()
    assert sorted(k for k in fields if ID_HINT.search(k[1]) and k not in ID_NUMBER_HINTS) == []
    assert sorted(k for k in ID_NUMBER_HINTS if k not in fields or k not in FIELDS) == []


@pytest.mark.parametrize("role", list(MATRIX))
def test_no_role_can_complete_a_masked_id_number_from_what_it_reads_beside_it(role: Role) -> None:
    principal = Principal(
        "someone", role, department="MZ", township_code="370831100", village_code="370831100001"
    )
    if access(principal, DataCategory.IDENTITY) is Access.FULL:
        assert id_candidates(principal) == 1
    else:
        assert id_candidates(principal) >= MIN_ID_CANDIDATES, role


@pytest.mark.parametrize("number", ["370831195111020237", "37083119511102023X", "370831511102023"])
def test_the_id_mask_keeps_the_region_alone(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == len(number) and masked[:6] == number[:6] and set(masked[6:]) == {"*"}
