"""The credit rules file (rules/credit.toml): due process and honesty incentives, read once
per step so an edit applies without a restart. A file that is missing or wrong is one line."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class DueProcess(BaseModel):
    model_config = ConfigDict(extra="forbid")
    defence_days: int = Field(default=7, ge=1, le=90)


class Incentives(BaseModel):
    """Honesty incentives (守信激励): the fast track (简化审核) for households that kept their word."""

    model_config = ConfigDict(extra="forbid")
    honesty_years: int = Field(default=3, ge=1, le=20)
    fast_track_programmes: list[str] = Field(default_factory=list, max_length=100)


class CreditRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    due_process: DueProcess = DueProcess()
    incentives: Incentives = Incentives()


class CreditRulesError(ValueError):
    """The rules file cannot be read: said in one line."""


def read_credit_rules(path: Path) -> CreditRules:
    try:
        return CreditRules.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise CreditRulesError(f"cannot read the credit rules {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()
        raise CreditRulesError(f"the credit rules {path} are not valid: {' '.join(first[:3])}") from None
