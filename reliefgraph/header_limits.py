"""The request headers' deadline and size, which uvicorn does not limit itself.

uvicorn's httptools protocol waits for headers as long as a client takes to send them and
buffers them whole: 600 half-sent requests held their connections (and file descriptors)
for as long as the clients liked, and a 64 MB header was read and answered. This protocol
arms a timer when a connection opens, and again when it falls idle after a response
(uvicorn's keep-alive timer stops at the first byte of the next request, so a byte a minute
would hold it for ever); the timer stops when the headers are complete, and closes the
connection with 408 if it fires first. The header bytes are counted as they arrive; past
the limit the client gets 431 and the connection is closed, so at most one read beyond the
limit is ever buffered.

The uvicorn options that go with it (keep-alive timeout, concurrency) are set here too,
so that `reliefgraph serve` and the tests run the same server.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from settings import Settings


class _HeadersTooLarge(Exception):
    pass


class HeaderLimitedProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, header_timeout_s: float, max_header_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_s = header_timeout_s
        self.max_header_bytes = max_header_bytes
        self.header_timer: asyncio.TimerHandle | None = None
        self.awaiting_headers = True
        self.received_bytes = 0  # read while the headers are incomplete: bounds what is buffered
        self.parsed_bytes = 0  # of this request's URL and headers, as the parser hands them over
        self.refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.awaiting_headers:
            self.received_bytes += len(data)
        super().data_received(data)
        if self.awaiting_headers and self.received_bytes > self.max_header_bytes and not self.refused:
            self._refuse(431, "request headers too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.parsed_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.awaiting_headers = False
        self._stop_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.awaiting_headers, self.received_bytes = True, 0  # what follows is the next request

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # idle, waiting for the next request
            self._await_headers()

    def send_400_response(self, msg: str) -> None:
        # uvicorn's answer to a parser error, among them the one _count raises from a callback.
        if not self.refused:
            if self.parsed_bytes > self.max_header_bytes:
                self._refuse(431, "request headers too large")
            else:
                self._refuse(400, msg)

    def _count(self, size: int) -> None:
        self.parsed_bytes += size
        if self.parsed_bytes > self.max_header_bytes:
            raise _HeadersTooLarge  # the parser stops and reports it: send_400_response

    def _await_headers(self) -> None:
        self._stop_timer()
        self.header_timer = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _stop_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_late(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            self._refuse(408, "request headers not received in time")

    def _refuse(self, status: int, message: str) -> None:
        self.refused = True
        self._stop_timer()
        body = message.encode("ascii")
        self.transport.write(
            b"".join(
                [
                    STATUS_LINE[status],
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body),
                    body,
                ]
            )
        )
        self.transport.close()


def uvicorn_limits(settings: Settings) -> dict[str, Any]:
    """uvicorn.Config's keyword arguments for the connection limits in the settings."""
    return {
        "http": partial(
            HeaderLimitedProtocol,
            header_timeout_s=settings.header_timeout_s,
            max_header_bytes=settings.max_header_bytes,
        ),
        "timeout_keep_alive": settings.keep_alive_timeout_s,
        "limit_concurrency": settings.max_connections,
        "h11_max_incomplete_event_size": settings.max_header_bytes,  # should h11 ever be chosen instead
    }
