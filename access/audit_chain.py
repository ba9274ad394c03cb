"""The audit trail as a hash chain: an event deleted or altered in the database is detected.

Neo4j Community has no role-based access control, so whoever holds the database password
can delete or change AuditEvent nodes. Each event therefore carries a sequence number and
the SHA-256 of its own content chained to the previous event's hash; a single
(:AuditChain) head holds the last sequence number and hash. Appending locks the head (one
committer at a time, across API workers), so the chain is one line through every event.
`verify_chain` walks it and names the first missing, altered or truncated link;
`export_chain` appends events to a file meant for write-once storage, where an attacker
with the database password cannot reach them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction

from settings.private_files import private_dir, private_open

GENESIS = "0" * 64
# The fields an event's hash covers, in this order.
FIELDS = (
    "seq",
    "event_id",
    "request_id",
    "at",
    "subject",
    "role",
    "department",
    "person_id_number",
    "categories",
    "purpose",
    "operation",
    "outcome",
)

LOCK_HEAD = """
MERGE (c:AuditChain {name: 'audit'})
ON CREATE SET c.seq = 0, c.hash = $genesis
SET c.appending = coalesce(c.appending, 0) + 1
RETURN c.seq AS seq, c.hash AS hash
"""

# The events and the head's move in one statement: a round trip less in every group commit,
# which every read in the group waits for.
APPEND = """
UNWIND $events AS e
CREATE (a:AuditEvent)
SET a = e, a.at = datetime(e.at), a.at_text = e.at
WITH count(a) AS appended
MATCH (c:AuditChain {name: 'audit'})
SET c.seq = $seq, c.hash = $hash, c.appending = 0
"""

EVENTS_FROM = """
MATCH (a:AuditEvent) WHERE a.seq > $after
RETURN a {.*, at: a.at_text, at_stored: toString(a.at)} AS event
ORDER BY a.seq
LIMIT $limit
"""

HEAD = "MATCH (c:AuditChain {name: 'audit'}) RETURN c.seq AS seq, c.hash AS hash"


# Hashed only where an event carries them, so every event written before they existed keeps
# its hash: the agreement a partner read under, a document the event vouches for (such as an
# evidence pack's manifest).
OPTIONAL_FIELDS = ("agreement", "document_id", "document_sha256")


def _canonical(event: dict[str, Any]) -> bytes:
    values: list[Any] = [event.get(f) for f in FIELDS]
    values += [[f, event[f]] for f in OPTIONAL_FIELDS if event.get(f) is not None]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def link(previous: str, event: dict[str, Any]) -> str:
    return hashlib.sha256(previous.encode() + _canonical(event)).hexdigest()


def _iso(moment: datetime) -> str:
    # Neo4j's toString(datetime) and Python's isoformat agree on this form.
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def chained(events: list[dict[str, Any]], seq: int, previous: str) -> tuple[list[dict[str, Any]], int, str]:
    """The events with their sequence numbers, times and hashes; the new head."""
    now = _iso(datetime.now(UTC))
    out = []
    for event in events:
        seq += 1
        e = {f: event.get(f) for f in FIELDS} | {"seq": seq, "at": now}
        e |= {f: event[f] for f in OPTIONAL_FIELDS if event.get(f) is not None}
        e["event_id"] = (
            event.get("event_id") or hashlib.sha256(f"{now}|{seq}|{os.getpid()}".encode()).hexdigest()[:32]
        )
        e["prev_hash"] = previous
        e["hash"] = previous = link(previous, e)
        out.append(e)
    return out, seq, previous


async def append(tx: Any, events: list[dict[str, Any]]) -> None:
    """Append events to the chain inside the caller's write transaction (retry-safe: the
    whole transaction, head lock included, is what the driver retries)."""
    head = await (await tx.run(LOCK_HEAD, genesis=GENESIS)).single()
    linked, seq, last = chained(events, head["seq"], head["hash"])
    await (await tx.run(APPEND, events=linked, seq=seq, hash=last)).consume()


def append_sync(tx: ManagedTransaction, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`append` for a synchronous write transaction (the CLI); returns the events as chained."""
    head = tx.run(LOCK_HEAD, genesis=GENESIS).single(strict=True)
    linked, seq, last = chained(events, head["seq"], head["hash"])
    tx.run(APPEND, events=linked, seq=seq, hash=last).consume()
    return linked


@dataclass(frozen=True)
class ChainReport:
    events: int
    ok: bool
    problem: str | None = None  # the first broken link, in words
    at_seq: int | None = None


def _events(driver: Driver, database: str, after: int = 0, page: int = 5000) -> Iterator[dict[str, Any]]:
    while True:
        records, _, _ = driver.execute_query(EVENTS_FROM, after=after, limit=page, database_=database)
        if not records:
            return
        for r in records:
            yield r["event"]
        after = records[-1]["event"]["seq"]


def _same_instant(a: str | None, b: str | None) -> bool:
    try:
        return (
            a is not None
            and b is not None
            and datetime.fromisoformat(a.replace("Z", "+00:00"))
            == datetime.fromisoformat(b.replace("Z", "+00:00"))
        )
    except ValueError:
        return False


def verify_chain(driver: Driver, database: str) -> ChainReport:
    """Walk every event in sequence: a gap is a deleted event, a hash that does not follow
    from the event's content and its predecessor's hash an altered one, a head beyond the
    last event deleted events at the end."""
    previous, expected, count = GENESIS, 1, 0
    for event in _events(driver, database):
        if event.get("seq") is None:
            return ChainReport(count, False, "an event without a sequence number (written outside the chain)")
        if event["seq"] < expected:
            return ChainReport(
                count,
                False,
                f"two events carry sequence number {event['seq']}: the chain forked "
                "(two servers appended at once before migration 11 made its head "
                "unique)",
                event["seq"],
            )
        if event["seq"] != expected:
            return ChainReport(
                count, False, f"events {expected}–{event['seq'] - 1} are missing (deleted)", expected
            )
        if (
            event.get("prev_hash") != previous
            or link(previous, event) != event.get("hash")
            or not _same_instant(event.get("at"), event.get("at_stored"))
        ):
            return ChainReport(
                count, False, f"event {expected} was altered: its hash does not match its content", expected
            )
        previous, expected, count = event["hash"], expected + 1, count + 1
    records, _, _ = driver.execute_query(HEAD, database_=database)
    if records and (records[0]["seq"] != count or records[0]["hash"] != previous):
        return ChainReport(
            count,
            False,
            f"the chain's head is at event {records[0]['seq']} but the events end at "
            f"{count}: the last events were deleted",
            count + 1,
        )
    return ChainReport(count, True)


def export_chain(driver: Driver, database: str, path: Path) -> int:
    """Append to `path` (JSON Lines) every event after the last one it holds; returns how
    many were appended. The file is only ever appended to, and flushed to disk."""
    after = 0
    if path.exists():
        with path.open("rb") as fh:
            lines = fh.read().splitlines()
        if lines:
            after = json.loads(lines[-1])["seq"]
    written = 0
    private_dir(path.parent)
    with private_open(path, "a", encoding="utf-8") as fh:
        for event in _events(driver, database, after):
            event.pop("at_stored", None)
            fh.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
            written += 1
        fh.flush()
        os.fsync(fh.fileno())
    return written
