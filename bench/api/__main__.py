"""API benchmark: person 360 and a 3-hop linkage under 32 concurrent clients, against
@neo4j/graphql serving the same data, in one run.

    make bench-api        (or: python -m bench.api [--seconds 20] [--connections 32])

Serves the full synthetic county (loaded into the benchmark's own Neo4j if it is not there
yet), drives each endpoint with wrk (a real load generator, C, from Debian), and prints
req/s and p50/p95/p99. Ours runs as in production: authentication, role masking and an
audit event written for every read; @neo4j/graphql has none of these.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from access.principal import Principal, Role
from access.tokens import add_key
from bench.api import profile
from bench.county import OUT, bench_settings, start_with_county
from bench.machine import machine_line
from graph.driver import open_driver
from neo4j_server.local_server import free_port
from settings import Settings

HERE = Path(__file__).resolve().parent
PROFILE = OUT / "bench-api-profile.txt"
console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)

OURS_360 = (
    'query($id: String!) { person(idNumber: $id, purpose: "benchmark") { ... on Person { '
    "idNumber name sex birthDate memberships { householdId address members { idNumber name relation } } "
    "phones { number } bankAccounts { number bank } "
    "enrollments { enrollmentId programme monthlyAmount payments { paymentId period amount } } "
    "cases { caseId status programme } } } }"
)
# The same shape as ours: enrollments covering the person, granted to the person, and granted
# to the person's households (ours merges the three), each with its payments.
_THEIRS_ENROLLMENT = (
    "{ enrollment_id programme_code monthly_amount_fen payments { payment_id period amount_fen } }"
)
THEIRS_360 = (
    "query($id: String!) { people(where: {id_number: {eq: $id}}) { "
    "id_number name sex birth_date households { household_id address members { id_number name } "
    f"grants {_THEIRS_ENROLLMENT} }} "
    "phones { number } accounts { number bank } "
    f"covered_by {_THEIRS_ENROLLMENT} granted {_THEIRS_ENROLLMENT} "
    "applied { case_id status programme_code } } }"
)
LINKAGE_ONE = "reliefgraph: linkage, 3 hops, 1 client"
OURS_ME = "query { me { subject role } }"  # touches no database: the framework's floor
OURS_LINKAGE = (
    'query($id: String!) { linkage(key: $id, purpose: "benchmark", maxHops: 3) { ... on Linkage { '
    "nodes { id kind key } edges { source target type } } } }"
)


def _wait_http(url: str, process: subprocess.Popen[str], timeout_s: float = 120) -> None:
    """Poll until the server answers (any HTTP status), or fail if it exits or times out."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see the logs in {OUT}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.3)


def _sample_ids(settings: Settings, path: Path) -> int:
    with open_driver(settings) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (e:Enrollment)-[:COVERS]->(p:Person) WITH DISTINCT p ORDER BY p.id_number "
            "RETURN p.id_number AS id LIMIT 2000",
            database_=settings.neo4j_database,
        )
    path.write_text("".join(r["id"] + "\n" for r in records))
    return len(records)


def _wrk(port: int, query: str, ids: Path, auth: str, seconds: int, connections: int) -> dict[str, float]:
    env = {**os.environ, "BENCH_QUERY": query, "BENCH_IDS": str(ids), "BENCH_AUTH": auth}
    result = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "person360.lua"),
            f"http://127.0.0.1:{port}/graphql",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    stats = json.loads(line.removeprefix("RESULT "))
    stats["rps"] = stats["requests"] / stats["seconds"]
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for reliefgraph")
    parser.add_argument(
        "--repeats",
        type=int,
        default=4,
        help="measured runs of each endpoint (interleaved; even, so each 360 server goes first as "
        "often as the other)",
    )
    parser.add_argument(
        "--warmup-rounds",
        type=int,
        default=1,
        help="rounds of every endpoint before the measured ones, not counted",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample reliefgraph's workers with py-spy during the person 360 and print the split",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk (make bench-api does this)")
    if not (HERE / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)

    settings = bench_settings(api_keys_file=OUT / "bench-api-keys.toml")
    console.print(machine_line(settings))
    local, _ = start_with_county(settings, console)
    servers: list[subprocess.Popen[str]] = []
    try:
        ids = OUT / "bench-api-ids.txt"
        count = _sample_ids(settings, ids)
        key = add_key(settings.api_keys_file, Principal("bench", Role.INVESTIGATOR, department="MZ"))
        ours_port, theirs_port = free_port(), free_port()
        env = {
            **os.environ,
            "RELIEFGRAPH_STATE_DIR": str(settings.state_dir),
            "RELIEFGRAPH_BOLT_PORT": str(settings.bolt_port),
            "RELIEFGRAPH_API_KEYS_FILE": str(settings.api_keys_file),
            "RELIEFGRAPH_PORT": str(ours_port),
            # One key and one address at load-test rates: the rate limits would measure themselves.
            "RELIEFGRAPH_RATE_LIMIT_PRINCIPAL_PER_S": "0",
            "RELIEFGRAPH_RATE_LIMIT_ADDRESS_PER_S": "0",
        }
        # Server output goes to files: an unread pipe would fill up and stall the server.
        logs = [
            (OUT / "bench-api-reliefgraph.log").open("w"),
            (OUT / "bench-api-neo4j-graphql.log").open("w"),
        ]
        servers.append(
            subprocess.Popen(
                [sys.executable, "-m", "reliefgraph.cli", "serve", "--workers", str(args.workers)],
                env=env,
                text=True,
                stdout=logs[0],
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        servers.append(
            subprocess.Popen(
                [
                    "node",
                    str(HERE / "neo4j_graphql_server.mjs"),
                    str(theirs_port),
                    local.bolt_uri,
                    settings.neo4j_user,
                    local.password(),
                ],
                text=True,
                stdout=logs[1],
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        _wait_http(f"http://127.0.0.1:{ours_port}/readyz", servers[0])
        _wait_http(f"http://127.0.0.1:{theirs_port}/", servers[1])
        runs: dict[str, list[dict[str, float]]] = {}
        # Interleaved: a slow spell of the machine hits every endpoint. The rounds before the
        # measured ones warm Neo4j (just started: its JIT takes a minute or two of this load to
        # reach full speed) and both servers alike; without them the first endpoint measured
        # ran on a cold database (175 req/s against 480 in the next round, 2026-11-30).
        # The two person-360 servers take turns going first (ours, theirs; theirs, ours; …):
        # a machine still warming up, or drifting, favours neither side.
        for i in range(-args.warmup_rounds, args.repeats):
            pair = [
                ("reliefgraph: person 360", ours_port, OURS_360, f"Bearer {key}", args.connections),
                ("@neo4j/graphql: person 360", theirs_port, THEIRS_360, "", args.connections),
            ]
            for name, port, query, auth, clients in (
                *(pair if i % 2 == 0 else pair[::-1]),
                ("reliefgraph: me (no database)", ours_port, OURS_ME, f"Bearer {key}", args.connections),
                ("reliefgraph: linkage, 3 hops", ours_port, OURS_LINKAGE, f"Bearer {key}", args.connections),
                (LINKAGE_ONE, ours_port, OURS_LINKAGE, f"Bearer {key}", 1),
            ):
                what = (
                    f"warm-up round {i + args.warmup_rounds + 1}"
                    if i < 0
                    else f"run {i + 1} of {args.repeats}"
                )
                with console.status(f"{what}, {name}: {clients} clients for {args.seconds} s…"):
                    result = _wrk(port, query, ids, auth, args.seconds, clients)
                    if i >= 0:
                        runs.setdefault(name, []).append(result)
        if args.profile:  # a run of its own, not counted: sampling slows the workers it samples
            with console.status(f"person 360 under py-spy for {args.seconds} s…"):
                spy = profile.record(servers[0].pid, args.seconds, PROFILE)
                _wrk(ours_port, OURS_360, ids, f"Bearer {key}", args.seconds, args.connections)
                spy.wait(timeout=args.seconds + 60)
    finally:
        try:
            for server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()
        finally:
            local.stop()

    table = Table(
        title=f"API benchmark: {args.connections} concurrent clients, {args.seconds} s each, "
        f"{count} different recipients, {args.workers} reliefgraph worker(s); median of "
        f"{args.repeats} runs (min-max) after {args.warmup_rounds} round(s) of every endpoint not counted"
    )
    for col in ("what", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed"):
        table.add_column(col, justify="left" if col == "what" else "right")

    def cell(results: list[dict[str, float]], key: str, digits: int) -> str:
        values = [r[key] for r in results]
        return (
            f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"
        )

    for name, results in runs.items():
        table.add_row(
            name,
            cell(results, "rps", 0),
            cell(results, "p50_ms", 1),
            cell(results, "p95_ms", 1),
            cell(results, "p99_ms", 1),
            f"{sum(r['errors'] + r['non_2xx'] for r in results):,}",
        )
    console.print(table)
    ours, theirs = runs["reliefgraph: person 360"], runs["@neo4j/graphql: person 360"]
    ours_rps, theirs_rps = (statistics.median(r["rps"] for r in x) for x in (ours, theirs))
    ours_p95, theirs_p95 = (statistics.median(r["p95_ms"] for r in x) for x in (ours, theirs))
    linkage = runs["reliefgraph: linkage, 3 hops"]
    console.print(
        f"person 360 throughput, reliefgraph / @neo4j/graphql: {ours_rps / theirs_rps:.2f}× (ratio of "
        f"medians; target ≥ 1.0), p95 {ours_p95:.0f} ms against {theirs_p95:.0f} ms (target: no worse); "
        f"linkage at 3 hops: {sum(r['errors'] + r['non_2xx'] for r in linkage)} failed (target 0), p95 "
        f"{statistics.median(r['p95_ms'] for r in linkage):.0f} ms (target < 1000); at 1 client p50 "
        f"{statistics.median(r['p50_ms'] for r in runs[LINKAGE_ONE]):.0f} ms (target < 100)"
    )
    console.print(
        "@neo4j/graphql as configured: its Neo4jGraphQL schema over the same database and driver settings, "
        "no authentication, no masking, no audit (bench/api/neo4j_graphql_server.mjs)"
    )
    if args.profile and PROFILE.exists():
        console.print(
            "person 360, where reliefgraph's busy CPU went (py-spy, "
            f"{args.workers} workers, {args.seconds} s): " + profile.one_line(profile.split(PROFILE))
        )


if __name__ == "__main__":
    main()
