"""Registers: townships and villages, households, the population register, kinship, staff,
and the shared identifiers (phones, addresses, bank accounts)."""

from __future__ import annotations

import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from domain.ids import InvalidIdNumber, birth_date_of, normalize_id_number, sex_of
from loaders.rows.common import (
    AccountNumber,
    AddressText,
    BirthDay,
    Code,
    Day,
    DepartmentCode,
    FeedRow,
    IdNumber,
    Name,
    PhoneNumber,
    YesNo,
)


class VillageKind(StrEnum):
    VILLAGE = "village"
    COMMUNITY = "community"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class DocumentType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证 (GB 11643)
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证 (old 15-character form)
    PASSPORT = "passport"
    OTHER = "other"


class HouseholdRelation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    CHILD_IN_LAW = "child_in_law"
    OTHER = "other"


class KinRelation(StrEnum):
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    IN_LAW = "in_law"
    COUSIN = "cousin"
    OTHER = "other"


class StaffRole(StrEnum):
    CASEWORKER = "caseworker"  # township hall
    COORDINATOR = "coordinator"  # village assistance station (协理员)
    GRID_WORKER = "grid_worker"
    VILLAGE_CADRE = "village_cadre"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    INVESTIGATOR = "investigator"


class AddressKind(StrEnum):
    REGISTERED = "registered"  # 户籍地
    RESIDENCE = "residence"  # 居住地
    MAILING = "mailing"


class RegionRow(FeedRow):
    township_code: Annotated[str, Field(pattern=r"^\d{9}$")]
    township_name: Name
    township_population: int | None = Field(default=None, ge=0)
    village_code: Annotated[str, Field(pattern=r"^\d{12}$")]
    village_name: Name
    village_kind: VillageKind = VillageKind.VILLAGE

    @model_validator(mode="after")
    def _village_in_township(self) -> RegionRow:
        if not self.village_code.startswith(self.township_code):
            raise ValueError("village_code must start with its township_code")
        return self


class HouseholdRow(FeedRow):
    household_id: Code
    village_code: Annotated[str, Field(pattern=r"^\d{12}$")]
    address: AddressText
    registered_date: Day | None = None


def _document_number(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).replace(" ", "").strip().upper()


def _resident_id(info: ValidationInfo) -> str | None:
    """The already-validated resident ID number of the row, if it has one."""
    if info.data.get("document_type", DocumentType.RESIDENT_ID) is DocumentType.RESIDENT_ID:
        return info.data.get("id_number")
    return None


class PersonRow(FeedRow):
    """The population register (公安 户籍): one row per person and household membership.

    Field order matters: each validator sees the fields declared before it.
    """

    document_type: DocumentType = DocumentType.RESIDENT_ID
    id_number: Annotated[str, BeforeValidator(_document_number)]
    name: Name  # any script: Han, minority transliteration, Latin
    sex: Sex | None = Field(default=None, validate_default=True)
    birth_date: BirthDay | None = Field(default=None, validate_default=True)
    household_id: Code
    relation: HouseholdRelation
    member_since: Day
    member_until: Day | None = None

    @field_validator("id_number")
    @classmethod
    def _valid_number(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("document_type", DocumentType.RESIDENT_ID) is DocumentType.RESIDENT_ID:
            try:
                return normalize_id_number(value)
            except InvalidIdNumber as exc:
                raise ValueError(str(exc)) from None
        if len(value) < 5:
            raise ValueError("document number is too short")
        return value

    @field_validator("sex")
    @classmethod
    def _sex_matches(cls, value: Sex | None, info: ValidationInfo) -> Sex | None:
        id_number = _resident_id(info)
        if id_number is None:
            return value
        derived = Sex(sex_of(id_number))
        if value is not None and value is not derived:
            raise ValueError(f"sex {value.value} disagrees with the ID number ({derived.value})")
        return derived

    @field_validator("birth_date")
    @classmethod
    def _birth_date_matches(cls, value: date | None, info: ValidationInfo) -> date | None:
        id_number = _resident_id(info)
        if id_number is None:
            return value
        derived = birth_date_of(id_number)
        if value is not None and value != derived:
            raise ValueError(f"birth_date {value} disagrees with the ID number ({derived})")
        return derived

    @field_validator("member_until")
    @classmethod
    def _after_since(cls, value: date | None, info: ValidationInfo) -> date | None:
        since = info.data.get("member_since")
        if value is not None and since is not None and value < since:
            raise ValueError("member_until is before member_since")
        return value


class KinshipRow(FeedRow):
    id_number: IdNumber
    relative_id_number: IdNumber
    relation: KinRelation
    source: DepartmentCode

    @model_validator(mode="after")
    def _distinct(self) -> KinshipRow:
        if self.id_number == self.relative_id_number:
            raise ValueError("a person cannot be their own relative")
        return self


class StaffRow(FeedRow):
    staff_id: Code
    id_number: IdNumber
    role: StaffRole
    department: DepartmentCode
    township_code: Annotated[str, Field(pattern=r"^\d{9}$")]
    village_code: Annotated[str | None, Field(pattern=r"^\d{12}$")] = None
    active_from: Day
    active_until: Day | None = None
    public_employee: YesNo = True  # 是/否 as in the employment and cases feeds

    @model_validator(mode="after")
    def _posting(self) -> StaffRow:
        if self.role is StaffRole.COORDINATOR and self.village_code is None:
            raise ValueError("a coordinator needs a village_code")
        if self.village_code is not None and not self.village_code.startswith(self.township_code):
            raise ValueError("village_code must lie in township_code")
        return self


class RelativeFilingRow(FeedRow):
    """A staff member's filed (备案) relation to a person who receives or applies for aid."""

    staff_id: Code
    relative_id_number: IdNumber
    relation: KinRelation
    filed_date: Day


class PhoneRow(FeedRow):
    id_number: IdNumber
    phone: PhoneNumber
    source: DepartmentCode
    as_of: Day


class AddressRow(FeedRow):
    id_number: IdNumber
    address: AddressText
    kind: AddressKind
    source: DepartmentCode
    as_of: Day


class BankAccountRow(FeedRow):
    account_number: AccountNumber
    bank: Name
    holder_id_number: IdNumber
    opened_date: Day | None = None
    # yes: a further holder of the account (a joint account); otherwise the row names its holder,
    # and a different earlier holder is a correction (recorded, not silently replaced).
    joint_holder: YesNo = False
