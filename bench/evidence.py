"""Which PDF library renders evidence packs: reportlab (platypus, its own graphics for the
subgraph) against WeasyPrint (HTML and CSS, the same subgraph as SVG), on the same pack: the
same sections, masked for an investigator, the same Chinese font embedded as a subset.

    python -m bench.evidence [--payments 24] [--facts 12] [--runs 5]

The pack is built in memory (a ring finding: persons, accounts, payments, facts), so only the
rendering is measured. Prints each library's seconds (median of the runs, min and max), the
file's size and page count, and writes both PDFs to bench/out/ to look at.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.graphics import renderSVG

from access.principal import Principal, Role
from evidence.case_file import Gathered, evidence_of, finding_case_file
from evidence.drawing import draw
from evidence.masking import Viewer
from evidence.pdf import FONT, _register, render
from evidence.sections import Section, sections
from settings import Settings

OUT = Path(__file__).parent / "out"


def sample(payments: int, facts: int) -> Gathered:
    """A ring of three households sharing one account, as GATHER would return it."""
    persons = [f"37083119{50 + i:02d}0304{i:03d}{i % 10}" for i in range(6)]
    nodes = [
        {"id": f"p{i}", "labels": ["Person"], "props": {"id_number": n, "name": f"王建{i}"}}
        for i, n in enumerate(persons)
    ]
    nodes += [{"id": "acc", "labels": ["BankAccount"], "props": {"number": "6228480012345678901"}}]
    nodes += [{"id": f"h{i}", "labels": ["Household"], "props": {"household_id": f"H{i}"}} for i in range(3)]
    nodes += [
        {
            "id": f"pay{i}",
            "labels": ["Payment"],
            "props": {
                "payment_id": f"P{i:03d}",
                "period": f"2026-{i % 12 + 1:02d}",
                "amount_fen": 104000,
                "paid_date": f"2026-{i % 12 + 1:02d}-10",
                "account_number": "6228480012345678901",
            },
        }
        for i in range(payments)
    ]
    nodes += [
        {
            "id": f"fact{i}",
            "labels": ["Vehicle"],
            "props": {
                "fact_id": f"GA:V{i}",
                "id_number": persons[i % 6],
                "source": "GA",
                "as_of": "2026-05-01",
                "source_file": "vehicles-2026-05.xlsx",
                "source_line": 100 + i,
                "plate": f"鲁H{i:05d}",
                "vehicle_type": "car",
            },
        }
        for i in range(facts)
    ]
    among = [{"from": f"p{i}", "to": f"h{i // 2}", "type": "MEMBER_OF"} for i in range(6)]
    among += [{"from": f"p{i}", "to": "acc", "type": "HOLDS_ACCOUNT"} for i in range(3)]
    among += [{"from": f"pay{i}", "to": "acc", "type": "PAID_TO"} for i in range(payments)]
    among += [{"from": f"p{i % 6}", "to": f"fact{i}", "type": "HAS_FACT"} for i in range(facts)]
    explanation = "三户共用同一银行账户6228480012345678901领取救助，账户持有人非户内成员。" * 3
    row = {
        "finding": {
            "finding_id": "bench-ring",
            "kind": "RING_SHARED_IDENTIFIER",
            "status": "confirmed",
            "score": 0.93,
            "amount_fen": 104000 * payments,
            "confirmed_amount_fen": 104000 * payments,
            "explanation": explanation,
            "confirmed_facts": "经入户核查，三户的救助金均由同一中介代领。",
            "details": "{}",
            "persons": persons,
            "first_detected_at": "2026-10-01T02:00:00Z",
            "confirmed_on": "2026-11-02",
        },
        "finding_node": "f",
        "events": [
            {
                "event_id": "e1",
                "at": "2026-10-01T02:00:00Z",
                "by": "detection",
                "role": "system",
                "action": "detected",
                "from_status": None,
                "to_status": "open",
            },
            {
                "event_id": "e2",
                "at": "2026-11-02T08:00:00Z",
                "by": "inv-1",
                "role": "investigator",
                "action": "confirmed",
                "from_status": "assigned",
                "to_status": "confirmed",
                "note": "经入户核查属实",
            },
        ],
        "nodes": nodes,
        "links": [{"role": "evidence", "to": n["id"]} for n in nodes],
        "among": among,
        "departments": [{"id": f"fact{i}", "department": "公安局"} for i in range(facts)],
    }
    audit = [
        {
            "seq": i,
            "at": "2026-11-01T00:00:00Z",
            "subject": "inv-1",
            "role": "investigator",
            "operation": "finding",
            "purpose": "fraud review",
            "person_id_number": persons[i % 6],
        }
        for i in range(30)
    ]
    return Gathered([evidence_of(row)], audit)


CSS = """
@page { size: A4; margin: 15mm 15mm 18mm 15mm;
        @bottom-left { content: "泗水县社会救助 证据材料　第 " counter(page) " 页"; font-size: 7pt; } }
body { font-family: "WenQuanYi Micro Hei"; font-size: 9pt; line-height: 13pt; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin: 8pt 0 4pt; }
h1, h2, th { font-weight: normal; }  /* one face, as reportlab's pack uses: one font subset each */
table { border-collapse: collapse; width: 100%; font-size: 7pt; table-layout: fixed; }
td, th { border: 0.3pt solid grey; vertical-align: top; word-break: break-all; }
th { background: #eee; }
"""


def weasyprint_pdf(parts: list[Section], heading: list[str], viewer: Viewer) -> bytes:
    from weasyprint import HTML  # only the bench needs it

    body = [f"<h1>{escape(heading[0])}</h1>"] + [f"<p>{escape(x)}</p>" for x in heading[1:]]
    for s in parts:
        body.append(f"<h2>{escape(s.title)}</h2>")
        body += [f"<p>{escape(p)}</p>" for p in s.paragraphs]
        if s.graph is not None:
            svg = renderSVG.drawToString(draw(*s.graph, viewer, FONT))
            body.append(svg[svg.index("<svg") :])
        if s.columns and s.rows:
            head = "".join(f"<th>{escape(c)}</th>" for c in s.columns)
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in s.rows)
            body.append(f"<table><tr>{head}</tr>{rows}</table>")
    html = f"<html><head><meta charset='utf-8'><style>{CSS}</style></head><body>{''.join(body)}</body></html>"
    return HTML(string=html).write_pdf()


def timed(make: object, runs: int) -> tuple[list[float], bytes]:
    times, pdf = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        pdf = make()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times, pdf


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=24)
    parser.add_argument("--facts", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    found = sample(args.payments, args.facts)
    viewer = Viewer(Principal("inv-1", Role.INVESTIGATOR))
    parts = sections(finding_case_file("bench-ring", found), found, viewer)
    heading = ["证据材料：RING_SHARED_IDENTIFIER bench-ring", "案卷：finding bench-ring　承办人：inv-1"]
    _register(settings.evidence_font_file)
    OUT.mkdir(exist_ok=True)
    print(
        f"one pack: {args.payments} payments, {args.facts} facts, {len(found.findings[0].nodes)} nodes, "
        f"{len(found.audit)} audit events; {args.runs} runs each (the first includes warm-up)"
    )
    print("%-12s %8s %8s %8s %10s %6s" % ("library", "median s", "min s", "max s", "bytes", "pages"))
    for name, make in (
        ("reportlab", lambda: render(parts, heading, "bench", viewer, settings.evidence_font_file)),
        ("weasyprint", lambda: weasyprint_pdf(parts, heading, viewer)),
    ):
        times, pdf = timed(make, args.runs)
        (OUT / f"evidence-{name}.pdf").write_bytes(pdf)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            "%-12s %8.3f %8.3f %8.3f %10d %6d"
            % (name, statistics.median(times), min(times), max(times), len(pdf), pages)
        )


if __name__ == "__main__":
    main()
