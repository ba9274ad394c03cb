"""Which detector finds which kind."""

from __future__ import annotations

from collections.abc import Callable

from detection.context import DetectionContext
from detection.detectors import duplicates, fraud, funds, gaps, identity, rings
from detection.situation import Situation
from domain.finding_kinds import FindingKind

Detector = Callable[[DetectionContext], list[Situation]]

DETECTORS: dict[FindingKind, Detector] = {
    FindingKind.DUP_PERSON_MULTI_HOUSEHOLD: duplicates.person_in_two_households,
    FindingKind.DUP_EXCLUSIVE_PROGRAMMES: duplicates.exclusive_programmes,
    FindingKind.DUP_PAYMENT: duplicates.duplicate_payments,
    FindingKind.DUP_EVENT_AID: duplicates.event_aid,
    FindingKind.DUP_IDENTITY: identity.same_person_two_numbers,
    FindingKind.RING_SHARED_IDENTIFIER: rings.shared_identifier_rings,
    FindingKind.PAYMENT_TO_THIRD_PARTY: fraud.third_party_payments,
    FindingKind.DECEASED_PAID: fraud.deceased_paid,
    FindingKind.ASSET_INELIGIBLE: fraud.asset_ineligible,
    FindingKind.RELATIONSHIP_BENEFIT: fraud.relationship_benefit,
    FindingKind.FUND_AMOUNT_MISMATCH: funds.amount_mismatch,
    FindingKind.FUND_LINE_WITHOUT_GRANT: funds.line_without_grant,
    FindingKind.FUND_ACCOUNT_MISMATCH: funds.account_mismatch,
    FindingKind.FUND_REISSUED_ELSEWHERE: funds.reissued_elsewhere,
    FindingKind.FUND_OVER_ALLOCATION: funds.over_allocation,
    FindingKind.FUND_PAID_AFTER_END: funds.paid_after_end,
    FindingKind.FUND_AGENT_ACCOUNT: funds.agent_accounts,
    FindingKind.GAP_VULNERABLE_UNCOVERED: gaps.vulnerable_uncovered,
    FindingKind.GAP_MISSING_SPECIAL: gaps.missing_special,
    FindingKind.GAP_STAFFING: gaps.staffing,
    FindingKind.GAP_OVERDUE: gaps.overdue,
    FindingKind.GAP_URGENT_UNREVIEWED: gaps.urgent_unreviewed,
}

# Kinds not tied to households: an incremental run recomputes them whole (they are cheap).
# A township's allocation and an agent's account span households no delta need touch.
COUNTY_WIDE = frozenset(
    {FindingKind.GAP_STAFFING, FindingKind.FUND_OVER_ALLOCATION, FindingKind.FUND_AGENT_ACCOUNT}
)

# The feeds whose rows can change what a kind reads, for kinds costly enough to skip: an
# incremental run over a delta holding none of them leaves that kind's findings as they
# are. Identity reads names, birth dates, households and their addresses, phones and
# accounts held — the register feeds; a month's payments change none of it. Kinds not
# listed run on every delta.
FEEDS_READ: dict[FindingKind, frozenset[str]] = {
    FindingKind.DUP_IDENTITY: frozenset({"households", "persons", "phones", "addresses", "bank_accounts"}),
}
