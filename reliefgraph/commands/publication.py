"""`reliefgraph publish OUT_DIR`: the public fund-use disclosure and publicity, as static files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from detection.performance import MonthError, parse_month
from jobs.monthly_report import previous_month
from jobs.publication import audit_events, build, digest, record, write
from reliefgraph.commands.connection import connect
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("publish")
    def publish_command(
        ctx: typer.Context,
        out_dir: Annotated[Path, typer.Argument(help="folder for the HTML, CSV and JSON files")],
        month: Annotated[
            str | None, typer.Option(help="the last month published, YYYY-MM (default: last month)")
        ] = None,
        months: Annotated[int, typer.Option(help="how many months up to it", min=1, max=36)] = 12,
        on: Annotated[str | None, typer.Option(help="publicity as of this day, YYYY-MM-DD (today)")] = None,
        by: Annotated[
            str, typer.Option(help="who publishes, as the audit event records it")
        ] = "reliefgraph-publish",
    ) -> None:
        """Write fund use per month, programme and township, the publicity lists (names masked)
        and the published dishonesty records, for the county's website: nothing else."""
        settings: Settings = ctx.obj
        today = date.today()
        try:
            month = parse_month(month) if month is not None else None
        except MonthError as exc:
            errors.print(f"[red]--month[/red] {escape(str(exc))}")
            raise typer.Exit(2) from None
        try:
            day = date.fromisoformat(on.strip()) if on else today
        except ValueError:
            errors.print(f"[red]--on {on!r}[/red]: write the day as YYYY-MM-DD")
            raise typer.Exit(2) from None
        if month is None:
            month = previous_month(day)
        if out_dir.exists() and not out_dir.is_dir():
            errors.print(f"[red]{out_dir}[/red] is a file, not a folder")
            raise typer.Exit(2)
        if not by.strip() or len(by) > 100:
            errors.print("[red]--by[/red]: who publishes, 1-100 characters")
            raise typer.Exit(2)
        with connect(settings) as driver:
            publication = build(driver, settings, last_month=month, months=months, on=day)
            try:
                paths = write(publication, out_dir)
            except OSError as exc:
                errors.print(f"[red]cannot write {out_dir}:[/red] {exc.strerror or exc}")
                raise typer.Exit(1) from None
            # What went public, in the audit chain: counts, and the digest of the files.
            record(driver, settings, audit_events(publication, paths, by.strip()))
        counts = ", ".join(f"{n}: {c}" for n, c in publication.counts().items())
        console.print(f"{len(paths)} files in {out_dir} ({counts}); SHA-256 {digest(paths)[0]}")
