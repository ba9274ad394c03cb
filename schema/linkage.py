"""Linkage subgraphs and connecting paths, as nodes and edges ready to draw, and the root
fields that walk them."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.model import FACT_LABELS, KEY_PROPERTY, Label
from loaders.rows.common import normalize_account, normalize_phone
from resolvers.context import RequestContext
from resolvers.linkage import MAX_HOPS, neighbourhood, shortest_paths
from schema.errors import Forbidden, InvalidInput, NotFound
from schema.validation import person_key, purpose_problem


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


@strawberry.type
class PathList:
    paths: list[ConnectingPath]


LinkageResult = Annotated[Linkage | NotFound | Forbidden | InvalidInput, strawberry.union("LinkageResult")]
PathsResult = Annotated[PathList | NotFound | Forbidden | InvalidInput, strawberry.union("PathsResult")]


def _linkage_checks(purpose: str, hops: int, limit: int) -> InvalidInput | None:
    if (bad := purpose_problem(purpose)) is not None:
        return bad
    if not 1 <= hops <= limit:
        return InvalidInput(field="maxHops", message=f"maxHops must be between 1 and {limit}")
    return None


@strawberry.type
class LinkageQuery:
    @strawberry.field(
        description="Shared identifiers, kinship, cases, the staff on them and the accounts money "
        "goes to, around any node: a person, household, phone, account, address, staff member, case "
        "or payment (`kind`; without it the key is an ID number or a household id), as nodes and "
        "edges. Investigators only. Audited."
    )
    async def linkage(
        self,
        info: Info[RequestContext, None],
        key: str,
        purpose: str,
        max_hops: int = 2,
        kind: NodeKind | None = None,
    ) -> LinkageResult:
        ctx = info.context
        if (refused := _linkage_checks(purpose, max_hops, MAX_HOPS)) is not None:
            return refused
        try:
            center, label = start_key(key, kind)
        except ValueError as exc:
            return InvalidInput(field="key", message=str(exc))
        raw = await neighbourhood(
            ctx.gateway,
            center,
            label,
            max_hops,
            hub_limit=ctx.settings.hub_degree_limit,
            node_limit=ctx.settings.linkage_node_limit,
        )
        if raw is None:
            return NotFound()
        await ctx.audit.record_reads(persons_in(raw["nodes"]), purpose, "linkage")
        return Linkage(
            center=raw["start"],
            nodes=[graph_node(n) for n in raw["nodes"]],
            edges=[graph_edge(e) for e in raw["edges"]],
            truncated=len(raw["nodes"]) >= ctx.settings.linkage_node_limit,
        )

    @strawberry.field(
        description="The shortest connecting paths between any two nodes (kinds as for `linkage`), "
        "each hop named. Investigators only. Audited."
    )
    async def paths(
        self,
        info: Info[RequestContext, None],
        source: str,
        target: str,
        purpose: str,
        max_hops: int = 4,
        source_kind: NodeKind | None = None,
        target_kind: NodeKind | None = None,
    ) -> PathsResult:
        ctx = info.context
        if (refused := _linkage_checks(purpose, max_hops, MAX_HOPS + 1)) is not None:
            return refused
        try:
            a = start_key(source, source_kind)
        except ValueError as exc:
            return InvalidInput(field="source", message=str(exc))
        try:
            b = start_key(target, target_kind)
        except ValueError as exc:
            return InvalidInput(field="target", message=str(exc))
        rows = await shortest_paths(
            ctx.gateway, a, b, max_hops, hub_limit=ctx.settings.hub_degree_limit, limit=10
        )
        found = [
            ConnectingPath(
                length=len(r["edges"]),
                nodes=[graph_node(n) for n in r["nodes"]],
                edges=[graph_edge(e) for e in r["edges"]],
            )
            for r in rows
        ]
        await ctx.audit.record_reads(
            [p for r in rows for p in persons_in(r["nodes"])],
            purpose,
            "paths",
        )
        return PathList(paths=found)
