"""The county graph's vocabulary (DOMAIN.md section 6): node labels and relationship types.

Cypher in this project spells labels and types literally inside named query constants;
these enums are the list those constants draw from, and what `stats` and the tests check.
"""

from enum import StrEnum


class Label(StrEnum):
    COUNTY = "County"
    TOWNSHIP = "Township"
    VILLAGE = "Village"
    HOUSEHOLD = "Household"
    PERSON = "Person"
    STAFF = "Staff"  # a second label on the staff member's Person node
    ADDRESS = "Address"
    PHONE = "Phone"
    BANK_ACCOUNT = "BankAccount"
    DEPARTMENT = "Department"
    PROGRAMME = "Programme"
    CASE = "Case"
    CASE_EVENT = "CaseEvent"  # one workflow step: who, when, from which status to which
    ENROLLMENT = "Enrollment"
    PAYMENT = "Payment"
    VISIT = "Visit"
    # verification facts, each with its source department and as-of date
    VEHICLE = "Vehicle"
    PROPERTY = "Property"
    BUSINESS = "Business"
    EMPLOYMENT = "Employment"
    DEPOSIT = "Deposit"
    INCOME = "Income"
    DEATH = "Death"
    DISABILITY = "Disability"
    VULNERABILITY = "Vulnerability"
    # produced by the service itself
    FINDING = "Finding"
    FINDING_EVENT = "FindingEvent"  # one step of a finding's review: who, when, what
    DETECTION_MODEL = "DetectionModel"  # a fitted model detection reuses (identity resolution)
    CREDIT_RECORD = "CreditRecord"  # a dishonesty record (失信记录)
    CREDIT_EVENT = "CreditEvent"  # one step of a record's lifecycle: who, when
    CREDIT_CHANGE = "CreditChange"  # the export change feed: one per change the platform must see, numbered
    SEQUENCE = "Sequence"  # a counter (the change feed's numbers)
    EXPORT_CURSOR = "ExportCursor"  # how far a receiver has acknowledged the change feed
    HONESTY_COMMITMENT = "HonestyCommitment"  # 守信承诺, signed with an application
    PUBLICITY_NOTICE = "PublicityNotice"
    AUDIT_EVENT = "AuditEvent"  # append-only: who read whose personal data, when, why
    EVIDENCE_PACK = "EvidencePack"  # a pack's manifest, its hash in the audit chain (evidence/pack.py)
    CORRECTION = "Correction"  # a later export replaced a single-valued link: old, new, which file, when
    SCHEMA_VERSION = "SchemaVersion"


# Each label's natural key: the property a uniqueness constraint holds (graph/migrations.py)
# and the one loaders, detection's evidence and the linkage views name a node by.
KEY_PROPERTY: dict[Label, str] = {
    Label.COUNTY: "code",
    Label.TOWNSHIP: "code",
    Label.VILLAGE: "code",
    Label.HOUSEHOLD: "household_id",
    Label.PERSON: "id_number",
    Label.STAFF: "staff_id",
    Label.ADDRESS: "key",
    Label.PHONE: "number",
    Label.BANK_ACCOUNT: "number",
    Label.DEPARTMENT: "code",
    Label.PROGRAMME: "code",
    Label.CASE: "case_id",
    Label.ENROLLMENT: "enrollment_id",
    Label.PAYMENT: "payment_id",
    Label.VISIT: "visit_id",
    Label.VEHICLE: "fact_id",
    Label.PROPERTY: "fact_id",
    Label.BUSINESS: "fact_id",
    Label.EMPLOYMENT: "fact_id",
    Label.DEPOSIT: "fact_id",
    Label.INCOME: "fact_id",
    Label.DEATH: "fact_id",
    Label.DISABILITY: "fact_id",
    Label.VULNERABILITY: "fact_id",
    Label.FINDING: "finding_id",
    Label.CREDIT_RECORD: "record_id",
    Label.PUBLICITY_NOTICE: "notice_id",
    Label.EVIDENCE_PACK: "pack_id",
    Label.SCHEMA_VERSION: "key",
}
FACT_LABELS = (
    Label.VEHICLE,
    Label.PROPERTY,
    Label.BUSINESS,
    Label.EMPLOYMENT,
    Label.DEPOSIT,
    Label.INCOME,
    Label.DEATH,
    Label.DISABILITY,
    Label.VULNERABILITY,
)


class Rel(StrEnum):
    IN_COUNTY = "IN_COUNTY"  # Township -> County
    IN_TOWNSHIP = "IN_TOWNSHIP"  # Village -> Township
    IN_VILLAGE = "IN_VILLAGE"  # Household -> Village
    LIVES_AT = "LIVES_AT"  # Household -> Address
    MEMBER_OF = "MEMBER_OF"  # Person -> Household {relation, since, until}
    KIN_OF = "KIN_OF"  # Person -> Person {relation, source}
    FILED_RELATIVE = "FILED_RELATIVE"  # Staff -> Person {relation, filed_date}: the 备案 of a relative
    HAS_PHONE = "HAS_PHONE"  # Person -> Phone {source, as_of}
    HOLDS_ACCOUNT = "HOLDS_ACCOUNT"  # Person -> BankAccount
    REGISTERED_AT = "REGISTERED_AT"  # Person -> Address {kind, source, as_of}
    RUNS = "RUNS"  # Department -> Programme
    WORKS_IN = "WORKS_IN"  # Staff -> Township | Village
    EMPLOYED_BY = "EMPLOYED_BY"  # Staff -> Department
    APPLIED_FOR = "APPLIED_FOR"  # Person -> Case (the applicant)
    FOR_HOUSEHOLD = "FOR_HOUSEHOLD"  # Case -> Household
    FOR_PROGRAMME = "FOR_PROGRAMME"  # Case | Enrollment -> Programme
    HANDLED = "HANDLED"  # Staff -> Case
    REVIEWED = "REVIEWED"  # Staff -> Case
    APPROVED = "APPROVED"  # Staff -> Case
    GRANTED_TO = "GRANTED_TO"  # Enrollment -> Household | Person
    COVERS = "COVERS"  # Enrollment -> Person
    FROM_CASE = "FROM_CASE"  # Enrollment -> Case
    PAYS_INTO = "PAYS_INTO"  # Enrollment -> BankAccount
    FOR_ENROLLMENT = "FOR_ENROLLMENT"  # Payment -> Enrollment
    PAID_TO = "PAID_TO"  # Payment -> BankAccount
    HAS_FACT = "HAS_FACT"  # Person -> verification fact
    REPORTED_BY = "REPORTED_BY"  # verification fact -> Department
    HAS_EVENT = "HAS_EVENT"  # Case -> CaseEvent
    VISITED = "VISITED"  # Visit -> Household
    MADE_VISIT = "MADE_VISIT"  # Staff -> Visit
    EVIDENCE = "EVIDENCE"  # Finding -> any node that proves it {role}
    ABOUT = "ABOUT"  # CreditRecord -> Person (the subject)
    FROM_FINDING = "FROM_FINDING"  # CreditRecord -> Finding
    PACK_OF = "PACK_OF"  # EvidencePack -> Finding
    CONCERNS_CASE = "CONCERNS_CASE"  # CreditRecord -> Case
    HAS_CHANGE = "HAS_CHANGE"  # CreditRecord -> CreditChange
    SIGNED = "SIGNED"  # Person -> HonestyCommitment
    COMMITS_TO = "COMMITS_TO"  # HonestyCommitment -> Case
    CORRECTED = "CORRECTED"  # Case/Enrollment/Payment/Visit/fact -> Correction (a replaced link)
