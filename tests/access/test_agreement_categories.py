"""No data category outside a partner's agreement ever leaves: generated from the field table
(access/fields.py) and from agreements covering each subset of the categories a partner's
role reads less one, every classified field is checked for a principal bound to each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from access.agreements import Agreement
from access.fields import FIELDS, Shape, disclose, fact_category
from access.policy import MATRIX, Access, DataCategory
from access.principal import Principal, Role

READ_BY_PARTNERS = sorted(
    c for c, level in MATRIX[Role.DEPARTMENT_PARTNER].items() if level is not Access.DENIED
)


def agreement(categories: set[DataCategory]) -> Agreement:
    return Agreement(
        agreement_id="AGR-GENERATED",
        department="JT",
        programmes=("EDU",),
        categories=frozenset(categories),
        purposes=("EDU_AID_ELIGIBILITY",),
        valid_from=date(2026, 1, 1),
        valid_until=date(2028, 12, 31),
        signatories=("a", "b"),
        document="generated",
    )


# The partner's categories less each one in turn, and only identity (the narrowest agreement).
AGREEMENTS = [agreement(set(READ_BY_PARTNERS) - {c}) for c in READ_BY_PARTNERS] + [
    agreement({DataCategory.IDENTITY})
]


@dataclass
class Fact:
    kind: str
    details: list[object]


FACTS = [Fact(kind, []) for kind in ("Death", "Disability", "Vulnerability", "Deposit", "Vehicle")]


@pytest.mark.parametrize("bound", AGREEMENTS, ids=lambda a: "+".join(sorted(c.value for c in a.categories)))
def test_no_field_discloses_a_category_outside_the_agreement(bound: Agreement) -> None:
    principal = Principal("jt-client", Role.DEPARTMENT_PARTNER, department="JT", agreement=bound)
    leaked = []
    for key, rule in FIELDS.items():
        if rule.shape is Shape.FACTS:
            shown = disclose(rule, principal, FACTS, nullable=True, is_list=True)
            leaked += [(key, f.kind) for f in shown if fact_category(f.kind) not in bound.categories]
            continue
        value = ["370831195111020237"] if rule.shape is Shape.FLAGS else "370831195111020237"
        outside = not set(rule.categories) <= bound.categories
        if outside and disclose(rule, principal, value, nullable=True, is_list=False) is not None:
            leaked.append((key, rule.categories))
    assert leaked == []


def test_the_generated_agreements_do_withhold_something() -> None:
    # Each agreement but the full one leaves out a category some classified field discloses.
    for bound in AGREEMENTS:
        assert any(not set(rule.categories) <= bound.categories for rule in FIELDS.values())
