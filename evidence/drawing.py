"""The evidence subgraph drawn: a deterministic layout (the same graph always draws the same),
the finding in the middle and its evidence on rings around it, ordered by label and key."""

from __future__ import annotations

import math
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors

from evidence.masking import Viewer
from graph.model import Label

LABEL_NAMES: dict[Label | None, str] = {
    Label.FINDING: "线索",
    Label.PERSON: "人员",
    Label.HOUSEHOLD: "家庭",
    Label.ENROLLMENT: "救助待遇",
    Label.PAYMENT: "发放",
    Label.BANK_ACCOUNT: "银行账户",
    Label.PHONE: "电话",
    Label.ADDRESS: "地址",
    Label.CASE: "案件",
    Label.TOWNSHIP: "乡镇",
    Label.VILLAGE: "村",
    Label.VISIT: "走访",
    Label.VEHICLE: "车辆",
    Label.PROPERTY: "房产",
    Label.BUSINESS: "工商登记",
    Label.EMPLOYMENT: "就业",
    Label.DEPOSIT: "存款",
    Label.INCOME: "收入",
    Label.DEATH: "死亡",
    Label.DISABILITY: "残疾",
    Label.VULNERABILITY: "困境",
}
COLOURS: dict[Label | None, Any] = {
    Label.FINDING: colors.HexColor("#b3261e"),
    Label.PERSON: colors.HexColor("#1f5fa8"),
    Label.HOUSEHOLD: colors.HexColor("#2e7d32"),
    Label.PAYMENT: colors.HexColor("#a86a00"),
    Label.BANK_ACCOUNT: colors.HexColor("#6a3fa0"),
}
RING_SIZE, RING_GROWTH = 12, 8  # nodes on the inner ring, and how many more each wider ring holds
EDGE_NAMES_UP_TO = 24  # beyond, the relationships' names would cover the drawing


def positions(nodes: list[dict[str, Any]], width: float, height: float) -> dict[str, tuple[float, float]]:
    """Where each node goes: the finding (first) at the centre, the others by (label, key) on
    rings that hold more the wider they are."""
    cx, cy = width / 2, height / 2
    placed = {nodes[0]["id"]: (cx, cy)} if nodes else {}
    rest = sorted(nodes[1:], key=lambda n: (str(n["label"]), str(n["key"]), n["id"]))
    rings: list[list[dict[str, Any]]] = []
    while sum(map(len, rings)) < len(rest):
        start = sum(map(len, rings))
        rings.append(rest[start : start + RING_SIZE + RING_GROWTH * len(rings)])
    for k, ring in enumerate(rings):
        radius = 0.42 * (k + 2) / (len(rings) + 1)  # the inner ring well clear of the centre
        for slot, n in enumerate(ring):
            angle = 2 * math.pi * slot / len(ring) + k * 0.3 - math.pi / 2
            placed[n["id"]] = (cx + radius * width * math.cos(angle), cy + radius * height * math.sin(angle))
    return placed


def _short(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def draw(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], viewer: Viewer, font: str) -> Drawing:
    width, height = 480.0, 360.0
    d = Drawing(width, height)
    at = positions(nodes, width, height)
    named = len(edges) <= EDGE_NAMES_UP_TO
    for e in sorted(edges, key=lambda e: (e["from"], e["to"], e["type"])):
        if e["from"] in at and e["to"] in at:
            (x1, y1), (x2, y2) = at[e["from"]], at[e["to"]]
            dashed = e["type"] == "EVIDENCE"
            d.add(
                Line(
                    x1,
                    y1,
                    x2,
                    y2,
                    strokeColor=colors.grey,
                    strokeWidth=0.6,
                    strokeDashArray=[2, 2] if dashed else None,
                )
            )
            if named and not dashed:
                d.add(
                    String(
                        (x1 + x2) / 2,
                        (y1 + y2) / 2,
                        e["type"],
                        fontName=font,
                        fontSize=5,
                        fillColor=colors.grey,
                    )
                )
    for n in nodes:
        x, y = at[n["id"]]
        colour = COLOURS.get(n["label"], colors.HexColor("#455a64"))
        d.add(
            Circle(x, y, 7 if n["label"] is Label.FINDING else 5, fillColor=colour, strokeColor=colors.white)
        )
        name = LABEL_NAMES.get(n["label"], str(n["label"]))
        d.add(String(x, y + 8, name, fontName=font, fontSize=7, textAnchor="middle"))
        d.add(
            String(
                x,
                y - 12,
                _short(viewer.key(n["label"], n["key"])),
                fontName=font,
                fontSize=6,
                textAnchor="middle",
            )
        )
    return d
