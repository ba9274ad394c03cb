"""Verification-fact feeds: one node per department record, linked to the person it is about
and to the department that reported it, with the file and line it was read from (an evidence
pack cites them)."""

from __future__ import annotations

from string import Template

from domain.partner_changes import ChangeKind, append_changes
from graph.model import Label
from loaders.feeds.base import Feed, replace_single
from loaders.references import Ref, RefKind
from loaders.rows import facts as rows

# One template, instantiated per fact label from the Label enum (labels cannot be
# parameters; nothing from input ever reaches the label).
_UPSERT_FACT = Template("""
UNWIND $$rows AS row
MATCH (p:Person {id_number: row.id_number})
MATCH (d:Department {code: row.source})
MERGE (f:$label {fact_id: row.source + ':' + row.record_id})
WITH row, p, d, f, properties(f) AS before
$replace_owner
SET f += row, f.source_file = $$source_file
MERGE (p)-[:HAS_FACT]->(f)
MERGE (f)-[:REPORTED_BY]->(d)
WITH row, f, before
$append_change
""")

# A new record, or one whose values changed, is a change the partners hear of (not the same
# row loaded again). Partners are told the kind, source and date, not the values.
_FACT_CHANGE = """CASE WHEN before = properties(f) THEN [] ELSE [{kind: '%s', id_number: row.id_number,
  detail: {fact_kind: '%s', source: row.source, as_of: row.as_of, death_date: row.death_date}}] END"""


def _fact_feed(
    name: str, label: Label, model: type[rows.FactRow], description: str, owners: tuple[str, ...]
) -> Feed:
    # A department's record is about one person: a re-export naming another replaces the owner.
    kind = ChangeKind.DEATH_RECORDED if label is Label.DEATH else ChangeKind.VERIFICATION_CHANGED
    cypher = _UPSERT_FACT.substitute(
        label=label.value,
        replace_owner=replace_single("f", "HAS_FACT", "p", incoming=True),
        append_change=append_changes(_FACT_CHANGE % (kind.value, label.value), "row, f, before"),
    )
    return Feed(
        name,
        model,
        50,
        cypher,
        description,
        refs=(Ref("id_number", RefKind.PERSON),),
        owners=owners,
        provenance=True,
    )


FACT_FEEDS = (
    _fact_feed(
        "vehicles",
        Label.VEHICLE,
        rows.VehicleRow,
        "registered vehicles (GA traffic police, JTYS)",
        ("GA", "JTYS"),
    ),
    _fact_feed(
        "properties", Label.PROPERTY, rows.PropertyRow, "real-estate registrations (ZR, ZJ)", ("ZR", "ZJ")
    ),
    _fact_feed(
        "businesses",
        Label.BUSINESS,
        rows.BusinessRow,
        "business registrations and shareholdings (SJ)",
        ("SJ",),
    ),
    _fact_feed(
        "employment",
        Label.EMPLOYMENT,
        rows.EmploymentRow,
        "employment and wages (RS, SW, CZ payroll)",
        ("RS", "SW", "CZ"),
    ),
    _fact_feed("deposits", Label.DEPOSIT, rows.DepositRow, "bank deposits (YH)", ("YH",)),
    _fact_feed(
        "incomes", Label.INCOME, rows.IncomeRow, "verified annual income (SW, RS, NY)", ("SW", "RS", "NY")
    ),
    _fact_feed(
        "deaths", Label.DEATH, rows.DeathRow, "deaths (GA cancellations, WJ death certificates)", ("GA", "WJ")
    ),
    _fact_feed("disabilities", Label.DISABILITY, rows.DisabilityRow, "disability certificates (CL)", ("CL",)),
    _fact_feed(
        "vulnerabilities",
        Label.VULNERABILITY,
        rows.VulnerabilityRow,
        "vulnerability flags: orphans, severe mental illness, two cancers, poverty, disaster "
        "(MZ, WJ, FL, NY, YJ)",
        ("MZ", "WJ", "FL", "NY", "YJ"),
    ),
)
