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
    # funds (domain.md §12): from the budget to the bank
    BUDGET_LINE = "BudgetLine"  # a programme's budget for a year (CZ)
    ALLOCATION = "Allocation"  # a township's share of a programme for a month (CZ)
    PAYMENT_LINE = "PaymentLine"  # one line of the payment file sent to the bank (发放清册)
    BANK_RETURN = "BankReturn"  # the bank's answer to one payment-file line (回盘)
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
    SEQUENCE = "Sequence"  # a counter (the change feeds' numbers)
    PARTNER_CHANGE = "PartnerChange"  # partners' change log, numbered (domain/partner_changes.py)
    SUBMISSION = "Submission"  # a partner's submitted file: its receipt (digest, rows, rejects)
    EXPORT_CURSOR = "ExportCursor"  # how far a receiver has acknowledged the change feed
    DEAD_LETTER = "DeadLetter"  # a change the receiver refused: its reason, until re-sent or withdrawn
    EXPORT_BATCH = "ExportBatch"  # one acknowledged batch: sent, accepted, refused, digest (reconciliation)
    HONESTY_COMMITMENT = "HonestyCommitment"  # 守信承诺, signed with an application
    PUBLICITY_NOTICE = "PublicityNotice"
    REPORT = "Report"  # a report or complaint (投诉举报), from staff intake or the public form
    REPORT_EVENT = "ReportEvent"  # one step of a report's triage
    INVESTIGATION = "Investigation"  # a case file (核查案卷) grouping findings and reports
    INVESTIGATION_EVENT = "InvestigationEvent"  # every change of a case file: who, when, what
    NOTE = "Note"  # append-only, authored and timestamped
    ATTACHMENT = "Attachment"  # a file's SHA-256, type and size; the content is stored outside the graph
    NOTIFICATION = "Notification"  # an assignee's inbox entry, and its mail delivery
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
    Label.BUDGET_LINE: "budget_id",
    Label.ALLOCATION: "allocation_id",
    Label.PAYMENT_LINE: "line_id",
    Label.BANK_RETURN: "line_id",
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
    Label.PARTNER_CHANGE: "seq",
    Label.SUBMISSION: "receipt_id",
    Label.REPORT: "report_id",
    Label.INVESTIGATION: "investigation_id",
    Label.NOTE: "note_id",
    Label.ATTACHMENT: "attachment_id",
    Label.NOTIFICATION: "notification_id",
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
    FOR_CHANGE = "FOR_CHANGE"  # DeadLetter -> CreditChange
    SIGNED = "SIGNED"  # Person -> HonestyCommitment
    COMMITS_TO = "COMMITS_TO"  # HonestyCommitment -> Case
    BUDGETED_FOR = "BUDGETED_FOR"  # BudgetLine | Allocation -> Programme
    ALLOCATED_TO = "ALLOCATED_TO"  # Allocation -> Township
    LINE_FOR = "LINE_FOR"  # PaymentLine -> Household | Person (the grantee the line names)
    LINE_OF_GRANT = "LINE_OF_GRANT"  # PaymentLine -> Enrollment (where the line names one the graph holds)
    NAMES_ACCOUNT = "NAMES_ACCOUNT"  # PaymentLine -> BankAccount (the account the file asks to credit)
    RETURN_OF = "RETURN_OF"  # BankReturn -> PaymentLine
    CREDITED_TO = "CREDITED_TO"  # BankReturn -> BankAccount (the account the bank credited)
    NAMES = "NAMES"  # Report -> Person | Household | Village: whom the report is about
    CONCERNS = "CONCERNS"  # Report -> Finding: linked at triage
    IN_INVESTIGATION = "IN_INVESTIGATION"  # Finding | Report -> Investigation
    HAS_NOTE = "HAS_NOTE"  # Investigation -> Note
    HAS_ATTACHMENT = "HAS_ATTACHMENT"  # Investigation -> Attachment
    CORRECTED = "CORRECTED"  # Case/Enrollment/Payment/Visit/fact -> Correction (a replaced link)
