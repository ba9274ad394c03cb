"""Funds (domain.md §12): budget lines, allocations, the payment file sent to the bank (发放清册)
and the bank's return file (回盘)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from loaders.rows.common import (
    AccountNumber,
    Code,
    Day,
    DepartmentCode,
    FeedRow,
    IdNumber,
    Money,
    Name,
    ProgrammeCode,
    Text,
    YesNo,
)

Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
TownshipCode = Annotated[str, Field(pattern=r"^\d{9}$")]


class BudgetRow(FeedRow):
    """A programme's budget for a year, as the finance bureau (CZ) sets it."""

    programme: ProgrammeCode
    year: Annotated[int, Field(ge=2000, le=2100)]
    amount: Money
    source: DepartmentCode
    # The county's reserve for urgent temporary assistance (临时救助备用金): the green channel's
    # grants draw on it (resolvers/green_channel.py); kept apart from the programme's budget.
    reserve: YesNo = False


class AllocationRow(FeedRow):
    """What a township may pay out of a programme in one month."""

    township_code: TownshipCode
    programme: ProgrammeCode
    period: Period
    amount: Money
    source: DepartmentCode


class PaymentFileRow(FeedRow):
    """One line of the monthly payment file civil affairs sends to the bank. The line names
    the grantee (a household or a person) and, where the system knows it, the grant; a line
    naming no grant the graph holds is kept, not rejected: that is what reconciliation finds."""

    line_id: Code
    file_id: Code
    township_code: TownshipCode
    programme: ProgrammeCode
    period: Period
    household_id: Code | None = None
    id_number: IdNumber | None = None
    enrollment_id: Code | None = None
    payee_name: Name | None = None
    account_number: AccountNumber
    amount: Money

    @model_validator(mode="after")
    def _one_grantee(self) -> PaymentFileRow:
        if (self.household_id is None) == (self.id_number is None):
            raise ValueError("give exactly one of household_id (household grant) or id_number (person grant)")
        return self


class ReturnStatus(StrEnum):
    CREDITED = "credited"  # 成功入账
    REFUSED = "refused"  # 拒绝: account closed, name mismatch
    RETURNED = "returned"  # 退回


class ReturnReason(StrEnum):
    ACCOUNT_CLOSED = "account_closed"
    NAME_MISMATCH = "name_mismatch"
    OTHER = "other"


# The words banks' return files use (回盘), read as the statuses and reasons above.
_STATUS_WORDS = {
    "成功": "credited",
    "入账成功": "credited",
    "已入账": "credited",
    "拒绝": "refused",
    "失败": "refused",
    "入账失败": "refused",
    "退回": "returned",
    "退票": "returned",
}
_REASON_WORDS = {
    "账户已销户": "account_closed",
    "销户": "account_closed",
    "户名不符": "name_mismatch",
    "户名不一致": "name_mismatch",
    "其他": "other",
}


def _word(words: dict[str, str]) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        return words.get(str(value).strip(), value) if isinstance(value, str) else value

    return read


class BankReturnRow(FeedRow):
    """One line of the bank's return file: what happened to one payment-file line."""

    line_id: Code
    status: Annotated[ReturnStatus, BeforeValidator(_word(_STATUS_WORDS))]
    account_number: AccountNumber | None = None  # the account actually credited
    amount: Money | None = None  # the amount actually credited
    value_date: Day
    reason: Annotated[ReturnReason, BeforeValidator(_word(_REASON_WORDS))] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _credited_names_account(self) -> BankReturnRow:
        if self.status == ReturnStatus.CREDITED and (self.account_number is None or self.amount is None):
            raise ValueError("a credited line gives the account_number and amount credited")
        return self
