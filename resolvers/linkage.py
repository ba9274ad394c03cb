"""The graph around any identifier: shared identifiers, kinship, cases and money, ready to
draw.

A walk starts from a person, a household, a phone, a bank account, an address, a staff
member, a case, a grant or a payment, and follows the relationships investigators follow: membership,
kinship, phones, accounts, addresses, staff filings, who applied for a case and for which
household, the staff who handled, reviewed or approved it, the grants a household or person
receives and the accounts grants and payments go to. A payment is never crossed, and shown
only where a walk starts or next to it (an account's or a grant's own payments): a
household's monthly payments would otherwise drown a wider walk. A node linked more widely
than the hub limit — a village office phone, a caseworker's hundreds of cases — is shown but
not crossed, so it cannot pull the whole village in. Variable-length bounds cannot be Cypher
parameters, so there is one literal query per allowed hop count; the start's label is a
parameter compared in each branch.
"""

from __future__ import annotations

from typing import Any

from graph.model import KEY_PROPERTY, Label, Rel

MAX_HOPS = 4
# The relationships a walk follows.
WALKED = (
    Rel.MEMBER_OF,
    Rel.KIN_OF,
    Rel.HAS_PHONE,
    Rel.HOLDS_ACCOUNT,
    Rel.REGISTERED_AT,
    Rel.LIVES_AT,
    Rel.FILED_RELATIVE,
    Rel.APPLIED_FOR,
    Rel.FOR_HOUSEHOLD,
    Rel.HANDLED,
    Rel.REVIEWED,
    Rel.APPROVED,
    Rel.GRANTED_TO,
    Rel.COVERS,
    Rel.PAYS_INTO,
    Rel.FOR_ENROLLMENT,
    Rel.PAID_TO,
)
LINKS = "|".join(WALKED)
# How widely a node is linked, for the hub limit: payments are never crossed, so they do not count.
COUNTED = "|".join(r for r in WALKED if r not in (Rel.FOR_ENROLLMENT, Rel.PAID_TO))

# The kinds a walk may start from, each looked up by its own key index (a label-less
# `MATCH (n) WHERE n:A OR n:B` would scan every node of the graph). A staff member is a
# person too: found by the staff id or by the person's ID number. With no kind given, the
# key is a person's or a household's, as before kinds were named.
START_KINDS = (
    Label.PERSON,
    Label.HOUSEHOLD,
    Label.PHONE,
    Label.BANK_ACCOUNT,
    Label.ADDRESS,
    Label.STAFF,
    Label.CASE,
    Label.ENROLLMENT,
    Label.PAYMENT,
)
_UNTYPED = (Label.PERSON, Label.HOUSEHOLD)


def _branch(label: Label, kind: str, key: str, name: str) -> str:
    untyped = f"${kind} IS NULL OR " if label in _UNTYPED else ""
    match = (
        f"MATCH (n:{label.value} {{{KEY_PROPERTY[label]}: ${key}}}) WHERE {untyped}${kind} = '{label.value}'"
    )
    if label is Label.STAFF:
        match += (
            f" RETURN n AS {name}\n  UNION\n"
            f"  MATCH (n:{Label.PERSON.value} {{{KEY_PROPERTY[Label.PERSON]}: ${key}}})"
            f" WHERE ${kind} = '{label.value}' AND n:{label.value}"
        )
    return f"  {match} RETURN n AS {name}"


def _by_key(key: str, kind: str, name: str) -> str:
    branches = "\n  UNION\n".join(_branch(label, kind, key, name) for label in START_KINDS)
    return "CALL () {{\n" + branches.replace("{", "{{").replace("}", "}}") + "\n}}\n"


# A path crosses no payment (and ends at one only next to its start), and no node linked
# more widely than the hub limit.
_CROSSABLE = """
WHERE none(x IN nodes(path)[1..-1] WHERE x:Payment) AND (length(path) = 1 OR NOT last(nodes(path)):Payment)
  AND all(x IN nodes(path)[1..-1] WHERE COUNT {{ (x)-[:{counted}]-() }} <= $hub_limit)
"""

_NEIGHBOURHOOD = (
    _by_key("key", "kind", "start")
    + """
OPTIONAL MATCH path = (start)-[:{links}*1..{hops}]-(n)
"""
    + _CROSSABLE
    + """
WITH start, path LIMIT $path_limit
WITH start, collect(path) AS paths
CALL (start, paths) {{
  UNWIND paths AS p
  UNWIND relationships(p) AS r
  WITH DISTINCT r
  RETURN collect(r) AS rels
}}
CALL (start, rels) {{
  UNWIND [start] + reduce(ns = [], r IN rels | ns + [startNode(r), endNode(r)]) AS n
  WITH DISTINCT n
  RETURN collect(n)[..$node_limit] AS nodes
}}
RETURN elementId(start) AS start,
  [n IN nodes | {{id: elementId(n), labels: labels(n), props: properties(n),
                  degree: COUNT {{ (n)-[:{links}]-() }}}}] AS nodes,
  [r IN rels WHERE startNode(r) IN nodes AND endNode(r) IN nodes |
     {{from: elementId(startNode(r)), to: elementId(endNode(r)), type: type(r),
       props: properties(r)}}] AS edges
"""
)

NEIGHBOURHOOD = {
    hops: _NEIGHBOURHOOD.format(links=LINKS, counted=COUNTED, hops=hops) for hops in range(1, MAX_HOPS + 1)
}

_SHORTEST = (
    _by_key("from", "from_kind", "a")
    + _by_key("to", "to_kind", "b")
    + """
MATCH path = allShortestPaths((a)-[:{links}*..{hops}]-(b))
WHERE none(x IN nodes(path)[1..-1] WHERE x:Payment)
  AND all(x IN nodes(path)[1..-1] WHERE COUNT {{ (x)-[:{counted}]-() }} <= $hub_limit)
WITH path LIMIT $path_limit
RETURN [n IN nodes(path) | {{id: elementId(n), labels: labels(n), props: properties(n)}}] AS nodes,
       [r IN relationships(path) | {{from: elementId(startNode(r)), to: elementId(endNode(r)), type: type(r),
                                     props: properties(r)}}] AS edges
"""
)

SHORTEST_PATHS = {
    hops: _SHORTEST.format(links=LINKS, counted=COUNTED, hops=hops) for hops in range(1, MAX_HOPS + 2)
}


async def neighbourhood(
    gateway: Any, key: str, kind: Label | None, hops: int, *, hub_limit: int, node_limit: int
) -> dict[str, Any] | None:
    rows = await gateway.read(
        NEIGHBOURHOOD[hops],
        key=key,
        kind=kind.value if kind else None,
        hub_limit=hub_limit,
        node_limit=node_limit,
        path_limit=20 * node_limit,
    )
    if not rows:
        return None
    return rows[0]


async def shortest_paths(
    gateway: Any,
    source: tuple[str, Label | None],
    target: tuple[str, Label | None],
    hops: int,
    *,
    hub_limit: int,
    limit: int,
) -> list[dict[str, Any]]:
    return await gateway.read(
        SHORTEST_PATHS[hops],
        **{"from": source[0], "to": target[0]},
        from_kind=source[1].value if source[1] else None,
        to_kind=target[1].value if target[1] else None,
        hub_limit=hub_limit,
        path_limit=limit,
    )
