"""The public fund-use disclosure (资金使用公开) and publicity (公示) for the county's website:
keyless, read-only, written as static HTML, CSV and JSON (`reliefgraph publish OUT_DIR`).

What may appear is fixed here, field by field (PUBLISHED): counts and sums per month,
programme and township; the publicity lists as resolvers/publicity.py reads them, names
masked by the publicity rule; published dishonesty records at the identity level the
settings allow. tests/jobs/test_publication.py checks every output against the field
table (access/fields.py) and the graph's own ID numbers, names, phones and accounts."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction

from access.audit_chain import append_sync
from access.policy import mask_name
from domain.money import yuan_text
from resolvers.publicity import DISHONESTY_PUBLICITY, PUBLICITY, shown_identity
from settings import Settings
from settings.private_files import private_dir, private_write

# Every payment of the months published, with its programme, its household's township, and
# whom it covered: counted here, and only the counts leave.
FUND_USE = """
MATCH (pay:Payment) WHERE pay.period >= $from_period AND pay.period <= $to_period
MATCH (pay)-[:FOR_ENROLLMENT]->(e:Enrollment)-[:GRANTED_TO]->(g)
WITH pay, e, g, CASE WHEN g:Household THEN g ELSE COLLECT {
  MATCH (g)-[m:MEMBER_OF]->(gh:Household) RETURN gh ORDER BY m.until IS NULL DESC, m.since DESC LIMIT 1 }[0]
END AS h
RETURN pay.period AS period, e.programme_code AS programme, h.township_code AS township,
       h.household_id AS household, pay.amount_fen AS amount_fen,
       COLLECT { MATCH (e)-[:COVERS]->(p:Person) RETURN p.id_number } AS covered
"""

TOWNSHIPS = "MATCH (t:Township) RETURN t.code AS code, t.name AS name ORDER BY t.code"

# The fields each published table holds, and why each may be public. Nothing else is written.
PUBLISHED: dict[str, dict[str, str]] = {
    "fund_use": {
        "period": "the month paid",
        "programme": "a programme code",
        "townshipCode": "an area code",
        "townshipName": "an area's name",
        "recipients": "a count of persons covered",
        "households": "a count of households",
        "amount": "a sum of money paid, yuan",
    },
    "publicity": {
        "name": "masked by the publicity rule (刘*兵, 黄*), domain.md section 8",
        "village": "an area's name",
        "householdSize": "shown in publicity, domain.md section 8",
        "programme": "a programme code",
        "monthlyAmount": "shown in publicity, domain.md section 8",
        "outcome": "in_publicity, approved or rejected",
        "reason": "the published reason for a refusal",
        "publicityStart": "the window's dates",
        "publicityEnd": "the window's dates",
    },
    "dishonesty": {
        "name": "at the level of dishonesty_publicity_identity",
        "idNumber": "at the level of dishonesty_publicity_identity",
        "behaviour": "the published behaviour",
        "severity": "the published severity",
        "amount": "the amount involved, yuan",
        "decidingAuthority": "the deciding authority",
        "decisionNumber": "the published decision number",
        "decisionDate": "the decision's date",
        "publicityStart": "the record's publicity dates",
        "publicityEnd": "the record's publicity dates",
    },
}

TITLES = {
    "fund_use": "救助资金使用公开 Fund use",
    "publicity": "救助对象公示 Publicity",
    "dishonesty": "失信记录公示 Dishonesty records",
}


@dataclass(frozen=True)
class Publication:
    tables: dict[str, list[dict[str, Any]]]
    months: list[str]
    on: date
    # Whom the published dishonesty records name, for the audit event only (never written).
    subjects: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def _months(last: str, count: int) -> list[str]:
    year, month = map(int, last.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(out)


def _read(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [dict(r) for r in tx.run(cypher, params)]

    with driver.session(database=settings.neo4j_database) as session:
        return session.execute_read(work)


def fund_use(driver: Driver, settings: Settings, months: list[str]) -> list[dict[str, Any]]:
    names = {r["code"]: r["name"] for r in _read(driver, settings, TOWNSHIPS)}
    cells: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(
        lambda: {"recipients": set(), "households": set(), "fen": 0}
    )
    for r in _read(driver, settings, FUND_USE, from_period=months[0], to_period=months[-1]):
        cell = cells[(r["period"], r["programme"], r["township"] or "")]
        cell["recipients"].update(r["covered"])
        if r["household"]:
            cell["households"].add(r["household"])
        cell["fen"] += r["amount_fen"] or 0
    return [
        {
            "period": period,
            "programme": programme,
            "townshipCode": township,
            "townshipName": names.get(township, ""),
            "recipients": len(c["recipients"]),
            "households": len(c["households"]),
            "amount": yuan_text(c["fen"]).replace(",", ""),
        }
        for (period, programme, township), c in sorted(cells.items())
    ]


def publicity(driver: Driver, settings: Settings, on: date) -> list[dict[str, Any]]:
    start = on - timedelta(days=settings.publicity_days)
    rows = _read(
        driver,
        settings,
        PUBLICITY,
        county=settings.county_code,
        area=settings.county_code,
        programme=None,
        **{"from": start, "to": on},
    )
    out = []
    for r in rows:
        rejected = r["status"] == "rejected"
        out.append(
            {
                "name": mask_name(r["applicant"] or ""),
                "village": r["village"] or "",
                "householdSize": r["household_size"],
                "programme": r["programme"],
                "monthlyAmount": "" if rejected else yuan_text(r["monthly_amount_fen"]).replace(",", ""),
                "outcome": "rejected"
                if rejected
                else ("approved" if r["status"] == "approved" else "in_publicity"),
                "reason": (r["reason"] or "") if rejected else "",
                "publicityStart": str(r["publicity_start"] or ""),
                "publicityEnd": str(r["publicity_end"] or ""),
            }
        )
    return out


def _dishonesty_records(driver: Driver, settings: Settings, on: date) -> list[dict[str, Any]]:
    return _read(
        driver, settings, DISHONESTY_PUBLICITY, county=settings.county_code, area=settings.county_code, on=on
    )


def dishonesty(
    driver: Driver, settings: Settings, on: date, rows: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    rows = _dishonesty_records(driver, settings, on) if rows is None else rows
    out = []
    for row in rows:
        r = row["record"]
        name, id_number = shown_identity(
            r["subject_name"] or "", r["id_number"] or "", settings.dishonesty_publicity_identity
        )
        out.append(
            {
                "name": name,
                "idNumber": id_number,
                "behaviour": r["behaviour"] or "",
                "severity": r["severity"] or "",
                "amount": "" if r["amount_fen"] is None else yuan_text(r["amount_fen"]).replace(",", ""),
                "decidingAuthority": r["deciding_authority"] or "",
                "decisionNumber": r["decision_number"] or "",
                "decisionDate": str(r["decision_date"] or ""),
                "publicityStart": str(r["publicity_start"] or ""),
                "publicityEnd": str(r["publicity_end"] or ""),
            }
        )
    return out


def build(driver: Driver, settings: Settings, *, last_month: str, months: int, on: date) -> Publication:
    periods = _months(last_month, months)
    records = _dishonesty_records(driver, settings, on)
    tables = {
        "fund_use": fund_use(driver, settings, periods),
        "publicity": publicity(driver, settings, on),
        "dishonesty": dishonesty(driver, settings, on, records),
    }
    for name, rows in tables.items():  # the field table above is the whole of what leaves
        for row in rows:
            if set(row) != set(PUBLISHED[name]):
                raise ValueError(
                    f"{name}: fields outside the publication's table: "
                    f"{sorted(set(row) ^ set(PUBLISHED[name]))}"
                )
    subjects = tuple(sorted({r["record"]["id_number"] for r in records if r["record"]["id_number"]}))
    return Publication(tables, periods, on, subjects)


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    # A leading = + - @ would run as a formula in Excel or WPS: quoted as text.
    writer.writerows([_cell(r[c]) for c in columns] for r in rows)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _html(name: str, rows: list[dict[str, Any]], columns: list[str], publication: Publication) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(TITLES[name])}</title></head><body>"
        f"<h1>{html.escape(TITLES[name])}</h1>"
        f"<p>{html.escape(', '.join(publication.months))} · {publication.on.isoformat()}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )


def published_files() -> list[str]:
    """Every file name `write` makes: all that /public/ serves."""
    return [f"{n}.{s}" for n in PUBLISHED for s in ("csv", "html")] + ["publication.json", "index.html"]


def write(publication: Publication, out_dir: Path) -> list[Path]:
    private_dir(out_dir)
    written = []
    for name, rows in publication.tables.items():
        columns = list(PUBLISHED[name])
        for suffix, text in (
            ("csv", "\ufeff" + _csv(rows, columns)),  # a BOM: Excel opens UTF-8 CSV as UTF-8
            ("html", _html(name, rows, columns, publication)),
        ):
            path = out_dir / f"{name}.{suffix}"
            private_write(path, text.encode("utf-8"))
            written.append(path)
    index = {
        "months": publication.months,
        "as_of": publication.on.isoformat(),
        "fields": PUBLISHED,
        **publication.tables,
    }
    path = out_dir / "publication.json"
    private_write(path, (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    links = "".join(
        f'<li><a href="{n}.html">{html.escape(TITLES[n])}</a> (<a href="{n}.csv">CSV</a>)</li>'
        for n in publication.tables
    )
    page = out_dir / "index.html"
    private_write(
        page,
        (
            '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>社会救助公开</title></head>'
            f"<body><h1>社会救助公开</h1><ul>{links}"
            '<li><a href="publication.json">JSON</a></li></ul></body></html>\n'
        ),
    )
    return [*written, path, page]


# What the publication discloses, for its audit event: masked names and household sizes, the
# identity level of published dishonesty records, amounts granted and paid, the records.
PUBLISHED_CATEGORIES = ("basic", "benefits", "credit", "identity")
PUBLISH_OPERATION = "publish"


def digest(paths: list[Path]) -> tuple[str, dict[str, str]]:
    """Each file's SHA-256, and one over them all (name and digest, by name): what the audit
    event vouches for, so a copy on the website can be checked against what was published."""
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    whole = hashlib.sha256("".join(f"{n} {d}\n" for n, d in sorted(files.items())).encode()).hexdigest()
    return whole, files


def audit_events(publication: Publication, paths: list[Path], by: str) -> list[dict[str, Any]]:
    """One event for the publication (what, counts, the digest), and one per person a published
    dishonesty record names, each vouching for the same digest."""
    whole, _ = digest(paths)
    counts = ", ".join(f"{n} {c}" for n, c in publication.counts().items())
    common = {
        "request_id": f"publication-{publication.on.isoformat()}-{whole[:12]}",
        "subject": by,
        "role": "operator",
        "department": None,
        "categories": list(PUBLISHED_CATEGORIES),
        "purpose": f"public disclosure {publication.months[0]}..{publication.months[-1]} "
        f"as of {publication.on.isoformat()}: {counts}",
        "operation": PUBLISH_OPERATION,
        "outcome": "published",
        "document_id": f"publication-{publication.on.isoformat()}",
        "document_sha256": whole,
    }
    return [{**common, "person_id_number": p} for p in ("", *publication.subjects)]


def record(driver: Driver, settings: Settings, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The publication's events appended to the audit chain; returns them as chained."""

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return append_sync(tx, events)

    with driver.session(database=settings.neo4j_database) as session:
        return session.execute_write(work)
