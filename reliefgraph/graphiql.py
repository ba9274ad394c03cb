"""The GraphiQL page /graphql serves to a browser in the development profile.

Strawberry's own page loads React and GraphiQL from a public CDN, so on a county intranet
it never gets past "Loading…". Ours loads them from this app: they are vendored from npm
into workbench/static/vendor/graphiql (workbench/vendor.mjs) and started by
workbench/static/graphiql/start.js. A Content Security Policy allows scripts, styles and
connections to this origin only (fonts and icons also as data: URLs, which GraphiQL's CSS uses).
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse

PAGE = (Path(__file__).parent / "templates" / "graphiql.html").read_text(encoding="utf-8")
HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=HEADERS)
