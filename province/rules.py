"""The rule-decided kinds across counties, as Spark SQL over the counties' snapshots.

Each is its in-county detector's rule (detection/detectors/) where the two sides are in
different counties, with the parameters of the same rule file (rules/detection.toml):
- DUP_PERSON_MULTI_HOUSEHOLD: one person covered by household grants in two counties in
  overlapping periods (duplicates.person_in_two_households);
- DUP_EXCLUSIVE_PROGRAMMES: one person holding, in two counties, programmes the rules say may
  not be combined, in overlapping periods (duplicates.exclusive_programmes, per person);
- DECEASED_PAID: a death recorded in one county, payments for a later month in another
  (fraud.deceased_paid);
- RING_SHARED_IDENTIFIER: benefit-receiving households linked by shared phones, accounts and
  addresses into a connected group that spans counties (rings.shared_identifier_rings).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from detection.rules import DetectionRules

# Who an enrollment is for: the persons it covers, and a person it is granted to.
_BENEFICIARIES = """
SELECT county, enrollment, programme, start_date, end_date, household, explode(covered) AS person,
       'covers' AS how, size(covered) AS n_covered
FROM enrollments
UNION ALL
SELECT county, enrollment, programme, start_date, end_date, household, grantee AS person, 'granted' AS how,
       size(covered) AS n_covered
FROM enrollments WHERE grantee IS NOT NULL
"""

MULTI_HOUSEHOLD = f"""
WITH b AS ({_BENEFICIARIES})
SELECT DISTINCT a.person, a.county AS c1, a.household AS h1, a.enrollment AS e1, a.programme AS p1,
       b.county AS c2, b.household AS h2, b.enrollment AS e2, b.programme AS p2
FROM b a JOIN b ON a.person = b.person AND a.county < b.county
WHERE a.how = 'covers' AND b.how = 'covers' AND a.household IS NOT NULL AND b.household IS NOT NULL
  AND a.start_date <= coalesce(b.end_date, '9999-12-31')
  AND b.start_date <= coalesce(a.end_date, '9999-12-31')
"""

EXCLUSIVE_PERSON = f"""
WITH b AS ({_BENEFICIARIES}), pairs AS (SELECT inline(from_json(:pairs, 'array<struct<x:string,y:string>>')))
SELECT DISTINCT a.person, a.county AS c1, a.enrollment AS e1, a.programme AS p1, a.household AS h1,
       b.county AS c2, b.enrollment AS e2, b.programme AS p2, b.household AS h2
FROM b a JOIN b ON a.person = b.person AND a.county <> b.county
JOIN pairs ON a.programme = pairs.x AND b.programme = pairs.y
WHERE a.start_date <= coalesce(b.end_date, '9999-12-31')
  AND b.start_date <= coalesce(a.end_date, '9999-12-31')
"""

# Payments for a month after the death, by an enrollment of another county that covers the
# dead person or is granted to them.
DECEASED = f"""
WITH b AS (SELECT DISTINCT county, enrollment, programme, household, person, n_covered
           FROM ({_BENEFICIARIES}))
SELECT d.person, d.county AS death_county, d.fact AS death, d.death_date, d.source,
       b.county, b.enrollment, b.programme, b.household,
       b.n_covered AS covered,
       collect_list(named_struct('payment', p.payment, 'period', p.period, 'amount_fen', p.amount_fen))
         AS payments
FROM deaths d JOIN b ON b.person = d.person AND b.county <> d.county
JOIN payments p ON p.county = b.county AND p.enrollment = b.enrollment
WHERE p.period > substring(d.death_date, 1, 7)
GROUP BY d.person, d.county, d.fact, d.death_date, d.source, b.county, b.enrollment, b.programme, b.household,
  b.n_covered
"""

# Households receiving a grant: granted one, or a current member granted or covered.
RECIPIENTS = f"""
SELECT DISTINCT county, household FROM enrollments WHERE household IS NOT NULL
UNION
SELECT DISTINCT m.county, m.household
FROM ({_BENEFICIARIES}) b
JOIN memberships m ON m.county = b.county AND m.person = b.person AND m.until IS NULL
"""

# Each identifier with every current household holding it (phones and accounts by their
# holders; addresses by the households living there and members registered there).
HOLDERS = """
WITH cur AS (SELECT county, person, household FROM memberships WHERE until IS NULL),
persons_who AS (SELECT county, person, concat(coalesce(name, ''), '|', coalesce(birth_date, '')) AS who
                FROM persons)
SELECT 'phone' AS kind, x.number AS key, c.county, c.household, x.person, w.who
FROM phones x JOIN cur c ON c.county = x.county AND c.person = x.person
JOIN persons_who w ON w.county = x.county AND w.person = x.person
UNION ALL
SELECT 'account', x.number, c.county, c.household, x.person, w.who
FROM accounts x JOIN cur c ON c.county = x.county AND c.person = x.person
JOIN persons_who w ON w.county = x.county AND w.person = x.person
UNION ALL
SELECT 'address', a.address, a.county, a.household, NULL, NULL FROM addresses a WHERE a.household IS NOT NULL
UNION ALL
SELECT 'address', a.address, c.county, c.household, a.person, w.who
FROM addresses a JOIN cur c ON c.county = a.county AND c.person = a.person
JOIN persons_who w ON w.county = a.county AND w.person = a.person
"""

# Identifiers held by 2 to max_households households (of any county), with their holders and
# the recipient households among them.
SHARED = f"""
WITH h AS ({HOLDERS}), r AS ({RECIPIENTS}),
kept AS (
  SELECT kind, key FROM h GROUP BY kind, key
  HAVING count(DISTINCT county, household) BETWEEN 2 AND :max_households
)
SELECT h.kind, h.key, collect_set(named_struct('county', h.county, 'household', h.household,
       'person', h.person, 'who', h.who)) AS holders,
       collect_set(CASE WHEN r.household IS NOT NULL THEN concat(h.county, ':', h.household) END)
         AS recipients
FROM h JOIN kept ON kept.kind = h.kind AND kept.key = h.key
LEFT JOIN r ON r.county = h.county AND r.household = h.household
WHERE h.kind IN (SELECT explode(from_json(:kinds, 'array<string>')))
GROUP BY h.kind, h.key
"""

# Household pairs with a shared member (a family tie the snapshot shows across counties).
SHARED_MEMBER = """
SELECT DISTINCT concat(a.county, ':', a.household) AS a, concat(b.county, ':', b.household) AS b
FROM memberships a JOIN memberships b ON a.person = b.person AND a.county <> b.county
WHERE a.until IS NULL AND b.until IS NULL
"""

PERSON_NAMES = (
    "SELECT county, person, name FROM persons "
    "WHERE person IN (SELECT explode(from_json(:ids, 'array<string>')))"
)
HOUSEHOLD_PLACES = "SELECT county, household, township, village FROM households"


def _rows(spark: Any, sql: str, **args: Any) -> list[dict[str, Any]]:
    return [r.asDict(recursive=True) for r in spark.sql(sql, args=args or None).collect()]


def multi_household(spark: Any) -> list[dict[str, Any]]:
    return _rows(spark, MULTI_HOUSEHOLD)


def exclusive_person(spark: Any, rules: DetectionRules) -> list[dict[str, Any]]:
    import json

    pairs = [{"x": a, "y": b} for a, b in rules.exclusive.person]
    return _rows(spark, EXCLUSIVE_PERSON, pairs=json.dumps(pairs))


def deceased(spark: Any) -> list[dict[str, Any]]:
    return _rows(spark, DECEASED)


def rings(spark: Any, rules: DetectionRules) -> list[dict[str, Any]]:
    """Connected groups of recipient households spanning counties: Spark finds the shared
    identifiers; the groups are formed from those links on the driver (few, whatever the
    counties' size: identifiers held by more than max_households households link nobody)."""
    import json

    r = rules.shared_identifier
    kinds = sorted(set(r.strong) | set(r.weak))
    shared = _rows(spark, SHARED, max_households=r.max_households, kinds=json.dumps(kinds))
    related = {(x["a"], x["b"]) for x in _rows(spark, SHARED_MEMBER)}
    links: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    holders_of: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in shared:
        holders_of[(s["kind"], s["key"])] = s["holders"]
        sharing = sorted(x for x in s["recipients"] if x)
        for i, a in enumerate(sharing):
            for b in sharing[i + 1 :]:
                if not _same_person(s["holders"], a, b):
                    links[(a, b)].add((s["kind"], s["key"]))
    graph = nx.Graph()
    for pair, ids in links.items():
        kinds_here = {k for k, _ in ids}
        if pair in related or (pair[1], pair[0]) in related:
            continue
        if kinds_here & set(r.strong) or len(kinds_here) >= 2:
            graph.add_edge(*pair, shared=ids)
    out = []
    for component in nx.connected_components(graph):
        ring = sorted(component)
        if len({h.split(":")[0] for h in ring}) < 2:
            continue  # within one county: that county's own detection finds it
        identifiers = sorted({i for _, _, d in graph.subgraph(ring).edges(data=True) for i in d["shared"]})
        if len(ring) == 2 and len(identifiers) < r.pair_min_identifiers:
            continue
        persons = sorted(
            {
                (h["county"], h["person"])
                for i in identifiers
                for h in holders_of[i]
                if h["person"] and f"{h['county']}:{h['household']}" in component
            }
        )
        out.append({"households": ring, "identifiers": identifiers, "persons": persons})
    return out


def _same_person(holders: list[dict[str, Any]], a: str, b: str) -> bool:
    """The identifier's holders in a and b are one person by name and birth date (a person in
    two counties' registers is DUP_PERSON_MULTI_HOUSEHOLD's or DUP_IDENTITY's, not a ring)."""

    def who(h: str) -> set[str]:
        return {x["who"] for x in holders if f"{x['county']}:{x['household']}" == h and x["who"]}

    return bool(who(a)) and who(a) == who(b) and len(who(a)) == 1
