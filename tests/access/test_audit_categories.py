"""Audit categories come from the access table, not from the callers: every audited read the
API records names an operation of access/operations.AUDITED, and no role's events ever claim
a category its role may not read (or miss one it may)."""

from __future__ import annotations

import re

import pytest

from access.operations import AUDIT_TRAIL, AUDITED, audit_categories
from access.policy import Access, DataCategory, access
from access.principal import Principal, Role
from settings import PROJECT_ROOT

# The operation each record_reads call names: its third positional argument.
CALL = re.compile(
    r"record_reads\(\s*(?:[^,()]|\([^()]*\)|\[[^\]]*\])+,\s*(?:[^,()]|\([^()]*\))+,\s*\"(\w+)\""
)


def recorded_operations() -> set[str]:
    found: set[str] = set()
    for path in (PROJECT_ROOT / "schema").glob("*.py"):
        found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_audited_read_in_the_api_is_in_the_access_table() -> None:
    named = recorded_operations()
    assert len(named) >= 15  # the pattern still reads the calls
    assert sorted(named - set(AUDITED)) == []


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", sorted(AUDITED))
def test_a_role_records_what_it_may_read_of_what_the_operation_discloses(role: Role, operation: str) -> None:
    principal = Principal(
        "someone", role, department="MZ", township_code="370831100", village_code="370831100001"
    )
    readable = {c.value for c in DataCategory if access(principal, c) is not Access.DENIED} | {AUDIT_TRAIL}
    assert audit_categories(principal, operation) == sorted(AUDITED[operation] & readable)
    # A resolver can narrow the categories to what it showed, never widen them.
    assert audit_categories(principal, operation, disclosed=["basic", "made up"]) == sorted(
        {"basic"} & AUDITED[operation] & readable
    )


def test_an_operation_missing_from_the_table_is_never_recorded_silently() -> None:
    with pytest.raises(KeyError):
        audit_categories(Principal("someone", Role.INVESTIGATOR), "somethingNew")
