"""The monthly township report (定期通报): per township, for one month, the performance
figures of detection/performance.py (applications decided in time, findings, reports
answered, visits, active discovery, staffing, money to recover). Written as a spreadsheet
and a printable page (`reliefgraph report monthly`). No person is named: the report holds
counts, days, money and the township's name only; the staff-level roll-up of inaction is
the investigators' `staffInaction` query and stays out of this county-wide file. A second
table gives the temporary-assistance reserve the green channel draws on, for the report's
year, as it stands when the report is made."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from neo4j import Driver
from openpyxl import Workbook

from detection.performance import FIGURES, HEAD, read_performance
from detection.rules import DetectionRules
from domain.money import to_yuan
from resolvers.green_channel import read_reserve_balance
from settings import Settings
from settings.private_files import private_dir, private_open, private_write

# The report's columns: the township, then the figures as detection/performance.py defines them.
COLUMNS = (*HEAD, *FIGURES)

# The reserve's table: each line of the year (key in read_reserve_balance's rows, zh, en).
RESERVE_COLUMNS = (
    ("programme", "项目", "programme"),
    ("year", "年度", "year"),
    ("reserve", "备用金（元）", "reserve (yuan)"),
    ("drawn", "已先行救助（元）", "drawn by urgent grants (yuan)"),
    ("balance", "余额（元）", "balance (yuan)"),
    ("grants", "先行救助笔数", "urgent grants"),
    ("unreviewed", "待补审", "not yet reviewed"),
    ("to_recover", "应追回（元）", "to recover (yuan)"),
)


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    rows: list[dict[str, Any]]
    reserve: list[dict[str, Any]]


def previous_month(day: date) -> str:
    """The month before the one ``day`` is in, YYYY-MM: what a report or publication made early
    in a month covers."""
    first = day.replace(day=1)
    return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"


def monthly_report(driver: Driver, settings: Settings, rules: DetectionRules, month: str) -> MonthlyReport:
    found = read_performance(driver, settings.neo4j_database, rules, month)
    lines = read_reserve_balance(driver, settings.neo4j_database, int(month[:4]))
    reserve = [
        {
            "programme": r["programme"],
            "year": r["year"],
            "reserve": to_yuan(r["reserve_fen"]),
            "drawn": to_yuan(r["drawn_fen"]),
            "balance": to_yuan(r["balance_fen"]),
            "grants": r["grants"],
            "unreviewed": r["unreviewed"],
            "to_recover": to_yuan(r["to_recover_fen"]),
        }
        for r in lines
    ]
    return MonthlyReport(month, [t.row() for t in found], reserve)


def _cell(value: Any) -> Any:
    """A figure as a spreadsheet cell: no median (no decision in the month) is a blank."""
    return "" if value is None else value


def write_report(report: MonthlyReport, out_dir: Path) -> tuple[Path, Path]:
    private_dir(out_dir)
    book = Workbook()
    sheet = book.active
    sheet.title = f"月度通报 {report.month}"
    sheet.append([zh for _, zh, _ in COLUMNS])
    sheet.append([en for _, _, en in COLUMNS])
    for row in report.rows:
        sheet.append([_cell(row[key]) for key, _, _ in COLUMNS])
    reserve = book.create_sheet("临时救助备用金")
    reserve.append([zh for _, zh, _ in RESERVE_COLUMNS])
    reserve.append([en for _, _, en in RESERVE_COLUMNS])
    for line in report.reserve:
        # Yuan as numbers with two decimals, not text, so a spreadsheet can sum them.
        reserve.append(
            [float(v) if isinstance(v, Decimal) else v for v in (line[k] for k, _, _ in RESERVE_COLUMNS)]
        )
    xlsx = out_dir / f"monthly-report-{report.month}.xlsx"
    with private_open(xlsx, "wb") as fh:
        book.save(fh)
    head = "".join(f"<th>{html.escape(zh)}<br><small>{html.escape(en)}</small></th>" for _, zh, en in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(_cell(row[key])))}</td>" for key, _, _ in COLUMNS) + "</tr>"
        for row in report.rows
    )
    reserve_head = "".join(
        f"<th>{html.escape(zh)}<br><small>{html.escape(en)}</small></th>" for _, zh, en in RESERVE_COLUMNS
    )
    reserve_body = (
        "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(str(line[key]))}</td>" for key, _, _ in RESERVE_COLUMNS)
            + "</tr>"
            for line in report.reserve
        )
        or f'<tr><td colspan="{len(RESERVE_COLUMNS)}">'
        "本年度无备用金预算 / no reserve line this year</td></tr>"
    )
    page = out_dir / f"monthly-report-{report.month}.html"
    private_write(
        page,
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>社会救助月度通报 {report.month}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #444;padding:2px 6px}"
        "@media print{body{font-size:10pt}}</style></head><body>"
        f"<h1>社会救助月度通报 {report.month}</h1><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
        f"<h2>临时救助备用金 Temporary-assistance reserve</h2><table><thead><tr>{reserve_head}</tr></thead>"
        f"<tbody>{reserve_body}</tbody></table></body></html>\n",
    )
    return xlsx, page
