"""Person 360 built from one fetched record, for one caller.

What a role may not see of a field, or may see only masked, is decided on the way out by
access/fields.py (null, with the category named in ``withheld``); here only which records a
caller may see at all (a partner's mandate and its department's own programmes and feeds)
and what the audit event records.
"""

from __future__ import annotations

from typing import Any, overload

from access.fields import fact_category
from access.operations import Area
from access.policy import Access, DataCategory, access
from access.principal import Principal
from credit.shape import build
from domain.money import to_yuan
from schema.people import (
    BankAccount,
    Case,
    Category,
    Enrollment,
    FactDetail,
    Household,
    HouseholdMember,
    Membership,
    Payment,
    Person,
    PersonCreditRecord,
    PersonFinding,
    PhoneNumber,
    RegisteredAddress,
    Relative,
    VerificationFact,
    Visit,
)
from schema.values import to_date

FACT_HIDDEN_KEYS = {
    "fact_id",
    "record_id",
    "id_number",
    "source",
    "as_of",
    "label",
    "source_file",
    "source_line",
}


# A KIN_OF edge (a)-[relation]->(b) says a is <relation> of b; seen from a, b is the inverse.
INVERSE_KIN = {
    "parent": "child",
    "child": "parent",
    "grandparent": "grandchild",
    "grandchild": "grandparent",
}


class PersonView:
    """Applies one principal's policy to fetched records."""

    def __init__(self, principal: Principal, area: Area) -> None:
        self.principal = principal
        self.department = area.department  # a mandate's department: only its programmes' records
        self.disclosed: set[DataCategory] = set()  # what the audit event records
        self.shown: set[str] = set()  # every person whose ID number or name the response carries
        # A partner sees the persons its mandate covers (set per record), no other member or kin.
        self.mandate: set[str] | None = None

    def allowed(self, category: DataCategory) -> Access:
        level = access(self.principal, category)
        if level is not Access.DENIED:
            self.disclosed.add(category)
        return level

    @overload
    def id_number(self, value: str) -> str: ...
    @overload
    def id_number(self, value: str | None) -> str | None: ...

    def id_number(self, value: str | None) -> str | None:
        if value is not None:
            self.shown.add(value)
            self.allowed(DataCategory.IDENTITY)
        return value

    def _own(self, department: str | None) -> bool:
        return self.department is None or department == self.department

    def _mandate_of(self, subject: str, record: dict[str, Any]) -> set[str] | None:
        """For a mandate: the subject and the persons its own programmes' grants and cases name."""
        if self.department is None:
            return None
        persons = {subject}
        for e in record.get("enrollments", []):
            if self._own(e["department_code"]):
                persons.update(e["covered"])
                persons.update([e["grantee_person"]] if e.get("grantee_person") else [])
        persons.update(
            c["applicant"]
            for c in record.get("cases", [])
            if self._own(c["department_code"]) and c.get("applicant")
        )
        return persons

    def _in_mandate(self, id_number: str | None) -> bool:
        return self.mandate is None or id_number in self.mandate

    def person(self, record: dict[str, Any]) -> Person:
        p = record["person"]
        self.shown.add(p["id_number"])
        self.mandate = self._mandate_of(p["id_number"], record)
        for category in (
            DataCategory.BASIC,
            DataCategory.CONTACT,
            DataCategory.FINANCIAL,
            DataCategory.BENEFITS,
            DataCategory.CREDIT,
        ):
            self.allowed(category)
        memberships = [self._membership(m) for m in record["memberships"]]
        phones = [
            PhoneNumber(number=x["number"], source=x["source"], as_of=to_date(x["as_of"]))
            for x in record["phones"]
        ]
        addresses = [
            RegisteredAddress(
                address=x["address"], kind=x["kind"], source=x["source"], as_of=to_date(x["as_of"])
            )
            for x in record["addresses"]
        ]
        accounts = [BankAccount(number=x["number"], bank=x["bank"]) for x in record["accounts"]]
        return Person(
            id_number=self.id_number(p["id_number"]),
            document_type=p.get("document_type"),
            name=p["name"],
            sex=p.get("sex"),
            birth_date=to_date(p.get("birth_date")),
            staff_role=p.get("staff_role"),
            memberships=memberships,
            phones=phones,
            addresses=addresses,
            bank_accounts=accounts,
            facts=self._facts(record["facts"]),
            relatives=[
                Relative(
                    id_number=self.id_number(k["id_number"]),
                    name=k["name"],
                    relation=k["relation"],
                    direction="of" if k["outgoing"] else "to",
                    kinship=INVERSE_KIN.get(k["relation"], k["relation"]) if k["outgoing"] else k["relation"],
                )
                for k in record["kin"]
                if self._in_mandate(k["id_number"])
            ],
            enrollments=self._enrollments(record),
            cases=self._cases(record),
            credit_records=self._credit(record.get("credit_records", [])),
            findings=[
                PersonFinding(
                    finding_id=f["finding_id"], kind=f["kind"], status=f["status"], score=f["score"]
                )
                for f in {x["finding_id"]: x for x in record.get("findings", [])}.values()
            ],
            # Every category the role may not see, whether or not this person has such data:
            # listing only the ones present would itself disclose that they exist.
            withheld=[Category(c.value) for c in DataCategory if access(self.principal, c) is Access.DENIED],
        )

    def _credit(self, records: list[dict[str, Any]]) -> list[PersonCreditRecord]:
        return [build(PersonCreditRecord, r) for r in records]

    def household(self, record: dict[str, Any]) -> Household:
        h = record["household"]
        for category in (
            DataCategory.BASIC,
            DataCategory.CONTACT,
            DataCategory.FINANCIAL,
            DataCategory.BENEFITS,
        ):
            self.allowed(category)
        return Household(
            household_id=h["household_id"],
            village_code=h.get("village_code"),
            township_code=h.get("township_code"),
            address=h.get("address"),
            registered_date=to_date(h.get("registered_date")),
            withheld=[Category(c.value) for c in DataCategory if access(self.principal, c) is Access.DENIED],
            members=self._members(record["members"]),
            enrollments=self._enrollments(record),
            cases=self._cases(record),
            visits=[
                Visit(
                    visit_id=v["visit_id"],
                    visit_date=to_date(v.get("visit_date")),
                    staff_id=v.get("staff_id"),
                    note=v.get("note"),
                )
                for v in sorted(record["visits"], key=lambda v: str(v.get("visit_date")))
            ],
        )

    def _enrollments(self, record: dict[str, Any]) -> list[Enrollment]:
        return [self._enrollment(e) for e in record["enrollments"] if self._own(e["department_code"])]

    def _cases(self, record: dict[str, Any]) -> list[Case]:
        return [self._case(c) for c in record["cases"] if self._own(c["department_code"])]

    def _members(self, members: list[dict[str, Any]]) -> list[HouseholdMember]:
        return [
            HouseholdMember(
                id_number=self.id_number(o["id_number"]),
                name=o["name"],
                sex=o["sex"],
                birth_date=to_date(o["birth_date"]),
                relation=o["relation"],
                since=to_date(o["since"]),
                until=to_date(o["until"]),
            )
            for o in sorted(members, key=lambda o: o["id_number"])
            if self._in_mandate(o["id_number"])
        ]

    def _membership(self, m: dict[str, Any]) -> Membership:
        return Membership(
            household_id=m["household_id"],
            village_code=m["village_code"],
            township_code=m["township_code"],
            address=m["address"],
            relation=m["relation"],
            since=to_date(m["since"]),
            until=to_date(m["until"]),
            members=self._members(m["members"]),
        )

    def _facts(self, facts: list[dict[str, Any]]) -> list[VerificationFact]:
        shown = []
        for fact in sorted(facts, key=lambda f: f["fact_id"]):
            if not self._own(fact.get("source")):
                continue
            self.allowed(fact_category(fact["label"], fact.get("kind")))
            details = [
                FactDetail(name=k, value=str(v))
                for k, v in sorted(fact.items())
                if k not in FACT_HIDDEN_KEYS and v is not None
            ]
            shown.append(
                VerificationFact(
                    kind=fact["label"],
                    record_id=fact.get("record_id"),
                    source=fact.get("source"),
                    as_of=to_date(fact.get("as_of")),
                    details=details,
                )
            )
        return shown

    def _enrollment(self, e: dict[str, Any]) -> Enrollment:
        return Enrollment(
            enrollment_id=e["enrollment_id"],
            programme=e["programme_code"],
            programme_name=e.get("programme_name"),
            department=e.get("department_code"),
            unit=e.get("unit"),
            grantee=e.get("grantee_household") or self.id_number(e.get("grantee_person")),
            start_date=to_date(e.get("start_date")),
            end_date=to_date(e.get("end_date")),
            monthly_amount=to_yuan(e.get("monthly_amount_fen")),
            covered=[self.id_number(i) for i in sorted(e["covered"])],
            payments=[
                Payment(
                    payment_id=x["payment_id"],
                    period=x["period"],
                    amount=to_yuan(x["amount_fen"]),
                    paid_date=to_date(x["paid_date"]),
                    account=x["account"],
                    event_cause=x["event_cause"],
                    event_date=to_date(x["event_date"]),
                )
                for x in sorted(e["payments"], key=lambda x: (x["period"], x["payment_id"]))
            ],
        )

    def _case(self, c: dict[str, Any]) -> Case:
        return Case(
            case_id=c["case_id"],
            programme=c.get("programme_code"),
            department=c.get("department_code"),
            status=c.get("status"),
            channel=c.get("channel"),
            submitted_date=to_date(c.get("submitted_date")),
            decided_date=to_date(c.get("decided_date")),
            commitment_signed=c.get("commitment_signed"),
            applicant=self.id_number(c.get("applicant")),
            handled_by=sorted(c["handled_by"]),
            reviewed_by=sorted(c["reviewed_by"]),
            approved_by=sorted(c["approved_by"]),
        )
