"""Keep-alive connections that spread again over the workers: a response now and then says
`Connection: close`.

uvicorn's workers share one listening socket, and whichever worker wakes first accepts
the connections waiting there: a burst of new connections (a client pool starting, or a
load test) can land 20 on one worker and 12 on the other, and a keep-alive connection
stays where it landed for as long as the client keeps it. The busier worker then answers
every one of its requests later — the tail of the latency is that worker's. Closing a
connection after some requests, as nginx does (`keepalive_requests`), makes the client
reconnect, and the reconnection goes to the worker that is free to accept it.

Each response closes its connection with probability 1/`requests`, so a connection serves
`requests` on average. Deciding by chance rather than counting keeps no per-connection
state and does not make connections opened together close together.
"""

from __future__ import annotations

import random

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class KeepAliveSpread:
    def __init__(self, app: ASGIApp, requests: int, chance: random.Random | None = None) -> None:
        self.app = app
        self.probability = 1.0 / requests if requests > 0 else 0.0  # 0: never close a connection
        self._chance = chance or random.Random()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.probability == 0.0 or self._chance.random() >= self.probability:
            await self.app(scope, receive, send)
            return

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing_send)
