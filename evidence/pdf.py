"""The pack as a PDF, with reportlab (chosen over WeasyPrint: docs/evidence-packs.md). The
Chinese font is embedded as a subset of the glyphs the pack uses."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from evidence.drawing import draw
from evidence.masking import Viewer
from evidence.sections import Section

FONT = "WenQuanYiMicroHei"


class FontMissing(Exception):
    pass


@cache
def _register(font_file: Path) -> str:
    if not font_file.is_file():
        raise FontMissing(
            f"the Chinese font {font_file} is missing: install fonts-wqy-microhei (make browser)"
        )
    pdfmetrics.registerFont(TTFont(FONT, str(font_file), subfontIndex=0))
    return FONT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=7, leading=9),
    }


def _table(section: Section, style: dict[str, ParagraphStyle], width: float) -> Table:
    cells = [[Paragraph(escape(c), style["cell"]) for c in row] for row in [section.columns, *section.rows]]
    table = Table(cells, colWidths=[width / len(section.columns)] * len(section.columns), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render(parts: list[Section], heading: list[str], footer: str, viewer: Viewer, font_file: Path) -> bytes:
    """The PDF's bytes. `heading` is the cover's lines (title first), `footer` every page's foot."""
    font = _register(font_file)
    style = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=heading[0],
        author="reliefgraph",
        invariant=True,  # no random document id or clock: the same content gives the same bytes
    )
    story: list[Any] = [Paragraph(escape(heading[0]), style["title"])]
    story += [Paragraph(escape(line), style["body"]) for line in heading[1:]]
    for s in parts:
        story.append(Paragraph(escape(s.title), style["h2"]))
        story += [Paragraph(escape(p), style["body"]) for p in s.paragraphs]
        if s.graph is not None:
            story.append(draw(*s.graph, viewer, font))
            story.append(Spacer(1, 4))
        if s.columns and s.rows:
            story.append(_table(s, style, doc.width))
        elif s.columns:
            story.append(Paragraph("（无）", style["body"]))

    def foot(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.drawString(15 * mm, 10 * mm, f"{footer}　第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()
