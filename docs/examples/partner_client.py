"""A partner department's client for reliefgraph: verify a term's applicants in batches.

    python docs/examples/partner_client.py --url http://127.0.0.1:8000/graphql \
        --key rg_demo_partner_jt --purpose EDU_AID_ELIGIBILITY applicants.txt

applicants.txt holds one ID number per line. The answers are printed as CSV (one line per
ID number, in the file's order). It uses gql, a well-known GraphQL client, over HTTP; the
change feed's subscription uses gql's websockets transport the same way (docs/partners.md).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportServerError
from gql.transport.httpx import HTTPXTransport
from graphql import print_ast

# The server takes up to 1,000 ID numbers in one request.
BATCH = 1000

VERIFY = gql(
    """
query Verify($ids: [String!]!, $purpose: String!) {
  verifyPersons(idNumbers: $ids, purpose: $purpose) {
    __typename
    ... on VerificationBatch {
      agreement found notFound invalid
      results {
        given idNumber found problem basicAssistance householdSize restricted withheld
        enrollments { enrollmentId programme startDate endDate }
      }
    }
    ... on InvalidInput { field message }
    ... on Forbidden { message }
  }
}
"""
)


def document_text() -> str:
    """The document exactly as gql sends it: what `reliefgraph agreement trust` registers, so a
    production server runs it for your key (trusted documents)."""
    return print_ast(VERIFY.document)


def client(url: str, key: str, timeout_s: float = 30.0) -> Client:
    transport = HTTPXTransport(url=url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout_s)
    return Client(transport=transport, fetch_schema_from_transport=False)


def batches(ids: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    batch: list[str] = []
    for raw in ids:
        if raw.strip():
            batch.append(raw.strip())
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def verify(session: Any, ids: list[str], purpose: str, attempts: int = 5) -> dict[str, Any]:
    """One batch; waits as the server's Retry-After says when over the key's rate limit."""
    for _ in range(attempts):
        try:
            request = GraphQLRequest(VERIFY, variable_values={"ids": ids, "purpose": purpose})
            result = session.execute(request)
        except TransportServerError as exc:
            if exc.code != 429:
                raise
            time.sleep(_retry_after(exc))
            continue
        answer: dict[str, Any] = result["verifyPersons"]
        if answer["__typename"] != "VerificationBatch":
            raise SystemExit(f"refused: {answer['message']}")
        return answer
    raise SystemExit("still rate-limited; try later")


def _response(exc: TransportServerError) -> httpx.Response | None:
    # gql raises from httpx's error, which holds the server's answer.
    return getattr(exc.__cause__, "response", None)


def _retry_after(exc: TransportServerError) -> float:
    response = _response(exc)
    try:
        return float(response.headers.get("retry-after", 1)) if response is not None else 1.0
    except ValueError:
        return 1.0


def _explained(exc: Exception) -> str:
    """The server's own one-line reason where it gave one (403 with the agreement's, 400 …)."""
    response = _response(exc) if isinstance(exc, TransportServerError) else None
    return f"{response.status_code}: {response.text.strip()}" if response is not None else str(exc)


def verify_all(url: str, key: str, purpose: str, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    with client(url, key) as session:
        for batch in batches(ids):
            yield from verify(session, batch, purpose)["results"]


COLUMNS = ["given", "idNumber", "found", "problem", "basicAssistance", "householdSize", "restricted"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--print-document", action="store_true", help="print the document sent, and stop")
    parser.add_argument("--key", help="your API key (rg_…)")
    parser.add_argument("--purpose", help="one of your agreement's purpose codes")
    parser.add_argument("applicants", type=Path, nargs="?", help="one ID number per line")
    args = parser.parse_args(argv)
    if args.print_document:
        print(document_text())
        return 0
    if not (args.key and args.purpose and args.applicants):
        parser.error("--key, --purpose and the applicants file are needed")
    try:
        lines = args.applicants.read_text(encoding="utf-8").splitlines()
        writer = csv.writer(sys.stdout)
        writer.writerow(COLUMNS)
        for r in verify_all(args.url, args.key, args.purpose, lines):
            writer.writerow([";".join(v) if isinstance(v := r[c], list) else v for c in COLUMNS])
    except (OSError, httpx.HTTPError, TransportServerError) as exc:
        print(f"partner_client: {_explained(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
