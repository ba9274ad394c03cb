"""Counts of nodes by label and relationships by type: what a load did, at a glance."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver, ManagedTransaction

NODE_COUNTS = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count ORDER BY label"
RELATIONSHIP_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type"


@dataclass(frozen=True)
class GraphStats:
    nodes: dict[str, int]
    relationships: dict[str, int]

    @property
    def total_nodes(self) -> int:
        # A staff member's node carries Person and Staff; count nodes once.
        return sum(v for k, v in self.nodes.items() if k != "Staff")

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


def _counts(tx: ManagedTransaction) -> GraphStats:
    nodes = {r["label"]: r["count"] for r in tx.run(NODE_COUNTS)}
    rels = {r["type"]: r["count"] for r in tx.run(RELATIONSHIP_COUNTS)}
    return GraphStats(nodes, rels)


def graph_stats(driver: Driver, database: str) -> GraphStats:
    with driver.session(database=database) as session:
        return session.execute_read(_counts)
