"""Linkage subgraphs and connecting paths, as nodes and edges ready to draw."""

from __future__ import annotations

from typing import Any

import strawberry

from graph.model import FACT_LABELS, KEY_PROPERTY, Label

# The node's kind is its most specific label: a staff member is shown as staff.
KIND_ORDER = (
    "Finding",
    "Staff",
    "Person",
    "Household",
    "Phone",
    "BankAccount",
    "Address",
    "Enrollment",
    "Payment",
    "Case",
    "Visit",
    "Township",
    "Village",
    "Vehicle",
    "Property",
    "Business",
    "Employment",
    "Deposit",
    "Income",
    "Death",
    "Disability",
    "Vulnerability",
)
FACTS = tuple(label.value for label in FACT_LABELS)
DISPLAY = {
    "Staff": "name",
    "Person": "name",
    "Household": "household_id",
    "Phone": "number",
    "BankAccount": "number",
    "Address": "key",
    "Enrollment": "programme_code",
    "Payment": "period",
    "Case": "case_id",
    "Visit": "visit_date",
    "Township": "name",
    "Village": "name",
    "Finding": "kind",
} | {f: "source" for f in FACTS}
# A node is named by its label's natural key; a staff member, a person too, by their ID number.
KEYS = {label.value: key for label, key in KEY_PROPERTY.items()} | {"Staff": KEY_PROPERTY[Label.PERSON]}


@strawberry.type
class Property:
    name: str
    value: str


@strawberry.type
class GraphNode:
    id: str
    kind: str
    key: str
    label: str
    degree: int | None
    properties: list[Property]


@strawberry.type
class GraphEdge:
    source: str
    target: str
    type: str
    properties: list[Property]


@strawberry.type
class Linkage:
    center: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool


@strawberry.type
class ConnectingPath:
    length: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _properties(props: dict[str, Any]) -> list[Property]:
    return [Property(name=k, value=str(v)) for k, v in sorted(props.items()) if v is not None]


def graph_node(raw: dict[str, Any]) -> GraphNode:
    kind = next((k for k in KIND_ORDER if k in raw["labels"]), raw["labels"][0] if raw["labels"] else "Node")
    props = raw["props"]
    return GraphNode(
        id=raw["id"],
        kind=kind,
        key=str(props.get(KEYS.get(kind, ""), raw["id"])),
        label=str(props.get(DISPLAY.get(kind, ""), kind)),
        degree=raw.get("degree"),
        properties=_properties(props),
    )


def graph_edge(raw: dict[str, Any]) -> GraphEdge:
    return GraphEdge(
        source=raw["from"], target=raw["to"], type=raw["type"], properties=_properties(raw["props"])
    )


def persons_in(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["props"]["id_number"] for n in nodes if "Person" in n["labels"] and n["props"].get("id_number")]
