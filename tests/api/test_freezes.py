"""Requests that froze the server, sent to a real uvicorn with the limits `reliefgraph serve` uses:
each is refused or cut off while other clients are served."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest

from reliefgraph.app import create_app
from reliefgraph.header_limits import uvicorn_limits
from settings import Settings
from tests.serving import Served

REPEATED = "{ " + " ".join(["me { subject }"] * 400) + " }"  # 6 KB, within the size, token and field limits


@pytest.fixture
def quick(api_settings: Settings) -> Settings:
    return api_settings.model_copy(update={"header_timeout_s": 1.0, "max_connections": 40})


@pytest.fixture
def served(quick: Settings, keys: dict[str, str]) -> Iterator[Served]:
    # Built after `keys`: the app reads the key file when it is created.
    server = Served(create_app(quick), **uvicorn_limits(quick))
    try:
        yield server
    finally:
        server.stop()


def _address(served: Served) -> tuple[str, int]:
    host, port = served.base_url.removeprefix("http://").split(":")
    return host, int(port)


def _timed_health(http: httpx.Client) -> float:
    start = time.perf_counter()
    assert http.get("/healthz").status_code == 200
    return time.perf_counter() - start


def test_repeated_fields_are_refused_while_health_stays_fast(served: Served, keys: dict[str, str]) -> None:
    # The same field 400 times under one response name: graphql-core's overlap rule compares every
    # pair (0.9 s of CPU each). Thirty at once held /healthz for 23 s.
    auth = {"authorization": f"Bearer {keys['auditor']}", "accept": "application/json"}
    with httpx.Client(base_url=served.base_url, timeout=60) as http, ThreadPoolExecutor(31) as pool:
        idle = min(_timed_health(http) for _ in range(3))
        hostile = [
            pool.submit(http.post, "/graphql", json={"query": REPEATED}, headers=auth) for _ in range(30)
        ]
        during = pool.submit(_timed_health, http).result()
        responses = [f.result() for f in hostile]
        bodies = [r.json() for r in responses]
    assert during < max(1.0, 20 * idle), (idle, during)
    for body in bodies:
        assert body.get("data") is None
        assert "selects 'me' 400 times in one selection set" in body["errors"][0]["message"]


def _half_sent(address: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
    return sock


def _closed_after(sock: socket.socket) -> tuple[bytes, float]:
    """What the server sent before closing the connection, and when it closed it."""
    received = b""
    try:
        while chunk := sock.recv(4096):  # the socket's own timeout ends a wait for a server that never closes
            received += chunk
    except ConnectionResetError:
        pass
    return received, time.monotonic()


def test_half_sent_requests_are_closed_after_the_header_timeout(served: Served, quick: Settings) -> None:
    address = _address(served)
    start = time.monotonic()
    slow = [_half_sent(address) for _ in range(30)]
    # A keep-alive connection that served a request, then sends one byte of the next: uvicorn's own
    # keep-alive timer stops at that byte.
    idle = socket.create_connection(address, timeout=10)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert idle.recv(4096).startswith(b"HTTP/1.1 200")
    idle.sendall(b"G")
    try:
        with httpx.Client(base_url=served.base_url, timeout=5) as http:
            assert http.get("/healthz").status_code == 200  # a fresh client is served meanwhile
        results = [_closed_after(sock) for sock in [*slow, idle]]
    finally:
        for sock in [*slow, idle]:
            sock.close()
    for received, closed in results:
        assert received == b"" or received.startswith(b"HTTP/1.1 408")
        assert closed - start < quick.header_timeout_s + 3


def test_a_1_mb_header_is_refused_before_it_ends(served: Served, quick: Settings) -> None:
    sock = socket.create_connection(_address(served), timeout=10)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            for _ in range(16):  # 1 MB of one header's value, never finished
                sock.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection while the header was still arriving
        received, _ = _closed_after(sock)
    finally:
        sock.close()
    assert received.startswith(b"HTTP/1.1 431") or received == b""


def test_connections_beyond_the_limit_get_503(served: Served, quick: Settings) -> None:
    address = _address(served)
    held = [_half_sent(address) for _ in range(quick.max_connections)]
    try:
        with httpx.Client(base_url=served.base_url, timeout=5) as http:
            assert http.get("/healthz").status_code == 503
    finally:
        for sock in held:
            sock.close()
