"""Partner departments through the API (issue 24): the change feed about the persons of their
mandate, pulled page by page and pushed over graphql-transport-ws, and their submissions of
the feeds they own, with receipts and rejects. Against the real Neo4j; the websocket and
upload tests against a real uvicorn, with gql as a partner's client would use it."""

from __future__ import annotations

import asyncio
import csv
import io
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportConnectionFailed
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from neo4j import Driver
from starlette.testclient import TestClient

from loaders.run import Loader
from reliefgraph.app import create_app
from settings import Settings
from tests.api.conftest import gql
from tests.loaders.mini_county import LI, VILLAGE_A, WANG, ZHAO, ZHAO_CHILD, write_csv
from tests.serving import Served

CHANGES = """
query($first: Int!, $after: Int!) {
  partnerChanges(first: $first, after: $after) {
    __typename
    ... on PartnerChangeConnection {
      edges { cursor node { sequence kind idNumber factKind source deathDate enrollmentId programme
                            householdId fromVillage toVillage } }
      pageInfo { hasNextPage endCursor }
    }
    ... on Forbidden { message }
    ... on InvalidInput { field message }
  }
}
"""

LIVE = """
subscription($after: Int!) {
  partnerChangesLive(after: $after) {
    __typename
    ... on PartnerChange { sequence kind idNumber deathDate source }
    ... on Forbidden { message }
  }
}
"""

RECEIPT = """
query($id: String!) {
  partnerSubmission(receiptId: $id) {
    __typename
    ... on SubmissionReceipt { receiptId feed digest rows accepted rejected feedsLoaded rejectsUrl }
    ... on NotFound { message }
  }
}
"""

DEATH_HEADER = ["record_id", "id_number", "source", "as_of", "death_date"]


def deaths_csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([DEATH_HEADER, *rows])
    return out.getvalue().encode()


def changes(client: TestClient, key: str, after: int = 0, first: int = 100) -> dict[str, Any]:
    return gql(client, key, CHANGES, {"first": first, "after": after})["data"]["partnerChanges"]


def kinds(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["node"]["kind"], e["node"]["idNumber"]) for e in page["edges"]]


def load(
    driver: Driver, settings: Settings, folder: Path, name: str, header: list[str], rows: list[list[object]]
):  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    path = write_csv(folder / name, header, rows)
    return Loader(driver, settings, rejects_dir=folder / "rejects").load([path])


def last_sequence(client: TestClient, key: str) -> int:
    after = 0
    while True:
        page = changes(client, key, after)
        after = int(page["pageInfo"]["endCursor"])
        if not page["pageInfo"]["hasNextPage"]:
            return after


def test_a_partner_reads_the_changes_of_its_mandate_once_per_cursor(
    client: TestClient, keys: dict[str, str], county: Driver, settings: Settings, tmp_path: Path
) -> None:
    # Education (JT) serves ZHAO through an EDU grant; civil affairs (MZ) the dibao household H1.
    start = last_sequence(client, keys["partner_jt"])
    assert ("ENROLLMENT_STARTED", ZHAO) in kinds(changes(client, keys["partner_jt"]))
    assert all(who == ZHAO for _, who in kinds(changes(client, keys["partner_jt"])))
    report = load(
        county,
        settings,
        tmp_path / "ga",
        "deaths_GA.csv",
        DEATH_HEADER,
        [
            ["GA-D1", ZHAO, "GA", "2026-11-02", "2026-11-01"],
            ["GA-D2", WANG, "GA", "2026-11-02", "2026-10-30"],
        ],
    )
    assert report.rejected == 0
    page = changes(client, keys["partner_jt"], start)
    assert kinds(page) == [("DEATH_RECORDED", ZHAO)]  # WANG's death is not JT's to hear of
    node = page["edges"][0]["node"]
    assert (node["deathDate"], node["source"], node["factKind"]) == ("2026-11-01", "GA", "Death")
    mz = kinds(changes(client, keys["partner_mz"], last_sequence(client, keys["partner_mz"]) - 2))
    assert ("DEATH_RECORDED", WANG) in mz and ("DEATH_RECORDED", ZHAO) not in mz
    # One page at a time: each change once, none skipped, and the same file again is no change.
    load(
        county,
        settings,
        tmp_path / "ga2",
        "deaths_GA.csv",
        DEATH_HEADER,
        [["GA-D1", ZHAO, "GA", "2026-11-02", "2026-11-01"]],
    )
    seen, after = [], 0
    while True:
        page = changes(client, keys["partner_jt"], after, first=1)
        seen += [e["node"]["sequence"] for e in page["edges"]]
        after = int(page["pageInfo"]["endCursor"])
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == sorted(set(seen)) and len(seen) == len(kinds(changes(client, keys["partner_jt"])))
    assert changes(client, keys["partner_jt"], after)["edges"] == []


def test_moves_and_ended_grants_are_told_to_the_partners_serving_the_persons(
    client: TestClient, keys: dict[str, str], county: Driver, settings: Settings, tmp_path: Path
) -> None:
    start = last_sequence(client, keys["partner_jt"])
    load(
        county,
        settings,
        tmp_path / "a",
        "households.csv",
        ["household_id", "village_code", "address"],
        [["H2", VILLAGE_A, "泉林镇东村9号"]],
    )
    load(
        county,
        settings,
        tmp_path / "b",
        "enrollments_jt.csv",
        ["enrollment_id", "programme", "id_number", "start_date", "end_date"],
        [["E-EDU", "EDU", ZHAO, "2025-09-01", "2026-07-01"]],
    )
    page = changes(client, keys["partner_jt"], start)
    assert kinds(page) == [("HOUSEHOLD_MOVED", ZHAO), ("ENROLLMENT_ENDED", ZHAO)]  # not ZHAO_CHILD: not JT's
    moved = page["edges"][0]["node"]
    assert (moved["householdId"], moved["toVillage"]) == ("H2", VILLAGE_A)
    assert ZHAO_CHILD not in {who for _, who in kinds(changes(client, keys["partner_jt"]))}
    assert {LI, WANG} <= {who for _, who in kinds(changes(client, keys["partner_mz"]))}


SUSPEND = """
mutation { suspendCase(caseId: "C1", expectedVersion: 1, reason: "外出务工，待核实") { __typename } }
"""


def test_a_suspended_case_tells_the_partner_its_grant_is_suspended(
    client: TestClient, keys: dict[str, str]
) -> None:
    start = last_sequence(client, keys["partner_mz"])
    assert gql(client, keys["caseworker"], SUSPEND)["data"]["suspendCase"]["__typename"] == "CaseRecord"
    page = changes(client, keys["partner_mz"], start)
    assert sorted(kinds(page)) == sorted([("ENROLLMENT_SUSPENDED", WANG), ("ENROLLMENT_SUSPENDED", LI)])
    assert {e["node"]["enrollmentId"] for e in page["edges"]} == {"E1"}
    assert changes(client, keys["partner_jt"], last_sequence(client, keys["partner_jt"]))["edges"] == []


def test_only_partners_read_the_change_feed_and_bad_cursors_are_named(
    client: TestClient, keys: dict[str, str]
) -> None:
    assert changes(client, keys["caseworker"])["__typename"] == "Forbidden"
    assert changes(client, keys["partner_jt"], after=-1) == {
        "__typename": "InvalidInput",
        "field": "after",
        "message": "a sequence number, 0 or more",
    }
    assert changes(client, keys["partner_jt"], first=0)["__typename"] == "InvalidInput"


@pytest.fixture
def served(
    api_settings: Settings, keys: dict[str, str], county: Driver, tmp_path: Path
) -> Iterator[tuple[str, Settings]]:
    settings = api_settings.model_copy(
        update={"submissions_dir_setting": tmp_path / "submissions", "submission_detect": False}
    )
    server = Served(create_app(settings))
    try:
        yield server.base_url, settings
    finally:
        server.stop()


def submit(base: str, key: str, feed: str, name: str, data: bytes, **params: str) -> httpx.Response:
    return httpx.post(
        f"{base}/feeds/{feed}",
        params=params,
        files={"file": (name, data, "text/csv")},
        headers={"authorization": f"Bearer {key}"},
        timeout=60,
    )


async def _query(base: str, key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    transport = HTTPXAsyncTransport(url=f"{base}/graphql", headers={"authorization": f"Bearer {key}"})
    async with Client(transport=transport) as session:
        return await session.execute(GraphQLRequest(query, variable_values=variables))


def test_a_partner_submits_its_feed_and_reads_the_receipt_and_rejects(
    served: tuple[str, Settings], keys: dict[str, str], county: Driver
) -> None:
    base, settings = served
    ga = keys["partner_ga"]
    data = deaths_csv(
        [
            ["GA-D1", ZHAO, "GA", "2026-11-02", "2026-11-01"],
            ["GA-D2", WANG, "WJ", "2026-11-02", "2026-10-30"],  # another department's record
            ["GA-D3", "not a number", "GA", "2026-11-02", "2026-10-30"],
        ]
    )
    dry = submit(base, ga, "deaths", "deaths.csv", data, dryRun="true")
    assert dry.status_code == 200 and dry.json()["valid"] == 1 and dry.json()["rejected"] == 2
    assert dry.headers["cache-control"] == "no-store"
    assert (
        county.execute_query("MATCH (d:Death) RETURN count(d) AS n").records[0]["n"] == 0
    )  # nothing written
    first = submit(base, ga, "deaths", "死亡注销.csv", data)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert (receipt["accepted"], receipt["rejected"], receipt["feedsLoaded"]) == (1, 2, ["deaths"])
    again = submit(base, ga, "deaths", "deaths-again.csv", data)
    assert again.status_code == 200 and again.json() == receipt  # the same file: one receipt
    read = asyncio.run(_query(base, ga, RECEIPT, {"id": receipt["receiptId"]}))["partnerSubmission"]
    assert (read["receiptId"], read["digest"], read["accepted"]) == (
        receipt["receiptId"],
        receipt["digest"],
        1,
    )
    rejects = httpx.get(base + receipt["rejectsUrl"], headers={"authorization": f"Bearer {ga}"})
    assert rejects.status_code == 200 and rejects.headers["cache-control"] == "no-store"
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(rejects.text))]
    assert len(reasons) == 2 and any("department WJ is not yours (GA)" in r for r in reasons)
    on_disk = next((settings.submissions_dir / receipt["receiptId"]).glob("*.rejects.csv"))
    assert stat.S_IMODE(on_disk.stat().st_mode) == 0o600
    # Another department sees neither the receipt nor the rejects.
    jt = keys["partner_jt"]
    assert (
        asyncio.run(_query(base, jt, RECEIPT, {"id": receipt["receiptId"]}))["partnerSubmission"][
            "__typename"
        ]
        == "NotFound"
    )
    assert (
        httpx.get(base + receipt["rejectsUrl"], headers={"authorization": f"Bearer {jt}"}).status_code == 404
    )


def test_a_submission_runs_detection_over_what_its_rows_touch(
    api_settings: Settings, keys: dict[str, str], county: Driver, tmp_path: Path
) -> None:
    settings = api_settings.model_copy(update={"submissions_dir_setting": tmp_path / "submissions"})
    assert settings.submission_detect
    deceased_paid = "MATCH (f:Finding {kind: 'DECEASED_PAID'}) RETURN count(f) AS n"
    assert county.execute_query(deceased_paid).records[0]["n"] == 0
    server = Served(create_app(settings))
    try:
        # WANG died before the dibao months E1 paid for (2026-01, 2026-02).
        data = deaths_csv([["GA-D5", WANG, "GA", "2026-03-01", "2025-12-15"]])
        assert submit(server.base_url, keys["partner_ga"], "deaths", "deaths.csv", data).status_code == 201
    finally:
        server.stop()
    assert county.execute_query(deceased_paid).records[0]["n"] >= 1


def test_a_department_submits_only_the_feeds_it_owns(
    served: tuple[str, Settings], keys: dict[str, str]
) -> None:
    base, _ = served
    data = deaths_csv([["JT-D1", ZHAO, "JT", "2026-11-02", "2026-11-01"]])
    refused = submit(base, keys["partner_jt"], "deaths", "deaths.csv", data)
    assert refused.status_code == 403 and "not your department's (JT)" in refused.json()["error"]
    assert submit(base, keys["caseworker"], "deaths", "deaths.csv", data).status_code == 403
    assert submit(base, keys["partner_ga"], "nonsense", "deaths.csv", data).status_code == 404
    assert submit(base, keys["partner_ga"], "deaths", "deaths.exe", data).status_code == 415
    assert submit(base, "rg_wrong", "deaths", "deaths.csv", data).status_code == 401
    broken = submit(base, keys["partner_ga"], "deaths", "deaths.csv", b"record_id,id_number\nX,1\n")
    assert broken.status_code == 422 and "missing column(s)" in broken.json()["error"]
    assert "/" not in broken.json()["error"].split(":", 1)[1]  # no server path in the message


async def _next_death(base: str, key: str, after: int, then: Any) -> dict[str, Any]:
    transport = WebsocketsTransport(
        url=base.replace("http", "ws") + "/graphql",
        headers={"authorization": f"Bearer {key}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:
        events = session.subscribe(GraphQLRequest(LIVE, variable_values={"after": after}))
        # It reads on from `after`, taken before the load: started before or after it, the
        # subscription sends the death.
        waiting = asyncio.ensure_future(anext(events))
        await asyncio.to_thread(then)
        # The target: a death reaches a subscribed partner within 5 s of its load finishing.
        event = await asyncio.wait_for(waiting, timeout=5)
        await events.aclose()
        return event["partnerChangesLive"]


@pytest.mark.parametrize("through", ["submission", "operator load"])
def test_a_death_reaches_a_subscribed_partner_within_five_seconds(
    served: tuple[str, Settings], keys: dict[str, str], county: Driver, tmp_path: Path, through: str
) -> None:
    base, settings = served
    with TestClient(create_app(settings)) as client:
        after = last_sequence(client, keys["partner_jt"])
    data = deaths_csv([["GA-D9", ZHAO, "GA", "2026-11-02", "2026-11-01"]])

    def load_death() -> None:
        if through == "submission":  # the server loads it and wakes its subscriptions
            assert submit(base, keys["partner_ga"], "deaths", "deaths.csv", data).status_code == 201
        else:  # `reliefgraph load` in another process: the subscription's own look finds it
            load(
                county,
                settings,
                tmp_path / "op",
                "deaths_GA.csv",
                DEATH_HEADER,
                [["GA-D9", ZHAO, "GA", "2026-11-02", "2026-11-01"]],
            )

    event = asyncio.run(_next_death(base, keys["partner_jt"], after, load_death))
    assert event["__typename"] == "PartnerChange"
    assert (event["kind"], event["idNumber"], event["deathDate"]) == ("DEATH_RECORDED", ZHAO, "2026-11-01")


def test_a_subscription_is_refused_to_other_roles_and_without_a_key(
    served: tuple[str, Settings], keys: dict[str, str]
) -> None:
    base, _ = served

    async def first_event(key: str | None) -> Any:
        transport = WebsocketsTransport(
            url=base.replace("http", "ws") + "/graphql",
            headers={"authorization": f"Bearer {key}"} if key else {},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        async with Client(transport=transport) as session:
            async for event in session.subscribe(GraphQLRequest(LIVE, variable_values={"after": 0})):
                return event["partnerChangesLive"]

    refused = asyncio.run(first_event(keys["caseworker"]))
    assert refused == {
        "__typename": "Forbidden",
        "message": "the partners' change feed is for partner departments",
    }
    with pytest.raises(TransportConnectionFailed) as handshake:
        asyncio.run(first_event(None))
    assert "403" in repr(handshake.value.__cause__)  # refused before anything was accepted
