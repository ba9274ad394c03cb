"""Helpers for comparing whole graphs: a canonical dump that ignores internal ids."""

from __future__ import annotations

import json
from collections import Counter

from neo4j import Driver

WIPE = "MATCH (n) WHERE NOT n:SchemaVersion CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
NODES = "MATCH (n) WHERE NOT n:SchemaVersion RETURN labels(n) AS labels, properties(n) AS props"
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN labels(a) AS a_labels, properties(a) AS a, type(r) AS type, properties(r) AS r,
       labels(b) AS b_labels, properties(b) AS b
"""


def wipe(driver: Driver, database: str) -> None:
    with driver.session(database=database) as session:
        session.run(WIPE).consume()


def _canon(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def dump(driver: Driver, database: str) -> tuple[Counter[str], Counter[str]]:
    """The graph as two multisets (nodes, relationships) of canonical JSON strings."""
    nodes: Counter[str] = Counter()
    rels: Counter[str] = Counter()
    with driver.session(database=database) as session:
        for record in session.run(NODES):
            props = record["props"]
            if "PartnerChange" in record["labels"]:
                # Numbered in commit order, and stamped: a rerun tells the same changes,
                # numbered and timed as its batches committed.
                props = {k: v for k, v in props.items() if k not in ("seq", "at")}
            nodes[_canon([sorted(record["labels"]), props])] += 1
        for record in session.run(RELATIONSHIPS):
            rels[
                _canon(
                    [
                        sorted(record["a_labels"]),
                        record["a"],
                        record["type"],
                        record["r"],
                        sorted(record["b_labels"]),
                        record["b"],
                    ]
                )
            ] += 1
    return nodes, rels
