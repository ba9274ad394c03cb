"""RING_SHARED_IDENTIFIER: benefit-receiving households with no recorded family relation that
share phones, bank accounts or addresses, as connected groups.

An identifier held by more than `max_households` households (a village office phone) links
nobody. Strong identifiers (phone, account) link two households on their own; weak ones
(an address: two registrations at one house are common) only together with another. Links
chain: households joined by different identifiers (A–B a phone, B–C an account) are one
ring. A ring of only two households needs `pair_min_identifiers` shared identifiers.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from detection.context import DetectionContext
from detection.situation import Evidence, Situation
from domain.finding_kinds import FindingKind

RECIPIENT_HOUSEHOLDS = """
CALL () {
  MATCH (:Enrollment)-[:GRANTED_TO]->(h:Household) RETURN h
  UNION
  MATCH (:Enrollment)-[:GRANTED_TO|COVERS]->(:Person)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
  RETURN h
}
RETURN h.household_id AS household
"""

# For each kind, the identifiers recipients hold and every current household holding them.
SHARED_PHONES = """
UNWIND $recipients AS hid
MATCH (:Household {household_id: hid})<-[m:MEMBER_OF]-(:Person)-[:HAS_PHONE]->(x:Phone) WHERE m.until IS NULL
WITH DISTINCT x
MATCH (x)<-[:HAS_PHONE]-(p:Person)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
WITH x, collect(DISTINCT {household: h.household_id, person: p.id_number,
                          who: p.name + '|' + toString(p.birth_date)})
     AS holders
RETURN 'phone' AS kind, x.number AS key, holders
"""

# An account links the households of its holders and the households whose grants are paid into
# it: a grant paid into another household's account, or several into one agent's, is a link
# (PAYMENT_TO_THIRD_PARTY reports each payment; the ring is the group). A holder in no household
# (an agent) links nobody but is evidence.
SHARED_ACCOUNTS = """
UNWIND $recipients AS hid
MATCH (h0:Household {household_id: hid})
CALL (h0) {
  MATCH (h0)<-[m:MEMBER_OF]-(:Person)-[:HOLDS_ACCOUNT]->(x:BankAccount) WHERE m.until IS NULL RETURN x
  UNION
  MATCH (h0)<-[:GRANTED_TO]-(:Enrollment)-[:PAYS_INTO]->(x:BankAccount) RETURN x
  UNION
  MATCH (h0)<-[:GRANTED_TO]-(:Enrollment)<-[:FOR_ENROLLMENT]-(:Payment)-[:PAID_TO]->(x:BankAccount) RETURN x
  UNION
  MATCH (h0)<-[m:MEMBER_OF]-(:Person)<-[:GRANTED_TO]-(:Enrollment)-[:PAYS_INTO]->(x:BankAccount)
  WHERE m.until IS NULL RETURN x
  UNION
  MATCH (h0)<-[m:MEMBER_OF]-(:Person)<-[:GRANTED_TO]-(:Enrollment)<-[:FOR_ENROLLMENT]-(:Payment)
        -[:PAID_TO]->(x:BankAccount)
  WHERE m.until IS NULL RETURN x
}
WITH DISTINCT x
CALL (x) {
  MATCH (x)<-[:HOLDS_ACCOUNT]-(p:Person)
  OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
  RETURN {household: h.household_id, person: p.id_number,
          who: p.name + '|' + toString(p.birth_date)} AS holder
  UNION
  CALL (x) {
    MATCH (x)<-[:PAYS_INTO]-(e:Enrollment) RETURN e
    UNION
    MATCH (x)<-[:PAID_TO]-(:Payment)-[:FOR_ENROLLMENT]->(e:Enrollment) RETURN e
  }
  MATCH (e)-[:GRANTED_TO]->(g)
  OPTIONAL MATCH (g)-[m:MEMBER_OF]->(gh:Household) WHERE m.until IS NULL
  WITH coalesce(CASE WHEN g:Household THEN g END, gh) AS h WHERE h IS NOT NULL
  RETURN DISTINCT {household: h.household_id, person: null, who: null} AS holder
}
WITH x, collect(DISTINCT holder) AS holders
RETURN 'account' AS kind, x.number AS key, holders
"""

# An address links the households living there and those with a member registered there.
SHARED_ADDRESSES = """
UNWIND $recipients AS hid
MATCH (h0:Household {household_id: hid})
CALL (h0) {
  MATCH (h0)-[:LIVES_AT]->(x:Address) RETURN x
  UNION
  MATCH (h0)<-[m:MEMBER_OF]-(:Person)-[:REGISTERED_AT]->(x:Address) WHERE m.until IS NULL RETURN x
}
WITH DISTINCT x
CALL (x) {
  MATCH (x)<-[:LIVES_AT]-(h:Household) RETURN {household: h.household_id, person: null, who: null} AS holder
  UNION
  MATCH (x)<-[:REGISTERED_AT]-(p:Person)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
  RETURN {household: h.household_id, person: p.id_number,
          who: p.name + '|' + toString(p.birth_date)} AS holder
}
WITH x, collect(holder) AS holders
RETURN 'address' AS kind, x.key AS key, holders
"""

# Household pairs with a recorded family tie: kinship between members, or a shared member.
RELATED_PAIRS = """
UNWIND $pairs AS pair
MATCH (a:Household {household_id: pair[0]}), (b:Household {household_id: pair[1]})
WITH pair, a, b
WHERE EXISTS { (a)<-[:MEMBER_OF]-(:Person)-[:KIN_OF]-(:Person)-[:MEMBER_OF]->(b) }
   OR EXISTS { (a)<-[:MEMBER_OF]-(:Person)-[:MEMBER_OF]->(b) }
RETURN pair
"""

HOUSEHOLD_PLACES = """
UNWIND $households AS hid
MATCH (h:Household {household_id: hid})
RETURN h.household_id AS household, h.township_code AS township, h.village_code AS village
"""

LABELS = {"phone": "Phone", "account": "BankAccount", "address": "Address"}
KIND_ZH = {"phone": "电话", "account": "银行账户", "address": "地址"}


# Person pairs identity resolution holds for one person (DUP_IDENTITY runs before rings).
SAME_PERSONS = """
MATCH (f:Finding {kind: 'DUP_IDENTITY'}) WHERE f.status <> 'resolved'
RETURN [(f)-[:EVIDENCE]->(p:Person) | p.id_number] AS persons
"""


def _same_person(holders: list[dict], a: str, b: str, same: set[frozenset[str]]) -> bool:
    """The identifier's holders in a and in b are one person: one name and birth date, or a
    pair that identity resolution found to be one person under two numbers."""
    who_a = {h["who"] for h in holders if h["household"] == a and h["who"]}
    who_b = {h["who"] for h in holders if h["household"] == b and h["who"]}
    if bool(who_a) and who_a == who_b and len(who_a) == 1:
        return True
    in_a = {h["person"] for h in holders if h["household"] == a and h["person"]}
    in_b = {h["person"] for h in holders if h["household"] == b and h["person"]}
    return bool(in_a) and bool(in_b) and all(frozenset((x, y)) in same for x in in_a for y in in_b)


def shared_identifier_rings(ctx: DetectionContext) -> list[Situation]:
    rules = ctx.rules.shared_identifier
    recipients = {r["household"] for r in ctx.read(RECIPIENT_HOUSEHOLDS)}
    wanted = set(rules.strong) | set(rules.weak)
    queries = {"phone": SHARED_PHONES, "account": SHARED_ACCOUNTS, "address": SHARED_ADDRESSES}
    # identifier -> holders, gathered outwards from the households in scope until no new
    # household joins (one round on a full run: it starts from every recipient).
    holders_of: dict[tuple[str, str], list[dict]] = {}
    visited: set[str] = set()
    frontier = recipients if ctx.households is None else recipients & set(ctx.households)
    while frontier:
        visited |= frontier
        reached: set[str] = set()
        for kind in sorted(wanted):
            for r in ctx.read(queries[kind], recipients=sorted(frontier)):
                households = {h["household"] for h in r["holders"] if h["household"]}
                if 2 <= len(households) <= rules.max_households:
                    holders_of[(kind, r["key"])] = r["holders"]
                    reached |= households & recipients
        frontier = reached - visited
    same = {frozenset(r["persons"]) for r in ctx.read(SAME_PERSONS) if len(r["persons"]) == 2}
    # household pair -> {(kind, identifier)}
    links: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for (kind, key), holders in holders_of.items():
        sharing = sorted({h["household"] for h in holders if h["household"]} & recipients)
        for i, a in enumerate(sharing):
            for b in sharing[i + 1 :]:
                if _same_person(holders, a, b, same):
                    continue  # one person under two ID numbers is DUP_IDENTITY, not a ring
                links[(a, b)].add((kind, key))
    if not links:
        return []
    related = {tuple(r["pair"]) for r in ctx.read(RELATED_PAIRS, pairs=[list(p) for p in links])}
    graph = nx.Graph()
    for pair, shared in links.items():
        kinds = {k for k, _ in shared}
        if pair in related or not (kinds & set(rules.strong) or len(kinds) >= 2):
            continue
        graph.add_edge(*pair, shared=shared)
    found = []
    for component in nx.connected_components(graph):
        ring = sorted(component)
        if ctx.households is not None and not set(ring) & set(ctx.households):
            continue
        sub = graph.subgraph(ring)
        identifiers = sorted({s for _, _, d in sub.edges(data=True) for s in d["shared"]})
        if len(ring) == 2 and len(identifiers) < rules.pair_min_identifiers:
            continue  # one phone between two households is a neighbour's or an unrecorded relative's
        # The ring's members who hold its identifiers, and whoever holds its accounts (an agent).
        persons = sorted(
            {
                h["person"]
                for s in identifiers
                for h in holders_of[s]
                if h["person"] and (h["household"] in component or s[0] == "account")
            }
        )
        places = {r["household"]: r for r in ctx.read(HOUSEHOLD_PLACES, households=ring)}
        first = places[ring[0]]
        ring_kinds = sorted({k for k, _ in identifiers})
        evidence = [Evidence("Household", h, "household") for h in ring]
        evidence += [Evidence("Person", p, "holder") for p in persons]
        evidence += [Evidence(LABELS[k], key, k) for k, key in identifiers]
        score = min(0.99, 0.8 + 0.05 * len(identifiers) + 0.03 * (len(ring) - 2))
        townships = sorted({places[h]["township"] for h in ring})
        found.append(
            Situation(
                FindingKind.RING_SHARED_IDENTIFIER,
                "|".join(ring),
                round(score, 3),
                f"{len(ring)}户受助家庭之间无登记亲属关系，却共用"
                + "、".join(KIND_ZH[k] for k in ring_kinds)
                + f"（共{len(identifiers)}个标识）："
                + "、".join(ring)
                + "。",
                f"{len(ring)} benefit-receiving households with no recorded family relation share "
                + ", ".join(ring_kinds)
                + f" ({len(identifiers)} identifiers): "
                + ", ".join(ring)
                + ".",
                evidence,
                township_code=first["township"] if len(townships) == 1 else None,
                village_code=first["village"],
                details={"identifiers": [list(i) for i in identifiers]},
            )
        )
    return found
