"""Batch verification: 1,000 ID numbers in one verifyPersons request, against the same 1,000
sent as single restrictionStatus requests (the baseline, in the same run).

    python -m bench.verify [--scale small|medium|full] [--repeats 10]

Serves the API in this process (uvicorn, one worker, rate limits off) on the benchmark's own
Neo4j holding the synthetic county of that scale, with a partner key of the education bureau
(JT) under an agreement. Prints the batch's p50/p95 and ID numbers a second, the singles' ID
numbers a second, and the ratio. Both sides write their audit events, as in production.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from datetime import date

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table

from access.agreements import add_agreement, read_agreements
from access.principal import Principal, Role
from access.tokens import add_key
from bench.county import bench_settings, start_with_county
from bench.machine import machine_line
from graph.driver import open_driver
from reliefgraph.app import create_app
from settings import Settings

console = Console(width=130)
AGREEMENT = "AGR-BENCH-JT"
BATCH = (
    'query($ids: [String!]!) { verifyPersons(idNumbers: $ids, purpose: "EDU_AID_ELIGIBILITY") '
    "{ ... on VerificationBatch { found results { idNumber found basicAssistance householdSize restricted "
    "enrollments { enrollmentId } } } } }"
)
SINGLE = (
    'query($id: String!) { restrictionStatus(idNumber: $id, purpose: "education aid check") '
    "{ ... on RestrictionStatus { restricted } } }"
)
# Up to half the persons of JT's programmes (found), the rest anyone (mostly outside its reach).
SAMPLE = """
CALL () {
  MATCH (:Programme {department_code: 'JT'})<-[:FOR_PROGRAMME]-(:Enrollment)-[:COVERS|GRANTED_TO]->(p:Person)
  RETURN DISTINCT p.id_number AS id ORDER BY id LIMIT $half
  UNION
  MATCH (p:Person) WHERE p.id_number STARTS WITH '3708' RETURN p.id_number AS id ORDER BY id DESC LIMIT $n
}
RETURN id
"""


def _key(settings: Settings) -> str:
    if AGREEMENT not in read_agreements(settings.agreements_file):
        add_agreement(
            settings.agreements_file,
            agreement_id=AGREEMENT,
            department="JT",
            programmes=["EDU"],
            categories=["identity", "basic", "benefits", "credit"],
            purposes=["EDU_AID_ELIGIBILITY"],
            valid_from=date(2026, 1, 1),
            valid_until=None,
            signatories=["bench", "bench"],
            document="bench",
        )
    agreement = read_agreements(settings.agreements_file)[AGREEMENT]
    return add_key(
        settings.api_keys_file, Principal("bench-jt", Role.DEPARTMENT_PARTNER, "JT"), agreement=agreement
    )


def _serve(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}/graphql"


def _p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="small", choices=["small", "medium", "full"])
    parser.add_argument("--repeats", type=int, default=10, help="batches of 1,000 measured")
    parser.add_argument("--ids", type=int, default=1000)
    args = parser.parse_args()
    # The full county is the one bench.api loads (the same Neo4j); smaller ones have their own.
    shared = bench_settings().state_dir
    state = shared if args.scale == "full" else shared.parent / f"bench-verify-{args.scale}"
    settings = bench_settings(
        state_dir=state,
        api_keys_file=state / "verify-api-keys.toml",
        agreements_file=state / "verify-agreements.toml",
        rate_limit_address_per_s=0,
        rate_limit_principal_per_s=0,
        trusted_documents=False,
        max_body_bytes=256 * 1024,
        query_timeout_s=60.0,  # the first batch plans its statement, slow on a loaded machine
        # A small or medium county needs less than the full county's memory.
        **({} if args.scale == "full" else {"heap_size": "1g", "pagecache_size": "1g"}),
    )
    local, _ = start_with_county(settings, console, args.scale)
    try:
        with open_driver(settings) as driver:
            records, _, _ = driver.execute_query(
                SAMPLE, half=args.ids // 2, n=args.ids, database_=settings.neo4j_database
            )
        ids = [r["id"] for r in records][: args.ids]
        key = _key(settings)
        server, thread, url = _serve(settings)
        headers = {"authorization": f"Bearer {key}"}
        try:
            with httpx.Client(headers=headers, timeout=60) as client:
                client.post(
                    url, json={"query": BATCH, "variables": {"ids": ids}}
                ).raise_for_status()  # warm-up
                batch_s = []
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    response = client.post(url, json={"query": BATCH, "variables": {"ids": ids}})
                    batch_s.append(time.perf_counter() - start)
                    response.raise_for_status()
                found = response.json()["data"]["verifyPersons"]["found"]
                single_s = []
                for id_number in ids:
                    start = time.perf_counter()
                    # A 503 (Neo4j busy past the API's short retry) is sent again, and its time counted.
                    for _ in range(5):
                        one = client.post(url, json={"query": SINGLE, "variables": {"id": id_number}})
                        if one.status_code != 503:
                            break
                    one.raise_for_status()
                    single_s.append(time.perf_counter() - start)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        local.stop()
    batch_rate = len(ids) / statistics.median(batch_s)
    single_rate = len(ids) / sum(single_s)
    table = Table(title=f"verifyPersons, {args.scale} county, {len(ids)} ID numbers ({found} found)")
    for column in ("endpoint", "requests", "p50 ms", "p95 ms", "ID numbers/s"):
        table.add_column(column, justify="right" if column != "endpoint" else "left")
    table.add_row(
        f"verifyPersons × {len(ids)}",
        str(len(batch_s)),
        f"{statistics.median(batch_s) * 1000:.0f}",
        f"{_p(batch_s, 95) * 1000:.0f}",
        f"{batch_rate:,.0f}",
    )
    table.add_row(
        "restrictionStatus, one each (baseline)",
        str(len(single_s)),
        f"{statistics.median(single_s) * 1000:.1f}",
        f"{_p(single_s, 95) * 1000:.1f}",
        f"{single_rate:,.0f}",
    )
    console.print(machine_line(settings))
    console.print(table)
    console.print(f"batch / singles: {batch_rate / single_rate:.1f}× the ID numbers a second")


if __name__ == "__main__":
    main()
