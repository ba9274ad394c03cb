"""DUP_IDENTITY: probably the same person under two ID numbers.

Candidate pairs come from blocking (same pinyin name and birth date; the same phone; the
same account; a key held by more than `max_block` persons blocks nothing), so the county's
half a million persons are never compared all against all. Each pair is scored by the
Fellegi–Sunter model of `detection.identity_model`, fitted on a full run and kept in the
graph for incremental runs.
"""

from __future__ import annotations

import json
from itertools import combinations
from typing import Any

from detection.context import DetectionContext
from detection.identity_model import IdentityModel, compare, estimate_u, fit, person_record
from detection.kinds import FindingKind
from detection.situation import Evidence, Situation

# Each blocking rule: the groups of persons sharing its key; scoped to persons of $households.
BLOCK_NAME_BIRTH = """
CALL () {
  MATCH (p:Person) WHERE $households IS NULL AND p.birth_date IS NOT NULL RETURN p
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (:Household {household_id: hid})<-[:MEMBER_OF]-(s:Person) WHERE s.birth_date IS NOT NULL
  MATCH (p:Person {birth_date: s.birth_date})
  WHERE coalesce(p.name_latin, toLower(p.name)) = coalesce(s.name_latin, toLower(s.name))
  RETURN p
}
WITH coalesce(p.name_latin, toLower(p.name)) AS name, p.birth_date AS birth, collect(DISTINCT p.id_number) AS ids
WHERE size(ids) > 1 AND size(ids) <= $max_block
RETURN ids
"""

BLOCK_PHONE = """
CALL () {
  MATCH (x:Phone) WHERE $households IS NULL RETURN x
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (:Household {household_id: hid})<-[:MEMBER_OF]-(:Person)-[:HAS_PHONE]->(x:Phone) RETURN x
}
MATCH (x)<-[:HAS_PHONE]-(p:Person)
WITH x, collect(DISTINCT p.id_number) AS ids WHERE size(ids) > 1 AND size(ids) <= $max_block
RETURN ids
"""

BLOCK_ACCOUNT = """
CALL () {
  MATCH (x:BankAccount) WHERE $households IS NULL RETURN x
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (:Household {household_id: hid})<-[:MEMBER_OF]-(:Person)-[:HOLDS_ACCOUNT]->(x:BankAccount) RETURN x
}
MATCH (x)<-[:HOLDS_ACCOUNT]-(p:Person)
WITH x, collect(DISTINCT p.id_number) AS ids WHERE size(ids) > 1 AND size(ids) <= $max_block
RETURN ids
"""

# name of the rule -> (its query, the fields every pair it yields agrees on)
BLOCKING = {
    "name_birth": (BLOCK_NAME_BIRTH, ("name", "birth_date")),
    "phone": (BLOCK_PHONE, ("phone",)),
    "account": (BLOCK_ACCOUNT, ("account",)),
}

PERSONS = """
UNWIND $ids AS id
MATCH (p:Person {id_number: id})
RETURN p.id_number AS id, p.name AS name, p.birth_date AS birth, p.sex AS sex,
       [(p)-[:HAS_PHONE]->(x) | x.number] AS phones,
       [(p)-[:HOLDS_ACCOUNT]->(x) | x.number] AS accounts,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.household_id] AS households,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.village_code] AS villages,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.township_code] AS townships,
       [(p)-[m:MEMBER_OF]->(:Household)-[:LIVES_AT]->(a) WHERE m.until IS NULL | a.key]
         + [(p)-[:REGISTERED_AT]->(a) | a.key] AS addresses
"""

# About one person in eleven, chosen by the check character (a function of the whole number,
# so neither sex nor birth date is favoured): the same data gives the same sample and model.
SAMPLE = """
MATCH (p:Person) WHERE p.id_number ENDS WITH '3'
RETURN p.id_number AS id, p.name AS name, p.birth_date AS birth, p.sex AS sex,
       [(p)-[:HAS_PHONE]->(x) | x.number] AS phones,
       [(p)-[:HOLDS_ACCOUNT]->(x) | x.number] AS accounts,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.household_id] AS households,
       [(p)-[m:MEMBER_OF]->(h) WHERE m.until IS NULL | h.village_code] AS villages,
       [(p)-[m:MEMBER_OF]->(:Household)-[:LIVES_AT]->(a) WHERE m.until IS NULL | a.key]
         + [(p)-[:REGISTERED_AT]->(a) | a.key] AS addresses
"""

PERSON_COUNT = "MATCH (p:Person) RETURN count(p) AS persons"
READ_MODEL = "MATCH (m:DetectionModel {name: 'identity'}) RETURN m.parameters AS parameters"
SAVE_MODEL = """
MERGE (m:DetectionModel {name: 'identity'})
SET m.parameters = $parameters, m.fitted_at = datetime()
"""

FIELD_ZH = {"name": "姓名", "birth_date": "出生日期", "sex": "性别", "id_number": "身份证号", "phone": "电话",
            "account": "银行账户", "address": "地址"}
LEVEL_ZH = {"exact": "相同", "same_pinyin": "同音", "similar": "相近", "different": "不同", "close": "相近",
            "missing": "缺失", "same": "相同", "one_digit": "仅差一位", "two_digits": "差两位", "shared": "共用",
            "same_village": "同村"}


def _candidates(ctx: DetectionContext) -> dict[tuple[str, str], set[str]]:
    """Candidate pairs and the blocking rules that proposed each."""
    pairs: dict[tuple[str, str], set[str]] = {}
    limit = ctx.rules.identity.max_block
    for rule, (query, _) in BLOCKING.items():
        for r in ctx.read(query, max_block=limit):
            for a, b in combinations(sorted(r["ids"]), 2):
                pairs.setdefault((a, b), set()).add(rule)
    return pairs


def _model(ctx: DetectionContext, pairs: dict[tuple[str, str], set[str]],
           records: dict[str, dict[str, Any]]) -> IdentityModel:
    """Fitted on a full run (and saved); an incremental run uses the saved one."""
    if ctx.households is not None:
        saved = ctx.read(READ_MODEL)
        if saved and saved[0]["parameters"]:
            return IdentityModel.from_dict(json.loads(saved[0]["parameters"]))
    sample = [person_record(r) for r in ctx.read(SAMPLE)]
    if len(sample) < 100:  # a very small register: compare the candidates' records among themselves
        sample += list(records.values())
    u = estimate_u(sample, pairs=200_000)
    sessions = {rule: (fixed, [compare(records[a], records[b]) for (a, b), rules in pairs.items() if rule in rules])
                for rule, (_, fixed) in BLOCKING.items()}
    persons = ctx.read(PERSON_COUNT)[0]["persons"]
    model = fit(sessions, u, persons)
    if ctx.households is None:
        ctx.write(SAVE_MODEL, parameters=json.dumps(model.as_dict()))
    return model


def same_person_two_numbers(ctx: DetectionContext) -> list[Situation]:
    pairs = _candidates(ctx)
    if not pairs:
        return []  # nobody to compare (the model is fitted on the next run that has candidates)
    ids = sorted({i for pair in pairs for i in pair})
    rows = ctx.read(PERSONS, ids=ids)
    records = {r["id"]: person_record(r) for r in rows}
    places = {r["id"]: r for r in rows}
    model = _model(ctx, pairs, records)
    found = []
    for (a, b), rules in sorted(pairs.items()):
        if a not in records or b not in records:
            continue
        vector = compare(records[a], records[b])
        if ctx.rules.identity.require_similar_names and vector["name"] == "different":
            continue
        probability = model.probability(vector)
        if probability < ctx.rules.identity.threshold:
            continue
        weights = model.weights(vector)
        ra, rb = records[a], records[b]
        evidence = [Evidence("Person", a, "registration"), Evidence("Person", b, "registration")]
        evidence += [Evidence("Household", h, "household") for h in sorted(ra["households"] | rb["households"])]
        evidence += [Evidence("Phone", x, "shared_phone") for x in sorted(ra["phones"] & rb["phones"])]
        evidence += [Evidence("BankAccount", x, "shared_account") for x in sorted(ra["accounts"] & rb["accounts"])]
        strongest = sorted(weights, key=lambda f: -weights[f])
        zh = "；".join(f"{FIELD_ZH[f]}{LEVEL_ZH.get(vector[f], vector[f])}" for f in strongest if weights[f] > 0)
        en = "; ".join(f"{f.replace('_', ' ')} {vector[f].replace('_', ' ')} ({weights[f]:+.1f} bits)"
                       for f in strongest if weights[f] > 0)
        townships = places[a]["townships"] + places[b]["townships"]
        villages = places[a]["villages"] + places[b]["villages"]
        found.append(Situation(
            FindingKind.DUP_IDENTITY, f"{a}|{b}", round(probability, 4),
            f"{ra['name']}（{a}）与{rb['name']}（{b}）很可能是同一人（匹配概率{probability:.1%}）：{zh}。",
            f"{ra['name']} ({a}) and {rb['name']} ({b}) are probably one person (match probability "
            f"{probability:.1%}): {en}.",
            evidence, township_code=townships[0] if townships else None,
            village_code=villages[0] if villages else None,
            details={"fields": {f: {"level": vector[f], "weight": round(weights[f], 2)} for f in vector},
                     "blocking": sorted(rules)}))
    return found
