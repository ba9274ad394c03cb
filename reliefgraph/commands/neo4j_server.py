"""`reliefgraph neo4j start | stop | status`: the project's own local server."""

from __future__ import annotations

import typer
from rich.console import Console

from neo4j_server.distribution import DistributionError
from neo4j_server.java import JavaNotFound
from neo4j_server.local_server import LocalNeo4j, Neo4jStartError
from settings import Settings

app = typer.Typer(help="Provision, start and stop the local Neo4j Community server.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)  # one line per answer, whatever the width


def _local(ctx: typer.Context) -> LocalNeo4j:
    settings: Settings = ctx.obj
    if not settings.uses_local_server:
        console.print(f"NEO4J_URI is set ({settings.neo4j_uri}): nothing local to manage.")
        raise typer.Exit(0)
    return LocalNeo4j(settings)


def start_local(settings: Settings) -> None:
    """Start (or find running) the local server; exits with a clear message on failure."""
    local = LocalNeo4j(settings)
    was_running = local.status().running
    try:
        changed = local.make_state_private()  # start() does it too; here it is said on the console
        if changed:
            console.print(f"[yellow]warning:[/yellow] {local.describe_made_private(changed)}", soft_wrap=True)
        status = local.start()
    except (JavaNotFound, DistributionError, Neo4jStartError) as exc:
        console.print(f"[red]cannot start Neo4j:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(("already " if was_running else "started: ") + status.describe())


@app.command()
def start(ctx: typer.Context) -> None:
    """Download (once), configure and start Neo4j; wait until Bolt answers. A no-op if running."""
    _local(ctx)
    start_local(ctx.obj)


@app.command()
def stop(ctx: typer.Context) -> None:
    """Shut the local server down cleanly."""
    local = _local(ctx)
    console.print("stopped" if local.stop() else "was not running")


@app.command()
def status(ctx: typer.Context) -> None:
    """Say whether the local server runs, and where."""
    local = _local(ctx)
    state = local.status()
    console.print(state.describe())
    raise typer.Exit(0 if state.running else 3)
