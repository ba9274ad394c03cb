"""The role × field matrix: which categories of personal data each role sees, and how.

Applied on the way out, field by field, by the table in access/fields.py (never by the
client). Categories group the fields DOMAIN.md treats alike; masking keeps enough for a
human to recognise a record (the region of an ID number, the last digits of a phone or
account) without disclosing it, and never what another field the same role reads would
complete (access/fields.py: ID_NUMBER_HINTS).
"""

from __future__ import annotations

from enum import StrEnum

from access.categories import DataCategory
from access.principal import Principal, Role


class Access(StrEnum):
    FULL = "full"
    MASKED = "masked"
    DENIED = "denied"


F, M, D = Access.FULL, Access.MASKED, Access.DENIED
C = DataCategory

MATRIX: dict[Role, dict[DataCategory, Access]] = {
    Role.INVESTIGATOR: {c: F for c in DataCategory},
    # Caseworkers read the gaps of their township as findings, never suspicions about a
    # person (a colleague's relative, say) through the person's record.
    Role.CASEWORKER: {c: F for c in DataCategory} | {C.FINDINGS: D},
    # Decides dishonesty records: who the subject is, what they received, their record.
    Role.CREDIT_OFFICER: {c: D for c in DataCategory}
    | {C.BASIC: F, C.IDENTITY: F, C.BENEFITS: F, C.CREDIT: F},
    # Coordinators find people in need (主动发现): they see social-status flags, not health.
    Role.COORDINATOR: {
        C.BASIC: F,
        C.IDENTITY: M,
        C.CONTACT: F,
        C.FINANCIAL: D,
        C.HEALTH: D,
        C.SOCIAL: F,
        C.ASSETS: D,
        C.BENEFITS: F,
        C.CREDIT: D,
        C.FINDINGS: D,
    },
    # Partners match records by ID number; other data only from their own department's
    # programmes and feeds (filtered in the resolvers).
    Role.DEPARTMENT_PARTNER: {
        C.BASIC: F,
        C.IDENTITY: F,
        C.CONTACT: D,
        C.FINANCIAL: D,
        C.HEALTH: D,
        C.SOCIAL: F,
        C.ASSETS: F,
        C.BENEFITS: F,
        C.CREDIT: D,
        C.FINDINGS: D,
    },
    # The credit platform receives decided dishonesty records: whose they are, and the record.
    Role.CREDIT_EXPORTER: {c: D for c in DataCategory} | {C.BASIC: F, C.IDENTITY: F, C.CREDIT: F},
    Role.AUDITOR: {c: D for c in DataCategory},
}

# Who looks persons up (person 360, households); credit officers read subjects through their records.
PERSON_READERS = frozenset({Role.INVESTIGATOR, Role.CASEWORKER, Role.COORDINATOR, Role.DEPARTMENT_PARTNER})


def access(principal: Principal, category: DataCategory) -> Access:
    """The role's level, narrowed by a partner's data-sharing agreement: a category outside it
    is never disclosed, whatever the role reads."""
    if principal.agreement is not None and not principal.agreement.allows(category):
        return Access.DENIED
    return MATRIX[principal.role][category]


def mask_id_number(value: str) -> str:
    """370831************: the region kept; birth date, sequence and check digit hidden.

    Roles that read a masked number read the birth date and sex beside it, which are digits
    7-14 and the parity of digit 17: only hiding the sequence and the check digit too leaves
    hundreds of numbers a reader could not tell apart (tests/access/test_fields.py).
    """
    return value[:6] + "*" * max(0, len(value) - 6)


def mask_phone(value: str) -> str:
    return value[:3] + "*" * max(0, len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_account(value: str) -> str:
    return "*" * max(0, len(value) - 4) + value[-4:]


def mask_name(value: str) -> str:
    """刘*兵, 黄*: publicity style (first and last character kept)."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
