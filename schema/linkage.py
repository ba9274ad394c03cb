"""Linkage subgraphs and connecting paths, as nodes and edges ready to draw."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Any

import strawberry

from graph.model import FACT_LABELS, KEY_PROPERTY, Label
from loaders.rows.common import normalize_account, normalize_phone
from schema.validation import person_key


@strawberry.enum(description="The kind of node a linkage walk or a path starts from.")
class NodeKind(Enum):
    PERSON = Label.PERSON.value
    HOUSEHOLD = Label.HOUSEHOLD.value
    PHONE = Label.PHONE.value
    BANK_ACCOUNT = Label.BANK_ACCOUNT.value
    ADDRESS = Label.ADDRESS.value
    STAFF = Label.STAFF.value
    CASE = Label.CASE.value
    GRANT = Label.ENROLLMENT.value
    PAYMENT = Label.PAYMENT.value


def start_key(raw: str, kind: NodeKind | None) -> tuple[str, Label | None]:
    """A walk's start as the graph stores its key, normalised as the loaders do; raises
    ValueError (InvalidIdNumber is one) with a one-line reason for a key that cannot be one."""
    text = raw.strip()
    if not text or len(text) > 200:
        raise ValueError("the key must be 1 to 200 characters")
    if kind is None:  # a person's ID number or a household id, as before kinds were named
        return (text.upper() if text[:1].upper() == "H" else person_key(text)), None
    label = Label(kind.value)
    if kind is NodeKind.PERSON or (kind is NodeKind.STAFF and text[:1].isdigit()):
        return person_key(text), label
    if kind is NodeKind.PHONE:
        return normalize_phone(text), label
    if kind is NodeKind.BANK_ACCOUNT:
        return normalize_account(text), label
    if kind is NodeKind.ADDRESS:  # as the loaders key an address: NFKC, no whitespace
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)), label
    return unicodedata.normalize("NFC", text).upper(), label  # a code: household, staff, case, grant, payment


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
