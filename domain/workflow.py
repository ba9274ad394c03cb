"""The state machines records move through: a case's workflow, a finding's review, a
dishonesty record's lifecycle. One helper for all three.

Each step is one guarded write (named Cypher next to the function that runs it) that applies
only when the record's status is one the step starts from and its version is the one the
client last saw; the write returns `ok`, the status it found (`before`) and the version it
found (`seen`). `Workflow.refusal` reads why a step did not apply from that row, the same
way for every record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar


@dataclass(frozen=True)
class Transition:
    allowed_from: tuple[str, ...]
    to: str | None  # None: the status stays (a dishonesty record's correction)
    staff_link: str | None = None  # a case: which Staff -> Case relationship the step records
    change: str | None = None  # a dishonesty record: what the credit platform's feed calls it


class Refusal(StrEnum):
    WRONG_STATUS = "wrong_status"  # the step does not start from the record's status
    STALE_VERSION = "stale_version"  # the record changed since the client read it
    PRECONDITION = "precondition"  # status and version fit; the step's own condition did not hold


@dataclass(frozen=True)
class Refused:
    why: Refusal
    status: str
    current_version: int
    message: str


S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Workflow(Generic[S]):
    record: str  # what a record is called in messages: "case", "finding", "dishonesty record"
    transitions: Mapping[S, Transition]

    def guard(self, step: S) -> dict[str, Any]:
        """The parameters every guarded write takes: where the step may start, where it ends."""
        t = self.transitions[step]
        # Plain strings: statuses may be enum members, and the driver sends only what it knows.
        return {
            "allowed_from": [str(s) for s in t.allowed_from],
            "to": None if t.to is None else str(t.to),
            "action": step.value,
        }

    def steps_from(self, status: str) -> list[S]:
        return [step for step, t in self.transitions.items() if status in t.allowed_from]

    def refusal(self, step: S, row: dict[str, Any], expected_version: int) -> Refused:
        """Why a guarded write's row says the step did not apply (row["ok"] is false)."""
        before, seen = row["before"], row["seen"]
        allowed = self.transitions[step].allowed_from
        if before not in allowed:
            return Refused(
                Refusal.WRONG_STATUS,
                before,
                seen,
                f"{step.value} applies to {self.record}s that are {' or '.join(allowed)}; "
                f"this one is {before}",
            )
        if seen != expected_version:
            return Refused(
                Refusal.STALE_VERSION, before, seen, f"the {self.record} changed since you read it; reload it"
            )
        return Refused(Refusal.PRECONDITION, before, seen, "")
