"""Opening the driver: an existing server from NEO4J_URI, else the project's local one."""

from __future__ import annotations

from neo4j import Driver, GraphDatabase, NotificationMinimumSeverity

from graph.local_server import LocalNeo4j
from reliefgraph.settings import Settings


def open_driver(settings: Settings) -> Driver:
    if settings.neo4j_uri is not None:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        uri, auth = settings.neo4j_uri, (settings.neo4j_user, password)
    else:
        local = LocalNeo4j(settings)
        uri, auth = local.bolt_uri, (settings.neo4j_user, local.password())
    # Planner notices ("label does not exist yet") are noise on an empty graph.
    driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity=NotificationMinimumSeverity.OFF)
    driver.verify_connectivity()
    return driver
