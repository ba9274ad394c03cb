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
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from access.principal import Principal, Role
from access.tokens import add_key
from bench.county import OUT, bench_settings, start_with_county
from graph.driver import open_driver
from graph.local_server import free_port
from reliefgraph.settings import Settings

HERE = Path(__file__).resolve().parent
console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)

OURS_360 = ('query($id: String!) { person(idNumber: $id, purpose: "benchmark") { ... on Person { '
            "idNumber name sex birthDate memberships { householdId address members { idNumber name relation } } "
            "phones { number } bankAccounts { number bank } "
            "enrollments { enrollmentId programme monthlyAmount payments { paymentId period amount } } "
            "cases { caseId status programme } } } }")
THEIRS_360 = ("query($id: String!) { people(where: {id_number: {eq: $id}}) { "
              "id_number name sex birth_date households { household_id address members { id_number name } } "
              "phones { number } accounts { number bank } "
              "covered_by { enrollment_id programme_code monthly_amount_fen payments { payment_id period amount_fen } } "
              "applied { case_id status programme_code } } }")
OURS_LINKAGE = ('query($id: String!) { linkage(key: $id, purpose: "benchmark", maxHops: 3) { ... on Linkage { '
                "nodes { id kind key } edges { source target type } } } }")


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
            "RETURN p.id_number AS id LIMIT 2000", database_=settings.neo4j_database)
    path.write_text("".join(r["id"] + "\n" for r in records))
    return len(records)


def _wrk(port: int, query: str, ids: Path, auth: str, seconds: int, connections: int) -> dict[str, float]:
    env = {**os.environ, "BENCH_QUERY": query, "BENCH_IDS": str(ids), "BENCH_AUTH": auth}
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(HERE / "person360.lua"),
         f"http://127.0.0.1:{port}/graphql"], env=env, capture_output=True, text=True, check=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    stats = json.loads(line.removeprefix("RESULT "))
    stats["rps"] = stats["requests"] / stats["seconds"]
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for reliefgraph")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk (make bench-api does this)")
    if not (HERE / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)

    settings = bench_settings(api_keys_file=OUT / "bench-api-keys.toml")
    local, _ = start_with_county(settings, console)
    servers: list[subprocess.Popen[str]] = []
    try:
        ids = OUT / "bench-api-ids.txt"
        count = _sample_ids(settings, ids)
        key = add_key(settings.api_keys_file, Principal("bench", Role.INVESTIGATOR, department="MZ"))
        ours_port, theirs_port = free_port(), free_port()
        env = {**os.environ, "RELIEFGRAPH_STATE_DIR": str(settings.state_dir),
               "RELIEFGRAPH_BOLT_PORT": str(settings.bolt_port), "RELIEFGRAPH_API_KEYS_FILE": str(settings.api_keys_file),
               "RELIEFGRAPH_PORT": str(ours_port)}
        # Server output goes to files: an unread pipe would fill up and stall the server.
        logs = [(OUT / "bench-api-reliefgraph.log").open("w"), (OUT / "bench-api-neo4j-graphql.log").open("w")]
        servers.append(subprocess.Popen([sys.executable, "-m", "reliefgraph.cli", "serve", "--workers",
                                         str(args.workers)], env=env, text=True,
                                        stdout=logs[0], stderr=subprocess.STDOUT, start_new_session=True))
        servers.append(subprocess.Popen(
            ["node", str(HERE / "neo4j_graphql_server.mjs"), str(theirs_port), local.bolt_uri,
             settings.neo4j_user, local.password()], text=True, stdout=logs[1], stderr=subprocess.STDOUT,
            start_new_session=True))
        _wait_http(f"http://127.0.0.1:{ours_port}/readyz", servers[0])
        _wait_http(f"http://127.0.0.1:{theirs_port}/", servers[1])
        runs = {}
        for name, port, query, auth in (
            ("reliefgraph: person 360", ours_port, OURS_360, f"Bearer {key}"),
            ("@neo4j/graphql: person 360", theirs_port, THEIRS_360, ""),
            ("reliefgraph: linkage, 3 hops", ours_port, OURS_LINKAGE, f"Bearer {key}"),
        ):
            with console.status(f"{name}: {args.connections} clients for {args.seconds} s…"):
                _wrk(port, query, ids, auth, 3, args.connections)  # warm-up, not counted
                runs[name] = _wrk(port, query, ids, auth, args.seconds, args.connections)
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

    table = Table(title=f"API benchmark: {args.connections} concurrent clients, {args.seconds} s each, "
                        f"{count} different recipients, {args.workers} reliefgraph worker(s)")
    for col in ("what", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed"):
        table.add_column(col, justify="left" if col == "what" else "right")
    for name, r in runs.items():
        table.add_row(name, f"{r['rps']:,.0f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['p99_ms']:.1f}",
                      f"{r['errors'] + r['non_2xx']:,}")
    console.print(table)
    ours, theirs = runs["reliefgraph: person 360"], runs["@neo4j/graphql: person 360"]
    console.print(f"person 360 throughput, reliefgraph / @neo4j/graphql: {ours['rps'] / theirs['rps']:.2f}×  "
                  f"(targets: p95 < 50 ms at 32 clients, got {ours['p95_ms']:.1f} ms; ratio ≥ 1)")


if __name__ == "__main__":
    main()
