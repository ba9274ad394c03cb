"""`reliefgraph report monthly --month YYYY-MM`: the monthly township report (定期通报)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from detection.performance import MonthError, parse_month
from detection.rules import DetectionRulesError, read_rules
from jobs.monthly_report import monthly_report, write_report
from reliefgraph.commands.connection import connect
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    report = typer.Typer(help="Periodic reports (定期通报).", no_args_is_help=True)
    app.add_typer(report, name="report")

    @report.command("monthly")
    def monthly_command(
        ctx: typer.Context,
        month: Annotated[str, typer.Option(help="the month reported, YYYY-MM")],
        out_dir: Annotated[
            Path, typer.Option("--out", help="folder for the .xlsx and the printable page")
        ] = Path("reports"),
    ) -> None:
        """Per township: applications decided (in time, median days), findings opened, resolved
        and overdue, reports answered in time, visits due and made, active-discovery candidates
        acted on, caseworkers against the rule, money to recover; as a spreadsheet and a
        printable page."""
        settings: Settings = ctx.obj
        try:
            month = parse_month(month)
        except MonthError as exc:
            errors.print(f"[red]--month[/red] {exc}")
            raise typer.Exit(2) from None
        try:
            rules = read_rules(settings.detection_rules_file)
        except DetectionRulesError as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        with connect(settings) as driver:
            result = monthly_report(driver, settings, rules, month)
        try:
            xlsx, page = write_report(result, out_dir)
        except OSError as exc:
            errors.print(f"[red]cannot write {out_dir}:[/red] {exc.strerror or exc}")
            raise typer.Exit(1) from None
        console.print(f"{len(result.rows)} townships → {xlsx} and {page}")
