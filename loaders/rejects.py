"""The rejects file: every row that was not loaded, with file, line, field and reason."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

COLUMNS = ("file", "line", "field", "reason", "value", "raw")


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    field: str
    reason: str
    value: str = ""
    raw: str = ""

    def as_row(self) -> tuple[str, ...]:
        return (self.file, str(self.line), self.field, self.reason, self.value, self.raw)


def rejects_from_validation(file: str, line: int, raw: str, error: ValidationError) -> list[Reject]:
    found = []
    for problem in error.errors(include_url=False):
        field = ".".join(str(p) for p in problem["loc"]) or "(row)"
        message = problem["msg"].removeprefix("Value error, ")
        value = problem.get("input")
        shown = "" if isinstance(value, dict) else str(value)
        found.append(Reject(file, line, field, message, shown, raw))
    return found


class RejectsFile:
    """Opened lazily: a clean file leaves no rejects file behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle = None
        self._writer = None
        path.unlink(missing_ok=True)  # stale rejects from an earlier run of the same file

    def write(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(COLUMNS)
        self._writer.writerows(r.as_row() for r in rejects)
        self.count += len(rejects)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
