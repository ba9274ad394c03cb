"""Opening the driver: an existing server from NEO4J_URI, else the project's local one."""

from __future__ import annotations

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase, NotificationMinimumSeverity

from neo4j_server.local_server import LocalNeo4j
from settings import Settings


def _target(settings: Settings) -> tuple[str, tuple[str, str]]:
    if settings.neo4j_uri is not None:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        return settings.neo4j_uri, (settings.neo4j_user, password)
    local = LocalNeo4j(settings)
    return local.bolt_uri, (settings.neo4j_user, local.password())


def open_driver(settings: Settings) -> Driver:
    uri, auth = _target(settings)
    # Planner notices ("label does not exist yet") are noise on an empty graph.
    driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity=NotificationMinimumSeverity.OFF)
    driver.verify_connectivity()
    return driver


def api_driver(uri: str, auth: tuple[str, str], settings: Settings) -> AsyncDriver:
    """An async driver that gives up fast: a client waiting on the API is better told 503 in
    a few seconds than held for the driver's default half minute of retries."""
    return AsyncGraphDatabase.driver(
        uri,
        auth=auth,
        notifications_min_severity=NotificationMinimumSeverity.OFF,
        connection_timeout=settings.neo4j_connect_timeout_s,
        max_transaction_retry_time=settings.api_retry_s,
        connection_acquisition_timeout=settings.neo4j_connect_timeout_s + settings.api_retry_s,
    )


async def open_async_driver(settings: Settings) -> AsyncDriver:
    """The async driver the API serves from (same connection rules as ``open_driver``)."""
    uri, auth = _target(settings)
    driver = api_driver(uri, auth, settings)
    await driver.verify_connectivity()
    return driver
