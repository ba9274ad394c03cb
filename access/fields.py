"""Who sees what, per field: every API field that can carry a person's identity or data,
classified once, here, and applied in one place on the way out (schema/field_policy.py).

A field is listed in FIELDS with the data categories it discloses (its access is the most
restrictive of their levels in policy.MATRIX) and its shape (how it is masked), or in
NOT_PERSONAL with the reason it carries no one's personal data. tests/access/test_fields.py
reads the schema: a field whose name suggests personal data and that is in neither table
fails the test until it is classified.

Row-level decisions stay with the records' owners: a partner's mandate (which members and
kin it may see at all), jurisdictions, and role-gated queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from access.policy import Access, DataCategory, access, mask_account, mask_id_number, mask_phone
from access.principal import Principal

C = DataCategory
# Graph views and finding explanations: for roles that read every category of personal data.
ALL = tuple(c for c in DataCategory if c is not DataCategory.FINDINGS)
ORDER = {Access.DENIED: 0, Access.MASKED: 1, Access.FULL: 2}

HEALTH_KINDS = frozenset({"severe_mental_illness", "two_cancers", "cleft_or_cerebral_palsy"})
SOCIAL_FLAGS = frozenset({"orphan", "child_in_distress", "registered_poverty", "disaster_victim"})


class Shape(StrEnum):
    PLAIN = "plain"  # shown, or withheld as a whole
    ID_NUMBER = "id number"  # masked: region kept; other keys (a household id) pass unchanged
    PHONE = "phone"  # masked: first three and last four digits
    ACCOUNT = "account"  # masked: last four digits
    FLAGS = "flags"  # vulnerability flags: health ones become "health" where health data is not readable
    FACTS = "facts"  # verification facts: each kept only where its own category is readable


class Withheld(Exception):
    """A non-null field the caller's role may not read (fails closed, as a GraphQL error)."""


@dataclass(frozen=True)
class Rule:
    categories: tuple[DataCategory, ...]
    shape: Shape = Shape.PLAIN

    def level(self, principal: Principal) -> Access:
        return min((access(principal, c) for c in self.categories), key=ORDER.__getitem__)


def _rule(*categories: DataCategory, shape: Shape = Shape.PLAIN) -> Rule:
    return Rule(tuple(categories), shape)


ID, BASIC = _rule(C.IDENTITY, shape=Shape.ID_NUMBER), _rule(C.BASIC)

FIELDS: dict[tuple[str, str], Rule] = {
    # The person 360 and its parts.
    ("Person", "idNumber"): ID,
    ("Person", "name"): BASIC,
    ("Person", "sex"): BASIC,
    ("Person", "birthDate"): BASIC,
    ("Person", "phones"): _rule(C.CONTACT),
    ("Person", "addresses"): _rule(C.CONTACT),
    ("Person", "bankAccounts"): _rule(C.FINANCIAL),
    ("Person", "facts"): _rule(C.BASIC, shape=Shape.FACTS),
    ("Person", "relatives"): BASIC,
    ("Person", "memberships"): BASIC,
    ("Person", "enrollments"): _rule(C.BENEFITS),
    ("Person", "cases"): _rule(C.BENEFITS),
    ("Person", "creditRecords"): _rule(C.CREDIT),
    ("Person", "findings"): _rule(C.FINDINGS),
    ("PhoneNumber", "number"): _rule(C.CONTACT, shape=Shape.PHONE),
    ("RegisteredAddress", "address"): _rule(C.CONTACT),
    ("BankAccount", "number"): _rule(C.FINANCIAL, shape=Shape.ACCOUNT),
    ("Relative", "idNumber"): ID,
    ("Relative", "name"): BASIC,
    ("HouseholdMember", "idNumber"): ID,
    ("HouseholdMember", "name"): BASIC,
    ("HouseholdMember", "sex"): BASIC,
    ("HouseholdMember", "birthDate"): BASIC,
    ("Membership", "address"): _rule(C.CONTACT),
    ("Membership", "members"): BASIC,
    ("Household", "address"): _rule(C.CONTACT),
    ("Household", "members"): BASIC,
    ("Household", "enrollments"): _rule(C.BENEFITS),
    ("Household", "cases"): _rule(C.BENEFITS),
    ("Household", "visits"): _rule(C.BENEFITS),
    ("Visit", "note"): _rule(C.BENEFITS),
    ("Enrollment", "grantee"): ID,
    ("Enrollment", "covered"): ID,
    ("Payment", "account"): _rule(C.FINANCIAL, shape=Shape.ACCOUNT),
    ("Case", "applicant"): ID,
    # Search hits and the active-discovery list.
    ("PersonSummary", "idNumber"): ID,
    ("PersonSummary", "name"): BASIC,
    ("PersonSummary", "sex"): BASIC,
    ("PersonSummary", "birthDate"): BASIC,
    ("DiscoveryCandidate", "idNumber"): ID,
    ("DiscoveryCandidate", "name"): BASIC,
    ("DiscoveryCandidate", "flags"): _rule(C.SOCIAL, shape=Shape.FLAGS),
    # Being under the income line is what puts a person on the list: social status, which
    # coordinators read to help them apply (their role reads no other income or asset data).
    ("DiscoveryCandidate", "incomePerCapita"): _rule(C.SOCIAL),
    # Credit: the subject of a dishonesty record, for those who decide or receive it.
    ("DishonestyRecord", "idNumber"): ID,
    ("DishonestyRecord", "subjectName"): _rule(C.BASIC, C.CREDIT),
    ("DishonestyRecord", "facts"): _rule(C.CREDIT),
    ("DishonestyRecord", "recoveryAmount"): _rule(C.CREDIT),
    ("DishonestyRecord", "defenceStatement"): _rule(C.CREDIT),
    ("DishonestyRecord", "defenceResponse"): _rule(C.CREDIT),
    ("DishonestyRecord", "objectionGrounds"): _rule(C.CREDIT),
    ("DishonestyRecord", "revocationReason"): _rule(C.CREDIT),
    ("CreditChange", "idNumber"): _rule(C.IDENTITY, C.CREDIT),
    ("CreditChange", "subjectName"): _rule(C.BASIC, C.CREDIT),
    ("CreditChange", "facts"): _rule(C.CREDIT),
    # Partners' change feed: whom a change is about.
    ("PartnerChange", "idNumber"): ID,
    # Batch verification under a data-sharing agreement (schema/verification.py).
    ("PersonVerification", "idNumber"): ID,
    ("PersonVerification", "basicAssistance"): _rule(C.BENEFITS),
    ("PersonVerification", "enrollments"): _rule(C.BENEFITS),
    ("PersonVerification", "householdSize"): BASIC,
    # Free text staff write about a household or a person.
    ("CaseRecord", "reason"): _rule(C.BENEFITS),
    ("CaseRecord", "recoveryAmount"): _rule(C.BENEFITS),
    ("CaseEvent", "note"): _rule(C.BENEFITS),
    ("CreditEvent", "note"): _rule(C.CREDIT),
    # Findings, their explanations and evidence, and the investigators' graph views name
    # persons with every kind of data: for roles that read everything.
    ("Finding", "explanation"): _rule(*ALL),
    ("Finding", "details"): _rule(*ALL),
    ("Finding", "confirmedFacts"): _rule(*ALL),
    ("Finding", "reason"): _rule(*ALL),
    ("FindingEvent", "note"): _rule(*ALL),
    ("GraphNode", "key"): _rule(*ALL),
    ("GraphNode", "label"): _rule(*ALL),
    ("GraphNode", "properties"): _rule(*ALL),
    ("GraphEdge", "properties"): _rule(*ALL),
    ("Linkage", "center"): _rule(*ALL),
    # Reports and case files: free text about persons and what they are said to have done,
    # for investigators (the only role that reads them, access/operations.py).
    ("Report", "summary"): _rule(*ALL),
    ("Report", "namedText"): _rule(*ALL),
    ("Report", "reporterContact"): _rule(C.CONTACT),
    ("Report", "rejectReason"): _rule(*ALL),
    ("ReportEvent", "note"): _rule(*ALL),
    ("NamedSubject", "key"): ID,
    ("NamedSubject", "name"): BASIC,
    ("Investigation", "findings"): _rule(C.FINDINGS),
    ("Investigation", "notes"): _rule(*ALL),
    ("InvestigationReport", "summary"): _rule(*ALL),
    ("InvestigationEvent", "note"): _rule(*ALL),
    ("Note", "text"): _rule(*ALL),
    ("Attachment", "filename"): _rule(*ALL),
}

# Fields whose names look personal but carry no one's personal data, or only what the law
# makes public, or only the acting official's own identity: each with its reason.
OFFICIAL = "a staff member acting in office: their id or name is part of the record"
LABEL = "a name of a programme, department, region or field, not of a person"
COUNT = "a count per township or staff member (detection/performance.py), naming no one"
NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("Me", "subject"): "the caller's own identity",
    ("Me", "operations"): "what the caller's role may call, from the access table",
    ("PersonSummary", "handle"): "opaque: the ID number encrypted for this caller alone (access/handles.py)",
    ("AuditEvent", "subject"): OFFICIAL,
    (
        "AuditEvent",
        "personIdNumber",
    ): "the audit trail: whose data was read, for auditors only (a role-gated query)",
    ("Case", "handledBy"): OFFICIAL,
    ("Case", "reviewedBy"): OFFICIAL,
    ("Case", "approvedBy"): OFFICIAL,
    ("CaseEvent", "by"): OFFICIAL,
    ("FindingEvent", "by"): OFFICIAL,
    ("CreditEvent", "by"): OFFICIAL,
    ("CreditDeadLetter", "withdrawnBy"): OFFICIAL,
    ("CreditDeadLetter", "reason"): "the credit platform's reason for refusing a change, about its format "
    "or catalogue; the letter names the record by id only",
    ("CreditDeadLetter", "withdrawalReason"): "the credit officer's reason for withdrawing a refused change",
    ("DishonestyRecord", "noticeServedBy"): "how a notice was served: in person, by post or by publication",
    # External records (credit/external.py): which agency published one, and the platform's key.
    ("DishonestyRecord", "sourceAgency"): "the public authority that published an external record",
    ("DishonestyRecord", "sourceRecordKey"): "the credit platform's key of a record, naming no one",
    ("PublicCreditRecord", "sourceAgency"): "the public authority that published an external record",
    ("PersonCreditRecord", "sourceAgency"): "the public authority that published an external record",
    ("FastTrack", "explanation"): "the fast-track rule applied to a household: dates and the programme, "
    "naming no one and no record",
    ("Finding", "assignee"): OFFICIAL,
    ("Visit", "staffId"): OFFICIAL,
    ("Report", "assignee"): OFFICIAL,
    ("Report", "receivedBy"): OFFICIAL,
    ("ReportEvent", "by"): OFFICIAL,
    ("Investigation", "openedBy"): OFFICIAL,
    ("InvestigationEvent", "by"): OFFICIAL,
    ("Attachment", "uploadedBy"): OFFICIAL,
    ("Note", "noteId"): "a random id",
    ("ConflictOfInterest", "reason"): "a code of why the step was refused, naming no one",
    ("Staff", "staffId"): OFFICIAL,
    ("Staff", "name"): OFFICIAL,
    (
        "PublicityEntry",
        "name",
    ): "published (公示): masked by the publicity rule before it leaves resolvers/publicity.py",
    ("DishonestyNotice", "name"): "published dishonesty list: identity as the publicity setting decides "
    "(dishonesty_publicity_identity), applied in schema/credit.py",
    ("DishonestyNotice", "idNumber"): "published dishonesty list: as the publicity setting decides",
    ("Enrollment", "programmeName"): LABEL,
    ("PublicityEntry", "programmeName"): LABEL,
    ("Department", "name"): LABEL,
    ("Programme", "name"): LABEL,
    ("PublicityList", "areaName"): LABEL,
    ("StaffingGap", "name"): LABEL,
    ("TownshipMonthFigures", "townshipName"): LABEL,
    ("StaffInaction", "holder"): OFFICIAL,
    ("StaffInaction", "findings"): COUNT,
    **{
        ("TownshipMonthFigures", name): COUNT
        for name in (
            "findingsOpened",
            "findingsOverdue",
            "findingsResolved",
            "recoveryRecords",
            "visits",
            "visitsDue",
            "visitsDueMade",
        )
    },
    ("VillageGapCount", "villageName"): LABEL,
    ("FactDetail", "name"): LABEL,
    ("FactDetail", "value"): "a detail of a verification fact, shown only inside a fact its category allows",
    ("Property", "name"): LABEL,
    ("Property", "value"): "a property of a graph node or edge, shown only inside one (classified above)",
    ("PublicityEntry", "reason"): "the published reason for a decision",
    ("SubmissionReceipt", "fileName"): "the name the submitting department gave its own file",
    ("SubmissionReceipt", "submittedBy"): "the submitting department's own client, as its key names it",
    ("DiscoveryCandidate", "incomeLine"): "the published dibao line, not anyone's income",
    (
        "VerificationFact",
        "details",
    ): "inside a verification fact, which Person.facts keeps only where the fact's "
    "own category is readable (Shape.FACTS)",
    ("PersonVerification", "given"): "the caller's own input, echoed so each answer matches its line",
    (
        "PersonVerification",
        "restricted",
    ): "the joint-restriction answer restrictionStatus gives every department (一处失信、处处受限); "
    "in a batch only where the agreement names credit (schema/verification.py)",
    (
        "RestrictionStatus",
        "records",
    ): "published restriction records of an ID number the caller already holds; "
    "they carry no name or ID number",
}


# The county snapshot for the province (province/snapshot.py, docs/province.md): the one way
# out that is a file, not an API field. Each column is classified like a field, by table and
# column: a Rule for a column that carries a person's data (its shape is how another county's
# finding shows it: an external reference masks it so), or the reason it carries none. A
# snapshot holding a column not listed here is refused when read, and a test checks that the
# export writes none.
_KEY = "a record's key in its county's register (a household, enrollment, payment or fact id)"
_CODE = "a county, township or village code, or a programme code"
SNAPSHOT_FIELDS: dict[tuple[str, str], Rule | str] = {
    **{
        (table, "county"): _CODE
        for table in (
            "persons",
            "households",
            "memberships",
            "enrollments",
            "payments",
            "deaths",
            "phones",
            "accounts",
            "addresses",
        )
    },
    ("persons", "person"): ID,
    ("persons", "name"): BASIC,
    ("persons", "birth_date"): BASIC,
    ("persons", "sex"): BASIC,
    ("households", "household"): _KEY,
    ("households", "township"): _CODE,
    ("households", "village"): _CODE,
    ("memberships", "person"): ID,
    ("memberships", "household"): _KEY,
    ("memberships", "since"): BASIC,
    ("memberships", "until"): BASIC,
    ("enrollments", "enrollment"): _KEY,
    ("enrollments", "programme"): _CODE,
    ("enrollments", "start_date"): _rule(C.BENEFITS),
    ("enrollments", "end_date"): _rule(C.BENEFITS),
    ("enrollments", "household"): _KEY,
    ("enrollments", "grantee"): ID,
    ("enrollments", "covered"): ID,
    ("payments", "payment"): _KEY,
    ("payments", "enrollment"): _KEY,
    ("payments", "period"): _rule(C.BENEFITS),
    ("payments", "amount_fen"): _rule(C.BENEFITS),
    ("deaths", "fact"): _KEY,
    ("deaths", "person"): ID,
    ("deaths", "death_date"): BASIC,
    ("deaths", "source"): LABEL,
    ("phones", "person"): ID,
    ("phones", "number"): _rule(C.CONTACT, shape=Shape.PHONE),
    ("accounts", "person"): ID,
    ("accounts", "number"): _rule(C.FINANCIAL, shape=Shape.ACCOUNT),
    ("addresses", "household"): _KEY,
    ("addresses", "person"): ID,
    ("addresses", "address"): _rule(C.CONTACT),
}
# What another county's evidence is, by its node label, as an external reference shows it.
EXTERNAL_REFERENCE_SHAPES: dict[str, Shape] = {
    "Person": Shape.ID_NUMBER,
    "Phone": Shape.PHONE,
    "BankAccount": Shape.ACCOUNT,
}


def mask_external(label: str, key: str) -> str:
    """Another county's evidence key as a finding written back holds it (masked per its shape)."""
    shape = EXTERNAL_REFERENCE_SHAPES.get(label, Shape.PLAIN)
    if shape is Shape.ID_NUMBER and len(key) in (15, 18) and key[:17].isdigit():
        return mask_id_number(key)
    if shape is Shape.PHONE:
        return mask_phone(key)
    if shape is Shape.ACCOUNT:
        return mask_account(key)
    return key


class IdHint(StrEnum):
    """What a field tells of its person's ID number (GB 11643: region 1-6, birth date 7-14,
    sequence 15-17 with the sex in the last one's parity, check digit 18)."""

    BIRTH_DATE = "birth date"
    SEX = "sex"


# Every field that gives away part of an ID number, so that no role that reads a masked
# number can complete it from what it reads beside it (tests/access/test_fields.py finds
# such fields by name in the schema, and fails on one missing here).
ID_NUMBER_HINTS: dict[tuple[str, str], IdHint] = {
    (kind, field): hint
    for kind in ("Person", "HouseholdMember", "PersonSummary")
    for field, hint in (("birthDate", IdHint.BIRTH_DATE), ("sex", IdHint.SEX))
}
# Fewer numbers than this consistent with what a role reads, and a mask could be undone by
# trying each (every look-up is audited and rate-limited, but a hundred is already a search).
MIN_ID_CANDIDATES = 100
_SAMPLE_ID = "370831195111020237"


def id_candidates(principal: Principal) -> int:
    """How many 18-digit ID numbers fit what this principal may read of one person: the
    masked number's kept digits, and every hint field its role reads. The region counts as
    known (a household's village gives it away); a full read gives exactly one."""
    if access(principal, C.IDENTITY) is Access.FULL:
        return 1
    masked = mask_id_number(_SAMPLE_ID)
    known = {i for i, ch in enumerate(masked) if ch != "*"} | set(range(6))
    hints = {hint for key, hint in ID_NUMBER_HINTS.items() if FIELDS[key].level(principal) is Access.FULL}
    if IdHint.BIRTH_DATE in hints:
        known |= set(range(6, 14))
    count = 1
    for position in range(17):
        if position not in known:
            count *= 5 if position == 16 and IdHint.SEX in hints else 10
    # The check digit is a function of the other seventeen: known, it removes one unknown.
    return max(1, count // 10) if 17 in known else count


def fact_category(kind: str | None, detail_kind: str | None = None) -> DataCategory:
    """A verification fact's category, by its label (and a vulnerability's kind)."""
    if kind == "Death":
        return C.BASIC
    if kind == "Disability" or (kind == "Vulnerability" and detail_kind in HEALTH_KINDS):
        return C.HEALTH
    if kind == "Vulnerability":
        return C.SOCIAL
    if kind == "Deposit":
        return C.FINANCIAL
    return C.ASSETS


def _mask(shape: Shape, value: Any, principal: Principal) -> Any:
    if isinstance(value, list):
        return [_mask(shape, v, principal) for v in value]
    if not isinstance(value, str):
        return value
    if shape is Shape.ID_NUMBER:
        looks_like_id = len(value) in (15, 18) and value[:17].isdigit()
        return mask_id_number(value) if looks_like_id else value
    if shape is Shape.PHONE:
        return mask_phone(value)
    if shape is Shape.ACCOUNT:
        return mask_account(value)
    return value


def _fact_detail(fact: Any, name: str) -> str | None:
    return next((d.value for d in getattr(fact, "details", []) if d.name == name), None)


def disclose(rule: Rule, principal: Principal, value: Any, *, nullable: bool, is_list: bool) -> Any:
    """The value as this principal may see it: whole, masked, or withheld (None, or an empty
    list; a non-null single value raises Withheld)."""
    if value is None:
        return None
    if rule.shape is Shape.FACTS:
        return [
            f
            for f in value
            if access(principal, fact_category(getattr(f, "kind", None), _fact_detail(f, "kind")))
            is not Access.DENIED
        ]
    if rule.shape is Shape.FLAGS:
        if rule.level(principal) is Access.DENIED:  # an agreement without social data, say
            return None if nullable else []
        health = access(principal, C.HEALTH) is not Access.DENIED
        return sorted({f if f in SOCIAL_FLAGS or health else "health" for f in value})
    level = rule.level(principal)
    if level is Access.FULL:
        return value
    if level is Access.MASKED and rule.shape is not Shape.PLAIN:
        return _mask(rule.shape, value, principal)
    if nullable:
        return None
    if is_list:
        return []
    raise Withheld("your role may not read this field")
