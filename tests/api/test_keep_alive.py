"""Keep-alive connections closed now and then by the server, so clients spread over workers."""

from __future__ import annotations

import random

import httpx2 as httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from reliefgraph.app import create_app
from reliefgraph.keep_alive import KeepAliveSpread
from settings import Settings
from tests.serving import Served


async def client_port(request: Request) -> PlainTextResponse:
    assert request.client is not None
    return PlainTextResponse(str(request.client.port))  # one TCP connection, one client port


def connections_used(requests: int, sent: int, seed: int = 7) -> tuple[int, int]:
    """(distinct TCP connections the server saw, responses before the last that said close)
    for `sent` requests from one keep-alive client through real uvicorn."""
    app = KeepAliveSpread(
        Starlette(routes=[Route("/", client_port)]), requests=requests, chance=random.Random(seed)
    )
    served = Served(app, lifespan="off")
    try:
        with httpx.Client(base_url=served.base_url, limits=httpx.Limits(max_connections=1)) as http:
            responses = [http.get("/") for _ in range(sent)]
    finally:
        served.stop()
    assert all(r.status_code == 200 for r in responses)
    return len({r.text for r in responses}), sum(
        r.headers.get("connection") == "close" for r in responses[:-1]
    )


def test_a_connection_serves_about_the_configured_number_of_requests_then_the_client_reconnects() -> None:
    connections, closed = connections_used(requests=20, sent=1000)
    # 1000 requests at 1/20: 50 closes expected (standard deviation 6.9); every close is a reconnection.
    assert 20 <= closed <= 80
    assert connections == closed + 1


def test_zero_never_closes_and_one_closes_every_connection() -> None:
    assert connections_used(requests=0, sent=50) == (1, 0)
    assert connections_used(requests=1, sent=50) == (50, 49)


def test_the_api_closes_connections_as_its_settings_say(api_settings: Settings) -> None:
    closing = api_settings.model_copy(update={"keep_alive_requests": 1})
    with TestClient(create_app(closing)) as client:
        assert client.get("/healthz").headers.get("connection") == "close"
    with TestClient(create_app(api_settings.model_copy(update={"keep_alive_requests": 0}))) as client:
        assert "connection" not in client.get("/healthz").headers
