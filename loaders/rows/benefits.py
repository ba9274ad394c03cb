"""Benefits: applications (cases), enrollments (active grants), payments and visits."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from loaders.rows.common import (
    AccountNumber,
    Code,
    Day,
    FeedRow,
    IdNumber,
    Money,
    PersonDocument,
    ProgrammeCode,
    Text,
    YesNo,
)


class Channel(StrEnum):
    WINDOW = "window"  # 窗口
    ONLINE = "online"  # 网上
    ASSISTED = "assisted"  # 帮办代办
    DISCOVERED = "discovered"  # found by a grid worker (主动发现)


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"
    INVESTIGATING = "investigating"
    UNDER_REVIEW = "under_review"
    IN_PUBLICITY = "in_publicity"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


def _id_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        parts = [str(v) for v in value]
    else:
        parts = [p for p in re.split(r"[;,；，|\s]+", str(value)) if p]
    return parts


class CaseRow(FeedRow):
    case_id: Code
    programme: ProgrammeCode
    household_id: Code
    applicant_id_number: IdNumber
    channel: Channel
    submitted_date: Day
    status: CaseStatus
    commitment_signed: YesNo
    handled_by: Code | None = None
    reviewed_by: Code | None = None
    approved_by: Code | None = None
    decided_date: Day | None = None
    reason: Text | None = None
    # An urgent grant (green channel, 先行救助): paid on this day, its review due by review_due.
    urgent_amount: Money | None = None
    urgent_granted_date: Day | None = None
    review_due: Day | None = None

    @model_validator(mode="after")
    def _decision_dates(self) -> CaseRow:
        if self.decided_date is not None and self.decided_date < self.submitted_date:
            raise ValueError("decided_date is before submitted_date")
        urgent = (self.urgent_amount, self.urgent_granted_date, self.review_due)
        if any(v is not None for v in urgent) and any(v is None for v in urgent):
            raise ValueError("an urgent grant gives urgent_amount, urgent_granted_date and review_due")
        if self.urgent_granted_date is not None and self.review_due is not None:
            if self.review_due < self.urgent_granted_date:
                raise ValueError("review_due is before urgent_granted_date")
        return self


class EnrollmentRow(FeedRow):
    """An active grant to a household or to one person; exactly one of the two is given."""

    enrollment_id: Code
    programme: ProgrammeCode
    case_id: Code | None = None
    household_id: Code | None = None
    id_number: IdNumber | None = None
    # Covered members as the persons feed names them: a foreign spouse by passport number.
    covered_id_numbers: Annotated[list[PersonDocument], BeforeValidator(_id_list)] = Field(
        default_factory=list
    )
    start_date: Day
    end_date: Day | None = None
    monthly_amount: Money | None = None
    account_number: AccountNumber | None = None

    @model_validator(mode="after")
    def _one_grantee(self) -> EnrollmentRow:
        if (self.household_id is None) == (self.id_number is None):
            raise ValueError("give exactly one of household_id (household grant) or id_number (person grant)")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class PaymentRow(FeedRow):
    payment_id: Code
    enrollment_id: Code
    period: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    amount: Money
    paid_date: Day
    account_number: AccountNumber
    event_cause: Text | None = None  # per-event programmes: what happened
    event_date: Day | None = None


class VisitRow(FeedRow):
    visit_id: Code
    household_id: Code
    staff_id: Code
    visit_date: Day
    note: Text | None = None
