"""`audit verify` and `audit export`: the audit trail's hash chain, checked and copied out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from access.audit_chain import export_chain, verify_chain
from reliefgraph.commands.connection import connect
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def register(app: typer.Typer) -> None:
    audit = typer.Typer(
        help="The audit trail of personal-data reads: a tamper-evident hash chain.", no_args_is_help=True
    )
    app.add_typer(audit, name="audit")

    @audit.command("verify")
    def verify_command(
        ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False
    ) -> None:
        """Walk the chain; name the first deleted, altered or truncated event (exit 1 if any)."""
        settings: Settings = ctx.obj
        with connect(settings) as driver:
            report = verify_chain(driver, settings.neo4j_database)
        if as_json:
            print(
                json.dumps(
                    {
                        "events": report.events,
                        "ok": report.ok,
                        "problem": report.problem,
                        "at_seq": report.at_seq,
                    }
                )
            )
        elif report.ok:
            console.print(f"audit chain intact: {report.events:,} events")
        else:
            errors.print(
                f"[red]audit chain broken:[/red] {report.problem} "
                f"({report.events:,} events verified before it)"
            )
        if not report.ok:
            raise typer.Exit(1)

    @audit.command("export")
    def export_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="JSON Lines file, appended to (write-once storage)")],
    ) -> None:
        """Append every event not yet in FILE, in chain order, and flush it to disk."""
        settings: Settings = ctx.obj
        with connect(settings) as driver:
            written = export_chain(driver, settings.neo4j_database, file)
        console.print(f"{written:,} audit events appended to {file}")
