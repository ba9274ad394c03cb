"""DUP_IDENTITY: probably the same person under two ID numbers.

The register goes into Splink (`detection.identity_linkage`): its blocking rules propose
candidate pairs, its Fellegi–Sunter model (trained on a full run as Splink's tutorial
does, and kept in the graph) scores them. An incremental run compares the persons of the
affected households with the persons who share a blocking key with them, scored by the
kept model and the register's name frequencies.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from detection.context import DetectionContext
from detection.identity_blocking import sharing_a_key
from detection.identity_linkage import (
    FIELD_LABELS,
    MISSING_LEVEL,
    IdentityLinker,
    Prediction,
    comparisons,
    level_label,
)
from detection.identity_register import name_key, person_row
from detection.situation import Evidence, Situation
from domain.finding_kinds import FindingKind

log = logging.getLogger(__name__)
# The comparisons a kept model must have been trained with.
COMPARED = [c.get_comparison("duckdb").output_column_name for c in comparisons()]

_RECORD = """
RETURN p.id_number AS id, p.name AS name, p.birth_date AS birth, p.sex AS sex,
       [(p)-[:HAS_PHONE]->(x) | x.number] AS phones,
       [(p)-[:HOLDS_ACCOUNT]->(x) | x.number] AS accounts,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.household_id] AS households,
       [(p)-[m:MEMBER_OF]->(:Household)-[:LIVES_AT]->(a) WHERE m.until IS NULL | a.key]
         + [(p)-[:REGISTERED_AT]->(a) | a.key] AS addresses
"""

# Where the persons of the pairs found live (read for those only: a county has few).
PLACES = """
UNWIND $ids AS id
MATCH (p:Person {id_number: id})
RETURN p.id_number AS id,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.village_code] AS villages,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.township_code] AS townships
"""

REGISTER = "MATCH (p:Person)" + _RECORD

# An incremental run, in two reads. First who might pair with the scope's persons, found
# by index seeks (birth date; name with birth year or day; a phone, account or address
# shared), with their particulars only; of those found by birth date, Python keeps the ones
# sharing a blocking key (a name part in pinyin, which the graph does not hold) — a county
# has 18 persons per birth date, and full records for all of them cost 4 s of a 1,000-row
# delta's run. Then full records for the persons kept. The candidates come back as one
# list, not a record each: some 50,000 records cost the driver 1.0 s, the list 0.55 s.
CANDIDATES = """
UNWIND $households AS hid
MATCH (:Household {household_id: hid})<-[:MEMBER_OF]-(s:Person)
WITH collect(DISTINCT s) AS scope
UNWIND scope AS s
CALL (s) {
  RETURN s AS p, true AS kept
  UNION
  MATCH (p:Person {birth_date: s.birth_date}) RETURN p, false AS kept
  UNION
  MATCH (p:Person {name: s.name})
  WHERE p.birth_date.year = s.birth_date.year
     OR (p.birth_date.month = s.birth_date.month AND p.birth_date.day = s.birth_date.day)
  RETURN p, true AS kept
  UNION
  MATCH (s)-[:HAS_PHONE|HOLDS_ACCOUNT|REGISTERED_AT]->()<-[:HAS_PHONE|HOLDS_ACCOUNT|REGISTERED_AT]-(p:Person)
  RETURN p, true AS kept
  UNION
  MATCH (s)-[:MEMBER_OF]->(:Household)-[:LIVES_AT]->(:Address)
        <-[:LIVES_AT]-(:Household)<-[:MEMBER_OF]-(p:Person)
  RETURN p, true AS kept
}
WITH DISTINCT p, kept
RETURN collect({id: p.id_number, name: p.name, birth: p.birth_date, kept: kept}) AS candidates
"""

RECORDS = (
    """
UNWIND $ids AS id
MATCH (p:Person {id_number: id})
"""
    + _RECORD
)

SCOPE = """
UNWIND $households AS hid
MATCH (:Household {household_id: hid})<-[:MEMBER_OF]-(s:Person)
RETURN collect(DISTINCT s.id_number) AS ids
"""

NAME_COUNTS = """
UNWIND $names AS n
RETURN n AS name, COUNT { MATCH (p:Person {name: n}) } AS persons
"""
PERSON_COUNT = "MATCH (p:Person) RETURN count(p) AS persons"
READ_MODEL = "MATCH (m:DetectionModel {name: 'identity-splink'}) RETURN m.parameters AS parameters"
SAVE_MODEL = """
MERGE (m:DetectionModel {name: 'identity-splink'})
SET m.parameters = $parameters, m.fitted_at = datetime()
"""


def _saved_model(ctx: DetectionContext) -> dict[str, Any] | None:
    """The model the last full run trained; None where there is none, or where it was trained
    with other comparisons than the code's (an upgrade): the next full run trains it again."""
    saved = ctx.read(READ_MODEL)
    model = json.loads(saved[0]["parameters"]) if saved and saved[0]["parameters"] else None
    if model is None:
        return None
    if [c["output_column_name"] for c in model["comparisons"]] != COMPARED:
        log.warning("identity model: kept with other comparisons than these; run a full `reliefgraph detect`")
        return None
    return model


def _linker(
    ctx: DetectionContext,
) -> tuple[IdentityLinker, dict[str, Any] | None, set[str] | None, list[dict]]:
    if ctx.households is None:
        rows = ctx.read(REGISTER)
        return IdentityLinker(person_row(r) for r in rows), None, None, rows
    model = _saved_model(ctx)
    if model is None:  # no model yet: an incremental run has nothing to score with, so reads nothing
        return IdentityLinker([]), None, set(), []
    scope = set(ctx.read(SCOPE)[0]["ids"])
    candidates = ctx.read(CANDIDATES)[0]["candidates"]
    kept = {r["id"] for r in candidates if r["kept"]}
    # Rows (names in pinyin) only where a key must be compared: the scope's persons and
    # those found by birth date alone; the kept are read again in full below.
    particulars = {r["id"]: person_row(r) for r in candidates if r["id"] in scope or r["id"] not in kept}
    kept |= sharing_a_key(
        [particulars[i] for i in scope if i in particulars],
        [particulars[i] for i in particulars.keys() - kept],
    )
    rows = ctx.read(RECORDS, ids=sorted(kept))
    linker = IdentityLinker((person_row(r) for r in rows), model)
    if linker.count:
        # A frequency weighs only an exact name match, and every pair scored here names a
        # person of the scope: their names, as written in any row (traditional or simplified).
        wanted = {name_key(r["name"]) for r in rows if r["id"] in scope and r["name"]}
        names = sorted({r["name"] for r in rows if r["name"] and name_key(r["name"]) in wanted})
        counts = {r["name"]: r["persons"] for r in ctx.read(NAME_COUNTS, names=names)}
        linker.use_name_frequencies(counts, ctx.read(PERSON_COUNT)[0]["persons"])
    return linker, model, scope, rows


def same_person_two_numbers(ctx: DetectionContext) -> list[Situation]:
    linker, model, scope, rows = _linker(ctx)
    if linker.count < 2:
        return []
    if model is None:
        if ctx.households is not None or linker.count < 50:
            return []  # no model yet (the first full run over a real register fits one)
        model = linker.train(ctx.rules.identity.threshold, ctx.rules.identity.particulars_min_bits)
        ctx.write(SAVE_MODEL, parameters=json.dumps(model))
    pairs = linker.predict(
        ctx.rules.identity.threshold,
        touching=scope,
        particulars_min_bits=ctx.rules.identity.particulars_min_bits,
    )
    records = {r["id"]: r for r in rows}
    places = {r["id"]: r for r in ctx.read(PLACES, ids=sorted({x for p in pairs for x in (p.a, p.b)}))}
    return [_situation(p, records[p.a] | places[p.a], records[p.b] | places[p.b]) for p in pairs]


def _situation(p: Prediction, ra: dict[str, Any], rb: dict[str, Any]) -> Situation:
    """The finding, explained in our own comparison labels (LEVEL_LABELS), one language each."""
    weights = p.weights
    words = {f: level_label(f, v) for f, v in p.levels.items()}
    levels = {f: en for f, (_, en) in words.items()}
    evidence = [Evidence("Person", p.a, "registration"), Evidence("Person", p.b, "registration")]
    evidence += [
        Evidence("Household", h, "household") for h in sorted(set(ra["households"]) | set(rb["households"]))
    ]
    evidence += [Evidence("Phone", x, "shared_phone") for x in sorted(set(ra["phones"]) & set(rb["phones"]))]
    evidence += [
        Evidence("BankAccount", x, "shared_account")
        for x in sorted(set(ra["accounts"]) & set(rb["accounts"]))
    ]
    strongest = sorted((f for f in weights if weights[f] > 0), key=lambda f: -weights[f])
    zh = "；".join(
        f"{FIELD_LABELS[f][0]}：{words.get(f, MISSING_LEVEL)[0]}" for f in strongest if f in FIELD_LABELS
    )
    en = "; ".join(
        f"{FIELD_LABELS[f][1]}: {words.get(f, MISSING_LEVEL)[1]} ({weights[f]:+.1f} bits)"
        for f in strongest
        if f in FIELD_LABELS
    )
    townships = ra["townships"] + rb["townships"]
    villages = ra["villages"] + rb["villages"]
    return Situation(
        FindingKind.DUP_IDENTITY,
        f"{p.a}|{p.b}",
        round(p.probability, 4),
        f"{ra['name']}（{p.a}）与{rb['name']}（{p.b}）很可能是同一人（匹配概率{p.probability:.1%}）：{zh}。",
        f"{ra['name']} ({p.a}) and {rb['name']} ({p.b}) are probably one person (match probability "
        f"{p.probability:.1%}): {en}.",
        evidence,
        township_code=townships[0] if townships else None,
        village_code=villages[0] if villages else None,
        details={
            "fields": {
                f: {"level": levels.get(f, ""), "weight": round(weights.get(f, 0.0), 2)} for f in levels
            }
        },
    )
