"""`reliefgraph serve` and `reliefgraph apikey create`: the API service and its credentials."""

from __future__ import annotations

import os
import shutil
from datetime import date
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from access.agreements import add_agreement, read_agreements
from access.principal import Principal, Role
from access.tokens import add_key, read_keys
from observability.logs import configure as configure_logging
from reliefgraph.app import create_app
from reliefgraph.header_limits import uvicorn_limits
from settings import Settings

console = Console()

EXAMPLE_QUERY = (
    '{ searchPersons(name: "王", purpose: "demo: try the API", first: 3) '
    "{ ... on PersonSummaryConnection { edges { node { idNumber name birthDate } } } } }"
)
EXAMPLE_FINDINGS = (
    '{ findings(purpose: "demo: review findings", first: 3) '
    "{ ... on FindingConnection { edges { node { findingId kind score explanation } } } } }"
)


DEMO_KEYS = {
    # key: (subject, role, department, township, village). Accepted only in the development
    # profile (`reliefgraph demo` serves in it); production servers ignore demo keys.
    "rg_demo_investigator": ("demo-investigator", Role.INVESTIGATOR, "MZ", None, None),
    "rg_demo_caseworker": ("demo-caseworker", Role.CASEWORKER, "MZ", "370831100", None),
    "rg_demo_coordinator": ("demo-coordinator", Role.COORDINATOR, "MZ", "370831100", "370831100001"),
    "rg_demo_partner_jt": ("demo-jt-client", Role.DEPARTMENT_PARTNER, "JT", None, None),
    "rg_demo_auditor": ("demo-auditor", Role.AUDITOR, None, None, None),
    "rg_demo_credit_officer": ("demo-credit-officer", Role.CREDIT_OFFICER, "MZ", None, None),
    "rg_demo_exporter": ("demo-credit-export", Role.CREDIT_EXPORTER, None, None, None),
}


DEMO_AGREEMENT = "AGR-JT-DEMO"  # the demo partner key's: education aid eligibility (docs/partners.md)


def ensure_demo_agreement(settings: Settings) -> None:
    if DEMO_AGREEMENT in read_agreements(settings.agreements_file):
        return
    today = date.today()
    add_agreement(
        settings.agreements_file,
        agreement_id=DEMO_AGREEMENT,
        department="JT",
        programmes=["EDU"],
        categories=["basic", "identity", "benefits", "credit"],
        purposes=["EDU_AID_ELIGIBILITY", "EDU_AID_REVIEW"],
        valid_from=today.replace(month=1, day=1),
        valid_until=None,
        signatories=["泗水县民政局 (demo)", "泗水县教育和体育局 (demo)"],
        document="泗民函〔demo〕1号",
    )


def ensure_demo_keys(settings: Settings) -> None:
    ensure_demo_agreement(settings)
    agreement = read_agreements(settings.agreements_file)[DEMO_AGREEMENT]
    # A demo partner key made before agreements existed is made again, bound to the demo's.
    present = {
        entry.principal.subject
        for entry in read_keys(settings.api_keys_file)
        if entry.demo and (entry.agreement_id or entry.principal.role is not Role.DEPARTMENT_PARTNER)
    }
    for key, (subject, role, department, township, village) in DEMO_KEYS.items():
        if subject in present:
            continue
        add_key(
            settings.api_keys_file,
            Principal(subject, role, department, township, village),
            key=key,
            demo=True,
            agreement=agreement if role is Role.DEPARTMENT_PARTNER else None,
        )


def serve(settings: Settings, host: str | None, port: int | None, workers: int = 1) -> None:
    host, port = host or settings.host, port or settings.port
    console.print(
        f"GraphQL at http://{host}:{port}/graphql (profile {settings.profile}, {workers} worker(s))"
    )
    configure_logging(settings.log_format)
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_config=None,
            proxy_headers=False,
            server_header=False,
            **uvicorn_limits(settings),
        )
        return
    # Each worker counts its own requests; prometheus-client adds them up from files in one
    # directory (its multiprocess mode), emptied here before the workers start.
    metrics_dir = settings.state_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    # Worker processes build their own settings from the environment, so they must not differ
    # from what this process was given on the command line.
    uvicorn.run(
        "reliefgraph.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        **uvicorn_limits(settings),
    )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="bind address (default 127.0.0.1)")] = None,
        port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
        workers: Annotated[int, typer.Option(min=1, max=16, help="uvicorn worker processes")] = 1,
    ) -> None:
        """Serve the GraphQL API (uvicorn)."""
        serve(ctx.obj, host, port, workers)

    @app.command("schema")
    def schema_command() -> None:
        """Print the GraphQL schema (SDL): the text of schema.graphql."""
        from schema.build import schema_sdl

        print(schema_sdl(), end="")

    apikey = typer.Typer(help="API keys for GraphQL clients.", no_args_is_help=True)
    app.add_typer(apikey, name="apikey")

    @apikey.command("create")
    def create_key(
        ctx: typer.Context,
        subject: Annotated[
            str, typer.Option(help="who holds the key: a staff id, a department client, a job")
        ],
        role: Annotated[Role, typer.Option(help="the holder's role")],
        department: Annotated[str | None, typer.Option(help="department code (partners)")] = None,
        township: Annotated[str | None, typer.Option(help="township code (caseworkers)")] = None,
        village: Annotated[str | None, typer.Option(help="village code (coordinators)")] = None,
        agreement: Annotated[
            str | None, typer.Option(help="the partner's data-sharing agreement (AGR-…)")
        ] = None,
    ) -> None:
        """Create an API key; it is shown once, and only its SHA-256 digest is kept. A running
        server accepts it from its next request on."""
        settings: Settings = ctx.obj
        bound = None
        if agreement is not None:
            bound = read_agreements(settings.agreements_file).get(agreement)
            if bound is None:
                console.print(f"[red]apikey create: no agreement {agreement}[/red]")
                raise typer.Exit(2)
        try:
            principal = Principal(
                subject=subject,
                role=role,
                department=department,
                township_code=township,
                village_code=village,
            )
            key = add_key(settings.api_keys_file, principal, agreement=bound)
        except ValueError as exc:
            console.print(f"[red]apikey create: {exc}[/red]")
            raise typer.Exit(2) from None
        console.print(f"API key for {subject} ({role.value}), shown only now:\n{key}")
