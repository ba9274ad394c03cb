"""The audit trail: every read of a person's personal data, by anyone, is recorded.

Events are only ever created (there is no API to change or delete them) and are written
before the data is returned: a read whose audit event cannot be written fails.

Under load, the events of concurrent requests are committed together (group commit, see
AuditWriter): each request still waits for the commit that holds its events, but a commit
— the expensive part, a disk flush — is shared by every request that arrived while the
previous one was being written.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from neo4j import AsyncDriver, AsyncManagedTransaction, unit_of_work

from access.audit_chain import append
from access.operations import audit_categories
from access.principal import Principal

AUDIT_EVENTS = """
MATCH (a:AuditEvent)
WHERE ($person IS NULL OR a.person_id_number = $person)
  AND ($subject IS NULL OR a.subject = $subject)
  AND ($agreement IS NULL OR a.agreement = $agreement)
  AND ($after IS NULL OR [a.at, a.event_id] < [datetime($after_at), $after])
RETURN a {.*, at: toString(a.at)} AS event
ORDER BY a.at DESC, a.event_id DESC
LIMIT $limit
"""


class Writer(Protocol):
    round_trips: int

    async def write(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]: ...


class AuditWriter:
    """Group commit of audit events, one background task per event loop (app lifespan)."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        timeout_s: float,
        max_events: int = 5000,
        on_change: Callable[[int, int], None] | None = None,
        on_commit: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> None:
        self._driver = driver
        self._database = database
        self._timeout_s = timeout_s
        self._max_events = max_events
        self._queue: asyncio.Queue[tuple[list[dict[str, Any]], asyncio.Future[None]]] = asyncio.Queue()
        self._queued = 0  # events waiting in the queue (asyncio.Queue shows no view of its items)
        self._task: asyncio.Task[None] | None = None
        self.commits = 0
        self.committed_events = 0  # for /metrics: events written since start
        self._on_change = on_change  # (queued now, just committed) after every change: the service's metrics
        self._on_commit = on_commit  # (the events just committed): reads per subject, for the metrics

    def _changed(self, committed: int = 0) -> None:
        if self._on_change is not None:
            self._on_change(self.queued_events, committed)

    @property
    def queued_events(self) -> int:
        return self._queued

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self._queue.empty():
            events, waiting = self._queue.get_nowait()
            self._queued -= len(events)
            if not waiting.done():
                waiting.set_exception(RuntimeError("the server is stopping; the audit event was not written"))

    def submit(self, events: list[dict[str, Any]]) -> asyncio.Future[None]:
        """Queue events; the future completes when they are committed (or fails with the commit)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((events, done))
        self._queued += len(events)
        self._changed()
        return done

    async def write(self, events: list[dict[str, Any]]) -> None:
        """Returns once the events are committed; raises if they could not be."""
        await self.submit(events)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0][0])
            # Everything that queued while the last commit was in flight goes in this one.
            while not self._queue.empty() and size < self._max_events:
                batch.append(self._queue.get_nowait())
                size += len(batch[-1][0])
            self._queued -= size
            committing = [e for events, _ in batch for e in events]
            try:
                await self._commit(committing)
            except Exception as exc:  # noqa: BLE001 - every waiting read fails with it
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                self.committed_events += size
                self._changed(size)
                if self._on_commit is not None:
                    self._on_commit(committing)
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _commit(self, events: list[dict[str, Any]]) -> None:
        @unit_of_work(timeout=self._timeout_s)
        async def work(tx: AsyncManagedTransaction) -> None:
            await append(tx, events)  # one link of the hash chain per event (access/audit_chain.py)

        async with self._driver.session(database=self._database) as session:
            await session.execute_write(work)
        self.commits += 1


class AuditTrail:
    """Per request: who is reading, for what stated purpose."""

    def __init__(self, gateway: Writer, principal: Principal, writer: AuditWriter | None = None) -> None:
        self._gateway = gateway
        self._principal = principal
        self._writer = writer
        self.request_id = str(uuid.uuid4())

    def _common(self, purpose: str, operation: str) -> dict[str, Any]:
        p = self._principal
        common: dict[str, Any] = {
            "request_id": self.request_id,
            "subject": p.subject,
            "role": p.role.value,
            "department": p.department,
            "purpose": purpose,
            "operation": operation,
        }
        if p.agreement is not None:  # auditors read the reads made under each agreement
            common["agreement"] = p.agreement.agreement_id
        return common

    def _shown(
        self, persons: Iterable[str], purpose: str, operation: str, disclosed: Iterable[str] | None
    ) -> list[dict[str, Any]]:
        common = self._common(purpose, operation) | {
            "categories": audit_categories(self._principal, operation, disclosed),
            "outcome": "shown",
        }
        return [{**common, "person_id_number": person} for person in sorted(set(persons))]

    async def record_reads(
        self, persons: list[str], purpose: str, operation: str, *, disclosed: Iterable[str] | None = None
    ) -> None:
        """Events for a read that showed these persons; their categories come from the access
        table (access/operations.AUDITED), narrowed to what the resolver says it disclosed."""
        if not persons:
            return
        await self._write(self._shown(persons, purpose, operation, disclosed))

    async def record_batch(
        self,
        shown: list[str],
        missed: list[str],
        purpose: str,
        operation: str,
        *,
        disclosed: Iterable[str] | None = None,
    ) -> None:
        """A batch read: an event per person shown and one per key that found nobody
        (not_found), appended together, in one transaction of the chain."""
        common = self._common(purpose, operation) | {"categories": [], "outcome": "not_found"}
        events = self._shown(shown, purpose, operation, disclosed) + [
            {**common, "person_id_number": key} for key in sorted(set(missed))
        ]
        if events:
            await self._write(events)

    async def record_attempt(self, key: str, purpose: str, operation: str, outcome: str) -> None:
        """A read that showed nothing (not found, outside the jurisdiction, forbidden): recorded
        too, so that probing for who exists leaves a trace. `key` is what the caller asked for."""
        await self._write(
            [
                self._common(purpose, operation)
                | {"categories": [], "outcome": outcome, "person_id_number": key}
            ]
        )

    async def _write(self, events: list[dict[str, Any]]) -> None:
        if self._writer is None:
            raise RuntimeError("no audit writer: personal data is never shown without its audit events")
        self._gateway.round_trips += 1  # a (shared) transaction of this request's
        await self._writer.write(events)
