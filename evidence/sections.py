"""The pack's content as plain sections (paragraphs, tables, the graph), masked for its reader:
what the PDF prints and what the manifest lists, from one place."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from domain.money import yuan_text
from evidence.case_file import CaseFile, Gathered
from evidence.drawing import LABEL_NAMES
from evidence.masking import (
    CONFIRMED_FACTS,
    DETAILS,
    EVENT_NOTE,
    EXPLANATION,
    PAYMENTS,
    PERSON_ID,
    WITHHELD,
    Viewer,
)
from graph.model import Label

STATUS_NAMES = {
    "open": "待核查",
    "assigned": "已分派",
    "confirmed": "已确认",
    "dismissed": "已排除",
    "resolved": "已消除",
}
ACTION_NAMES = {
    "detected": "发现",
    "assigned": "分派",
    "confirmed": "确认",
    "dismissed": "排除",
    "reopened": "重新打开",
    "resolved": "消除",
}
# Fact properties that are its provenance or its identity, printed in their own columns.
FACT_COLUMNS = {
    "label",
    "key",
    "department",
    "fact_id",
    "source",
    "as_of",
    "source_file",
    "source_line",
    "record_id",
    "id_number",
}


@dataclass
class Section:
    key: str  # the manifest's name for it
    title: str
    paragraphs: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # each item's key, for the manifest
    graph: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None


def _step(before: str | None, after: str | None) -> str:
    return f"{STATUS_NAMES.get(before or '', '—')} → {STATUS_NAMES.get(after or '', after or '')}"


def _fact_details(fact: dict[str, Any]) -> str:
    return "；".join(f"{k}={fact[k]}" for k in sorted(fact) if k not in FACT_COLUMNS and fact[k] is not None)


def sections(case: CaseFile, gathered: Gathered, viewer: Viewer) -> list[Section]:
    out: list[Section] = []
    if case.notes:
        out.append(
            Section(
                "notes",
                "记录",
                columns=("时间", "记录人", "内容"),
                rows=[(n.at, n.by, viewer.show(EVENT_NOTE, n.text)) for n in case.notes],
                items=[f"{n.at}|{n.by}" for n in case.notes],
            )
        )
    for ev in gathered.findings:
        f = ev.finding
        fid = f["finding_id"]
        out.append(
            Section(
                f"finding:{fid}",
                f"线索 {fid}",
                paragraphs=[
                    f"类型：{f.get('kind')}　状态：{STATUS_NAMES.get(f.get('status') or '', f.get('status'))}"
                    f"　评分：{f.get('score')}",
                    f"发现时间：{f.get('first_detected_at')}　确认日期：{f.get('confirmed_on') or ''}",
                    f"涉及金额（检测）：{yuan_text(f.get('amount_fen'))} 元"
                    f"　确认金额：{yuan_text(f.get('confirmed_amount_fen'))} 元",
                    "说明：" + viewer.show(EXPLANATION, f.get("explanation")),
                    "确认的事实：" + viewer.show(CONFIRMED_FACTS, f.get("confirmed_facts")),
                    "明细：" + viewer.show(DETAILS, f.get("details")),
                ],
                items=[fid],
            )
        )
        out.append(
            Section(
                f"graph:{fid}",
                "证据关系图",
                columns=("类别", "标识", "证据作用"),
                rows=[
                    (
                        LABEL_NAMES.get(n["label"], str(n["label"])),
                        viewer.key(n["label"], n["key"]),
                        n["role"],
                    )
                    for n in ev.nodes[1:]
                ],
                items=[f"{n['label']}:{viewer.key(n['label'], n['key'])}" for n in ev.nodes[1:]],
                graph=(ev.nodes, ev.edges),
            )
        )
        facts_rows: list[tuple[str, ...]] = []
        facts_items: list[str] = []
        for x in ev.facts:
            label: Label = x["label"]
            readable = viewer.fact_readable(label, x.get("kind"))
            facts_rows.append(
                (
                    LABEL_NAMES.get(label, label.value),
                    str(x["key"]),
                    viewer.show(PERSON_ID, x.get("id_number")),
                    f"{x.get('department') or ''}（{x.get('source') or ''}）",
                    str(x.get("source_file") or "未记录"),
                    str(x.get("source_line") or "未记录"),
                    str(x.get("as_of") or ""),
                    _fact_details(x) if readable else WITHHELD,
                )
            )
            facts_items.append(str(x["key"]))
        out.append(
            Section(
                f"facts:{fid}",
                "核对事实及来源",
                columns=("类别", "记录", "身份证号", "报送部门", "来源文件", "行", "截至日期", "内容"),
                rows=facts_rows,
                items=facts_items,
            )
        )
        shown = viewer.may(PAYMENTS)
        total = sum(int(p.get("amount_fen") or 0) for p in ev.payments)
        out.append(
            Section(
                f"payments:{fid}",
                "涉及的发放",
                paragraphs=[f"合计：{yuan_text(total) if shown else WITHHELD} 元（{len(ev.payments)} 笔）"],
                columns=("发放编号", "期间", "金额（元）", "发放日期", "账户"),
                rows=[
                    (
                        str(p.get("payment_id")),
                        str(p.get("period") or ""),
                        yuan_text(p.get("amount_fen")) if shown else WITHHELD,
                        str(p.get("paid_date") or ""),
                        viewer.account(p.get("account_number")),
                    )
                    for p in ev.payments
                ],
                items=[str(p.get("payment_id")) for p in ev.payments],
            )
        )
        out.append(
            Section(
                f"events:{fid}",
                "核查过程",
                columns=("时间", "经办人", "角色", "步骤", "状态", "说明"),
                rows=[
                    (
                        str(e.get("at")),
                        str(e.get("by") or ""),
                        str(e.get("role") or ""),
                        ACTION_NAMES.get(e.get("action") or "", str(e.get("action"))),
                        _step(e.get("from_status"), e.get("to_status")),
                        viewer.show(EVENT_NOTE, e.get("note")),
                    )
                    for e in ev.events
                ],
                items=[str(e.get("event_id")) for e in ev.events],
            )
        )
    out.append(
        Section(
            "audit",
            "相关的查阅记录（审计链）",
            columns=("序号", "时间", "查阅人", "角色", "操作", "对象", "目的"),
            rows=[
                (
                    str(a.get("seq")),
                    str(a.get("at")),
                    str(a.get("subject")),
                    str(a.get("role")),
                    str(a.get("operation")),
                    viewer.show(PERSON_ID, a.get("person_id_number")),
                    str(a.get("purpose")),
                )
                for a in gathered.audit
            ],
            items=[str(a.get("seq")) for a in gathered.audit],
        )
    )
    if case.attachments:
        out.append(
            Section(
                "attachments",
                "附件",
                columns=("名称", "类型", "大小（字节）", "SHA-256", "添加人", "添加时间"),
                rows=[
                    (a.name, a.media_type, str(a.size), a.sha256, a.added_by, a.added_at)
                    for a in case.attachments
                ],
                items=[a.sha256 for a in case.attachments],
            )
        )
    return out


def outline(parts: list[Section]) -> list[dict[str, Any]]:
    """The manifest's list of sections: each with its items' keys."""
    return [{"section": s.key, "title": s.title, "items": s.items} for s in parts]


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
