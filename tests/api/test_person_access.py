"""The role × field matrix and jurisdiction on person 360: nothing leaks."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.api.conftest import PERSON_360, gql
from tests.loaders.mini_county import ACCOUNT_WANG, CHEN, LI, WANG, ZHAO, ZHAO_CHILD

PURPOSE = "case review 2026-11"


def person(client: TestClient, key: str, id_number: str = WANG) -> dict:
    body = gql(client, key, PERSON_360, {"id": id_number, "purpose": PURPOSE})
    assert "errors" not in body, body
    return body["data"]["person"]


def texts(value: object) -> str:
    return repr(value)


def test_investigator_sees_the_whole_360(client: TestClient, keys: dict[str, str]) -> None:
    p = person(client, keys["investigator"])
    assert p["__typename"] == "Person" and p["idNumber"] == WANG and p["withheld"] == []
    assert p["memberships"][0]["householdId"] == "H1"
    assert {m["idNumber"] for m in p["memberships"][0]["members"]} == {WANG, LI}
    assert p["phones"][0]["number"] == "13805370001"
    assert p["bankAccounts"] == [{"number": ACCOUNT_WANG, "bank": "农村商业银行"}]
    assert {f["kind"] for f in p["facts"]} == {"Disability", "Deposit", "Vulnerability"}
    (dibao,) = p["enrollments"]
    assert dibao["programme"] == "DIBAO" and dibao["monthlyAmount"] == "1040.00"
    assert sorted(dibao["covered"]) == sorted([WANG, LI])
    assert [x["period"] for x in dibao["payments"]] == ["2026-01", "2026-02"]
    assert dibao["payments"][0]["account"] == ACCOUNT_WANG
    assert p["cases"] == [{"caseId": "C1", "programme": "DIBAO", "status": "approved", "handledBy": ["S1"]}]
    assert {r["idNumber"] for r in p["relatives"]} == set()


def test_lookup_normalises_the_id_number_like_the_loader(client: TestClient, keys: dict[str, str]) -> None:
    fifteen = ZHAO[:6] + ZHAO[8:17]
    assert person(client, keys["investigator"], fifteen)["idNumber"] == ZHAO
    assert person(client, keys["investigator"], f" {WANG.lower()} ")["idNumber"] == WANG
    bad = person(client, keys["investigator"], "110105194912310021")
    assert bad["__typename"] == "InvalidInput" and "check digit" in bad["message"]


def test_caseworker_reads_own_township_only(client: TestClient, keys: dict[str, str]) -> None:
    assert person(client, keys["caseworker"])["bankAccounts"][0]["number"] == ACCOUNT_WANG
    assert person(client, keys["caseworker_elsewhere"])["__typename"] == "NotFound"


def test_coordinator_gets_masked_ids_and_no_money_or_health(client: TestClient, keys: dict[str, str]) -> None:
    p = person(client, keys["coordinator"])
    assert p["idNumber"] == WANG[:6] + "*" * 12
    # No unmasked ID anywhere: members, coverage and the grantee included.
    assert WANG not in texts(p) and LI not in texts(p)
    assert p["bankAccounts"] is None and ACCOUNT_WANG not in texts(p)
    # The disability (health) and the deposit (financial) are withheld; the poverty
    # registration (social status) is what active discovery needs.
    assert [(f["kind"], f["source"]) for f in p["facts"]] == [("Vulnerability", "NY")]
    assert set(p["withheld"]) == {"FINANCIAL", "HEALTH", "ASSETS", "CREDIT", "FINDINGS"}
    assert p["phones"][0]["number"] == "13805370001"  # coordinators visit: they may call
    assert all(x["account"] is None for e in p["enrollments"] for x in e["payments"])


def test_health_flags_are_health_whatever_their_feed(client: TestClient, keys: dict[str, str]) -> None:
    li_for_coordinator = person(client, keys["coordinator"], LI)
    assert li_for_coordinator["facts"] == []  # severe mental illness: health, withheld
    li_for_investigator = person(client, keys["investigator"], LI)
    details = {d["value"] for f in li_for_investigator["facts"] for d in f["details"]}
    assert "severe_mental_illness" in details


def test_coordinator_of_another_village_gets_not_found(client: TestClient, keys: dict[str, str]) -> None:
    assert person(client, keys["coordinator_b"])["__typename"] == "NotFound"
    zhao = person(client, keys["coordinator_b"], ZHAO)
    assert zhao["__typename"] == "Person"
    # ZHAO holds a person grant (E-EDU): its grantee is his ID number, masked like every other.
    (edu,) = [e for e in zhao["enrollments"] if e["enrollmentId"] == "E-EDU"]
    assert edu["grantee"] == zhao["idNumber"] and ZHAO not in texts(zhao)


def test_department_partner_sees_only_its_mandate(client: TestClient, keys: dict[str, str]) -> None:
    jt = person(client, keys["partner_jt"], ZHAO)
    assert [e["programme"] for e in jt["enrollments"]] == ["EDU"]
    assert jt["phones"] is None and jt["bankAccounts"] is None and jt["addresses"] is None
    assert jt["facts"] == []  # the vehicle was reported by GA, not JT
    assert all(m["address"] is None for m in jt["memberships"])
    # ZHAO's child is in no JT programme: the partner sees neither her ID number nor her name.
    assert [m["name"] for ms in jt["memberships"] for m in ms["members"]] == ["赵磊"]
    assert ZHAO_CHILD not in texts(jt) and "赵子涵" not in texts(jt)
    # WANG is in no JT programme and no JT feed: not within the mandate.
    assert person(client, keys["partner_jt"], WANG)["__typename"] == "NotFound"
    ga = person(client, keys["partner_ga"], ZHAO)
    assert [f["kind"] for f in ga["facts"]] == ["Vehicle"] and ga["enrollments"] == []
    mz = person(client, keys["partner_mz"], WANG)
    assert [e["programme"] for e in mz["enrollments"]] == ["DIBAO"]
    assert "13805370001" not in texts(mz) and ACCOUNT_WANG not in texts(mz)


@pytest.mark.parametrize("role", ["exporter", "auditor"])
def test_roles_without_person_access_are_forbidden(
    client: TestClient, keys: dict[str, str], role: str
) -> None:
    assert person(client, keys[role])["__typename"] == "Forbidden"


def test_a_staff_member_is_a_person_too(client: TestClient, keys: dict[str, str]) -> None:
    assert person(client, keys["investigator"], CHEN)["name"] == "陈静"


def test_purpose_is_required(client: TestClient, keys: dict[str, str]) -> None:
    body = gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": " "})
    assert body["data"]["person"]["__typename"] == "InvalidInput"


def test_round_trips_do_not_grow_with_household_or_payments(
    client: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    def cost() -> int:
        body = gql(client, keys["investigator"], PERSON_360, {"id": WANG, "purpose": PURPOSE})
        return body["extensions"]["cypherRoundTrips"]

    before = cost()
    county.execute_query(
        """
        MATCH (h:Household {household_id: 'H1'}), (e:Enrollment {enrollment_id: 'E1'}), (a:BankAccount)
        WHERE a.number = $acc
        UNWIND range(1, 40) AS i
        CREATE (p:Person {id_number: 'T' + toString(i), name: '测试' + toString(i)})
               -[:MEMBER_OF {since: date()}]->(h)
        CREATE (e)-[:COVERS]->(p)
        CREATE (:Payment {payment_id: 'PX' + toString(i), period: '2025-' + toString(i % 12 + 1),
                          amount_fen: 100})
               -[:FOR_ENROLLMENT]->(e)
    """,
        acc=ACCOUNT_WANG,
        database_=settings.neo4j_database,
    )
    after = cost()
    assert after == before == 2  # the person with enrollments and cases in one read, and the audit write


HANDLE_SEARCH = """{ searchPersons(name: "王建国", purpose: "find to open") { __typename
  ... on PersonSummaryConnection { edges { node { idNumber handle } } } } }"""
BY_HANDLE = """query($h: String!) { person(handle: $h, purpose: "open a search hit") { __typename
  ... on Person { idNumber name } ... on InvalidInput { field } } }"""


def test_a_search_hit_opens_by_its_handle_for_its_caller_only(
    client: TestClient, keys: dict[str, str]
) -> None:
    hit = gql(client, keys["coordinator"], HANDLE_SEARCH)["data"]["searchPersons"]["edges"][0]["node"]
    assert hit["idNumber"] != WANG and WANG not in hit["handle"]  # masked, and the handle is opaque
    opened = gql(client, keys["coordinator"], BY_HANDLE, {"h": hit["handle"]})["data"]["person"]
    assert opened["name"] == "王建国" and opened["idNumber"] == WANG[:6] + "*" * 12
    # Another caller (even of the same role and village) cannot use it, nor a tampered one.
    other = gql(client, keys["investigator"], BY_HANDLE, {"h": hit["handle"]})["data"]["person"]
    assert other == {"__typename": "InvalidInput", "field": "handle"}
    tampered = hit["handle"][:-6] + ("A" if hit["handle"][-6] != "A" else "B") + hit["handle"][-5:]
    assert (
        gql(client, keys["coordinator"], BY_HANDLE, {"h": tampered})["data"]["person"]["__typename"]
        == "InvalidInput"
    )
    both = gql(
        client,
        keys["coordinator"],
        'query($h: String!) { person(handle: $h, idNumber: "%s", purpose: "both '
        'given") { __typename } }' % WANG,
        {"h": hit["handle"]},
    )["data"]["person"]
    assert both["__typename"] == "InvalidInput"


def test_a_second_household_outside_the_area_stays_out_of_the_360(
    client: TestClient, keys: dict[str, str], county, settings
) -> None:  # type: ignore[no-untyped-def]
    # WANG (village A) is also a member of H3 (village B), which holds a grant and a case of its own.
    county.execute_query(
        """
        MATCH (w:Person {id_number: $wang}), (h:Household {household_id: 'H3'}),
              (prog:Programme {code: 'DIBAO'})
        CREATE (w)-[:MEMBER_OF {relation: 'other', since: date('2024-01-01')}]->(h)
        CREATE (e:Enrollment {enrollment_id: 'E-H3', programme_code: 'DIBAO', monthly_amount_fen: 208000})
        CREATE (e)-[:GRANTED_TO]->(h), (e)-[:FOR_PROGRAMME]->(prog)
        CREATE (c:Case {case_id: 'C-H3', programme_code: 'DIBAO', household_id: 'H3', status: 'approved',
                        version: 1})
        CREATE (c)-[:FOR_HOUSEHOLD]->(h), (c)-[:FOR_PROGRAMME]->(prog)
    """,
        wang=WANG,
        database_=settings.neo4j_database,
    )
    county_view = person(client, keys["investigator"])
    assert {m["householdId"] for m in county_view["memberships"]} == {"H1", "H3"}  # there, for the county
    assert "E-H3" in texts(county_view) and "C-H3" in texts(county_view)
    p = person(client, keys["coordinator"])
    assert [m["householdId"] for m in p["memberships"]] == ["H1"]
    assert "陈静" not in texts(p) and "John Smith" not in texts(p)
    assert "E-H3" not in texts(p) and "C-H3" not in texts(p) and "2080.00" not in texts(p)
    # As asking for the household itself is.
    h3 = gql(client, keys["coordinator"], '{ household(householdId: "H3", purpose: "check") { __typename } }')
    assert h3["data"]["household"]["__typename"] == "NotFound"
