"""Refuse request bodies over a size limit (413), whether or not Content-Length is honest.

The rest of an oversized body is read and dropped before the answer (up to DRAIN_LIMIT):
a server that answers and closes while the client is still sending makes the client see a
connection reset instead of the 413.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_LIMIT = 64 * 1024 * 1024  # beyond this a client is not waiting for an answer: just close


class BodyTooLarge(Exception):
    pass


async def _drain(receive: Receive, already: int = 0) -> None:
    seen = already
    while seen <= DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # path prefix: its own limit (attachment uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = next(
            (n for prefix, n in self.larger.items() if scope["path"].startswith(prefix)), self.max_bytes
        )
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _drain(receive)
            await self._refuse(send)
            return
        seen = 0
        started = False
        body_read = False  # the last body message arrived: receiving again would wait for a disconnect

        async def limited_receive() -> Message:
            nonlocal seen, body_read
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                body_read = not message.get("more_body", False)
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                if not body_read:
                    await _drain(receive, seen)
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = b'{"errors":[{"message":"request body too large"}]}'
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
