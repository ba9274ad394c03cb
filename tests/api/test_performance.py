"""Township performance through the API: the monthly report's figures over a 12-month trend in
one round trip, within the caller's jurisdiction; staff-level inaction for investigators only."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from neo4j import Driver
from starlette.testclient import TestClient

from detection.performance import FIGURES, read_performance
from detection.rules import read_rules
from reliefgraph.app import create_app
from settings import Settings
from tests.api.conftest import gql
from tests.loaders.mini_county import TOWNSHIP


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.capitalize() for w in rest)


PERFORMANCE = """query($month: String!, $months: Int!, $t: String) {
  townshipPerformance(month: $month, months: $months, townshipCode: $t) { __typename
    ... on TownshipPerformance { months
      townships { month townshipCode %(f)s } county { month townshipCode %(f)s } }
    ... on Forbidden { message } ... on InvalidInput { field message } } }""" % {
    "f": " ".join(_camel(k) for k, _, _ in FIGURES)
}
INACTION = """query($t: String) { staffInaction(townshipCode: $t) { __typename
  ... on StaffInactionList { staff { holder applications findings reports since } }
  ... on Forbidden { message } } }"""


@pytest.fixture
def client(api_settings: Settings, keys: dict[str, str], county: Driver) -> Iterator[TestClient]:
    """The API with a longer query limit: planning the statement cold takes longer than the
    default limit on the shared, loaded test machine (docs/reports.md)."""
    with TestClient(create_app(api_settings.model_copy(update={"query_timeout_s": 60.0}))) as test_client:
        yield test_client


def test_the_trend_holds_the_reports_figures_in_one_round_trip(
    client: TestClient, keys: dict[str, str], county: Driver, settings: Settings
) -> None:
    body = gql(client, keys["investigator"], PERFORMANCE, {"month": "2026-10", "months": 12})
    result = body["data"]["townshipPerformance"]
    assert result["__typename"] == "TownshipPerformance"
    assert result["months"][0] == "2025-11" and result["months"][-1] == "2026-10"
    rules = read_rules(settings.detection_rules_file)
    expected = read_performance(county, settings.neo4j_database, rules, "2026-10", 12)
    assert len(result["townships"]) == len(expected) > 0
    for shown, t in zip(result["townships"], expected, strict=True):
        assert (shown["month"], shown["townshipCode"]) == (t.month, t.code)
        for key, _, _ in FIGURES:
            value = shown[_camel(key)]
            want = t.figures[key]
            assert (Decimal(value) if key == "recovery_ordered" else value) == want, key
    assert any(t.figures["staff"] for t in expected)  # the mini county's caseworkers
    for total in result["county"]:
        of_month = [t for t in expected if t.month == total["month"]]
        assert total["townshipCode"] is None
        assert total["visitsDue"] == sum(t.figures["visits_due"] for t in of_month)
        assert total["staffRequired"] == sum(t.figures["staff_required"] for t in of_month)

    one = gql(client, keys["investigator"], PERFORMANCE, {"month": "2026-10", "months": 1})
    assert len(one["data"]["townshipPerformance"]["months"]) == 1
    assert body["extensions"]["cypherRoundTrips"] == one["extensions"]["cypherRoundTrips"] == 1


def test_a_caseworker_reads_their_own_township_only(client: TestClient, keys: dict[str, str]) -> None:
    own = gql(client, keys["caseworker"], PERFORMANCE, {"month": "2026-10", "months": 2})
    rows = own["data"]["townshipPerformance"]["townships"]
    assert rows and {r["townshipCode"] for r in rows} == {TOWNSHIP}
    other = gql(
        client, keys["caseworker_elsewhere"], PERFORMANCE, {"month": "2026-10", "months": 2, "t": TOWNSHIP}
    )
    assert other["data"]["townshipPerformance"]["__typename"] == "Forbidden"
    for role in ("coordinator", "partner_mz", "auditor"):
        refused = gql(client, keys[role], PERFORMANCE, {"month": "2026-10", "months": 2})
        assert refused["data"]["townshipPerformance"]["__typename"] == "Forbidden", role


def test_a_bad_month_or_span_is_a_clear_error(client: TestClient, keys: dict[str, str]) -> None:
    for month, months, field in (
        ("2026-13", 12, "month"),
        ("October", 12, "month"),
        ("2026-10", 0, "months"),
        ("2026-10", 25, "months"),
    ):
        body = gql(client, keys["investigator"], PERFORMANCE, {"month": month, "months": months})
        assert body["data"]["townshipPerformance"] == {
            "__typename": "InvalidInput",
            "field": field,
            "message": body["data"]["townshipPerformance"]["message"],
        }


# Items held past their limits today: an application S1 handles, a finding and a report
# assigned to inv-2; and items inside their limits, which do not count.
HELD = """
MATCH (s:Staff {staff_id: 'S1'}), (h:Household {household_id: 'H1'})
CREATE (s)-[:HANDLED]->(:Case {case_id: 'C-LATE', status: 'submitted', township_code: $t,
                               submitted_date: date() - duration({days: 45})})
CREATE (s)-[:HANDLED]->(:Case {case_id: 'C-NEW', status: 'submitted', township_code: $t,
                               submitted_date: date() - duration({days: 3})})
CREATE (:Finding {finding_id: 'F-LATE', kind: 'GAP_OVERDUE', status: 'assigned', assignee: 'inv-2',
                  township_code: $t, first_detected_at: datetime() - duration({days: 40})})
CREATE (:Finding {finding_id: 'F-NEW', kind: 'GAP_OVERDUE', status: 'assigned', assignee: 'inv-2',
                  township_code: $t, first_detected_at: datetime() - duration({days: 2})})
CREATE (:Report {report_id: 'R-LATE', status: 'assigned', assignee: 'inv-2',
                 due_date: date() - duration({days: 5})})-[:NAMES]->(h)
CREATE (:Report {report_id: 'R-DONE', status: 'concluded', assignee: 'inv-2',
                 due_date: date() - duration({days: 5})})-[:NAMES]->(h)
"""


def test_staff_inaction_is_for_investigators_only(
    client: TestClient, keys: dict[str, str], county: Driver, settings: Settings
) -> None:
    county.execute_query(HELD, t=TOWNSHIP, database_=settings.neo4j_database)
    body = gql(client, keys["investigator"], INACTION, {"t": TOWNSHIP})
    staff = {s["holder"]: s for s in body["data"]["staffInaction"]["staff"]}
    assert {h: (s["applications"], s["findings"], s["reports"]) for h, s in staff.items()} == {
        "S1": (1, 0, 0),
        "inv-2": (0, 1, 1),
    }
    elsewhere = gql(client, keys["investigator"], INACTION, {"t": "370831101"})
    assert elsewhere["data"]["staffInaction"]["staff"] == []
    for role in ("caseworker", "coordinator", "auditor", "credit_officer", "partner_mz"):
        refused = gql(client, keys[role], INACTION, {"t": TOWNSHIP})
        assert refused["data"]["staffInaction"] == {
            "__typename": "Forbidden",
            "message": "staff-level inaction is for investigators only",
        }, role
