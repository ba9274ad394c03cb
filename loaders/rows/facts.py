"""Verification facts (家庭经济状况核对): each row says which department reported what about
whom, as of when. ``record_id`` is the reporting department's own record number."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from loaders.rows.common import Code, Day, DepartmentCode, FeedRow, IdNumber, Money, Name, Text, YesNo


class VehicleType(StrEnum):
    CAR = "car"
    TRUCK = "truck"
    MOTORCYCLE = "motorcycle"
    E_BIKE = "e_bike"
    DISABILITY_SCOOTER = "disability_scooter"
    AGRICULTURAL = "agricultural"


class PropertyKind(StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    OTHER = "other"


class BusinessRole(StrEnum):
    OWNER = "owner"
    SHAREHOLDER = "shareholder"
    LEGAL_REPRESENTATIVE = "legal_representative"


class DisabilityCategory(StrEnum):
    PHYSICAL = "physical"
    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class VulnerabilityKind(StrEnum):
    ORPHAN = "orphan"
    CHILD_IN_DISTRESS = "child_in_distress"
    SEVERE_MENTAL_ILLNESS = "severe_mental_illness"
    TWO_CANCERS = "two_cancers"
    REGISTERED_POVERTY = "registered_poverty"
    DISASTER_VICTIM = "disaster_victim"
    CLEFT_OR_CEREBRAL_PALSY = "cleft_or_cerebral_palsy"


class FactRow(FeedRow):
    record_id: Code
    id_number: IdNumber
    source: DepartmentCode
    as_of: Day


class VehicleRow(FactRow):
    plate: Text
    vehicle_type: VehicleType
    brand: Text | None = None  # 品牌型号, as the registry has it


class PropertyRow(FactRow):
    property_kind: PropertyKind
    area_m2: float | None = Field(default=None, ge=0)
    location: Text | None = None


class BusinessRow(FactRow):
    registration_no: Code
    business_name: Name
    role: BusinessRole
    registered_capital: Money | None = None
    share_amount: Money | None = None


class EmploymentRow(FactRow):
    employer: Name
    public_employee: YesNo  # 财政供养人员
    monthly_wage: Money | None = None


class DepositRow(FactRow):
    bank: Name
    balance: Money


class IncomeRow(FactRow):
    year: int = Field(ge=1990, le=2100)
    annual_income: Money
    income_kind: Text | None = None


class DeathRow(FactRow):
    death_date: Day


class DisabilityRow(FactRow):
    certificate_no: Code
    category: DisabilityCategory
    grade: int = Field(ge=1, le=4)  # 1 and 2 are severe


class VulnerabilityRow(FactRow):
    kind: VulnerabilityKind
