"""Every Cypher query the API, detection, the audit trail and the jobs run is planned by the
real server (EXPLAIN) and must not scan every node, multiply two unrelated node sets, or
expand paths without an upper bound: a slow plan fails here before it reaches a county.

Queries are found, not listed: every upper-case module constant (or dict of them) that is a
complete Cypher statement. A Cartesian product is allowed only between sides that each
start from an index seek (two single nodes looked up by key, as a guarded write does)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from neo4j import Driver

from settings import Settings

PACKAGES = (
    "resolvers",
    "detection",
    "detection.detectors",
    "access",
    "jobs",
    "credit",
    "schema",
    "reliefgraph.commands",
    "evidence",
    "province",
)
CYPHER = re.compile(r"\b(MATCH|MERGE|CREATE|UNWIND)\b")
UNBOUNDED = re.compile(r"\*\s*(\d+\s*)?(\.\.\s*)?\]")  # [:T*], [:T*2..]: no upper bound
SEEKS = (
    "NodeUniqueIndexSeek",
    "NodeIndexSeek",
    "MultiNodeIndexSeek",
    "Argument",
    "NodeByElementIdSeek",
    "NodeByIdSeek",
    "DirectedRelationshipUniqueIndexSeek",
)


# Identity resolution's modules hold SQL for DuckDB (the register table), not Cypher.
DUCKDB_SQL = {"detection.identity_linkage", "detection.identity_register", "detection.identity_blocking"}


def queries() -> dict[str, str]:
    from detection.detectors import anchors

    # Where detection queries start: a first CALL block each full query begins with.
    fragments = {v for k, v in vars(anchors).items() if k.isupper() and isinstance(v, str)}
    found: dict[str, str] = {}
    for package in PACKAGES:
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            module = importlib.import_module(f"{package}.{info.name}")
            parts = set(getattr(module, "FRAGMENTS", ()))  # planned inside the queries that use them
            for name, value in vars(module).items():
                if (
                    not name.isupper()
                    or name.startswith("_")
                    or module.__name__ in DUCKDB_SQL
                    or name in parts
                ):
                    continue
                items = value.items() if isinstance(value, dict) else [(None, value)]
                for key, text in items:
                    if isinstance(text, str) and CYPHER.search(text) and text not in fragments:
                        found[f"{module.__name__}.{name}" + (f"[{key}]" if key is not None else "")] = text
    return found


QUERIES = queries()


def operators(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan] + [op for child in plan.get("children", []) for op in operators(child)]


def leaves(plan: dict[str, Any]) -> list[str]:
    children = plan.get("children", [])
    return [plan["operatorType"].split("@")[0]] if not children else [x for c in children for x in leaves(c)]


def problems(plan: dict[str, Any]) -> list[str]:
    out = []
    for op in operators(plan):
        kind = op["operatorType"].split("@")[0]
        details = str(op.get("args", {}).get("Details", ""))
        if kind == "AllNodesScan":
            out.append(f"AllNodesScan ({details})")
        if kind == "CartesianProduct" and not all(
            leaf.startswith(SEEKS) for child in op.get("children", []) for leaf in leaves(child)
        ):
            out.append("CartesianProduct of sides that are not index seeks: " + ", ".join(leaves(op)))
        if kind.startswith("VarLengthExpand") and UNBOUNDED.search(details):
            out.append(f"unbounded {kind} ({details})")
    return out


def test_the_queries_are_found() -> None:
    # The finder must keep finding the queries that matter (a change of style must not hide them).
    assert len(QUERIES) > 60
    assert {
        "resolvers.people.PERSON_360",
        "detection.detectors.fraud.THIRD_PARTY",
        "resolvers.linkage.NEIGHBOURHOOD[3]",
        "credit.records.STEP",
    } <= set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_no_query_scans_everything(graph: Driver, settings: Settings, name: str) -> None:
    text = QUERIES[name]
    parameters = {p: None for p in set(re.findall(r"\$(\w+)", text))}
    with graph.session(database=settings.neo4j_database) as session:
        plan = session.run("EXPLAIN " + text, parameters).consume().plan
    assert problems(plan) == [], name


def test_the_checker_sees_a_bad_plan(graph: Driver, settings: Settings) -> None:
    with graph.session(database=settings.neo4j_database) as session:
        scan = session.run("EXPLAIN MATCH (n) WHERE n.name = $x RETURN n", x=None).consume().plan
        product = session.run("EXPLAIN MATCH (a:Person), (b:Household) RETURN a, b").consume().plan
        unbounded = (
            session.run("EXPLAIN MATCH (a:Person {id_number: $x})-[:KIN_OF*]-(b) RETURN b", x=None)
            .consume()
            .plan
        )
    assert problems(scan) and problems(product) and problems(unbounded)
