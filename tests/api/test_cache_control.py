"""Nothing personal stays in a cache or a URL: `no-store` under /graphql, /publicity and
/workbench; GET queries with arguments refused; area codes typed in full-width digits."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from tests.api.conftest import gql
from tests.api.test_publicity import LIST, _cases
from tests.loaders.mini_county import TOWNSHIP, WANG


def auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}", "accept": "application/json"}


def test_no_store_on_graphql_publicity_and_workbench(client: TestClient, keys: dict[str, str]) -> None:
    key = keys["investigator"]
    answers = {
        "POST /graphql": client.post("/graphql", json={"query": "{ me { role } }"}, headers=auth(key)),
        "GET /graphql": client.get("/graphql", params={"query": "{ me { role } }"}, headers=auth(key)),
        "401 /graphql": client.post("/graphql", json={"query": "{ me { role } }"}),
        "csv": client.get(f"/publicity/list.csv?area={TOWNSHIP}", headers=auth(key)),
        "html": client.get(f"/publicity/list.html?area={TOWNSHIP}", headers=auth(key)),
        "400 csv": client.get("/publicity/list.csv", headers=auth(key)),
        "workbench": client.get("/workbench/"),
        "workbench script": client.get("/workbench/app.js"),
    }
    for name, response in answers.items():
        assert response.headers.get_list("cache-control") == ["no-store"], name
    assert answers["POST /graphql"].status_code == answers["GET /graphql"].status_code == 200
    assert answers["workbench"].status_code == answers["workbench script"].status_code == 200
    assert "no-store" not in client.get("/healthz").headers.get("cache-control", "")


def test_get_queries_with_arguments_or_variables_are_refused(
    client: TestClient, keys: dict[str, str]
) -> None:
    key = keys["investigator"]
    person = '{ person(idNumber: "%s", purpose: "look up by GET") { __typename } }' % WANG
    with_variables = {
        "query": 'query($id: String!) { person(idNumber: $id, purpose: "look up by GET") { __typename } }',
        "variables": json.dumps({"id": WANG}),
    }
    fragment = {
        "query": '{ ...F } fragment F on Query { person(idNumber: "%s", purpose: "look up") '
        "{ __typename } }" % WANG
    }
    unused_variables = {"query": "{ me { role } }", "variables": '{"a": 1}'}
    for params in ({"query": person}, with_variables, fragment, unused_variables):
        for headers in (auth(key), {}):  # refused before authentication too
            response = client.get("/graphql", params=params, headers=headers)
            assert response.status_code == 405, (params, response.text)
            assert response.headers["allow"] == "POST" and "POST" in response.json()["errors"][0]["message"]
            assert "\n" not in response.text
    # What stays allowed over GET: queries without arguments, empty variables.
    plain = client.get("/graphql", params={"query": "{ me { role } }", "variables": "{}"}, headers=auth(key))
    assert plain.status_code == 200 and plain.json()["data"]["me"]["role"] == "investigator"
    by_post = client.post("/graphql", json={"query": person}, headers=auth(key))
    assert by_post.json()["data"]["person"]["__typename"] == "Person"


def test_full_width_area_codes_are_the_same_codes(client: TestClient, keys: dict[str, str]) -> None:
    full_width = TOWNSHIP.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    assert full_width != TOWNSHIP
    _cases(client, keys)
    headers = auth(keys["caseworker"])
    ascii_csv = client.get("/publicity/list.csv", params={"area": TOWNSHIP}, headers=headers)
    wide_csv = client.get("/publicity/list.csv", params={"area": full_width}, headers=headers)
    assert wide_csv.status_code == 200 and wide_csv.text == ascii_csv.text and "王*国" in wide_csv.text
    assert TOWNSHIP in wide_csv.headers["content-disposition"]
    assert client.get("/publicity/list.html", params={"area": full_width}, headers=headers).status_code == 200
    body = gql(client, keys["caseworker"], LIST, {"area": full_width})["data"]["publicityList"]
    assert body["__typename"] == "PublicityList"
    # What is not a code in ASCII or full-width digits is refused, not looked up.
    for odd in ("３７０８３１１０Ｘ", "370831100\x00", "٣٧٠٨٣١١٠٠"):
        response = client.get("/publicity/list.csv", params={"area": odd}, headers=headers)
        assert response.status_code == 400, odd
