"""The cross-county job: counties' snapshots in, findings out (findings.jsonl).

Runnable as `reliefgraph province detect` (local mode) and by `spark-submit` on a cluster
(`spark-submit … province/job.py SNAPSHOT_DIR … --out FINDINGS_DIR`, docs/province.md).
Each finding names its kind (the in-county kinds), a key stable across runs, a score, the
counties it concerns and its subjects there (county, node label, key, role): every Person
subject by ID number. Explanations in Chinese and English, as in-county detection words them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detection.identity_linkage import FIELD_LABELS, MISSING_LEVEL
from detection.rules import DetectionRules, read_rules
from detection.words import department, programme
from domain.finding_kinds import FindingKind
from domain.money import yuan_text
from province import rules as cross
from province.identity import MIN_TRAINING_ROWS, CrossPair, cross_county_pairs
from province.tables import register_snapshots
from settings.private_files import private_dir, private_write

FINDINGS_FILE = "findings.jsonl"
FORMAT = "reliefgraph.province-findings/1"
KIND_ZH = {"phone": "电话", "account": "银行账户", "address": "地址"}
LABELS = {"phone": "Phone", "account": "BankAccount", "address": "Address"}


@dataclass
class CrossFinding:
    kind: FindingKind
    key: str
    score: float
    subjects: list[dict[str, str]]
    zh: str
    en: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "key": self.key,
            "score": round(self.score, 4),
            "counties": sorted({s["county"] for s in self.subjects}),
            "subjects": self.subjects,
            "explanation": {"zh": self.zh, "en": self.en},
            "details": self.details,
        }


def _subject(county: str, node: str, key: str, role: str) -> dict[str, str]:
    return {"county": county, "node": node, "key": key, "role": role}


def _names(spark: Any, ids: set[str]) -> dict[tuple[str, str], str]:
    if not ids:
        return {}
    rows = spark.sql(cross.PERSON_NAMES, args={"ids": json.dumps(sorted(ids))}).collect()
    return {(r["county"], r["person"]): r["name"] or "" for r in rows}


def identity_findings(
    spark: Any, rules: DetectionRules, names: dict[str, str], **kw: Any
) -> list[CrossFinding]:
    pairs = cross_county_pairs(spark, rules.identity.threshold, rules.identity.particulars_min_bits, **kw)
    who = _names(spark, {x for p in pairs for x in (p.a[1], p.b[1])})
    return [_identity(p, who, names) for p in pairs]


def _identity(p: CrossPair, who: dict[tuple[str, str], str], names: dict[str, str]) -> CrossFinding:
    (ca, a), (cb, b) = p.a, p.b
    strongest = sorted(
        (f for f in p.weights if p.weights[f] > 0 and f in FIELD_LABELS), key=lambda f: -p.weights[f]
    )
    zh = "；".join(f"{FIELD_LABELS[f][0]}：{p.levels.get(f, MISSING_LEVEL)[0]}" for f in strongest)
    en = "; ".join(
        f"{FIELD_LABELS[f][1]}: {p.levels.get(f, MISSING_LEVEL)[1]} ({p.weights[f]:+.1f} bits)"
        for f in strongest
    )
    na, nb = who.get(p.a, ""), who.get(p.b, "")
    return CrossFinding(
        FindingKind.DUP_IDENTITY,
        f"{ca}:{a}|{cb}:{b}",
        p.probability,
        [_subject(ca, "Person", a, "registration"), _subject(cb, "Person", b, "registration")],
        f"{names.get(ca, ca)}的{na}（{a}）与{names.get(cb, cb)}的{nb}（{b}）很可能是同一人"
        f"（匹配概率{p.probability:.1%}）：{zh}。",
        f"{na} ({a}) in {names.get(ca, ca)} and {nb} ({b}) in {names.get(cb, cb)} are probably one person "
        f"(match probability {p.probability:.1%}): {en}.",
        {
            "fields": {
                f: {"level": p.levels[f][1], "weight": round(p.weights.get(f, 0.0), 2)} for f in p.levels
            }
        },
    )


def multi_household_findings(spark: Any, names: dict[str, str]) -> list[CrossFinding]:
    rows = cross.multi_household(spark)
    who = _names(spark, {r["person"] for r in rows})
    out = []
    for r in rows:
        name = who.get((r["c1"], r["person"])) or who.get((r["c2"], r["person"]), "")
        out.append(
            CrossFinding(
                FindingKind.DUP_PERSON_MULTI_HOUSEHOLD,
                f"{r['person']}|{r['c1']}:{r['h1']}|{r['c2']}:{r['h2']}",
                0.99,
                [
                    _subject(r["c1"], "Person", r["person"], "beneficiary"),
                    _subject(r["c2"], "Person", r["person"], "beneficiary"),
                    _subject(r["c1"], "Household", r["h1"], "household"),
                    _subject(r["c2"], "Household", r["h2"], "household"),
                    _subject(r["c1"], "Enrollment", r["e1"], "grant"),
                    _subject(r["c2"], "Enrollment", r["e2"], "grant"),
                ],
                f"{name}同时被两县的家庭救助覆盖：{names.get(r['c1'], r['c1'])}户{r['h1']}"
                f"（{programme(r['p1'])}）"
                f"与{names.get(r['c2'], r['c2'])}户{r['h2']}（{programme(r['p2'])}），期间重叠。",
                f"{name} is covered by the household grants of two counties' households, {r['h1']} in "
                f"{names.get(r['c1'], r['c1'])} ({programme(r['p1'], 'en')}) and {r['h2']} in "
                f"{names.get(r['c2'], r['c2'])} ({programme(r['p2'], 'en')}), in overlapping periods.",
            )
        )
    return out


def exclusive_findings(spark: Any, rules: DetectionRules, names: dict[str, str]) -> list[CrossFinding]:
    rows = cross.exclusive_person(spark, rules)
    who = _names(spark, {r["person"] for r in rows})
    out = []
    for r in rows:
        name = who.get((r["c1"], r["person"])) or who.get((r["c2"], r["person"]), "")
        subjects = [
            _subject(r["c1"], "Person", r["person"], "beneficiary"),
            _subject(r["c2"], "Person", r["person"], "beneficiary"),
            _subject(r["c1"], "Enrollment", r["e1"], "grant"),
            _subject(r["c2"], "Enrollment", r["e2"], "grant"),
        ]
        out.append(
            CrossFinding(
                FindingKind.DUP_EXCLUSIVE_PROGRAMMES,
                f"person|{r['person']}|{r['c1']}:{r['e1']}|{r['c2']}:{r['e2']}",
                0.98,
                subjects,
                f"{name}同期在{names.get(r['c1'], r['c1'])}享受{programme(r['p1'])}、"
                f"在{names.get(r['c2'], r['c2'])}"
                f"享受{programme(r['p2'])}，两者不得同时享受。",
                f"{name} holds {programme(r['p1'], 'en')} in {names.get(r['c1'], r['c1'])} and "
                f"{programme(r['p2'], 'en')} in {names.get(r['c2'], r['c2'])} in overlapping periods; "
                "the two are mutually exclusive.",
            )
        )
    return out


def deceased_findings(spark: Any, names: dict[str, str]) -> list[CrossFinding]:
    rows = cross.deceased(spark)
    who = _names(spark, {r["person"] for r in rows})
    out = []
    for r in rows:
        name = who.get((r["death_county"], r["person"])) or who.get((r["county"], r["person"]), "")
        payments = sorted(r["payments"], key=lambda x: x["period"])
        paid = sum(x["amount_fen"] or 0 for x in payments)
        share = paid // max(r["covered"] or 0, 1)
        periods = [x["period"] for x in payments]
        subjects = [
            _subject(r["death_county"], "Person", r["person"], "deceased"),
            _subject(r["death_county"], "Death", r["death"], "fact"),
            _subject(r["county"], "Person", r["person"], "deceased"),
            _subject(r["county"], "Enrollment", r["enrollment"], "grant"),
            *(_subject(r["county"], "Payment", x["payment"], "payment") for x in payments),
        ]
        if r["household"]:
            subjects.append(_subject(r["county"], "Household", r["household"], "household"))
        died_in, paid_in = (
            names.get(r["death_county"], r["death_county"]),
            names.get(r["county"], r["county"]),
        )
        out.append(
            CrossFinding(
                FindingKind.DECEASED_PAID,
                f"{r['person']}|{r['county']}:{r['enrollment']}",
                0.97 if (r["covered"] or 0) <= 1 else 0.85,
                subjects,
                f"{name}于{r['death_date']}在{died_in}死亡（{department(r['source'])}报告），{paid_in}的"
                f"{programme(r['programme'])}救助{r['enrollment']}仍发放了{periods[0]}至{periods[-1]}共"
                f"{len(periods)}期，涉及约{yuan_text(share)}元。",
                f"{name} died on {r['death_date']} in {died_in} "
                f"(reported by {department(r['source'], 'en')}), "
                f"yet {paid_in}'s {programme(r['programme'], 'en')} grant {r['enrollment']} "
                f"paid {len(periods)} "
                f"months from {periods[0]} to {periods[-1]}, about {yuan_text(share)} yuan.",
                {"amount_fen": share},
            )
        )
    return out


def ring_findings(spark: Any, rules: DetectionRules, names: dict[str, str]) -> list[CrossFinding]:
    out = []
    for g in cross.rings(spark, rules):
        ring, identifiers = g["households"], g["identifiers"]
        kinds = sorted({k for k, _ in identifiers})
        subjects = [_subject(h.split(":", 1)[0], "Household", h.split(":", 1)[1], "household") for h in ring]
        subjects += [_subject(c, "Person", p, "holder") for c, p in g["persons"]]
        # An identifier is named in every county of the ring whose households hold it.
        counties = sorted({h.split(":", 1)[0] for h in ring})
        subjects += [_subject(c, LABELS[k], key, k) for k, key in identifiers for c in counties]
        places = " / ".join(names.get(c, c) for c in counties)
        out.append(
            CrossFinding(
                FindingKind.RING_SHARED_IDENTIFIER,
                "|".join(ring),
                min(0.99, 0.8 + 0.05 * len(identifiers) + 0.03 * (len(ring) - 2)),
                subjects,
                f"{places}的{len(ring)}户受助家庭之间无登记亲属关系，却共用"
                + "、".join(KIND_ZH[k] for k in kinds)
                + f"（共{len(identifiers)}个标识）："
                + "、".join(ring)
                + "。",
                f"{len(ring)} benefit-receiving households in {places} with no recorded family relation "
                "share " + ", ".join(kinds) + f" ({len(identifiers)} identifiers): " + ", ".join(ring) + ".",
                {"identifiers": [list(i) for i in identifiers]},
            )
        )
    return out


# The kinds the job decides, in the order it runs them.
KINDS = (
    FindingKind.DUP_IDENTITY,
    FindingKind.DUP_PERSON_MULTI_HOUSEHOLD,
    FindingKind.DUP_EXCLUSIVE_PROGRAMMES,
    FindingKind.DECEASED_PAID,
    FindingKind.RING_SHARED_IDENTIFIER,
)


@dataclass
class JobReport:
    counties: list[str]
    found: dict[str, int]
    seconds: dict[str, float]
    path: Path


def run_job(
    spark: Any,
    snapshot_dirs: list[Path],
    out_dir: Path,
    rules: DetectionRules,
    kinds: tuple[FindingKind, ...] = KINDS,
    salting_partitions: int = 1,
    training_rows: int | None = None,
) -> JobReport:
    """Every kind over the snapshots; findings.jsonl (0600, folder 0700) sorted by kind and key."""
    manifests = register_snapshots(spark, snapshot_dirs)
    names = {m["county"]: m.get("county_name") or m["county"] for m in manifests}
    found: list[CrossFinding] = []
    seconds: dict[str, float] = {}
    for kind in kinds:
        started = time.perf_counter()
        if kind is FindingKind.DUP_IDENTITY:
            batch = identity_findings(
                spark, rules, names, salting_partitions=salting_partitions, training_rows=training_rows
            )
        elif kind is FindingKind.DUP_PERSON_MULTI_HOUSEHOLD:
            batch = multi_household_findings(spark, names)
        elif kind is FindingKind.DUP_EXCLUSIVE_PROGRAMMES:
            batch = exclusive_findings(spark, rules, names)
        elif kind is FindingKind.DECEASED_PAID:
            batch = deceased_findings(spark, names)
        else:
            batch = ring_findings(spark, rules, names)
        found += batch
        seconds[kind.value] = round(time.perf_counter() - started, 2)
    found.sort(key=lambda f: (f.kind.value, f.key))
    private_dir(out_dir)
    lines = [json.dumps(f.as_json(), ensure_ascii=False, sort_keys=True) for f in found]
    text = "".join(line + "\n" for line in lines)
    private_write(out_dir / FINDINGS_FILE, text)
    meta = {
        "format": FORMAT,
        "counties": sorted(names),
        "county_names": names,
        "snapshots": {m["county"]: m["as_of"] for m in manifests},
        "findings": len(found),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "seconds": seconds,
    }
    private_write(out_dir / "manifest.json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    counts = {k.value: sum(1 for f in found if f.kind is k) for k in kinds}
    return JobReport(sorted(names), counts, seconds, out_dir / FINDINGS_FILE)


def main(argv: list[str] | None = None) -> int:
    """`spark-submit province/job.py SNAPSHOT_DIR … --out FINDINGS_DIR [--rules FILE]`."""
    from province.spark import session
    from settings import Settings

    parser = argparse.ArgumentParser(prog="province-job", description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", nargs="+", type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument(
        "--rules", type=Path, default=None, help="detection rules (default: the settings' file)"
    )
    parser.add_argument("--master", default=None, help="e.g. local[*]; omit under spark-submit")
    parser.add_argument("--salt", type=int, default=1, help="salting partitions for the blocking rules")
    parser.add_argument(
        "--training-rows",
        type=int,
        default=None,
        help="train the identity model on a random sample of this many persons (default: all)",
    )
    args = parser.parse_args(argv)
    if args.training_rows is not None and args.training_rows < MIN_TRAINING_ROWS:
        parser.error(f"--training-rows must be at least {MIN_TRAINING_ROWS:,}")
    rules = read_rules(args.rules or Settings().detection_rules_file)
    spark = session(args.master)
    report = run_job(
        spark, args.snapshots, args.out, rules, salting_partitions=args.salt, training_rows=args.training_rows
    )
    print(json.dumps({"counties": report.counties, "found": report.found, "seconds": report.seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
