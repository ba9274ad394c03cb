"""Making an evidence pack from a case file, recording it in the audit chain, and checking a
pack file against the chain.

A pack is a PDF and a manifest (JSON: the sections and each item's key, the PDF's SHA-256,
who made it, when, for what). The manifest is stored as an (:EvidencePack) node and its
SHA-256 is carried, hashed, by the audit events of the pack (access/audit_chain.py,
DOCUMENT_FIELDS), written in the same transaction: a pack whose bytes changed matches no
manifest, and a manifest changed in the database no longer matches its chain event.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver, Driver, ManagedTransaction

from access.audit_chain import append, append_sync
from access.operations import audit_categories
from access.principal import Principal
from domain.finding_kinds import FindingStatus
from evidence.case_file import (
    AUDIT_LIMIT,
    AUDIT_OF_PERSONS,
    AUDIT_OPERATIONS,
    GATHER,
    CaseFile,
    Gathered,
    gathered,
    persons_of,
)
from evidence.masking import Viewer
from evidence.pdf import render
from evidence.sections import canonical, outline, sections

OPERATION = "evidencePack"
MANIFEST_VERSION = 1


class Refusal(StrEnum):
    NOT_FOUND = "not_found"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class Refused:
    code: Refusal
    message: str


@dataclass(frozen=True)
class Pack:
    pack_id: str
    pdf: bytes
    manifest: bytes  # canonical JSON, what the chain's hash covers
    persons: list[str]

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest).hexdigest()


def read_sync(driver: Driver, database: str, finding_ids: list[str]) -> Gathered:
    def work(tx: ManagedTransaction) -> Gathered:
        rows = tx.run(GATHER, finding_ids=finding_ids).data()
        persons = sorted({p for r in rows for p in r["finding"].get("persons") or []})
        audit = tx.run(
            AUDIT_OF_PERSONS, persons=persons, operations=AUDIT_OPERATIONS, limit=AUDIT_LIMIT
        ).data()
        return gathered(rows, audit)

    with driver.session(database=database) as session:
        return session.execute_read(work)


async def read_async(gateway: Any, finding_ids: list[str]) -> Gathered:
    """The same through the request's gateway (two counted round trips)."""
    rows = await gateway.read(GATHER, finding_ids=finding_ids)
    persons = sorted({p for r in rows for p in r["finding"].get("persons") or []})
    audit = await gateway.read(
        AUDIT_OF_PERSONS, persons=persons, operations=AUDIT_OPERATIONS, limit=AUDIT_LIMIT
    )
    return gathered(rows, audit)


def refusal(case: CaseFile, found: Gathered, *, require_confirmed: bool = True) -> Refused | None:
    have = {f.finding["finding_id"]: f.finding for f in found.findings}
    missing = [i for i in case.finding_ids if i not in have]
    if missing or not case.finding_ids:
        return Refused(Refusal.NOT_FOUND, f"no such finding: {', '.join(missing) or '(none named)'}")
    unconfirmed = [i for i in case.finding_ids if have[i].get("status") != FindingStatus.CONFIRMED.value]
    if require_confirmed and unconfirmed:
        return Refused(
            Refusal.NOT_CONFIRMED,
            f"only a confirmed finding gets an evidence pack: {', '.join(unconfirmed)} is not confirmed",
        )
    return None


def make(
    case: CaseFile, found: Gathered, principal: Principal, font_file: Path, made_at: datetime | None = None
) -> Pack:
    """Render the pack for this reader (masked as their role reads) and its manifest."""
    pack_id = uuid.uuid4().hex
    at = (made_at or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    viewer = Viewer(principal)
    parts = sections(case, found, viewer)
    heading = [
        f"证据材料：{case.title}",
        f"案卷：{case.kind} {case.case_id}　承办人：{case.owner}",
        f"制作人：{principal.subject}（{principal.role.value}）　制作时间：{at}",
        f"材料编号：{pack_id}",
        "本材料的清单摘要（SHA-256）已写入审计链；用 reliefgraph audit verify --pack 文件 核验未被改动。",
    ]
    pdf = render(parts, heading, f"泗水县社会救助 证据材料 {pack_id}", viewer, font_file)
    manifest = {
        "version": MANIFEST_VERSION,
        "pack_id": pack_id,
        "case_file": {
            "kind": case.kind,
            "id": case.case_id,
            "title": case.title,
            "owner": case.owner,
            "findings": list(case.finding_ids),
        },
        "made_by": {
            "subject": principal.subject,
            "role": principal.role.value,
            "department": principal.department,
        },
        "made_at": at,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pdf_bytes": len(pdf),
        "sections": outline(parts),
    }
    return Pack(pack_id, pdf, canonical(manifest), persons_of(found.findings))


def events(pack: Pack, principal: Principal, purpose: str, disclosed: list[str]) -> list[dict[str, Any]]:
    """The pack's audit events: one read per person it names, each vouching for the manifest
    (one event for a pack that names nobody)."""
    common = {
        "request_id": pack.pack_id,
        "subject": principal.subject,
        "role": principal.role.value,
        "department": principal.department,
        "categories": audit_categories(principal, OPERATION, disclosed),
        "purpose": purpose,
        "operation": OPERATION,
        "outcome": "shown",
        "document_id": pack.pack_id,
        "document_sha256": pack.manifest_sha256,
    }
    return [{**common, "person_id_number": p} for p in pack.persons or [""]]


RECORD = """
CREATE (p:EvidencePack {pack_id: $pack_id})
SET p.manifest = $manifest, p.manifest_sha256 = $manifest_sha256, p.pdf_sha256 = $pdf_sha256,
    p.made_at = datetime(), p.made_by = $made_by, p.case_kind = $case_kind, p.case_id = $case_id
WITH p
UNWIND $finding_ids AS finding_id
MATCH (f:Finding {finding_id: finding_id})
MERGE (p)-[:PACK_OF]->(f)
"""


def _record_params(pack: Pack, case: CaseFile, principal: Principal) -> dict[str, Any]:
    return {
        "pack_id": pack.pack_id,
        "manifest": pack.manifest.decode(),
        "manifest_sha256": pack.manifest_sha256,
        "pdf_sha256": pack.pdf_sha256,
        "made_by": principal.subject,
        "case_kind": case.kind,
        "case_id": case.case_id,
        "finding_ids": list(case.finding_ids),
    }


def record_sync(
    driver: Driver,
    database: str,
    pack: Pack,
    case: CaseFile,
    principal: Principal,
    audit: list[dict[str, Any]],
) -> None:
    """The pack's node and its chain events in one transaction: both or neither."""

    def work(tx: ManagedTransaction) -> None:
        tx.run(RECORD, **_record_params(pack, case, principal)).consume()
        append_sync(tx, audit)

    with driver.session(database=database) as session:
        session.execute_write(work)


async def record_async(
    driver: AsyncDriver,
    database: str,
    pack: Pack,
    case: CaseFile,
    principal: Principal,
    audit: list[dict[str, Any]],
) -> None:
    async def work(tx: Any) -> None:
        await (await tx.run(RECORD, **_record_params(pack, case, principal))).consume()
        await append(tx, audit)

    async with driver.session(database=database) as session:
        await session.execute_write(work)


PACK_BY_PDF = """
MATCH (p:EvidencePack {pdf_sha256: $pdf_sha256})
RETURN p.pack_id AS pack_id, p.manifest AS manifest
"""

CHAIN_EVENT = """
MATCH (a:AuditEvent {document_sha256: $manifest_sha256})
WHERE a.document_id = $pack_id AND a.operation = $operation
RETURN min(a.seq) AS seq
"""


@dataclass(frozen=True)
class PackReport:
    ok: bool
    problem: str | None = None
    pack_id: str | None = None
    at_seq: int | None = None  # the first chain event that vouches for it


def verify_pack(driver: Driver, database: str, pdf: bytes, manifest: bytes | None = None) -> PackReport:
    """Is this file a pack the chain vouches for, unaltered? (`audit verify --pack` first checks
    the chain itself, so the event found here is one nobody changed.) `manifest`, where given,
    is the manifest file handed out with the pack: it must be the recorded one."""
    sha = hashlib.sha256(pdf).hexdigest()
    records, _, _ = driver.execute_query(PACK_BY_PDF, pdf_sha256=sha, database_=database)
    if not records:
        return PackReport(
            False, f"no evidence pack has this file's SHA-256 {sha}: it was altered or is not a pack"
        )
    pack_id, stored = records[0]["pack_id"], str(records[0]["manifest"]).encode()
    if manifest is not None and manifest != stored:
        return PackReport(False, "the manifest file differs from the one recorded with the pack", pack_id)
    try:
        recorded_pdf = json.loads(stored)["pdf_sha256"]
    except (ValueError, KeyError, TypeError):
        recorded_pdf = None
    if recorded_pdf != sha:
        return PackReport(
            False, "the recorded manifest names another PDF: it was altered in the database", pack_id
        )
    manifest_sha = hashlib.sha256(stored).hexdigest()
    events, _, _ = driver.execute_query(
        CHAIN_EVENT, manifest_sha256=manifest_sha, pack_id=pack_id, operation=OPERATION, database_=database
    )
    seq = events[0]["seq"] if events else None
    if seq is None:
        return PackReport(
            False, "no audit chain event carries the manifest's SHA-256: it was altered", pack_id
        )
    return PackReport(True, None, pack_id, seq)
