"""`evidence finding ID OUT.pdf`: a confirmed finding's evidence pack, written beside its
manifest (OUT.manifest.json), both 0600, and recorded in the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from neo4j.exceptions import DriverError, Neo4jError
from rich.console import Console

from access.operations import EVIDENCE_PACK_ROUTE, ROUTES, route_area
from access.principal import Principal, Role
from evidence.case_file import finding_case_file
from evidence.pack import events, make, read_sync, record_sync, refusal
from evidence.pdf import FontMissing
from graph.migrations import migrate
from reliefgraph.commands.connection import connect
from schema.findings import KIND_CATEGORIES
from schema.validation import purpose_problem
from settings import Settings
from settings.private_files import private_write

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def manifest_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.stem + ".manifest.json")


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]no evidence pack:[/red] {message}")
    return typer.Exit(1)


def register(app: typer.Typer) -> None:
    evidence = typer.Typer(
        help="Evidence packs: a confirmed finding's evidence, as a PDF.", no_args_is_help=True
    )
    app.add_typer(evidence, name="evidence")

    @evidence.command("finding")
    def finding_command(
        ctx: typer.Context,
        finding_id: Annotated[str, typer.Argument(help="the confirmed finding's id")],
        out: Annotated[Path, typer.Argument(help="the PDF to write (its manifest goes beside it)")],
        by: Annotated[str, typer.Option(help="who makes the pack (staff id), for the audit trail")],
        purpose: Annotated[str, typer.Option(help="why, for the audit trail (e.g. 移送纪委监委)")],
        role: Annotated[
            Role, typer.Option(help="the maker's role: what the pack shows is masked as it reads")
        ] = Role.INVESTIGATOR,
    ) -> None:
        """Make the pack of a confirmed finding; exit 1 with the reason if there can be none."""
        settings: Settings = ctx.obj
        if not 1 <= len(by.strip()) <= 100:
            raise _fail("--by names who makes the pack (1-100 characters)")
        if (bad := purpose_problem(purpose)) is not None:
            raise _fail(bad.message)
        entry = ROUTES[EVIDENCE_PACK_ROUTE]
        if role not in entry.grants:
            raise _fail(entry.refused)
        principal = Principal(by.strip(), role)
        if route_area(principal, EVIDENCE_PACK_ROUTE) is None:  # a grant narrower than the county
            raise _fail(entry.refused)
        if not out.parent.is_dir():
            raise _fail(f"the folder {out.parent} does not exist")
        with connect(settings) as driver:
            try:
                migrate(driver, settings.neo4j_database)
                found = read_sync(driver, settings.neo4j_database, [finding_id.strip()])
                case = finding_case_file(finding_id.strip(), found)
                if (refused := refusal(case, found)) is not None:
                    raise _fail(refused.message)
                pack = make(case, found, principal, settings.evidence_font_file)
                kind = found.findings[0].finding.get("kind") or ""
                audit = events(pack, principal, purpose.strip(), KIND_CATEGORIES.get(kind, ["basic"]))
                # Recorded before it is written: personal data is never handed out unaudited.
                record_sync(driver, settings.neo4j_database, pack, case, principal, audit)
                private_write(out, pack.pdf)
                private_write(manifest_path(out), pack.manifest.decode())
            except FontMissing as exc:
                raise _fail(str(exc)) from None
            except (Neo4jError, DriverError) as exc:
                raise _fail(f"the graph database failed: {exc}") from None
        console.print(
            f"evidence pack {pack.pack_id} written to {out} ({len(pack.pdf):,} bytes), "
            f"manifest {manifest_path(out)}; manifest SHA-256 {pack.manifest_sha256} is in the audit chain"
        )
