"""`audit verify` and `audit export`: the audit trail's hash chain, checked and copied out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from access.audit_chain import export_chain, verify_chain
from evidence.pack import verify_pack
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
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
        pack: Annotated[
            Path | None,
            typer.Option(help="an evidence pack (PDF): is it one the chain vouches for, unaltered?"),
        ] = None,
        manifest: Annotated[
            Path | None, typer.Option(help="the pack's manifest file, checked against the recorded one")
        ] = None,
    ) -> None:
        """Walk the chain; name the first deleted, altered or truncated event (exit 1 if any).
        With --pack, then check that file against the chain."""
        settings: Settings = ctx.obj
        try:
            pdf = pack.read_bytes() if pack is not None else None
            written = manifest.read_bytes() if manifest is not None else None
        except OSError as exc:
            errors.print(f"[red]cannot read the file:[/red] {exc.strerror}: {exc.filename}")
            raise typer.Exit(1) from None
        with connect(settings) as driver:
            report = verify_chain(driver, settings.neo4j_database)
            checked = (
                verify_pack(driver, settings.neo4j_database, pdf, written)
                if pdf is not None and report.ok
                else None
            )
        if as_json:
            print(
                json.dumps(
                    {
                        "events": report.events,
                        "ok": report.ok and (checked is None or checked.ok),
                        "problem": report.problem or (checked.problem if checked else None),
                        "at_seq": report.at_seq,
                        **({"pack_id": checked.pack_id, "pack_at_seq": checked.at_seq} if checked else {}),
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
        if checked is not None and not as_json:
            if checked.ok:
                console.print(
                    f"evidence pack {checked.pack_id} unaltered: vouched for by audit event {checked.at_seq}"
                )
            else:
                errors.print(f"[red]evidence pack not verified:[/red] {checked.problem}")
        if not report.ok or (checked is not None and not checked.ok):
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
