"""Investigations (核查案卷, DOMAIN.md section 12): a case file groups findings and reports,
has an owner, and ends referred (to whom) or closed with its outcome.

    open ──submit_review──▶ under_review ──return──▶ open
    open | under_review ──refer──▶ referred;  open | under_review ──close──▶ closed
"""

from __future__ import annotations

from enum import StrEnum

from domain.workflow import Transition, Workflow


class InvestigationStatus(StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    REFERRED = "referred"
    CLOSED = "closed"


class InvestigationStep(StrEnum):
    SUBMIT_REVIEW = "submit_review"
    RETURN = "return"  # back from review to the owner
    REFER = "refer"
    CLOSE = "close"
    # Steps that keep the status (the file changes, not where it stands).
    HAND_OVER = "hand_over"
    ADD = "add"  # findings or reports added


class ReferredTo(StrEnum):
    DISCIPLINE_COMMISSION = "discipline_commission"  # 纪委监委
    POLICE = "police"
    CREDIT_OFFICER = "credit_officer"


class Outcome(StrEnum):
    CONFIRMED_RECOVERED = "confirmed_recovered"
    UNFOUNDED = "unfounded"
    CORRECTED = "corrected"


_S = InvestigationStatus
ACTIVE = (_S.OPEN, _S.UNDER_REVIEW)
INVESTIGATION_LIFECYCLE: Workflow[InvestigationStep] = Workflow(
    "investigation",
    {
        InvestigationStep.SUBMIT_REVIEW: Transition((_S.OPEN,), _S.UNDER_REVIEW),
        InvestigationStep.RETURN: Transition((_S.UNDER_REVIEW,), _S.OPEN),
        InvestigationStep.REFER: Transition(ACTIVE, _S.REFERRED),
        InvestigationStep.CLOSE: Transition(ACTIVE, _S.CLOSED),
        InvestigationStep.HAND_OVER: Transition(ACTIVE, None),
        InvestigationStep.ADD: Transition(ACTIVE, None),
    },
)
