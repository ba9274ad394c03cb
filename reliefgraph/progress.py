"""Load progress: a rich bar with rows/s on a terminal, one plain line per file in a log
(the loader itself stays UI-free)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column
from rich.text import Text


def rows_per_second(speed: float | None) -> str:
    return f"{speed:,.0f} rows/s" if speed else "– rows/s"


class RowsPerSecond(ProgressColumn):
    def __init__(self) -> None:
        # Never wrapped: "rows/s" broke onto a line of its own where the bar was narrow.
        super().__init__(table_column=Column(no_wrap=True))

    def render(self, task: Task) -> Text:
        return Text(rows_per_second(task.finished_speed or task.speed), style="cyan")


class RichLoadProgress:
    """On a terminal, a live bar per file. Anywhere else (a log, a pipe, a systemd journal)
    a bar is redrawn as a jumble of wrapped lines: one line per file instead, when it ends."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._live = console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description}", table_column=Column(no_wrap=True)),
            BarColumn(),
            MofNCompleteColumn(table_column=Column(no_wrap=True)),
            RowsPerSecond(),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID | None = None
        self._label = ""
        self._rows = 0
        self._started = 0.0

    def __enter__(self) -> RichLoadProgress:
        if self._live:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live:
            self._progress.stop()

    def start_file(self, label: str, total_rows: int) -> None:
        self._label, self._rows, self._started = label, 0, time.monotonic()
        if self._live:
            self._task = self._progress.add_task(label, total=total_rows)

    def advance(self, rows: int) -> None:
        self._rows += rows
        if self._task is not None:
            self._progress.advance(self._task, rows)

    def end_file(self) -> None:
        if not self._live and self._label:
            seconds = time.monotonic() - self._started
            self._console.print(
                f"{self._label}: {self._rows:,} rows, "
                f"{rows_per_second(self._rows / seconds if seconds else None)}, {seconds:.1f}s",
                soft_wrap=True,
                markup=False,
                highlight=False,
            )
        self._task = None
        self._label = ""
