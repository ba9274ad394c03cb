"""The rejects file: every row that was not loaded, with file, line, field and reason."""

from __future__ import annotations

import csv
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from domain.spreadsheet import spreadsheet_safe
from settings.private_files import private_dir, private_open

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
        # Every cell as text a spreadsheet will not run: `value` and `raw` are the sender's bytes.
        return tuple(
            spreadsheet_safe(c)
            for c in (self.file, str(self.line), self.field, self.reason, self.value, self.raw)
        )


def rejects_from_validation(file: str, line: int, raw: str, error: ValidationError) -> list[Reject]:
    found = []
    for problem in error.errors(include_url=False):
        field = ".".join(str(p) for p in problem["loc"]) or "(row)"
        message = problem["msg"].removeprefix("Value error, ")
        value = problem.get("input")
        shown = "" if isinstance(value, dict) else str(value)
        found.append(Reject(file, line, field, message, shown, raw))
    return found


class RejectsDirectoryError(OSError):
    """The rejects directory cannot take files; nothing has been loaded."""


def check_writable(directory: Path) -> None:
    """Before anything is loaded: a rejects directory that cannot be written to would stop
    the load half-way, so it stops the load before it starts."""
    try:
        private_dir(directory)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-", delete=True)
        probe.close()
    except OSError as exc:
        raise RejectsDirectoryError(
            f"rejects directory {directory} cannot be written: {exc.strerror or exc}"
        ) from None


def _running(pid: str) -> bool:
    """Whether the process that named a partial file is still running (then it is its own)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class RejectsFile:
    """Opened lazily: a clean file leaves no rejects file behind. Written to a temporary file
    and renamed into place when complete, so a rejects file is never cut mid-row (disk full,
    a crash): it is whole, or it is the previous run's absence. It holds the senders' raw
    rows, so it is 0600 in folders it creates 0700, whatever the umask."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        # A partial name of its own: two loads of files of one name into one rejects folder
        # (two counties, two operators) must not remove each other's file half written.
        self._partial = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
        self._handle: IO[Any] | None = None
        self._writer: Any = None
        path.unlink(missing_ok=True)  # stale rejects from an earlier run of the same file
        for stale in path.parent.glob(f"{path.name}.*.partial"):
            if not _running(stale.name[len(path.name) + 1 :].split("-", 1)[0]):
                stale.unlink(missing_ok=True)  # left by a load that crashed

    def write(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._writer is None:
            private_dir(self.path.parent)
            self._handle = private_open(self._partial, "w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(COLUMNS)
        self._writer.writerows(r.as_row() for r in rejects)
        self.count += len(rejects)

    def close(self) -> None:
        """Complete the file: flushed to disk, then renamed into place."""
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(self._partial, self.path)
        except OSError:
            handle.close()
            self._partial.unlink(missing_ok=True)
            raise

    def abandon(self) -> None:
        """The load stopped: no half-written rejects file is left behind."""
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass
            self._handle = None
        self._partial.unlink(missing_ok=True)
