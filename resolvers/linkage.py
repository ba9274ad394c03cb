"""The graph around a person or household: shared identifiers and kinship, ready to draw.

Traverses only the relationships that link people (membership, kinship, phones, accounts,
addresses, staff filings). An identifier shared by very many people — a village office
phone — is shown but not crossed, so it cannot pull the whole village in. Variable-length
bounds cannot be Cypher parameters, so there is one literal query per allowed hop count.
"""

from __future__ import annotations

from typing import Any

MAX_HOPS = 4
LINKS = "MEMBER_OF|KIN_OF|HAS_PHONE|HOLDS_ACCOUNT|REGISTERED_AT|LIVES_AT|FILED_RELATIVE"

# Where a walk starts: a person or a household, each looked up by its own key index (a
# label-less `MATCH (n) WHERE n:A OR n:B` would scan every node of the graph).
_BY_KEY = """
CALL () {{
  MATCH (p:Person {{id_number: $PARAM}}) RETURN p AS NAME
  UNION
  MATCH (h:Household {{household_id: $PARAM}}) RETURN h AS NAME
}}
"""  # braces doubled: the queries below are str.format templates


def _by_key(param: str, name: str) -> str:
    return _BY_KEY.replace("PARAM", param).replace("NAME", name)


_NEIGHBOURHOOD = (
    _by_key("key", "start")
    + """
OPTIONAL MATCH path = (start)-[:{links}*1..{hops}]-(n)
WHERE all(x IN nodes(path)[1..-1] WHERE NOT (x:Phone OR x:Address OR x:BankAccount)
          OR COUNT {{ (x)--() }} <= $hub_limit)
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
                  degree: COUNT {{ (n)--() }}}}] AS nodes,
  [r IN rels WHERE startNode(r) IN nodes AND endNode(r) IN nodes |
     {{from: elementId(startNode(r)), to: elementId(endNode(r)), type: type(r),
       props: properties(r)}}] AS edges
"""
)

NEIGHBOURHOOD = {hops: _NEIGHBOURHOOD.format(links=LINKS, hops=hops) for hops in range(1, MAX_HOPS + 1)}

_SHORTEST = (
    _by_key("from", "a")
    + _by_key("to", "b")
    + """
MATCH path = allShortestPaths((a)-[:{links}*..{hops}]-(b))
WHERE all(x IN nodes(path)[1..-1] WHERE NOT (x:Phone OR x:Address OR x:BankAccount)
          OR COUNT {{ (x)--() }} <= $hub_limit)
WITH path LIMIT $path_limit
RETURN [n IN nodes(path) | {{id: elementId(n), labels: labels(n), props: properties(n)}}] AS nodes,
       [r IN relationships(path) | {{from: elementId(startNode(r)), to: elementId(endNode(r)), type: type(r),
                                     props: properties(r)}}] AS edges
"""
)

SHORTEST_PATHS = {hops: _SHORTEST.format(links=LINKS, hops=hops) for hops in range(1, MAX_HOPS + 2)}


async def neighbourhood(
    gateway: Any, key: str, hops: int, *, hub_limit: int, node_limit: int
) -> dict[str, Any] | None:
    rows = await gateway.read(
        NEIGHBOURHOOD[hops], key=key, hub_limit=hub_limit, node_limit=node_limit, path_limit=20 * node_limit
    )
    if not rows:
        return None
    return rows[0]


async def shortest_paths(
    gateway: Any, source: str, target: str, hops: int, *, hub_limit: int, limit: int
) -> list[dict[str, Any]]:
    return await gateway.read(
        SHORTEST_PATHS[hops], **{"from": source, "to": target}, hub_limit=hub_limit, path_limit=limit
    )
