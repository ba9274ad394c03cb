"""Person 360's types: the person, their households over time, identifiers, facts, benefits.

What a caller may see of them is decided in schema/person_view.py (which records at all)
and on the way out by access/fields.py (which fields).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

import strawberry


@strawberry.enum
class Category(Enum):
    BASIC = "basic"
    IDENTITY = "identity"
    CONTACT = "contact"
    FINANCIAL = "financial"
    HEALTH = "health"
    SOCIAL = "social"
    ASSETS = "assets"
    BENEFITS = "benefits"
    CREDIT = "credit"
    FINDINGS = "findings"


@strawberry.type
class HouseholdMember:
    id_number: str | None
    name: str
    sex: str | None
    birth_date: date | None
    relation: str | None
    since: date | None
    until: date | None


@strawberry.type
class Membership:
    household_id: str
    village_code: str | None
    township_code: str | None
    address: str | None
    relation: str | None
    since: date | None
    until: date | None
    members: list[HouseholdMember]


@strawberry.type
class PhoneNumber:
    number: str
    source: str | None
    as_of: date | None


@strawberry.type
class RegisteredAddress:
    address: str
    kind: str | None
    source: str | None
    as_of: date | None


@strawberry.type
class BankAccount:
    number: str
    bank: str | None


@strawberry.type
class FactDetail:
    name: str
    value: str


@strawberry.type
class VerificationFact:
    kind: str
    record_id: str | None
    source: str | None
    as_of: date | None
    details: list[FactDetail]


@strawberry.type
class Relative:
    id_number: str | None
    name: str | None
    relation: str
    direction: str  # "of" (this person is <relation> of them) or "to"
    kinship: str = strawberry.field(
        description="what the relative is to this person (grandchild where this person is their grandparent)"
    )


@strawberry.type
class Payment:
    payment_id: str
    period: str
    amount: Decimal
    paid_date: date | None
    account: str | None
    event_cause: str | None
    event_date: date | None


@strawberry.type
class Enrollment:
    enrollment_id: str
    programme: str
    programme_name: str | None
    department: str | None
    unit: str | None
    grantee: str | None
    start_date: date | None
    end_date: date | None
    monthly_amount: Decimal | None
    covered: list[str]
    payments: list[Payment]


@strawberry.type
class Case:
    case_id: str
    programme: str | None
    department: str | None
    status: str | None
    channel: str | None
    submitted_date: date | None
    decided_date: date | None
    commitment_signed: bool | None
    applicant: str | None
    handled_by: list[str]
    reviewed_by: list[str]
    approved_by: list[str]


@strawberry.type
class PersonCreditRecord:
    record_id: str
    status: str
    behaviour: str
    severity: str
    decision_number: str | None
    decision_date: date | None
    publicity_start: date | None
    publicity_end: date | None
    source_agency: str | None = strawberry.field(
        description="set for a record another agency published on the credit platform (external)"
    )
    restriction_end: date | None = None


@strawberry.type
class PersonFinding:
    finding_id: str
    kind: str
    status: str
    score: float


@strawberry.type
class Person:
    id_number: str | None
    document_type: str | None
    name: str
    sex: str | None
    birth_date: date | None
    staff_role: str | None
    withheld: list[Category]
    memberships: list[Membership]
    phones: list[PhoneNumber] | None
    addresses: list[RegisteredAddress] | None
    bank_accounts: list[BankAccount] | None
    facts: list[VerificationFact] | None
    relatives: list[Relative] | None
    enrollments: list[Enrollment] | None
    cases: list[Case] | None
    credit_records: list[PersonCreditRecord] | None = strawberry.field(
        description="dishonesty records (decided and later); null where your role may not see credit"
    )
    findings: list[PersonFinding] | None = strawberry.field(
        description="findings naming this person; investigators only"
    )


@strawberry.type
class Visit:
    visit_id: str
    visit_date: date | None
    staff_id: str | None
    note: str | None


@strawberry.type
class Household:
    household_id: str
    village_code: str | None
    township_code: str | None
    address: str | None
    registered_date: date | None
    withheld: list[Category]
    members: list[HouseholdMember]
    enrollments: list[Enrollment] | None
    cases: list[Case] | None
    visits: list[Visit]
