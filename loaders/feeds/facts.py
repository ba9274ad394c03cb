"""Verification-fact feeds: one node per department record, linked to the person it is about
and to the department that reported it, with the file and line it was read from (an evidence
pack cites them)."""

from __future__ import annotations

from string import Template

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
WITH row, p, d, f
$replace_owner
SET f += row, f.source_file = $$source_file
MERGE (p)-[:HAS_FACT]->(f)
MERGE (f)-[:REPORTED_BY]->(d)
""")


def _fact_feed(name: str, label: Label, model: type[rows.FactRow], description: str) -> Feed:
    # A department's record is about one person: a re-export naming another replaces the owner.
    cypher = _UPSERT_FACT.substitute(
        label=label.value, replace_owner=replace_single("f", "HAS_FACT", "p", incoming=True)
    )
    return Feed(
        name, model, 50, cypher, description, refs=(Ref("id_number", RefKind.PERSON),), provenance=True
    )


FACT_FEEDS = (
    _fact_feed("vehicles", Label.VEHICLE, rows.VehicleRow, "registered vehicles (GA traffic police, JTYS)"),
    _fact_feed("properties", Label.PROPERTY, rows.PropertyRow, "real-estate registrations (ZR, ZJ)"),
    _fact_feed(
        "businesses", Label.BUSINESS, rows.BusinessRow, "business registrations and shareholdings (SJ)"
    ),
    _fact_feed(
        "employment", Label.EMPLOYMENT, rows.EmploymentRow, "employment and wages (RS, SW, CZ payroll)"
    ),
    _fact_feed("deposits", Label.DEPOSIT, rows.DepositRow, "bank deposits (YH)"),
    _fact_feed("incomes", Label.INCOME, rows.IncomeRow, "verified annual income (SW, RS, NY)"),
    _fact_feed("deaths", Label.DEATH, rows.DeathRow, "deaths (GA cancellations, WJ death certificates)"),
    _fact_feed("disabilities", Label.DISABILITY, rows.DisabilityRow, "disability certificates (CL)"),
    _fact_feed(
        "vulnerabilities",
        Label.VULNERABILITY,
        rows.VulnerabilityRow,
        "vulnerability flags: orphans, severe mental illness, two cancers, poverty, disaster "
        "(MZ, WJ, FL, NY, YJ)",
    ),
)
