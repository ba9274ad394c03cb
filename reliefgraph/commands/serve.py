"""`reliefgraph serve` and `reliefgraph apikey create`: the API service and its credentials."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape

from access.agreements import add_agreement, read_agreements
from access.principal import InvalidPrincipal, Principal, Role
from access.tokens import add_key, read_keys
from neo4j_server.local_server import free_port, pid_alive
from observability.logs import configure as configure_logging
from reliefgraph.app import create_app
from reliefgraph.header_limits import uvicorn_limits
from settings import Settings
from settings.private_files import private_dir, private_write

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width

# `apikey create`'s option for each attribute of a principal.
APIKEY_OPTIONS = {
    "department": "--department",
    "township_code": "--township",
    "village_code": "--village",
    "agreement": "--agreement",
}

EXAMPLE_QUERY = (
    '{ searchPersons(name: "王", purpose: "demo: try the API", first: 3) '
    "{ __typename ... on PersonSummaryConnection { edges { node { idNumber name birthDate } } } "
    "... on Forbidden { message } ... on InvalidInput { field message } } }"
)
EXAMPLE_FINDINGS = (
    '{ findings(purpose: "demo: review findings", first: 3) '
    "{ __typename ... on FindingConnection { edges { node { findingId kind score explanation } } } "
    "... on Forbidden { message } ... on InvalidInput { field message } } }"
)


# The demo's township and village: the small county of the default seed has active-discovery
# candidates there, and the demo posts its applications there (commands/demo_content.py).
DEMO_TOWNSHIP = "370831101"
DEMO_VILLAGE = "370831101001"

DEMO_KEYS = {
    # key: (subject, role, department, township, village). Accepted only in the development
    # profile (`reliefgraph demo` serves in it); production servers ignore demo keys.
    "rg_demo_investigator": ("demo-investigator", Role.INVESTIGATOR, "MZ", None, None),
    "rg_demo_caseworker": ("demo-caseworker", Role.CASEWORKER, "MZ", DEMO_TOWNSHIP, None),
    "rg_demo_coordinator": ("demo-coordinator", Role.COORDINATOR, "MZ", DEMO_TOWNSHIP, DEMO_VILLAGE),
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
        entry.principal.subject: entry
        for entry in read_keys(settings.api_keys_file)
        if entry.demo and (entry.agreement_id or entry.principal.role is not Role.DEPARTMENT_PARTNER)
    }
    for key, (subject, role, department, township, village) in DEMO_KEYS.items():
        if subject in present:
            found = present[subject].principal
            if (found.township_code, found.village_code) != (township, village):
                # The first entry of a key wins: an older demo's jurisdiction would stay.
                errors.print(
                    f"[yellow]warning:[/yellow] {settings.api_keys_file} gives {key} the jurisdiction of an "
                    f"older demo ({found.village_code or found.township_code}); delete its demo = true "
                    "entries (or make clean-state) and run the demo again"
                )
            continue
        add_key(
            settings.api_keys_file,
            Principal(subject, role, department, township, village),
            key=key,
            demo=True,
            agreement=agreement if role is Role.DEPARTMENT_PARTNER else None,
        )


@dataclass(frozen=True)
class Serving:
    """An API this state directory's `serve` (or `demo`) started, found running."""

    pid: int
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def serving_file(settings: Settings) -> Path:
    """Written while `serve` runs ("PID HOST PORT"), removed when it ends."""
    return settings.state_dir / "api-serving"


def running_api(settings: Settings) -> Serving | None:
    """The API started from this state directory, if its process lives and /healthz answers."""
    try:
        pid_text, host, port_text = serving_file(settings).read_text().split()
        found = Serving(int(pid_text), host, int(port_text))
    except (OSError, ValueError):
        return None
    if not pid_alive(found.pid):
        return None
    probe_host = "127.0.0.1" if found.host in ("0.0.0.0", "::", "") else _url_host(found.host)
    try:
        with urllib.request.urlopen(f"http://{probe_host}:{found.port}/healthz", timeout=2) as answer:
            body = json.load(answer)
            healthy = answer.status == 200 and isinstance(body, dict) and body.get("status") == "ok"
    except (OSError, ValueError):
        return None
    return found if healthy else None


def listen_problem(host: str, port: int) -> str | None:
    """Why the API could not listen on host:port, in one line with what to do; None if it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is taken by another process; stop it, or serve on a free "
                    f"port: --port {free_port()} (or RELIEFGRAPH_PORT)"
                )
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}; check --host and --port"
        except OverflowError:
            return f"port {port} is not a port (1 to 65535)"
    return None


def serve(settings: Settings, host: str | None, port: int | None, workers: int = 1) -> None:
    host, port = host or settings.host, port or settings.port
    if (already := running_api(settings)) is not None and already.port == port:
        errors.print(
            f"[red]cannot serve:[/red] this reliefgraph already serves at {already.url}/graphql "
            f"(pid {already.pid}); stop it first, or serve on another --port"
        )
        raise typer.Exit(1)
    if (problem := listen_problem(host, port)) is not None:
        errors.print(f"[red]cannot serve:[/red] {problem}")
        raise typer.Exit(1)
    console.print(
        f"GraphQL at http://{host}:{port}/graphql (profile {settings.profile}, {workers} worker(s))"
    )
    configure_logging(settings.log_format)
    marker = serving_file(settings)
    private_dir(marker.parent)
    private_write(marker, f"{os.getpid()} {host} {port}\n")
    try:
        _run(settings, host, port, workers)
    finally:
        # Only our own: a second serve on another port must not remove the first one's.
        try:
            if marker.read_text().split()[0] == str(os.getpid()):
                marker.unlink()
        except (OSError, IndexError):
            pass


def _run(settings: Settings, host: str, port: int, workers: int) -> None:
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
        except InvalidPrincipal as exc:
            # The principal names its attributes; the operator typed options.
            message = APIKEY_OPTIONS[exc.field].join(str(exc).rsplit(exc.field, 1))
            errors.print(f"[red]apikey create: {escape(message)}[/red]")
            raise typer.Exit(2) from None
        except ValueError as exc:
            errors.print(f"[red]apikey create: {escape(str(exc))}[/red]")
            raise typer.Exit(2) from None
        console.print(f"API key for {subject} ({role.value}), shown only now:\n{key}")
