"""The detection rule file (rules/detection.toml), validated into one typed object."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exclusive(_Section):
    person: list[tuple[str, str]]
    household: list[tuple[str, str]]


class EventAid(_Section):
    allowed: list[tuple[str, str]]
    same_event_days: int = Field(ge=0, le=366)


class IncomeLine(_Section):
    urban: int = Field(gt=0)
    rural: int = Field(gt=0)
    urban_townships: list[str]


class Assets(_Section):
    disqualifying_vehicles: list[str]
    disqualifying_property_kinds: list[str]
    max_homes: int = Field(ge=0)
    business_limit: int = Field(ge=0)
    capital_roles: list[str]
    deposit_months: int = Field(gt=0)
    public_employee: bool
    income_above_line: bool


class Vulnerable(_Section):
    kinds: list[str]
    severe_disability_grades: list[int]


class Special(_Section):
    education_programme: str
    school_age: tuple[int, int]
    rehabilitation_programme: str
    rehabilitation_grades: list[int]
    renewal_grace_days: int = Field(ge=0, le=366)


class Staffing(_Section):
    counted_roles: list[str]
    population_threshold: int
    minimum_below: int = Field(ge=0)
    minimum_at_or_above: int = Field(ge=0)
    village_coordinator_roles: list[str]
    village_minimum: int = Field(ge=0)


class Overdue(_Section):
    visit_days: int = Field(gt=0)
    application_days: int = Field(gt=0)
    pending_statuses: list[str]
    # Read by the township performance figures (detection/performance.py), not by detectors.
    finding_days: int = Field(default=30, gt=0)
    discovery_days: int = Field(default=30, gt=0)


class SharedIdentifier(_Section):
    max_households: int = Field(ge=2)
    strong: list[str]
    weak: list[str]
    pair_min_identifiers: int = Field(ge=1)

    @model_validator(mode="after")
    def _known(self) -> SharedIdentifier:
        unknown = set(self.strong + self.weak) - {"phone", "account", "address"}
        if unknown:
            raise ValueError(f"unknown identifier kinds {sorted(unknown)}; use phone, account, address")
        return self


class Funds(_Section):
    # Applied in Python (detection/detectors/funds.py), so not among the Cypher parameters.
    amount_tolerance: float = Field(ge=0)
    allocation_tolerance: float = Field(ge=0)
    agent_min_households: int = Field(ge=2)


class Identity(_Section):
    threshold: float = Field(gt=0, lt=1)
    particulars_min_bits: float = 0.0


class DetectionRules(_Section):
    exclusive: Exclusive
    event_aid: EventAid
    income_line: IncomeLine
    assets: Assets
    vulnerable: Vulnerable
    special: Special
    staffing: Staffing
    overdue: Overdue
    shared_identifier: SharedIdentifier
    identity: Identity
    funds: Funds

    def params(self) -> dict[str, Any]:
        """The rules detectors' Cypher names as parameters; the asset and income thresholds
        are applied in Python (detection/detectors/fraud.py) and are not among them."""
        return {
            "exclusive_person": [list(p) for p in self.exclusive.person],
            "exclusive_household": [list(p) for p in self.exclusive.household],
            "allowed_event_pairs": [sorted(p) for p in self.event_aid.allowed],
            "same_event_days": self.event_aid.same_event_days,
            "vulnerable_kinds": self.vulnerable.kinds,
            "severe_grades": self.vulnerable.severe_disability_grades,
            "edu_programme": self.special.education_programme,
            "school_age_min": self.special.school_age[0],
            "school_age_max": self.special.school_age[1],
            "rehab_programme": self.special.rehabilitation_programme,
            "rehab_grades": self.special.rehabilitation_grades,
            "renewal_grace_days": self.special.renewal_grace_days,
            "staff_roles": self.staffing.counted_roles,
            "population_threshold": self.staffing.population_threshold,
            "minimum_below": self.staffing.minimum_below,
            "minimum_at_or_above": self.staffing.minimum_at_or_above,
            "coordinator_roles": self.staffing.village_coordinator_roles,
            "village_minimum": self.staffing.village_minimum,
            "visit_days": self.overdue.visit_days,
            "application_days": self.overdue.application_days,
            "pending_statuses": self.overdue.pending_statuses,
        }


class DetectionRulesError(ValueError):
    pass


def read_rules(path: Path) -> DetectionRules:
    """The rule file, or an error naming the file and the offending field."""
    try:
        return DetectionRules.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DetectionRulesError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise DetectionRulesError(f"{path}: {problems}") from exc
