"""The commands' connection to Neo4j: one clear line when it cannot be reached."""

from __future__ import annotations

import typer
from neo4j import Driver
from neo4j.exceptions import AuthError, ServiceUnavailable
from rich.console import Console
from rich.markup import escape

from graph.driver import open_driver
from neo4j_server.local_server import LocalNeo4j, Neo4jStartError
from settings import Settings

errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def auth_failure(settings: Settings) -> str:
    """What to do when the server refused our credentials: for the local server, most often
    another Neo4j listens on its port."""
    if settings.uses_local_server:
        local = LocalNeo4j(settings)
        state = local.status()
        where = (
            f"ours runs at {state.bolt_uri}"
            if state.running
            else "ours is not running (reliefgraph neo4j start)"
        )
        return (
            f"the server at {local.bolt_uri} refused the password in {local.password_file}: it is not "
            f"this project's Neo4j ({where}; `reliefgraph neo4j status` says where)"
        )
    return (
        f"Neo4j at {settings.neo4j_uri} refused user {settings.neo4j_user!r} and its password: "
        "check NEO4J_USERNAME and NEO4J_PASSWORD"
    )


def connect(settings: Settings) -> Driver:
    try:
        return open_driver(settings)
    except AuthError:
        errors.print(f"[red]cannot use Neo4j:[/red] {escape(auth_failure(settings))}")
        raise typer.Exit(1) from None
    except (Neo4jStartError, ServiceUnavailable) as exc:
        errors.print(f"[red]cannot reach Neo4j:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
