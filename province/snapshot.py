"""A county's snapshot for the province: Parquet files of what cross-county detection reads.

One read transaction gives every table, so the snapshot is one state of the county's graph;
the manifest names the county, the as-of time and each table's rows and SHA-256. The columns
are the snapshot's field table (`access/fields.py`, SNAPSHOT_FIELDS) and nothing else: the
same files are the county's upload to the province's platform (docs/province.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from neo4j import Driver, ManagedTransaction

from access.fields import SNAPSHOT_FIELDS
from settings.private_files import FILE_MODE, private_dir, private_write

FORMAT = "reliefgraph.snapshot/1"
MANIFEST = "manifest.json"

COUNTY = "MATCH (c:County) RETURN c.code AS code, c.name AS name ORDER BY c.code LIMIT 1"

PERSONS = """
MATCH (p:Person)
RETURN p.id_number AS person, p.name AS name, toString(p.birth_date) AS birth_date, p.sex AS sex
"""
HOUSEHOLDS = """
MATCH (h:Household)
RETURN h.household_id AS household, h.township_code AS township, h.village_code AS village
"""
MEMBERSHIPS = """
MATCH (p:Person)-[m:MEMBER_OF]->(h:Household)
RETURN p.id_number AS person, h.household_id AS household,
       toString(m.since) AS since, toString(m.until) AS until
"""
# An enrollment's grantee is a household or a person; COVERS names the persons it covers.
ENROLLMENTS = """
MATCH (e:Enrollment)
OPTIONAL MATCH (e)-[:GRANTED_TO]->(g)
WITH e, head(collect(g)) AS g
RETURN e.enrollment_id AS enrollment, e.programme_code AS programme,
       toString(e.start_date) AS start_date, toString(e.end_date) AS end_date,
       CASE WHEN g:Household THEN g.household_id END AS household,
       CASE WHEN g:Person THEN g.id_number END AS grantee,
       [(e)-[:COVERS]->(c:Person) | c.id_number] AS covered
"""
PAYMENTS = """
MATCH (pay:Payment)-[:FOR_ENROLLMENT]->(e:Enrollment)
RETURN pay.payment_id AS payment, e.enrollment_id AS enrollment, pay.period AS period,
       pay.amount_fen AS amount_fen
"""
DEATHS = """
MATCH (p:Person)-[:HAS_FACT]->(d:Death)
RETURN d.fact_id AS fact, p.id_number AS person, toString(d.death_date) AS death_date, d.source AS source
"""
PHONES = "MATCH (p:Person)-[:HAS_PHONE]->(x:Phone) RETURN p.id_number AS person, x.number AS number"
ACCOUNTS = (
    "MATCH (p:Person)-[:HOLDS_ACCOUNT]->(x:BankAccount) RETURN p.id_number AS person, x.number AS number"
)
ADDRESSES = """
CALL () {
  MATCH (h:Household)-[:LIVES_AT]->(a:Address)
  RETURN h.household_id AS household, null AS person, a.key AS address
  UNION ALL
  MATCH (p:Person)-[:REGISTERED_AT]->(a:Address)
  RETURN null AS household, p.id_number AS person, a.key AS address
}
RETURN household, person, address
"""

_S, _I, _L = pa.string(), pa.int64(), pa.list_(pa.string())
# Each table: its query and its columns' types (besides `county`, which every table carries).
TABLES: dict[str, tuple[str, dict[str, pa.DataType]]] = {
    "persons": (PERSONS, {"person": _S, "name": _S, "birth_date": _S, "sex": _S}),
    "households": (HOUSEHOLDS, {"household": _S, "township": _S, "village": _S}),
    "memberships": (MEMBERSHIPS, {"person": _S, "household": _S, "since": _S, "until": _S}),
    "enrollments": (
        ENROLLMENTS,
        {
            "enrollment": _S,
            "programme": _S,
            "start_date": _S,
            "end_date": _S,
            "household": _S,
            "grantee": _S,
            "covered": _L,
        },
    ),
    "payments": (PAYMENTS, {"payment": _S, "enrollment": _S, "period": _S, "amount_fen": _I}),
    "deaths": (DEATHS, {"fact": _S, "person": _S, "death_date": _S, "source": _S}),
    "phones": (PHONES, {"person": _S, "number": _S}),
    "accounts": (ACCOUNTS, {"person": _S, "number": _S}),
    "addresses": (ADDRESSES, {"household": _S, "person": _S, "address": _S}),
}


class SnapshotError(Exception):
    """A snapshot that cannot be written or read: one line for the operator."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    county: str
    county_name: str
    as_of: str
    rows: dict[str, int]


def _schema(columns: dict[str, pa.DataType]) -> pa.Schema:
    return pa.schema([("county", pa.string()), *columns.items()])


def _read_all(tx: ManagedTransaction) -> tuple[dict[str, Any] | None, dict[str, list[dict[str, Any]]], str]:
    county = tx.run(COUNTY).single()
    as_of = tx.run("RETURN toString(datetime()) AS now").single(strict=True)["now"]
    tables = {name: [r.data() for r in tx.run(query)] for name, (query, _) in TABLES.items()}
    return (county.data() if county else None), tables, as_of


def export_snapshot(driver: Driver, database: str, out_dir: Path) -> Snapshot:
    """Write the county's snapshot into `out_dir` (0700; files 0600), one read transaction."""
    with driver.session(database=database) as session:
        county, tables, as_of = session.execute_read(_read_all)
    if county is None or not county.get("code"):
        raise SnapshotError("the graph holds no county (load the reference data first)")
    return write_snapshot(out_dir, str(county["code"]), str(county.get("name") or ""), as_of, tables)


def write_snapshot(
    out_dir: Path, code: str, name: str, as_of: str, tables: dict[str, list[dict[str, Any]]]
) -> Snapshot:
    """The snapshot's files from its tables' rows (each row: the table's columns; `county` is added)."""
    try:
        private_dir(out_dir)
    except OSError as exc:
        raise SnapshotError(f"cannot write the snapshot into {out_dir}: {exc}") from None
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "county": code,
        "county_name": name,
        "as_of": as_of,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {},
    }
    for table, (_, columns) in TABLES.items():
        rows = [{"county": code, **{c: r.get(c) for c in columns}} for r in tables.get(table, [])]
        schema = _schema(columns)
        path = out_dir / f"{table}.parquet"
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), sink, compression="zstd")
        data = sink.getvalue().to_pybytes()
        private_write(path, data)
        path.chmod(FILE_MODE)
        manifest["tables"][table] = {
            "file": path.name,
            "rows": len(rows),
            "sha256": hashlib.sha256(data).hexdigest(),
            "columns": list(schema.names),
        }
    private_write(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return Snapshot(out_dir, code, name, as_of, {t: m["rows"] for t, m in manifest["tables"].items()})


def read_tables(snapshot_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """A snapshot's rows per table (checked as read_manifest checks them), without `county`."""
    read_manifest(snapshot_dir)
    return {
        table: [
            {k: v for k, v in r.items() if k != "county"}
            for r in pq.read_table(snapshot_dir / f"{table}.parquet").to_pylist()
        ]
        for table in TABLES
    }


def read_manifest(snapshot_dir: Path) -> dict[str, Any]:
    """The manifest, checked: the format, every table present with the rows and digest it names,
    and no column the field table does not list."""
    try:
        manifest = json.loads((snapshot_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{snapshot_dir}: no readable {MANIFEST} ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SnapshotError(f"{snapshot_dir}: not a {FORMAT} snapshot")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or set(tables) != set(TABLES):
        raise SnapshotError(f"{snapshot_dir}: the manifest does not list the tables {sorted(TABLES)}")
    for table, meta in tables.items():
        path = snapshot_dir / f"{table}.parquet"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SnapshotError(f"{path}: {exc.strerror or exc}") from None
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise SnapshotError(f"{path}: its SHA-256 is not the manifest's (changed after export?)")
        columns = set(pq.read_schema(path).names)
        unlisted = sorted(c for c in columns if (table, c) not in SNAPSHOT_FIELDS)
        if unlisted:
            raise SnapshotError(f"{path}: columns not in the snapshot's field table: {unlisted}")
    return manifest


def as_of_date(manifest: dict[str, Any]) -> date:
    return date.fromisoformat(str(manifest["as_of"])[:10])
