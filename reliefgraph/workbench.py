"""The investigator workbench: static pages served by the app itself, calling only /graphql.

The libraries it draws with (cytoscape.js, Chart.js) are vendored from npm into
workbench/static/vendor; nothing is fetched from a CDN. A strict Content Security Policy
allows scripts, styles and connections to this origin only.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.glossary import served_glossary
from loaders.reference import read_reference
from settings import PROJECT_ROOT, Settings

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


def glossary_json(settings: Settings) -> bytes:
    """domain/glossary.json with the reference data's programme and department names."""
    reference = read_reference(settings.rules_file)
    body = served_glossary(
        {code: (p.name, p.name_en) for code, p in reference.programmes.items()},
        {code: (d.name, d.name_en) for code, d in reference.departments.items()},
    )
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def workbench_app(settings: Settings) -> ASGIApp:
    body = glossary_json(settings)

    async def glossary(_: Request) -> Response:
        return Response(body, media_type="application/json; charset=utf-8")

    return _SecurityHeaders(
        Router(
            [
                Route("/glossary.json", glossary),
                Mount("/", StaticFiles(directory=STATIC, html=True)),
            ]
        )
    )
