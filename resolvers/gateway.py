"""Every Cypher round trip of one API request: managed, retry-safe transactions with the
per-query timeout, counted so tests can prove a request's cost does not grow with the data."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from neo4j import AsyncDriver, AsyncManagedTransaction, READ_ACCESS, WRITE_ACCESS, unit_of_work
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from observability.metrics import IN_FLIGHT

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


class GraphUnavailable(GraphQLError):
    """Neo4j cannot be reached (after the driver's short retries): the API answers 503."""

    def __init__(self) -> None:
        super().__init__("the database is unavailable; try again shortly", extensions={"code": SERVICE_UNAVAILABLE})


class GraphGateway:
    def __init__(self, driver: AsyncDriver, database: str, timeout_s: float) -> None:
        self._driver = driver
        self._database = database
        self._timeout_s = timeout_s
        self.round_trips = 0

    async def read(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]:
        return await self._execute(cypher, params, write=False)

    async def write(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]:
        return await self._execute(cypher, params, write=True)

    async def _execute(self, query: str, params: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
        self.round_trips += 1

        @unit_of_work(timeout=self._timeout_s)
        async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
            result = await tx.run(query, params)
            return [record.data() async for record in result]

        mode = WRITE_ACCESS if write else READ_ACCESS
        IN_FLIGHT.inc()
        try:
            async with self._driver.session(database=self._database, default_access_mode=mode) as session:
                if write:
                    return await session.execute_write(work)
                return await session.execute_read(work)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailable() from exc
        finally:
            IN_FLIGHT.dec()
