"""The real ASGI app against the real Neo4j, with one API key per role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from pydantic import SecretStr
from starlette.testclient import TestClient

from access.agreements import Agreement, add_agreement
from access.principal import Principal, Role
from access.tokens import add_key
from detection.rules import read_rules
from detection.run import run_detection
from domain.finding_kinds import FindingKind
from loaders.run import Loader
from reliefgraph.app import create_app
from settings import Settings
from tests.loaders.mini_county import (
    ACCOUNT_WANG,
    LI,
    TOWNSHIP,
    VILLAGE_A,
    VILLAGE_B,
    WANG,
    ZHAO,
    ZHAO_CHILD,
    write_csv,
    write_mini_county,
)

JWT_SECRET = "test-secret-of-at-least-thirty-two-bytes!!"

PRINCIPALS = {
    "investigator": Principal("inv-1", Role.INVESTIGATOR, department="MZ"),
    "caseworker": Principal("S1", Role.CASEWORKER, department="MZ", township_code=TOWNSHIP),
    "caseworker_2": Principal("S2", Role.CASEWORKER, department="MZ", township_code=TOWNSHIP),
    "caseworker_elsewhere": Principal("S9", Role.CASEWORKER, department="MZ", township_code="370831101"),
    "coordinator": Principal(
        "co-a", Role.COORDINATOR, department="MZ", township_code=TOWNSHIP, village_code=VILLAGE_A
    ),
    "coordinator_b": Principal(
        "co-b", Role.COORDINATOR, department="MZ", township_code=TOWNSHIP, village_code=VILLAGE_B
    ),
    "partner_mz": Principal("mz-client", Role.DEPARTMENT_PARTNER, department="MZ"),
    "partner_ga": Principal("ga-client", Role.DEPARTMENT_PARTNER, department="GA"),
    "partner_jt": Principal("jt-client", Role.DEPARTMENT_PARTNER, department="JT"),
    "exporter": Principal("credit-job", Role.CREDIT_EXPORTER),
    "credit_officer": Principal("mz-credit", Role.CREDIT_OFFICER, department="MZ"),
    "auditor": Principal("aud-1", Role.AUDITOR),
}


@pytest.fixture
def api_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "api_keys_file": tmp_path / "api-keys.toml",
            "agreements_file": tmp_path / "agreements.toml",
            # Partners' keys run any document here (generated calls included);
            # tests/api/test_verify_persons.py turns trusted documents on.
            "trusted_documents": False,
            "jwt_key": SecretStr(JWT_SECRET),
            "report_round_trips": True,
            "max_body_bytes": 8 * 1024,
        }
    )


# Each partner's agreement covers what its role reads: tests of other operations see what
# they saw before agreements; tests/api/test_verify_persons.py narrows them.
PARTNER_CATEGORIES = ["basic", "identity", "social", "assets", "benefits", "credit"]
PARTNER_PURPOSES = ["EDU_AID_ELIGIBILITY"]


def partner_agreement(settings: Settings, department: str, **changes: Any) -> Agreement:
    fields: dict[str, Any] = {
        "department": department,
        "programmes": ["EDU"] if department == "JT" else [],
        "categories": PARTNER_CATEGORIES,
        "purposes": PARTNER_PURPOSES,
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2099, 12, 31),
        "signatories": ["民政局", "合作部门"],
        "document": f"test agreement {department}",
        "agreement_id": f"AGR-TEST-{department}",
    } | changes
    return add_agreement(settings.agreements_file, **fields)


@pytest.fixture
def keys(api_settings: Settings) -> dict[str, str]:
    made = {}
    for name, p in PRINCIPALS.items():
        bound = None
        if p.role is Role.DEPARTMENT_PARTNER and p.department is not None:
            bound = partner_agreement(api_settings, p.department)
        made[name] = add_key(api_settings.api_keys_file, p, agreement=bound)
    return made


@pytest.fixture
def county(graph: Driver, settings: Settings, tmp_path: Path) -> Driver:
    """The mini county, plus a health fact, a deposit and a JT enrollment for WANG's household."""
    folder = tmp_path / "county"
    files = write_mini_county(folder)
    files += [
        write_csv(
            folder / "disabilities.csv",
            ["record_id", "id_number", "source", "as_of", "certificate_no", "category", "grade"],
            [["CL-1", WANG, "CL", "2026-05-01", "C1", "physical", 1]],
        ),
        write_csv(
            folder / "deposits.csv",
            ["record_id", "id_number", "source", "as_of", "bank", "balance"],
            [["YH-1", WANG, "YH", "2026-05-01", "农商行", "1200.00"]],
        ),
        write_csv(
            folder / "vulnerabilities.csv",
            ["record_id", "id_number", "source", "as_of", "kind"],
            [
                ["NY-1", WANG, "NY", "2026-03-01", "registered_poverty"],
                ["WJ-1", LI, "WJ", "2026-03-01", "severe_mental_illness"],
            ],
        ),
        write_csv(
            folder / "enrollments_jt.csv",
            ["enrollment_id", "programme", "id_number", "start_date"],
            [["E-EDU", "EDU", ZHAO, "2025-09-01"]],
        ),
    ]
    report = Loader(graph, settings, rejects_dir=tmp_path / "rejects").load(files)
    assert report.rejected == 0
    return graph


@pytest.fixture
def client(api_settings: Settings, keys: dict[str, str], county: Driver) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture
def detected(county: Driver, settings: Settings, tmp_path: Path) -> Driver:
    """The mini county plus a payment made twice (H1) and a child in distress under the line (H2)."""
    folder = tmp_path / "more"
    folder.mkdir()
    files = [
        write_csv(
            folder / "payments.csv",
            ["payment_id", "enrollment_id", "period", "amount", "paid_date", "account_number"],
            [["P9", "E1", "2026-01", "1040", "2026-01-20", ACCOUNT_WANG]],
        ),
        write_csv(
            folder / "incomes.csv",
            ["record_id", "id_number", "source", "as_of", "year", "annual_income"],
            [["SW-9", ZHAO, "SW", "2026-03-01", 2025, "4800.00"]],
        ),
        write_csv(
            folder / "vulnerabilities.csv",
            ["record_id", "id_number", "source", "as_of", "kind"],
            [
                ["MZ-9", ZHAO_CHILD, "MZ", "2026-03-01", "child_in_distress"],
                ["WJ-9", ZHAO_CHILD, "WJ", "2026-03-01", "severe_mental_illness"],
            ],
        ),
    ]
    assert Loader(county, settings, rejects_dir=tmp_path / "rejects").load(files).rejected == 0
    run_detection(
        county,
        settings.neo4j_database,
        read_rules(settings.detection_rules_file),
        as_of=date(2026, 11, 1),
        kinds=[FindingKind.DUP_PAYMENT, FindingKind.GAP_VULNERABLE_UNCOVERED],
    )
    return county


@pytest.fixture
def instant_publicity(api_settings: Settings, keys: dict[str, str], county):  # type: ignore[no-untyped-def]
    """A client whose publicity window is zero days, so a decision may follow the review at once."""
    with TestClient(create_app(api_settings.model_copy(update={"publicity_days": 0}))) as client:
        yield client


def gql(
    client: TestClient, key: str | None, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    all_headers = {"accept": "application/json", **headers}
    if key is not None:
        all_headers["authorization"] = f"Bearer {key}"
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
    )
    assert response.status_code == 200, response.text
    return response.json()


PERSON_360 = """
query($id: String!, $purpose: String!) {
  person(idNumber: $id, purpose: $purpose) {
    __typename
    ... on Person {
      idNumber name sex birthDate withheld
      memberships { householdId villageCode address relation members { idNumber name relation } }
      phones { number source }
      addresses { address kind }
      bankAccounts { number bank }
      facts { kind source asOf details { name value } }
      relatives { idNumber name relation }
      enrollments { enrollmentId programme department monthlyAmount covered grantee
                    payments { paymentId period amount account } }
      cases { caseId programme status handledBy }
    }
    ... on NotFound { message }
    ... on Forbidden { message }
    ... on InvalidInput { field message }
  }
}
"""
