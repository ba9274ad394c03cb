"""`reliefgraph export credit`: every change of the credit change feed since the last one the
receiver acknowledged, in batches, to an outbox folder or the credit platform's endpoint.

Exactly once, however often the job is killed: changes are numbered in the graph in the
same transaction as the record change (see credit.records); a batch covers a fixed range
of numbers and is acknowledged in the graph only after the receiver confirmed it, so a
killed run resends at most one batch — and the receiver recognises it:
  - outbox: a batch is a data file plus its manifest, written last (the commit point); a
    rerun finds manifests beyond the acknowledged number and acknowledges them, and removes
    data files a crash left without a manifest;
  - HTTP: every record carries an idempotency key (its change id), so a resent batch is
    recognised record by record; a batch counts only when every key was confirmed or refused.

A record the receiver refuses (it names the record: a reason in a 200's `refused`, or a 4xx
that lists it) is not a receiver that is down: it goes to the dead letters, with the
receiver's reason, in the same transaction that acknowledges its batch, and the changes
after it keep flowing. Dead letters are re-sent (`retry_dead_letters`) or withdrawn by a
credit officer; until then the job reports them and exits non-zero.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
from neo4j import Driver
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from credit.catalogue import Catalogue, shipped_catalogue
from credit.records import SNAPSHOT
from settings.private_files import private_dir, private_open

# The envelope; the record inside is the receiving platform's, named by its catalogue version.
FORMAT = "reliefgraph.credit-change/3"

READ_CURSOR = """
MERGE (c:ExportCursor {name: $name}) ON CREATE SET c.acknowledged = 0, c.created_at = datetime()
RETURN c.acknowledged AS acknowledged
"""
ACKNOWLEDGE = """
MATCH (c:ExportCursor {name: $name}) WHERE c.acknowledged < $last
SET c.acknowledged = $last, c.acknowledged_at = datetime()
"""
# A batch's acknowledgement, its dead letters and its reconciliation row: one transaction, so
# a killed run leaves either all three or none (and the rerun's resend makes the same ones).
ACKNOWLEDGE_BATCH = """
MATCH (c:ExportCursor {name: $name}) WHERE c.acknowledged < $last
SET c.acknowledged = $last, c.acknowledged_at = datetime(),
    c.receiver_count = coalesce($receiver_count, c.receiver_count)
MERGE (b:ExportBatch {batch_key: $name + ' ' + $batch_id})
SET b.sink = $name, b.batch_id = $batch_id, b.first_sequence = $first, b.last_sequence = $last,
    b.sent = $sent, b.accepted = $accepted, b.refused = size($refused), b.digest = $digest,
    b.receiver_count = $receiver_count, b.day = date(), b.at = datetime()
WITH c
UNWIND $refused AS d
MATCH (ch:CreditChange {sequence: d.sequence})
MERGE (l:DeadLetter {letter_id: ch.change_id + ' ' + $name})
ON CREATE SET l.sink = $name, l.change_id = ch.change_id, l.sequence = ch.sequence,
              l.record_id = ch.record_id, l.change = ch.change, l.status = 'open',
              l.first_refused_at = datetime(), l.refusals = 0
SET l.reason = d.reason, l.refused_at = datetime(), l.refusals = l.refusals + 1
MERGE (l)-[:FOR_CHANGE]->(ch)
"""
OPEN_DEAD_LETTERS = """
MATCH (l:DeadLetter {sink: $name, status: 'open'})
RETURN count(l) AS open
"""
# What a re-send sends: the change as it was refused, with the record as it is now (the
# officer's correction included).
DEAD_LETTERS_TO_RESEND = """
MATCH (l:DeadLetter {sink: $name, status: 'open'})-[:FOR_CHANGE]->(ch:CreditChange)
OPTIONAL MATCH (r:CreditRecord {record_id: ch.record_id})
RETURN l.letter_id AS letter_id, ch {.*} AS change, r {.*} AS record
ORDER BY ch.sequence LIMIT $limit
"""
RESENT = """
UNWIND $letters AS d
MATCH (l:DeadLetter {letter_id: d.letter_id}) WHERE l.status = 'open'
SET l.status = CASE WHEN d.reason IS NULL THEN 'resent' ELSE 'open' END,
    l.reason = coalesce(d.reason, l.reason),
    l.refusals = l.refusals + CASE WHEN d.reason IS NULL THEN 0 ELSE 1 END,
    l.resent_at = CASE WHEN d.reason IS NULL THEN datetime() ELSE l.resent_at END,
    l.resent_by = CASE WHEN d.reason IS NULL THEN $by ELSE l.resent_by END
WITH count(*) AS done
MATCH (c:ExportCursor {name: $name})
SET c.receiver_count = coalesce($receiver_count, c.receiver_count)
"""
RECEIVER_COUNT = "MATCH (c:ExportCursor {name: $name}) RETURN c.receiver_count AS count"
CHANGES = """
MATCH (c:CreditChange) WHERE c.sequence > $after
RETURN c {.*} AS change ORDER BY c.sequence LIMIT $limit
"""

Fault = Callable[[str, int], None]  # (step, batch number): tests crash the job here


class ExportError(RuntimeError):
    """The receiver refused a batch for good (not a transient failure)."""


class OutboxUnwritable(ExportError):
    """The outbox folder cannot be written (read-only, full, not a folder); nothing unsent is lost."""


class ReceiverUnavailable(RuntimeError):
    """A transient failure: retried with backoff."""


class Unconfirmed(ReceiverUnavailable):
    """The receiver answered but neither confirmed nor refused some records: asked again, and
    after the last attempt they are dead letters (one silent record must not block the rest)."""


NEVER_CONFIRMED = "the receiver answered but never confirmed this record"


@dataclass
class Delivery:
    """What the receiver made of a batch: the keys it refused with its reasons, and its own count
    of the records it holds where it reports one."""

    refused: dict[str, str] = field(default_factory=dict)
    receiver_count: int | None = None


def _json(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    return value


def change_record(c: dict[str, Any], catalogue: Catalogue | None = None) -> dict[str, Any]:
    """One change as the platform receives it (docs/credit-export.md): the record's shared fields
    (credit/shape.py) in the platform's catalogue (rules/credit-catalogue.toml)."""
    catalogue = catalogue or shipped_catalogue()
    return {
        "format": FORMAT,
        "catalogue": catalogue.label,
        "idempotency_key": c["change_id"],
        "sequence": c["sequence"],
        "change": c["change"],
        "occurred_at": _json(c["occurred_at"]),
        "record_id": c["record_id"],
        "record_version": c["record_version"],
        "record": catalogue.record(c),
    }


@dataclass
class Batch:
    first: int
    last: int
    records: list[dict[str, Any]]

    @property
    def batch_id(self) -> str:
        return f"{self.first:012d}-{self.last:012d}"


class Sink(Protocol):
    name: str

    def recover(self, acknowledged: int) -> int: ...
    def send(self, batch: Batch, fault: Fault, number: int) -> Delivery: ...


class OutboxSink:
    """JSON Lines plus a manifest (batch id, count, SHA-256) per batch, in a folder. The batches
    name people: files 0600, in folders it creates 0700. A folder that cannot be written is an
    OutboxUnwritable, said in one line."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"outbox:{folder.resolve()}"
        with self._writing():
            private_dir(folder)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise OutboxUnwritable(f"cannot write the outbox {self.folder}: {exc.strerror or exc}") from exc

    def _manifests(self) -> list[dict[str, Any]]:
        return [
            json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(self.folder.glob("batch-*.manifest.json"))
        ]

    def recover(self, acknowledged: int) -> int:
        with self._writing():
            return self._recover(acknowledged)

    def _recover(self, acknowledged: int) -> int:
        """Batches committed (manifest written) but not acknowledged; orphaned data files removed."""
        committed = {m["batch_id"] for m in self._manifests()}
        for data in self.folder.glob("batch-*.jsonl"):
            if data.name.removeprefix("batch-").removesuffix(".jsonl") not in committed:
                data.unlink()  # a crash before its manifest: never delivered
        for tmp in self.folder.glob("*.tmp"):
            tmp.unlink()
        reached = acknowledged
        for m in sorted(self._manifests(), key=lambda m: m["first_sequence"]):
            if m["first_sequence"] == reached + 1:
                reached = m["last_sequence"]
        return reached

    def _write(self, path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with self._writing():
            try:
                with private_open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except OSError:
                with suppress(OSError):  # a full disk: the part written goes (a rerun removes it too)
                    if tmp.is_file():
                        tmp.unlink()
                raise

    def send(self, batch: Batch, fault: Fault, number: int) -> Delivery:
        data = "".join(
            json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in batch.records
        ).encode()
        self._write(self.folder / f"batch-{batch.batch_id}.jsonl", data)
        fault("mid_batch", number)
        manifest = {
            "format": FORMAT,
            "catalogue": batch.records[0]["catalogue"],
            "batch_id": batch.batch_id,
            "first_sequence": batch.first,
            "last_sequence": batch.last,
            "count": len(batch.records),
            "sha256": hashlib.sha256(data).hexdigest(),
            "data_file": f"batch-{batch.batch_id}.jsonl",
        }
        self._write(
            self.folder / f"batch-{batch.batch_id}.manifest.json", json.dumps(manifest, indent=2).encode()
        )
        return Delivery()  # a folder refuses nothing: the platform reads what is there


@dataclass
class HttpSink:
    """POSTs batches (in chunks) to the platform; every record keyed by its change id."""

    url: str
    token: str | None = None
    timeout_s: float = 10.0
    attempts: int = 6
    chunk_size: int = 100
    backoff_s: float = 0.5  # the first wait; doubling, with jitter, up to 30 s
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.name = f"http:{self.url}"
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.client = httpx.Client(timeout=self.timeout_s, headers=headers)

    def recover(self, acknowledged: int) -> int:
        return acknowledged  # resending is safe: the receiver knows the keys it has

    def _post(
        self, batch_id: str, records: list[dict[str, Any]]
    ) -> tuple[set[str], dict[str, str], int | None]:
        """One request: the keys confirmed, the keys refused with the receiver's reasons, and the
        receiver's own count if it gives one. Transient failures raise ReceiverUnavailable; a 4xx
        that names no record of the request (a wrong token, a wrong URL) raises ExportError."""
        try:
            response = self.client.post(
                self.url,
                json={"batch_id": batch_id, "catalogue": records[0]["catalogue"], "records": records},
                # The same key always means the same body: a resend without refused records differs.
                headers={"Idempotency-Key": f"{batch_id}:{records[0]['sequence']}:{len(records)}"},
            )
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise ReceiverUnavailable(str(exc)) from exc
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise ReceiverUnavailable(f"{response.status_code} {response.text[:200]}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        sent = {r["idempotency_key"] for r in records}
        refused = _refusals(body.get("refused"), sent)
        if response.status_code >= 400:
            if not refused:
                raise ExportError(
                    f"the receiver refused batch {batch_id}: {response.status_code} {response.text[:500]}"
                )
            return set(), refused, None  # a 4xx naming records: they are refused, the rest not taken
        confirmed = body.get("confirmed")
        count = body.get("count")
        return (
            {k for k in confirmed if isinstance(k, str)} & sent if isinstance(confirmed, list) else set(),
            refused,
            count if isinstance(count, int) and not isinstance(count, bool) else None,
        )

    def send(self, batch: Batch, fault: Fault, number: int) -> Delivery:
        delivery = Delivery()
        for start in range(0, len(batch.records), self.chunk_size):
            pending = {r["idempotency_key"]: r for r in batch.records[start : start + self.chunk_size]}
            answered = False  # did a live receiver leave some of them unconfirmed?
            try:
                for attempt in Retrying(
                    stop=stop_after_attempt(self.attempts),
                    reraise=True,
                    wait=wait_exponential_jitter(multiplier=self.backoff_s, max=30, jitter=self.backoff_s),
                    retry=retry_if_exception_type(ReceiverUnavailable),
                ):
                    with attempt:
                        confirmed, refused, count = self._post(batch.batch_id, list(pending.values()))
                        for key in confirmed | set(refused):
                            pending.pop(key, None)
                        delivery.refused.update(refused)
                        if count is not None:
                            delivery.receiver_count = count
                        if pending:
                            answered = True
                            raise Unconfirmed(f"{len(pending)} records not confirmed")
            except ReceiverUnavailable:
                # Attempts used up. Records a live receiver answered for without confirming are
                # dead letters (a re-send costs little); a receiver that only failed stops the job.
                if not answered:
                    raise
                delivery.refused.update(dict.fromkeys(pending, NEVER_CONFIRMED))
            if start == 0 and len(batch.records) > self.chunk_size:
                fault("mid_batch", number)
        return delivery

    def close(self) -> None:
        self.client.close()


def _refusals(items: Any, sent: set[str]) -> dict[str, str]:
    """The receiver's `refused` list, keeping only keys of this request (whatever else it says)."""
    if not isinstance(items, list):
        return {}
    out = {}
    for item in items:
        if isinstance(item, dict) and item.get("idempotency_key") in sent:
            reason = item.get("reason")
            out[item["idempotency_key"]] = str(reason)[:500] if reason else "refused without a reason"
    return out


def accepted_digest(keys: list[str]) -> str:
    """SHA-256 of the accepted idempotency keys, sorted, one a line: what both sides can compute."""
    return hashlib.sha256("".join(k + "\n" for k in sorted(keys)).encode()).hexdigest()


@dataclass(frozen=True)
class ExportReport:
    sink: str
    batches: int
    records: int
    recovered_to: int
    acknowledged: int
    refused: int = 0  # records this run sent to the dead letters
    open_dead_letters: int = 0  # for this destination, this run's and earlier ones


def _no_fault(step: str, number: int) -> None:
    return None


def export_changes(
    driver: Driver,
    database: str,
    sink: Sink,
    batch_size: int,
    fault: Fault = _no_fault,
    on_batch: Callable[[Batch], None] | None = None,
    catalogue: Catalogue | None = None,
) -> ExportReport:
    records, _, _ = driver.execute_query(READ_CURSOR, name=sink.name, database_=database)
    acknowledged = records[0]["acknowledged"]
    recovered = sink.recover(acknowledged)
    if recovered > acknowledged:  # sent by a run that died before acknowledging
        driver.execute_query(ACKNOWLEDGE, name=sink.name, last=recovered, database_=database)
        acknowledged = recovered
    batches = sent = refused = 0
    while True:
        rows, _, _ = driver.execute_query(CHANGES, after=acknowledged, limit=batch_size, database_=database)
        if not rows:
            break
        changes = [r["change"] for r in rows]
        batch = Batch(
            changes[0]["sequence"], changes[-1]["sequence"], [change_record(c, catalogue) for c in changes]
        )
        batches += 1
        fault("before_send", batches)
        delivery = sink.send(batch, fault, batches)
        fault("after_send", batches)  # delivered, not yet acknowledged
        sequences = {r["idempotency_key"]: r["sequence"] for r in batch.records}
        accepted = [k for k in sequences if k not in delivery.refused]
        driver.execute_query(
            ACKNOWLEDGE_BATCH,
            name=sink.name,
            batch_id=batch.batch_id,
            first=batch.first,
            last=batch.last,
            sent=len(batch.records),
            accepted=len(accepted),
            digest=accepted_digest(accepted),
            receiver_count=delivery.receiver_count,
            refused=[{"sequence": sequences[k], "reason": why} for k, why in delivery.refused.items()],
            database_=database,
        )
        acknowledged = batch.last
        sent += len(accepted)
        refused += len(delivery.refused)
        fault("after_ack", batches)
        if on_batch is not None:
            on_batch(batch)
    return ExportReport(
        sink.name, batches, sent, recovered, acknowledged, refused, open_dead_letters(driver, database, sink)
    )


def open_dead_letters(driver: Driver, database: str, sink: Sink) -> int:
    records, _, _ = driver.execute_query(OPEN_DEAD_LETTERS, name=sink.name, database_=database)
    return int(records[0]["open"])


@dataclass(frozen=True)
class ResendReport:
    resent: int  # confirmed by the receiver now
    still_refused: int
    open_dead_letters: int


def retry_dead_letters(
    driver: Driver,
    database: str,
    sink: Sink,
    *,
    by: str,
    limit: int = 10_000,
    catalogue: Catalogue | None = None,
) -> ResendReport:
    """Send every open dead letter of this destination again, under its own idempotency key;
    the confirmed ones are resolved, the refused ones stay open with the new reason."""
    rows, _, _ = driver.execute_query(DEAD_LETTERS_TO_RESEND, name=sink.name, limit=limit, database_=database)
    if not rows:
        return ResendReport(0, 0, 0)
    records = [change_record(_resend_form(r["change"], r["record"]), catalogue) for r in rows]
    first, last = records[0]["sequence"], records[-1]["sequence"]
    delivery = sink.send(Batch(first, last, records), _no_fault, 0)
    letters = [
        {"letter_id": r["letter_id"], "reason": delivery.refused.get(rec["idempotency_key"])}
        for r, rec in zip(rows, records, strict=True)
    ]
    driver.execute_query(
        RESENT,
        letters=letters,
        by=by,
        name=sink.name,
        receiver_count=delivery.receiver_count,
        database_=database,
    )
    return ResendReport(
        sum(1 for x in letters if x["reason"] is None),
        len(delivery.refused),
        open_dead_letters(driver, database, sink),
    )


def _resend_form(change: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """The change's own identity (key, number, kind) with the record's fields as they are now."""
    if record is None:
        return change
    return {**change, **{k: record.get(k) for k in SNAPSHOT}, "record_version": record["version"]}


# Reconciliation: what each acknowledged batch sent, what was accepted and refused, and what
# the receiver said it holds; the accepted keys are re-derived from the feed for the digest.
BATCHES = """
MATCH (b:ExportBatch {sink: $name})
RETURN b {.*} AS batch ORDER BY b.first_sequence
"""
BATCH_KEYS = """
UNWIND $ranges AS range
MATCH (c:CreditChange) WHERE c.sequence >= range[0] AND c.sequence <= range[1]
  AND NOT EXISTS { (:DeadLetter {sink: $name})-[:FOR_CHANGE]->(c) }
RETURN c.change_id AS key
"""
RESENT_BY_DAY = """
MATCH (l:DeadLetter {sink: $name, status: 'resent'})
RETURN date(l.resent_at) AS day, collect(l.change_id) AS keys
"""


@dataclass(frozen=True)
class DayReconciliation:
    day: date
    batches: int
    sent: int
    accepted: int  # in this day's batches, plus dead letters re-sent and accepted this day
    refused: int
    digest: str  # accepted_digest of the day's accepted keys
    accepted_total: int  # everything this destination accepted up to the end of the day
    receiver_count: int | None  # what the receiver last said it holds that day (HTTP sinks)

    @property
    def difference(self) -> int | None:
        """The receiver's count less ours: 0 when they agree; None where it reports none."""
        return None if self.receiver_count is None else self.receiver_count - self.accepted_total


def receiver_difference(driver: Driver, database: str, sink: Sink, accepted_total: int) -> int | None:
    """The receiver's latest count of what it holds less everything we had accepted; None where it
    reports no count (an outbox, or a receiver that does not say)."""
    records, _, _ = driver.execute_query(RECEIVER_COUNT, name=sink.name, database_=database)
    count = records[0]["count"] if records else None
    return None if count is None else count - accepted_total


def reconcile(driver: Driver, database: str, sink: Sink) -> list[DayReconciliation]:
    batches = [r["batch"] for r in driver.execute_query(BATCHES, name=sink.name, database_=database)[0]]
    resent = {
        _native_day(r["day"]): r["keys"]
        for r in driver.execute_query(RESENT_BY_DAY, name=sink.name, database_=database)[0]
    }
    by_day: dict[date, list[dict[str, Any]]] = {}
    for b in batches:
        by_day.setdefault(_native_day(b["day"]), []).append(b)
    out, total = [], 0
    for day in sorted(set(by_day) | set(resent)):
        day_batches = by_day.get(day, [])
        rows, _, _ = driver.execute_query(
            BATCH_KEYS,
            name=sink.name,
            ranges=[[b["first_sequence"], b["last_sequence"]] for b in day_batches],
            database_=database,
        )
        keys = [r["key"] for r in rows] + resent.get(day, [])
        total += len(keys)
        counts = [b["receiver_count"] for b in day_batches if b.get("receiver_count") is not None]
        out.append(
            DayReconciliation(
                day,
                len(day_batches),
                sum(b["sent"] for b in day_batches),
                len(keys),
                sum(b["refused"] for b in day_batches),
                accepted_digest(keys),
                total,
                counts[-1] if counts else None,
            )
        )
    return out


def _native_day(value: Any) -> date:
    return value.to_native() if hasattr(value, "to_native") else value
