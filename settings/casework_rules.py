"""The casework rule file (rules/casework.toml): report handling limits per category, the
conflict-of-interest rules per programme and the green channel's limits, validated into one
typed object."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.reports import ReportCategory


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reports(_Section):
    deadline_days: dict[ReportCategory, int] = Field(description="days to conclude, per category")

    def deadline(self, category: ReportCategory) -> int:
        return self.deadline_days.get(category, max(self.deadline_days.values(), default=30))


class ConflictRule(_Section):
    relatives: bool | None = None
    separate_investigation_and_decision: bool | None = None


class ConflictOfInterest(_Section):
    relatives: bool = True
    separate_investigation_and_decision: bool = True
    programmes: dict[str, ConflictRule] = Field(default_factory=dict)

    def for_programme(self, programme: str) -> tuple[bool, bool]:
        """(relatives, separation) for one programme: its own setting, else the default."""
        own = self.programmes.get(programme, ConflictRule())
        return (
            self.relatives if own.relatives is None else own.relatives,
            (
                self.separate_investigation_and_decision
                if own.separate_investigation_and_decision is None
                else own.separate_investigation_and_decision
            ),
        )


class GreenChannel(_Section):
    """Urgent temporary assistance (先行救助): granted at once, reviewed afterwards."""

    programmes: tuple[str, ...] = ("TEMP",)
    limit_months_of_line: int = Field(default=3, ge=1, le=24, description="months of the dibao line")
    review_within_days: int = Field(default=14, ge=1, le=366)


class CaseworkRules(_Section):
    reports: Reports
    conflict_of_interest: ConflictOfInterest = ConflictOfInterest()
    green_channel: GreenChannel = GreenChannel()


class CaseworkRulesError(ValueError):
    pass


def read_casework_rules(path: Path) -> CaseworkRules:
    """The rule file, or an error naming the file and the offending field."""
    try:
        rules = CaseworkRules.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CaseworkRulesError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CaseworkRulesError(f"{path}: {problems}") from exc
    if any(not 1 <= d <= 366 for d in rules.reports.deadline_days.values()):
        raise CaseworkRulesError(f"{path}: reports.deadline_days: each between 1 and 366 days")
    return rules
