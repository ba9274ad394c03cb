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
    recognised record by record; a batch counts only when the receiver confirmed every key.
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

from domain.money import to_yuan
from settings.private_files import private_dir, private_open

FORMAT = "reliefgraph.credit-change/1"

READ_CURSOR = """
MERGE (c:ExportCursor {name: $name}) ON CREATE SET c.acknowledged = 0, c.created_at = datetime()
RETURN c.acknowledged AS acknowledged
"""
ACKNOWLEDGE = """
MATCH (c:ExportCursor {name: $name}) WHERE c.acknowledged < $last
SET c.acknowledged = $last, c.acknowledged_at = datetime()
"""
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


def _json(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    return value


def change_record(c: dict[str, Any]) -> dict[str, Any]:
    """One change as the platform receives it (docs/credit-export.md)."""

    def yuan(fen: int | None) -> str | None:
        amount = to_yuan(fen)
        return None if amount is None else str(amount)

    return {
        "format": FORMAT,
        "idempotency_key": c["change_id"],
        "sequence": c["sequence"],
        "change": c["change"],
        "occurred_at": _json(c["occurred_at"]),
        "record_id": c["record_id"],
        "record_version": c["record_version"],
        "record": {
            "status": c.get("status"),
            "subject_name": c.get("subject_name"),
            "id_number": c.get("id_number"),
            "behaviour": c.get("behaviour"),
            "facts": c.get("facts"),
            "amount": yuan(c.get("amount_fen")),
            "legal_basis": c.get("legal_basis"),
            "severity": c.get("severity"),
            "deciding_authority": c.get("deciding_authority"),
            "decision_number": c.get("decision_number"),
            "decision_date": _json(c.get("decision_date")),
            "publicity_start": _json(c.get("publicity_start")),
            "publicity_end": _json(c.get("publicity_end")),
            "recovery_amount": yuan(c.get("recovery_amount_fen")),
            "aid_stopped": c.get("aid_stopped"),
            "repaired_on": _json(c.get("repaired_on")),
            "expired_on": _json(c.get("expired_on")),
        },
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
    def send(self, batch: Batch, fault: Fault, number: int) -> None: ...


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

    def send(self, batch: Batch, fault: Fault, number: int) -> None:
        data = "".join(
            json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in batch.records
        ).encode()
        self._write(self.folder / f"batch-{batch.batch_id}.jsonl", data)
        fault("mid_batch", number)
        manifest = {
            "format": FORMAT,
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

    def _post(self, batch_id: str, records: list[dict[str, Any]]) -> None:
        try:
            response = self.client.post(
                self.url,
                json={"batch_id": batch_id, "records": records},
                headers={"Idempotency-Key": f"{batch_id}:{records[0]['sequence']}"},
            )
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise ReceiverUnavailable(str(exc)) from exc
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise ReceiverUnavailable(f"{response.status_code} {response.text[:200]}")
        if response.status_code >= 400:
            raise ExportError(
                f"the receiver refused batch {batch_id}: {response.status_code} {response.text[:500]}"
            )
        confirmed = set(response.json().get("confirmed", []))
        missing = {r["idempotency_key"] for r in records} - confirmed
        if missing:
            raise ReceiverUnavailable(f"{len(missing)} records not confirmed")

    def send(self, batch: Batch, fault: Fault, number: int) -> None:
        for start in range(0, len(batch.records), self.chunk_size):
            chunk = batch.records[start : start + self.chunk_size]
            for attempt in Retrying(
                stop=stop_after_attempt(self.attempts),
                reraise=True,
                wait=wait_exponential_jitter(multiplier=self.backoff_s, max=30, jitter=self.backoff_s),
                retry=retry_if_exception_type(ReceiverUnavailable),
            ):
                with attempt:
                    self._post(batch.batch_id, chunk)
            if start == 0 and len(batch.records) > self.chunk_size:
                fault("mid_batch", number)

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True)
class ExportReport:
    sink: str
    batches: int
    records: int
    recovered_to: int
    acknowledged: int


def _no_fault(step: str, number: int) -> None:
    return None


def export_changes(
    driver: Driver,
    database: str,
    sink: Sink,
    batch_size: int,
    fault: Fault = _no_fault,
    on_batch: Callable[[Batch], None] | None = None,
) -> ExportReport:
    records, _, _ = driver.execute_query(READ_CURSOR, name=sink.name, database_=database)
    acknowledged = records[0]["acknowledged"]
    recovered = sink.recover(acknowledged)
    if recovered > acknowledged:  # sent by a run that died before acknowledging
        driver.execute_query(ACKNOWLEDGE, name=sink.name, last=recovered, database_=database)
        acknowledged = recovered
    batches = sent = 0
    while True:
        rows, _, _ = driver.execute_query(CHANGES, after=acknowledged, limit=batch_size, database_=database)
        if not rows:
            break
        changes = [r["change"] for r in rows]
        batch = Batch(changes[0]["sequence"], changes[-1]["sequence"], [change_record(c) for c in changes])
        batches += 1
        fault("before_send", batches)
        sink.send(batch, fault, batches)
        fault("after_send", batches)  # delivered, not yet acknowledged
        driver.execute_query(ACKNOWLEDGE, name=sink.name, last=batch.last, database_=database)
        acknowledged = batch.last
        sent += len(batch.records)
        fault("after_ack", batches)
        if on_batch is not None:
            on_batch(batch)
    return ExportReport(sink.name, batches, sent, recovered, acknowledged)
