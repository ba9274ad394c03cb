"""Cross-county findings written back into one county: findings like the others.

Of the job's findings (findings.jsonl) those naming this county are stored by detection's
own store (detection/store.py): the same kind, score, explanation and lifecycle, so
investigators review them in the findings API and workbench as any other. Their evidence in
this county is linked to its nodes; the other counties' evidence is held as external
references (county, node, key masked as the field table says: access/fields.mask_external),
so the finding reads "also covered in 曲阜市, household H…" and the investigator can ask that
county. The store's origin `province` keeps these apart from the county's own detection:
each closes only its own, and re-importing the same findings changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction

from access.fields import mask_external
from detection.situation import Evidence, Situation
from detection.store import EVIDENCE_LABELS, store
from domain.finding_kinds import FindingKind
from province.job import FINDINGS_FILE, KINDS
from province.snapshot import COUNTY

ORIGIN = "province"
MAX_FILE_BYTES = 1 << 30  # a province's findings are thousands of lines, not gigabytes
MAX_LINE_CHARS = 1 << 20
_LABELS = {label.value for label in EVIDENCE_LABELS}

# Where the finding's own evidence sits in this county: the township and village of its
# households, or of the persons' current households (the area an investigator's scope names).
PLACES = """
UNWIND $households AS hid
MATCH (h:Household {household_id: hid})
RETURN h.township_code AS township, h.village_code AS village
UNION
UNWIND $persons AS pid
MATCH (:Person {id_number: pid})-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
RETURN h.township_code AS township, h.village_code AS village
"""


class FindingsFileError(Exception):
    """A findings file that cannot be imported: one line for the operator."""


@dataclass(frozen=True)
class ImportReport:
    county: str
    found: dict[str, int]
    new: int
    reopened: int
    resolved: int
    unchanged: int


def read_findings(findings_dir: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    path = findings_dir / FINDINGS_FILE
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FindingsFileError(f"{path}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise FindingsFileError(f"{path}: {size:,} bytes, more than the {MAX_FILE_BYTES:,} accepted")
    names: dict[str, str] = {}
    try:
        meta = json.loads((findings_dir / "manifest.json").read_text(encoding="utf-8"))
        names = {str(k): str(v) for k, v in (meta.get("county_names") or {}).items()}
    except (OSError, ValueError, AttributeError):
        pass  # names are a courtesy; the codes say the same
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE_CHARS:
                raise FindingsFileError(f"{path}:{number}: a line longer than {MAX_LINE_CHARS:,} characters")
            try:
                finding = json.loads(line)
                FindingKind(finding["kind"])
                if finding["kind"] not in {k.value for k in KINDS}:
                    raise ValueError(f"{finding['kind']} is not a cross-county kind")
                str(finding["key"])
                float(finding["score"])
                for s in finding["subjects"]:
                    str(s["county"]), str(s["node"]), str(s["key"]), str(s["role"])
                str(finding["explanation"]["zh"]), str(finding["explanation"]["en"])
            except (ValueError, KeyError, TypeError) as exc:
                raise FindingsFileError(f"{path}:{number}: not a cross-county finding ({exc})") from None
            out.append(finding)
    return out, names


def _external_words(external: list[dict[str, str]], names: dict[str, str]) -> tuple[str, str]:
    seen = []
    for e in external:
        if e["node"] in ("Household", "Person") and (e["county"], e["node"], e["key"]) not in seen:
            seen.append((e["county"], e["node"], e["key"]))
    zh = "；".join(
        f"另见{names.get(c, c)}（{c}）{'户' if n == 'Household' else '人员'}{k}" for c, n, k in seen
    )
    en = "; ".join(f"also in {names.get(c, c)} ({c}), {n.lower()} {k}" for c, n, k in seen)
    return zh, en


def _county(tx: ManagedTransaction) -> dict[str, Any] | None:
    record = tx.run(COUNTY).single()
    return record.data() if record else None


def _places(tx: ManagedTransaction, households: list[str], persons: list[str]) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(PLACES, households=households, persons=persons)]


def import_findings(driver: Driver, database: str, findings_dir: Path, now: Any = None) -> ImportReport:
    findings, names = read_findings(findings_dir)
    with driver.session(database=database) as session:
        county = session.execute_read(_county)
        if county is None:
            raise FindingsFileError("the graph holds no county (load the reference data first)")
        code = str(county["code"])
        names.setdefault(code, str(county["name"] or code))
        by_kind: dict[FindingKind, list[Situation]] = {k: [] for k in KINDS}
        for f in findings:
            if code not in {s["county"] for s in f["subjects"]}:
                continue
            mine = [s for s in f["subjects"] if s["county"] == code]
            external = [
                {
                    "county": s["county"],
                    "county_name": names.get(s["county"], s["county"]),
                    "node": s["node"],
                    "key": mask_external(s["node"], s["key"]),
                    "role": s["role"],
                }
                for s in f["subjects"]
                if s["county"] != code
            ]
            evidence = [Evidence(s["node"], s["key"], s["role"]) for s in mine if s["node"] in _LABELS]
            households = sorted({e.key for e in evidence if e.label == "Household"})
            persons = sorted({e.key for e in evidence if e.label == "Person"})
            place = session.execute_read(_places, households, persons)
            zh_more, en_more = _external_words(external, names)
            zh, en = f["explanation"]["zh"], f["explanation"]["en"]
            for s in f["subjects"]:  # another county's numbers, as its external reference shows them
                if s["county"] != code and s["node"] == "Person":
                    zh = zh.replace(s["key"], mask_external("Person", s["key"]))
                    en = en.replace(s["key"], mask_external("Person", s["key"]))
            details = dict(f.get("details") or {})
            details["province"] = {"key": f["key"], "counties": sorted({s["county"] for s in f["subjects"]})}
            details["external"] = external
            by_kind[FindingKind(f["kind"])].append(
                Situation(
                    FindingKind(f["kind"]),
                    f"province|{f['key']}",
                    float(f["score"]),
                    zh + (f"（{zh_more}）" if zh_more else ""),
                    en + (f" ({en_more})" if en_more else ""),
                    evidence,
                    township_code=place[0]["township"] if place else None,
                    village_code=place[0]["village"] if place else None,
                    amount_fen=details.get("amount_fen"),
                    details=details,
                )
            )
    moment = now or datetime.now(UTC)
    totals = {"new": 0, "reopened": 0, "resolved": 0, "unchanged": 0}
    found = {}
    for kind, situations in by_kind.items():
        result = store(driver, database, kind, situations, moment, None, origin=ORIGIN)
        found[kind.value] = result.found
        for k in totals:
            totals[k] += getattr(result, k)
    return ImportReport(code, found, **totals)
