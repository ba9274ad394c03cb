"""What the pack prints, as its reader's role may read it: the same classification as the API's
fields (access/fields.py), so a pack never shows more than the API would to the same role."""

from __future__ import annotations

from typing import Any

from access.fields import FIELDS, Rule, disclose, fact_category
from access.policy import Access, access
from access.principal import Principal
from graph.model import Label

WITHHELD = "（不予显示）"

# The API field whose classification each printed item takes.
PERSON_ID = FIELDS[("Person", "idNumber")]
PERSON_NAME = FIELDS[("Person", "name")]
ACCOUNT = FIELDS[("BankAccount", "number")]
PHONE = FIELDS[("PhoneNumber", "number")]
ADDRESS = FIELDS[("RegisteredAddress", "address")]
EXPLANATION = FIELDS[("Finding", "explanation")]
CONFIRMED_FACTS = FIELDS[("Finding", "confirmedFacts")]
DETAILS = FIELDS[("Finding", "details")]
EVENT_NOTE = FIELDS[("FindingEvent", "note")]
NODE_KEY = FIELDS[("GraphNode", "key")]
PAYMENTS = FIELDS[("Person", "enrollments")]  # payments are read through enrollments (benefits)

KEY_RULES: dict[Label | None, Rule] = {
    Label.PERSON: PERSON_ID,
    Label.BANK_ACCOUNT: ACCOUNT,
    Label.PHONE: PHONE,
    Label.ADDRESS: ADDRESS,
}


class Viewer:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def show(self, rule: Rule, value: Any) -> str:
        """The value as text, masked or withheld as the rule says for this role."""
        if value is None or value == "":
            return ""
        shown = disclose(rule, self.principal, str(value), nullable=True, is_list=False)
        return WITHHELD if shown is None else str(shown)

    def may(self, rule: Rule) -> bool:
        return rule.level(self.principal) is not Access.DENIED

    def key(self, label: Label | None, key: Any) -> str:
        if label is Label.FINDING:
            return str(key)
        return self.show(KEY_RULES.get(label, NODE_KEY), key)

    def fact_readable(self, label: Label, kind: str | None) -> bool:
        return access(self.principal, fact_category(label.value, kind)) is not Access.DENIED

    def account(self, number: Any) -> str:
        return self.show(ACCOUNT, number)
