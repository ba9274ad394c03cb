"""The commands' connection to Neo4j: one clear line when it cannot be reached."""

from __future__ import annotations

import typer
from neo4j import Driver
from neo4j.exceptions import ServiceUnavailable
from rich.console import Console

from graph.driver import open_driver
from neo4j_server.local_server import Neo4jStartError
from settings import Settings

errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def connect(settings: Settings) -> Driver:
    try:
        return open_driver(settings)
    except (Neo4jStartError, ServiceUnavailable) as exc:
        errors.print(f"[red]cannot reach Neo4j:[/red] {exc}")
        raise typer.Exit(1) from None
