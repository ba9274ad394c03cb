"""`export credit` and `credit expire`: the credit platform's side of dishonesty records."""

from __future__ import annotations

import getpass
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from credit.catalogue import CatalogueError, read_catalogue
from credit.dead_letters import withdraw_letter
from graph.migrations import migrate
from jobs.credit_expiry import expire_due
from jobs.credit_export import (
    Batch,
    ExportError,
    HttpSink,
    OutboxSink,
    OutboxUnwritable,
    ReceiverUnavailable,
    export_changes,
    receiver_difference,
    reconcile,
    retry_dead_letters,
)
from reliefgraph.commands.connection import connect
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width

export_app = typer.Typer(help="Send data to other systems.", no_args_is_help=True)
credit_app = typer.Typer(help="Dishonesty records' scheduled work.", no_args_is_help=True)


@export_app.command("credit")
def export_credit(
    ctx: typer.Context,
    outbox: Annotated[
        Path | None, typer.Option(help="write batches here (default: settings' outbox, unless a URL is set)")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="POST batches to this endpoint (default: RELIEFGRAPH_CREDIT_EXPORT_URL)"),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, max=10_000)] = None,
    retry_dead: Annotated[
        bool,
        typer.Option(
            "--retry-dead", help="first re-send the records the receiver refused (as they are now, corrected)"
        ),
    ] = False,
    show_reconciliation: Annotated[
        bool,
        typer.Option(
            "--reconcile",
            help="send nothing: per day, sent, accepted, refused, the accepted keys' digest, and the "
            "difference from the receiver's own count (exit 1 where they differ)",
        ),
    ] = False,
    withdraw_dead: Annotated[
        str | None,
        typer.Option(
            "--withdraw-dead",
            metavar="KEY",
            help="send nothing: withdraw the destination's open dead letter of this change (CC-42), "
            "which the platform is not to have; needs --reason",
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="why the dead letter is withdrawn (10-2000 characters)")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="who withdraws it (recorded on the letter; default: cli:<login>)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
) -> None:
    """Send every credit change since the last acknowledged one, exactly once (expiring due records
    first). Exits 2 while records the receiver refused (dead letters) are unresolved."""
    settings: Settings = ctx.obj
    size = batch_size or settings.credit_export_batch_size
    target = url or (None if outbox else settings.credit_export_url)
    token = settings.credit_export_token.get_secret_value() if settings.credit_export_token else None
    try:
        catalogue = read_catalogue(settings.credit_catalogue_file)
        sink = (
            HttpSink(target, token, settings.credit_export_timeout_s, settings.credit_export_attempts)
            if target
            else OutboxSink(outbox or settings.credit_export_outbox)
        )
    except (OutboxUnwritable, CatalogueError) as exc:
        errors.print(f"[red]nothing exported:[/red] {exc}")
        raise typer.Exit(1) from None
    if show_reconciliation:
        _reconcile(settings, sink, as_json)
        return
    if withdraw_dead is not None:
        _withdraw(settings, sink, withdraw_dead, reason, by)
        return
    with connect(settings) as driver:
        migrate(driver, settings.neo4j_database)
        expired = expire_due(driver, settings.neo4j_database, date.today())

        def shown(batch: Batch) -> None:
            if not as_json:
                console.print(f"batch {batch.batch_id}: {len(batch.records)} changes acknowledged")

        try:
            resent = (
                retry_dead_letters(driver, settings.neo4j_database, sink, by="cli", catalogue=catalogue)
                if retry_dead
                else None
            )
            report = export_changes(
                driver, settings.neo4j_database, sink, size, on_batch=shown, catalogue=catalogue
            )
        except (ExportError, ReceiverUnavailable, CatalogueError) as exc:
            errors.print(f"[red]export stopped:[/red] {exc}. Nothing unacknowledged is lost: run it again.")
            raise typer.Exit(1) from None
        finally:
            if isinstance(sink, HttpSink):
                sink.close()
    summary = {
        "sink": report.sink,
        "expired": len(expired),
        "batches": report.batches,
        "records": report.records,
        "acknowledged_through": report.acknowledged,
        "refused": report.refused,
        "resent": resent.resent if resent else 0,
        "open_dead_letters": report.open_dead_letters,
    }
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        if resent:
            console.print(
                f"{resent.resent} dead letters re-sent and accepted, {resent.still_refused} refused again"
            )
        console.print(
            f"{report.records:,} changes in {report.batches} batches to {report.sink}; acknowledged through "
            f"change {report.acknowledged}; {len(expired)} records expired today"
        )
    if report.open_dead_letters:
        errors.print(
            f"[red]{report.open_dead_letters} refused records wait in the dead letters[/red] "
            f"({report.refused} refused in this run): see creditDeadLetters, correct and run with "
            "--retry-dead, or withdraw them"
        )
        raise typer.Exit(2)


def _withdraw(
    settings: Settings, sink: HttpSink | OutboxSink, key: str, reason: str | None, by: str | None
) -> None:
    """The CLI's withdrawCreditDeadLetter: the same guarded write, recorded with who and why."""
    if isinstance(sink, HttpSink):
        sink.close()
    key, why = key.strip().upper(), (reason or "").strip()
    if not re.fullmatch(r"CC-\d{1,18}", key):
        errors.print(f"[red]nothing withdrawn:[/red] {key[:40]!r} is not a change's key (CC-42)")
        raise typer.Exit(2)
    if not 10 <= len(why) <= 2000:
        errors.print("[red]nothing withdrawn:[/red] say why with --reason (10-2000 characters)")
        raise typer.Exit(2)
    who = (by or f"cli:{getpass.getuser()}").strip()[:200]
    with connect(settings) as driver:
        migrate(driver, settings.neo4j_database)
        row = withdraw_letter(driver, settings.neo4j_database, f"{key} {sink.name}", by=who, reason=why)
    if row is None:
        errors.print(f"[red]nothing withdrawn:[/red] no dead letter of {key} for {sink.name}")
        raise typer.Exit(2)
    if not row["ok"]:
        errors.print(f"[red]nothing withdrawn:[/red] the dead letter of {key} is {row['before']}, not open")
        raise typer.Exit(2)
    console.print(f"dead letter of {key} for {sink.name} withdrawn by {who}: {why}")


def _reconcile(settings: Settings, sink: HttpSink | OutboxSink, as_json: bool) -> None:
    with connect(settings) as driver:
        migrate(driver, settings.neo4j_database)
        days = reconcile(driver, settings.neo4j_database, sink)
        total = days[-1].accepted_total if days else 0
        difference = receiver_difference(driver, settings.neo4j_database, sink, total)
    if isinstance(sink, HttpSink):
        sink.close()
    if as_json:
        rows = [{**{k: v for k, v in vars(d).items() if k != "day"}, "day": d.day.isoformat()} for d in days]
        summary = {"sink": sink.name, "days": rows, "accepted_total": total, "difference": difference}
        print(json.dumps(summary, indent=2))
    else:
        console.print(f"reconciliation with {sink.name}")
        for d in days:
            console.print(
                f"{d.day}: {d.batches} batches, sent {d.sent:,}, accepted {d.accepted:,}, refused "
                f"{d.refused:,}; accepted so far {d.accepted_total:,}; digest {d.digest}"
            )
        if not days:
            console.print("nothing acknowledged yet")
        console.print(
            "the receiver reports no count"
            if difference is None
            else f"the receiver holds {total + difference:,}: difference {difference:+,}"
        )
    if difference:
        raise typer.Exit(1)


@credit_app.command("expire")
def expire(ctx: typer.Context) -> None:
    """Expire published records whose maximum publicity period has ended."""
    settings: Settings = ctx.obj
    with connect(settings) as driver:
        migrate(driver, settings.neo4j_database)
        expired = expire_due(driver, settings.neo4j_database, date.today())
    console.print(f"{len(expired)} records expired" + (f": {', '.join(expired)}" if expired else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.add_typer(credit_app, name="credit")
