"""The investigator workbench: static pages served by the app itself, calling only /graphql.

The libraries it draws with (cytoscape.js, Chart.js) are vendored from npm into
workbench/static/vendor; nothing is fetched from a CDN. A strict Content Security Policy
allows scripts, styles and connections to this origin only.
"""

from __future__ import annotations

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from settings import PROJECT_ROOT

STATIC = PROJECT_ROOT / "workbench" / "static"
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-cache"),
]


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


def workbench_app() -> ASGIApp:
    return _SecurityHeaders(StaticFiles(directory=STATIC, html=True))
