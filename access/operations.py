"""Who may call what, and over which area: every root field and mutation of the API, once.

OPERATIONS lists each operation with the roles that may call it and, per role, the area
it reaches. It is applied in one place, before any resolver runs (schema/operation_access.py);
tests/access/test_operations.py reads the schema: an operation missing here fails the test,
and every role is called against every operation as the table says.

The area of a call becomes Cypher parameters (Area.params), read by constant predicates
(HOUSEHOLD_IN_AREA, PERSON_IN_AREA) and by Area.holds in Python: one definition for both.
Row-level masking stays with access/fields.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from access.agreements import Agreement
from access.policy import Access, DataCategory, access
from access.principal import Principal, Role


class Scope(StrEnum):
    COUNTY = "county"  # the whole county, or no area at all (reference data, a feed, an ID number check)
    TOWNSHIP = "township"  # the caller's own township and its villages
    VILLAGE = "village"  # the caller's own village
    MANDATE = "mandate"  # a partner department's own programmes and feeds, wherever the persons live
    # A partner's data-sharing agreement: its department's mandate, narrowed to the agreement's
    # programmes, data categories and purposes, within its term (access/agreements.py).
    AGREEMENT = "agreement"


@dataclass(frozen=True)
class Operation:
    grants: dict[Role, Scope]  # the roles that may call it, each with the area it reaches
    refused: str = "your role may not read this"  # the Forbidden message for every other role
    # Keyless: anyone, without a principal (the public disclosure); what it may show is fixed
    # by its own field table (jobs/publication.PUBLISHED), not by a role.
    public: bool = False


@dataclass(frozen=True)
class Area:
    """Where one call may reach: None for no limit on that level."""

    township: str | None = None
    village: str | None = None
    department: str | None = None  # set for a mandate: only this department's programmes and feeds
    agreement: Agreement | None = None  # set for Scope.AGREEMENT: its programmes, categories, purposes

    def params(self) -> dict[str, Any]:
        return {
            "scope_township": self.township,
            "scope_village": self.village,
            "scope_department": self.department,
        }

    def holds(self, township_code: str | None, village_code: str | None) -> bool:
        """Is a record of this township and village inside? HOUSEHOLD_IN_AREA, in Python."""
        return (self.township is None or township_code == self.township) and (
            self.village is None or village_code == self.village
        )

    def covers(self, area_code: str) -> bool:
        """Is a region code (county 6, township 9, village 12 digits) inside?"""
        prefix = self.village or self.township
        return prefix is None or (area_code.startswith(prefix) and len(area_code) >= len(prefix))


# The household h is inside the call's area (the same test as Area.holds).
HOUSEHOLD_IN_AREA = """(($scope_township IS NULL OR h.township_code = $scope_township)
  AND ($scope_village IS NULL OR h.village_code = $scope_village))"""

# The person p is inside the call's area: a member of a household inside it, or, for a
# mandate, in the department's programmes (their own grant or their household's) or feeds.
PERSON_IN_AREA = (
    """(CASE WHEN $scope_department IS NULL
  THEN $scope_township IS NULL
    OR EXISTS { (p)-[:MEMBER_OF]->(h:Household) WHERE """
    + HOUSEHOLD_IN_AREA
    + """ }
  ELSE EXISTS { (p)-[:HAS_FACT]->(f) WHERE f.source = $scope_department }
    OR EXISTS { (e:Enrollment)-[:COVERS|GRANTED_TO]->(p)
                WHERE EXISTS { (e)-[:FOR_PROGRAMME]->(:Programme {department_code: $scope_department}) } }
    OR EXISTS { (e:Enrollment)-[:GRANTED_TO]->(:Household)<-[:MEMBER_OF]-(p)
                WHERE EXISTS { (e)-[:FOR_PROGRAMME]->(:Programme {department_code: $scope_department}) } }
  END)"""
)


IV, CW, CO = Role.INVESTIGATOR, Role.CASEWORKER, Role.COORDINATOR
DP, CR, EX, AU = Role.DEPARTMENT_PARTNER, Role.CREDIT_OFFICER, Role.CREDIT_EXPORTER, Role.AUDITOR
EVERYONE = {role: Scope.COUNTY for role in Role}
# Persons by area: the county, the own township, the own village.
LOCAL = {IV: Scope.COUNTY, CW: Scope.TOWNSHIP, CO: Scope.VILLAGE}
CASE_READERS = LOCAL | {DP: Scope.MANDATE}
FINDINGS = Operation(
    {IV: Scope.COUNTY, CW: Scope.TOWNSHIP},
    "findings are for investigators (and caseworkers, for coverage gaps)",
)
INVESTIGATOR = {IV: Scope.COUNTY}
CASEWORK = Operation({CW: Scope.TOWNSHIP}, "only caseworkers of the township run the case workflow")
CREDIT_DECISION = Operation(
    {CR: Scope.COUNTY}, "only civil affairs' credit officers decide dishonesty records"
)
REVIEW = Operation(INVESTIGATOR, "only investigators review findings")
REPORTS = Operation(INVESTIGATOR, "reports and complaints are triaged by investigators")
CASE_FILES = Operation(INVESTIGATOR, "investigations are for investigators")
PUBLICITY = Operation(LOCAL | {CR: Scope.COUNTY}, "you post publicity for your own township or village")

PARTNER_FEED = Operation({DP: Scope.MANDATE}, "the partners' change feed is for partner departments")

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("Query", "me"): Operation(EVERYONE),
    ("Query", "person"): Operation(CASE_READERS),
    ("Query", "household"): Operation(
        LOCAL, "your role does not read households (departments look persons up by ID number)"
    ),
    ("Query", "searchPersons"): Operation(LOCAL, "your role looks persons up by ID number only"),
    ("Query", "linkage"): Operation(INVESTIGATOR, "linkage is for investigators"),
    ("Query", "paths"): Operation(INVESTIGATOR, "linkage is for investigators"),
    ("Query", "auditEvents"): Operation({AU: Scope.COUNTY}, "only auditors read the audit trail"),
    ("Query", "case"): Operation(CASE_READERS, "your role does not read cases"),
    ("Query", "cases"): Operation(CASE_READERS, "your role does not read cases"),
    ("Query", "findings"): FINDINGS,
    ("Query", "findingSummary"): FINDINGS,
    ("Query", "finding"): FINDINGS,
    # The monthly report's figures (定期通报): counts per township, no one named.
    ("Query", "townshipPerformance"): Operation(
        {IV: Scope.COUNTY, CW: Scope.TOWNSHIP}, "township performance is for investigators and caseworkers"
    ),
    # Staff-level inaction (慢作为) names colleagues: investigators only.
    ("Query", "staffInaction"): Operation(INVESTIGATOR, "staff-level inaction is for investigators only"),
    ("Query", "activeDiscovery"): Operation(
        LOCAL, "the active-discovery list is for coordinators, caseworkers and investigators"
    ),
    ("Query", "dishonestyRecord"): Operation(
        {CR: Scope.COUNTY, IV: Scope.COUNTY},
        "dishonesty records are read by credit officers and investigators",
    ),
    # Joint restriction is checked by ID number wherever the person lives (一处失信、处处受限).
    ("Query", "restrictionStatus"): Operation(
        {role: Scope.COUNTY for role in (DP, CW, IV, CR)}, "your role does not check restrictions"
    ),
    # A partner's applicants checked in bulk, under its data-sharing agreement only.
    ("Query", "verifyPersons"): Operation(
        {DP: Scope.AGREEMENT}, "batch verification is for partner departments under a data-sharing agreement"
    ),
    ("Query", "creditChanges"): Operation({EX: Scope.COUNTY}, "the change feed is for credit-export jobs"),
    # Record ids and the platform's reasons, no names: the officers who resolve them, auditors.
    ("Query", "creditDeadLetters"): Operation(
        {CR: Scope.COUNTY, AU: Scope.COUNTY}, "dead letters are for credit officers and auditors"
    ),
    ("Query", "publicityList"): PUBLICITY,
    ("Query", "dishonestyPublicity"): PUBLICITY,
    ("Query", "departments"): Operation(EVERYONE),  # public reference data
    ("Query", "programmes"): Operation(EVERYONE),
    ("Query", "staff"): Operation(LOCAL, "your role does not list staff"),
    # Partners: what changed about the persons of their mandate, and their submissions' receipts.
    ("Query", "partnerChanges"): PARTNER_FEED,
    ("Subscription", "partnerChangesLive"): PARTNER_FEED,
    ("Query", "partnerSubmission"): Operation(
        {DP: Scope.MANDATE}, "receipts are read by the partner department that submitted the file"
    ),
    ("Mutation", "submitApplication"): CASEWORK,
    ("Mutation", "recordHomeInvestigation"): CASEWORK,
    ("Mutation", "reviewCase"): CASEWORK,
    ("Mutation", "recordObjection"): CASEWORK,
    ("Mutation", "countersignCase"): CASEWORK,
    ("Mutation", "decideCase"): CASEWORK,
    ("Mutation", "suspendCase"): CASEWORK,
    ("Mutation", "resumeCase"): CASEWORK,
    ("Mutation", "terminateCase"): CASEWORK,
    # The green channel (先行救助): the township's caseworkers grant; the reserve it draws on is
    # read by coordinators (village), caseworkers and auditors: county figures, no one's data.
    ("Mutation", "grantUrgentAssistance"): CASEWORK,
    ("Query", "temporaryAssistanceReserve"): Operation(
        {CO: Scope.COUNTY, CW: Scope.COUNTY, AU: Scope.COUNTY, IV: Scope.COUNTY},
        "the reserve's balance is for coordinators, caseworkers, investigators and auditors",
    ),
    ("Mutation", "overrideRestriction"): Operation(
        {CR: Scope.COUNTY}, "only credit officers of civil affairs override a joint restriction"
    ),
    ("Mutation", "recordVisit"): Operation(
        {CW: Scope.TOWNSHIP, CO: Scope.VILLAGE}, "visits are recorded by caseworkers and coordinators"
    ),
    ("Mutation", "assignFinding"): REVIEW,
    ("Mutation", "confirmFinding"): REVIEW,
    ("Mutation", "dismissFinding"): REVIEW,
    ("Mutation", "draftDishonestyRecord"): Operation(
        INVESTIGATOR, "investigators draft dishonesty records from the findings they confirmed"
    ),
    # Reports and complaints: taken by investigators and township caseworkers (the hotline,
    # letters, visits); read and triaged by investigators only (they may be about staff).
    ("Mutation", "recordReport"): Operation(
        {IV: Scope.COUNTY, CW: Scope.TOWNSHIP}, "reports are taken by investigators and caseworkers"
    ),
    ("Query", "reports"): REPORTS,
    ("Query", "report"): REPORTS,
    ("Mutation", "assignReport"): REPORTS,
    ("Mutation", "linkReport"): REPORTS,
    ("Mutation", "rejectReport"): REPORTS,
    ("Query", "investigations"): CASE_FILES,
    ("Query", "investigation"): CASE_FILES,
    ("Mutation", "openInvestigation"): CASE_FILES,
    ("Mutation", "addToInvestigation"): CASE_FILES,
    ("Mutation", "addInvestigationNote"): CASE_FILES,
    ("Mutation", "handOverInvestigation"): CASE_FILES,
    ("Mutation", "moveInvestigation"): CASE_FILES,
    ("Mutation", "referInvestigation"): CASE_FILES,
    ("Mutation", "closeInvestigation"): CASE_FILES,
    # Everyone's own inbox: the recipient is the caller.
    ("Query", "inbox"): Operation(EVERYONE),
    ("Mutation", "markNotificationsRead"): Operation(EVERYONE),
    ("Mutation", "decideDishonestyRecord"): CREDIT_DECISION,
    ("Mutation", "publishDishonestyRecord"): CREDIT_DECISION,
    ("Mutation", "repairDishonestyRecord"): CREDIT_DECISION,
    ("Mutation", "correctDishonestyRecord"): CREDIT_DECISION,
    # Due process and its remedies: the credit officers who decide.
    ("Mutation", "notifyDishonestySubject"): CREDIT_DECISION,
    ("Mutation", "recordDefence"): CREDIT_DECISION,
    ("Mutation", "recordCreditObjection"): CREDIT_DECISION,
    ("Mutation", "resolveCreditObjection"): CREDIT_DECISION,
    ("Mutation", "revokeDishonestyRecord"): CREDIT_DECISION,
    ("Mutation", "withdrawCreditDeadLetter"): CREDIT_DECISION,
}


# HTTP routes outside GraphQL that act for a principal, by method and path as routed.
EVIDENCE_PACK_ROUTE = "GET /evidence/finding/{finding_id}.pdf"
PUBLIC_INDEX_ROUTE = "GET /public/"
PUBLIC_FILE_ROUTE = "GET /public/{name}"
PUBLIC_DISCLOSURE = Operation(EVERYONE, public=True)
ROUTES: dict[str, Operation] = {
    "POST /feeds/{feed}": Operation(
        {DP: Scope.MANDATE},
        "only partner departments submit feeds here; the county's operator loads with reliefgraph load",
    ),
    "GET /feeds/receipts/{receipt_id}/rejects.csv": Operation(
        {DP: Scope.MANDATE}, "rejects are read by the partner department that submitted the file"
    ),
    # The credit platform pushes records other agencies published (credit/external.py): its
    # key is the export's, the platform's one link with the county, both ways.
    "POST /credit/inbound": Operation(
        {EX: Scope.COUNTY}, "only the credit platform's key pushes external dishonesty records"
    ),
    "POST /investigations/{investigation_id}/attachments": CASE_FILES,
    "GET /attachments/{attachment_id}": CASE_FILES,
    # A pack of a confirmed finding, for the body that acts on it; auditors read it masked as
    # their role reads personal data (not at all), to check what was handed out.
    EVIDENCE_PACK_ROUTE: Operation(
        {IV: Scope.COUNTY, AU: Scope.COUNTY}, "evidence packs are made by investigators and auditors"
    ),
    # The public disclosure (资金使用公开, 公示): `reliefgraph publish`'s files, for the county's
    # website, when the settings enable it (reliefgraph/public_pages.py).
    PUBLIC_INDEX_ROUTE: PUBLIC_DISCLOSURE,
    PUBLIC_FILE_ROUTE: PUBLIC_DISCLOSURE,
}


EVERY_CATEGORY = frozenset(c.value for c in DataCategory)
AUDIT_TRAIL = "audit trail"  # an auditor's read of the trail itself: whose data was read, and why

# What each audited read may disclose, by the operation its events name. An event records
# these, less what the caller's role may not read (access/policy.py), less what the resolver
# did not show (a person 360 names only what its view disclosed; a finding, what its kind's
# explanation names): callers never type categories themselves.
AUDITED: dict[str, frozenset[str]] = {
    "person": EVERY_CATEGORY,
    "household": EVERY_CATEGORY,
    "searchPersons": frozenset({"basic", "identity"}),
    "linkage": frozenset({"basic", "identity", "contact", "financial", "benefits"}),
    "paths": frozenset({"basic", "identity", "contact", "financial", "benefits"}),
    "case": frozenset({"benefits"}),
    "cases": frozenset({"benefits"}),
    "activeDiscovery": frozenset({"basic", "identity", "social", "assets", "health"}),
    "findings": EVERY_CATEGORY,
    "finding": EVERY_CATEGORY,
    "findingEvidence": EVERY_CATEGORY,
    "evidencePack": EVERY_CATEGORY,
    "dishonestyRecord": frozenset({"basic", "identity", "credit", "benefits"}),
    "restrictionStatus": frozenset({"credit"}),
    "verifyPersons": frozenset({"identity", "basic", "benefits", "credit"}),
    "creditChanges": frozenset({"identity", "credit"}),
    "publicity": frozenset({"basic", "benefits"}),
    "dishonestyPublicity": frozenset({"basic", "identity", "credit"}),
    "auditEvents": frozenset({AUDIT_TRAIL}),
    # A death, a grant, a move, a restriction, a changed fact, of an ID number (no values).
    "partnerChanges": frozenset({"basic", "identity", "benefits", "credit", "assets", "financial", "social"}),
    # The rejected rows of a partner's own file, as it sent them.
    "submissionRejects": EVERY_CATEGORY,
    # A report names persons and tells what they are said to have done; a case file holds
    # findings of every kind, and its attachments may show anything.
    "reports": frozenset({"basic", "identity", "findings"}),
    "report": frozenset({"basic", "identity", "findings"}),
    "investigation": EVERY_CATEGORY,
    "attachment": EVERY_CATEGORY,
}


def audit_categories(
    principal: Principal, operation: str, disclosed: Iterable[str] | None = None
) -> list[str]:
    """The categories an audited read's events record (AUDITED); an operation missing there
    raises KeyError, so no read goes unaudited by mistake."""
    wanted = AUDITED[operation] if disclosed is None else AUDITED[operation] & set(disclosed)
    readable = {c.value for c in DataCategory if access(principal, c) is not Access.DENIED} | {AUDIT_TRAIL}
    return sorted(wanted & readable)


def route_area(principal: Principal, route: str) -> Area | None:
    """As `area`, for an HTTP route of ROUTES (a route missing there: refused)."""
    return _reach(principal, ROUTES.get(route))


def area(principal: Principal, operation: tuple[str, str]) -> Area | None:
    """Where this principal's call of the operation reaches; None when their role may not call it
    (an operation missing from the table included: fail closed)."""
    return _reach(principal, OPERATIONS.get(operation))


def _reach(principal: Principal, entry: Operation | None) -> Area | None:
    scope = entry.grants.get(principal.role) if entry else None
    if scope is Scope.COUNTY:
        return Area()
    # A missing code would widen the area to the county: refused instead.
    if scope is Scope.TOWNSHIP and principal.township_code:
        return Area(township=principal.township_code)
    if scope is Scope.VILLAGE and principal.village_code:
        return Area(township=principal.township_code, village=principal.village_code)
    if scope is Scope.MANDATE and principal.department:
        return Area(department=principal.department)
    # Without an agreement there is nothing to reach: refused (the key's holder is told why).
    if scope is Scope.AGREEMENT and principal.agreement is not None:
        return Area(department=principal.agreement.department, agreement=principal.agreement)
    return None
