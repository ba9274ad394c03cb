"""`reliefgraph agreement create|list|revoke|trust`: partners' data-sharing agreements.

Written to the agreements file a running server watches (access/agreements.py): a change
takes effect on its next request.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from access.agreements import AgreementError, add_agreement, read_agreements, revoke_agreement, trust_document
from settings import Settings

console = Console()


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        console.print(f"[red]agreement: {name} is not a date (YYYY-MM-DD): {value!r}[/red]")
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    agreement = typer.Typer(help="Data-sharing agreements with partner departments.", no_args_is_help=True)
    app.add_typer(agreement, name="agreement")

    @agreement.command("create")
    def create(
        ctx: typer.Context,
        department: Annotated[str, typer.Option(help="the partner's department code, e.g. JT")],
        purpose: Annotated[list[str], typer.Option(help="a permitted purpose code (repeat)")],
        category: Annotated[list[str], typer.Option(help="a data category it may receive (repeat)")],
        signatory: Annotated[list[str], typer.Option(help="a signatory (repeat)")],
        document: Annotated[str, typer.Option(help="the signed agreement's reference (文号)")],
        programme: Annotated[list[str] | None, typer.Option(help="one of its programmes (repeat)")] = None,
        valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
        valid_until: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default a 3-year term)")] = None,
        jwt_subject: Annotated[
            list[str] | None, typer.Option(help="a JWT subject bound to it (repeat)")
        ] = None,
        agreement_id: Annotated[str | None, typer.Option("--id", help="AGR-… (default generated)")] = None,
    ) -> None:
        """Record an agreement; bind keys to it with `reliefgraph apikey create --agreement`."""
        settings: Settings = ctx.obj
        try:
            made = add_agreement(
                settings.agreements_file,
                department=department,
                programmes=programme or [],
                categories=category,
                purposes=purpose,
                valid_from=_day(valid_from, "valid-from") or date.today(),
                valid_until=_day(valid_until, "valid-until"),
                signatories=signatory,
                document=document,
                subjects=jwt_subject or [],
                agreement_id=agreement_id,
            )
        except AgreementError as exc:
            console.print(f"[red]agreement create: {exc}[/red]")
            raise typer.Exit(2) from None
        console.print(
            f"agreement {made.agreement_id} ({made.department}), "
            f"in force {made.valid_from} to {made.valid_until}"
        )

    @agreement.command("list")
    def list_agreements(ctx: typer.Context) -> None:
        """Every agreement, its term and whether it is in force today."""
        settings: Settings = ctx.obj
        # One line each, whole (a table would cut ids and reasons in a narrow terminal).
        today = date.today()
        for a in read_agreements(settings.agreements_file).values():
            print(
                f"{a.agreement_id}\t{a.department}\tprogrammes {','.join(a.programmes) or '-'}"
                f"\tcategories {','.join(sorted(c.value for c in a.categories))}"
                f"\tpurposes {','.join(a.purposes)}\t{a.valid_from} to {a.valid_until}"
                f"\t{a.refusal(today) or 'in force'}"
            )

    @agreement.command("revoke")
    def revoke(
        ctx: typer.Context,
        agreement_id: Annotated[str, typer.Argument(help="AGR-…")],
        reason: Annotated[str, typer.Option(help="why, as the partner will read it")],
    ) -> None:
        """Revoke an agreement: its keys get 403 with the reason from the next request on."""
        settings: Settings = ctx.obj
        try:
            revoke_agreement(settings.agreements_file, agreement_id, reason, date.today())
        except AgreementError as exc:
            console.print(f"[red]agreement revoke: {exc}[/red]")
            raise typer.Exit(2) from None
        console.print(f"agreement {agreement_id} revoked")

    @agreement.command("trust")
    def trust(
        ctx: typer.Context,
        agreement_id: Annotated[str, typer.Argument(help="AGR-…")],
        document: Annotated[Path, typer.Option(help="a file holding one GraphQL document")],
    ) -> None:
        """Register a GraphQL document the agreement's keys may run in production."""
        settings: Settings = ctx.obj
        try:
            text = document.read_text(encoding="utf-8")
            sha = trust_document(settings.agreements_file, agreement_id, text)
        except (OSError, UnicodeDecodeError) as exc:
            console.print(f"[red]agreement trust: cannot read {document}: {exc}[/red]")
            raise typer.Exit(2) from None
        except AgreementError as exc:
            console.print(f"[red]agreement trust: {exc}[/red]")
            raise typer.Exit(2) from None
        console.print(f"trusted document {sha} for {agreement_id}")
