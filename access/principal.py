"""The authenticated caller: a role, a department, and a jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from access.agreements import Agreement


class InvalidPrincipal(ValueError):
    """A principal that may not exist; `field` names the attribute at fault, so a caller
    (a JWT's claims, the CLI's options) can name its own spelling of it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Role(StrEnum):
    INVESTIGATOR = "investigator"  # county-wide, reads all, reviews findings
    CASEWORKER = "caseworker"  # own township
    COORDINATOR = "coordinator"  # own village, read-only
    DEPARTMENT_PARTNER = "department_partner"  # own department's programmes and feeds
    CREDIT_OFFICER = (
        "credit_officer"  # civil affairs: decides dishonesty records, repair, restriction overrides
    )
    CREDIT_EXPORTER = "credit_exporter"  # credit records only
    AUDITOR = "auditor"  # the audit trail


def _ascii_digits(code: object, length: int) -> bool:
    # str.isdigit() alone takes full-width digits (３７０８…), which no stored code matches.
    return isinstance(code, str) and len(code) == length and code.isascii() and code.isdigit()


@dataclass(frozen=True)
class Principal:
    subject: str  # who: a staff id, a department client id, a job name
    role: Role
    department: str | None = None
    township_code: str | None = None
    village_code: str | None = None
    # A partner's data-sharing agreement (access/agreements.py), attached at the door from the
    # store as it is now: its reach under Scope.AGREEMENT, and the categories it may receive.
    agreement: Agreement | None = None

    def __post_init__(self) -> None:
        # Jurisdiction is validated at the door: a filter that is silently missing widens
        # what a caller sees (a coordinator without a township once searched the county).
        if self.township_code is not None and not _ascii_digits(self.township_code, 9):
            raise InvalidPrincipal("township_code", f"township code {self.township_code!r} is not 9 digits")
        if self.village_code is not None and not _ascii_digits(self.village_code, 12):
            raise InvalidPrincipal("village_code", f"village code {self.village_code!r} is not 12 digits")
        if self.village_code is not None:
            township = self.village_code[:9]
            if self.township_code is not None and self.township_code != township:
                raise InvalidPrincipal(
                    "village_code", f"village {self.village_code} is not in township {self.township_code}"
                )
            object.__setattr__(self, "township_code", township)  # a village's township is its first 9 digits
        if self.role is Role.CASEWORKER and not self.township_code:
            raise InvalidPrincipal("township_code", "a caseworker principal needs a township_code")
        if self.role is Role.COORDINATOR and not self.village_code:
            raise InvalidPrincipal("village_code", "a coordinator principal needs a village_code")
        if self.role is Role.DEPARTMENT_PARTNER and not self.department:
            raise InvalidPrincipal("department", "a department partner principal needs a department")
        if self.agreement is not None and (
            self.role is not Role.DEPARTMENT_PARTNER or self.agreement.department != self.department
        ):
            raise InvalidPrincipal(
                "agreement",
                f"agreement {self.agreement.agreement_id} is not one of this partner's department",
            )
        if self.role is Role.CREDIT_OFFICER and self.department != "MZ":
            raise InvalidPrincipal(
                "department", "a credit officer principal belongs to civil affairs (department MZ)"
            )
