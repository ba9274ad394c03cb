"""Honesty incentives (守信激励): an application whose household kept its honesty commitment
for the years of rules/credit.toml, with no dishonesty record (the county's or another
agency's), may take the fast track (简化审核) where its programme allows it; the caseworker
deciding sees the flag and why."""

from __future__ import annotations

from neo4j import Driver
from starlette.testclient import TestClient

from loaders.run import Loader
from settings import Settings
from tests.api.test_credit import one
from tests.api.test_credit_external import RECORD, push
from tests.loaders.mini_county import CHEN, WANG, ZHAO, write_csv

SUBMIT = """mutation($h: String!, $a: String!, $p: String!) { submitApplication(input: {householdId: $h,
  programme: $p, applicantIdNumber: $a, channel: WINDOW, commitmentSigned: true}) {
  ... on CaseRecord { caseId fastTrack { eligible explanation } } } }"""
CASE = """query($id: String!) { case(caseId: $id, purpose: "deciding the application") {
  ... on CaseRecord { status fastTrack { eligible explanation } } } }"""


def fast_track(client: TestClient, key: str, household: str, applicant: str, programme: str) -> dict:  # type: ignore[type-arg]
    return one(client, key, SUBMIT, h=household, a=applicant, p=programme)["fastTrack"]


def test_the_fast_track_for_households_that_kept_their_commitment(
    client: TestClient, keys: dict[str, str], county: Driver, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    cw = keys["caseworker"]
    # Before any earlier application: the commitment signed today is not three years kept.
    fresh = fast_track(client, cw, "H2", ZHAO, "TEMP")
    assert not fresh["eligible"] and "less than 3 years ago" in fresh["explanation"]

    # Applications of 2022 (with the commitment signed) for H2 and H1; H3's of 2025.
    folder = tmp_path / "earlier"
    folder.mkdir()
    cases = write_csv(
        folder / "cases.csv",
        [
            "case_id",
            "programme",
            "household_id",
            "applicant_id_number",
            "channel",
            "submitted_date",
            "status",
            "commitment_signed",
        ],
        [
            ["C-2022-1", "TEMP", "H2", ZHAO, "window", "2022-03-01", "approved", "yes"],
            ["C-2022-2", "TEMP", "H1", WANG, "window", "2022-03-01", "approved", "yes"],
            ["C-2025-3", "TEMP", "H3", CHEN, "window", "2025-03-01", "approved", "yes"],
        ],
    )
    assert Loader(county, settings, rejects_dir=tmp_path / "rejects").load([cases]).rejected == 0

    kept = one(client, cw, SUBMIT, h="H2", a=ZHAO, p="TEMP")
    assert kept["fastTrack"]["eligible"] is True
    assert "since 2022-03-01" in kept["fastTrack"]["explanation"]
    # Shown where the caseworker decides the application.
    assert one(client, cw, CASE, id=kept["caseId"])["fastTrack"]["eligible"] is True

    dibao = fast_track(client, cw, "H2", ZHAO, "DIBAO")  # basic living keeps its full review
    assert not dibao["eligible"] and "DIBAO has no fast track" in dibao["explanation"]

    recent = fast_track(client, cw, "H3", CHEN, "TEMP")
    assert not recent["eligible"] and "first signed on 2025-03-01" in recent["explanation"]

    # Another agency's record against WANG (decided 2026-10-01): his household loses it.
    assert fast_track(client, cw, "H1", WANG, "TEMP")["eligible"] is True
    assert push(client, keys["exporter"], [RECORD])[1]["accepted"]
    marked = fast_track(client, cw, "H1", WANG, "TEMP")
    assert not marked["eligible"] and "dishonesty record within the last 3 years" in marked["explanation"]
