"""End to end: `reliefgraph serve` in its own process, a real socket, the real Neo4j."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx2 as httpx

from neo4j_server.local_server import free_port
from settings import Settings
from tests.api.conftest import PERSON_360
from tests.loaders.mini_county import WANG


def _environment(settings: Settings, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELIEFGRAPH_", "NEO4J_"))}
    env.update(
        {
            "RELIEFGRAPH_PORT": str(port),
            "RELIEFGRAPH_API_KEYS_FILE": str(settings.api_keys_file),
            "RELIEFGRAPH_STATE_DIR": str(settings.state_dir),
            "RELIEFGRAPH_BOLT_PORT": str(settings.bolt_port),
        }
    )
    if settings.neo4j_uri:
        env.update(
            {
                "NEO4J_URI": settings.neo4j_uri,
                "NEO4J_USERNAME": settings.neo4j_user,
                "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()
                if settings.neo4j_password
                else "",
            }
        )
    return env


def _post_raw(port: int, size: int) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % size
        )
        for start in range(0, size, 65536):
            sock.sendall(b"x" * min(65536, size - start))
        return sock.recv(4096)


def _start(settings: Settings, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reliefgraph.cli", "serve", "--port", str(port)],
        env=_environment(settings, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _ready(http: httpx.Client, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:  # poll readiness: the server says when it is ready
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            if http.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not become ready"
        time.sleep(0.2)


def test_two_servers_share_one_audit_trail_and_lose_no_event(
    api_settings: Settings, keys: dict[str, str], graph, county
) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    from access.audit_chain import verify_chain

    ports = [free_port(), free_port()]
    servers = [_start(api_settings, port) for port in ports]
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    before = graph.execute_query(
        "MATCH (e:AuditEvent) RETURN count(e) AS n", database_=api_settings.neo4j_database
    ).records[0]["n"]
    try:
        for http, server in zip(clients, servers, strict=True):
            _ready(http, server)

        def read(i: int) -> int:
            response = clients[i % 2].post(
                "/graphql",
                json={"query": PERSON_360, "variables": {"id": WANG, "purpose": f"two servers {i}"}},
                headers={"authorization": f"Bearer {keys['caseworker']}"},
            )
            assert response.status_code == 200 and response.json()["data"]["person"] is not None, (
                response.text
            )
            assert response.json()["data"]["person"]["idNumber"] == WANG
            return i

        with ThreadPoolExecutor(8) as pool:
            assert len(list(pool.map(read, range(40)))) == 40
    finally:
        for http in clients:
            http.close()
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    rows = graph.execute_query(
        "MATCH (e:AuditEvent) WHERE e.purpose STARTS WITH 'two servers ' "
        "RETURN count(DISTINCT e.purpose) AS reads, count(e) AS n",
        database_=api_settings.neo4j_database,
    ).records[0]
    assert rows["reads"] == 40  # every read left its events, from either server
    report = verify_chain(graph, api_settings.neo4j_database)
    assert report.ok and report.events == before + rows["n"]  # one chain, no fork, no gap


def test_served_by_uvicorn(api_settings: Settings, keys: dict[str, str], county) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    server = _start(api_settings, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            _ready(http, server)
            response = http.post(
                "/graphql",
                json={"query": PERSON_360, "variables": {"id": WANG, "purpose": "end-to-end test"}},
                headers={
                    "authorization": f"Bearer {keys['caseworker']}",
                    "accept": "application/graphql-response+json",
                },
            )
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("application/graphql-response+json")
            assert response.json()["data"]["person"]["idNumber"] == WANG
            assert "server" not in response.headers  # no version banner
            assert http.post("/graphql", json={"query": "{ me { role } }"}).status_code == 401
            # A 10 MB body, sent as a client on a real network does (in pieces, while the
            # server may already have answered): a 413 it can read, not a connection reset.
            assert _post_raw(port, 10_000_000).startswith(b"HTTP/1.1 413")
            # serve's header limit: a header that does not end is refused, not buffered.
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536)
                assert sock.recv(4096).startswith(b"HTTP/1.1 431")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
