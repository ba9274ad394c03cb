"""The finding kinds of DOMAIN.md section 7, with stable codes."""

from __future__ import annotations

from enum import StrEnum

from domain.workflow import Transition, Workflow


class FindingKind(StrEnum):
    # duplicate claims
    DUP_PERSON_MULTI_HOUSEHOLD = "DUP_PERSON_MULTI_HOUSEHOLD"
    DUP_EXCLUSIVE_PROGRAMMES = "DUP_EXCLUSIVE_PROGRAMMES"
    DUP_PAYMENT = "DUP_PAYMENT"
    DUP_EVENT_AID = "DUP_EVENT_AID"
    DUP_IDENTITY = "DUP_IDENTITY"
    # linked fraud
    RING_SHARED_IDENTIFIER = "RING_SHARED_IDENTIFIER"
    PAYMENT_TO_THIRD_PARTY = "PAYMENT_TO_THIRD_PARTY"
    DECEASED_PAID = "DECEASED_PAID"
    ASSET_INELIGIBLE = "ASSET_INELIGIBLE"
    RELATIONSHIP_BENEFIT = "RELATIONSHIP_BENEFIT"
    # funds: the payment file and the bank's return against grants and allocations (domain.md §12)
    FUND_AMOUNT_MISMATCH = "FUND_AMOUNT_MISMATCH"
    FUND_LINE_WITHOUT_GRANT = "FUND_LINE_WITHOUT_GRANT"
    FUND_ACCOUNT_MISMATCH = "FUND_ACCOUNT_MISMATCH"
    FUND_REISSUED_ELSEWHERE = "FUND_REISSUED_ELSEWHERE"
    FUND_OVER_ALLOCATION = "FUND_OVER_ALLOCATION"
    FUND_PAID_AFTER_END = "FUND_PAID_AFTER_END"
    FUND_AGENT_ACCOUNT = "FUND_AGENT_ACCOUNT"
    # coverage gaps
    GAP_VULNERABLE_UNCOVERED = "GAP_VULNERABLE_UNCOVERED"
    GAP_MISSING_SPECIAL = "GAP_MISSING_SPECIAL"
    GAP_STAFFING = "GAP_STAFFING"
    GAP_OVERDUE = "GAP_OVERDUE"
    GAP_URGENT_UNREVIEWED = "GAP_URGENT_UNREVIEWED"  # a green-channel grant not reviewed in time


class FindingStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"  # the situation disappeared from the data


ACTIVE_STATUSES = (FindingStatus.OPEN, FindingStatus.ASSIGNED)


class FindingStep(StrEnum):
    # An investigator's review (resolvers/findings.py).
    ASSIGN = "assign"
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    # Detection's own steps (detection/store.py).
    REOPEN = "reopen"  # found again after it had left the data
    REVISE = "revise"  # found again with other evidence than it was dismissed on
    RESOLVE = "resolve"  # no longer in the data


_S = FindingStatus
FINDING_LIFECYCLE: Workflow[FindingStep] = Workflow(
    "finding",
    {
        FindingStep.ASSIGN: Transition(ACTIVE_STATUSES, _S.ASSIGNED),
        FindingStep.CONFIRM: Transition(ACTIVE_STATUSES, _S.CONFIRMED),
        FindingStep.DISMISS: Transition(ACTIVE_STATUSES, _S.DISMISSED),
        FindingStep.REOPEN: Transition((_S.RESOLVED,), _S.OPEN),
        FindingStep.REVISE: Transition((_S.DISMISSED,), _S.OPEN),
        FindingStep.RESOLVE: Transition(ACTIVE_STATUSES, _S.RESOLVED),
    },
)
