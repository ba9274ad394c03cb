"""The public disclosure at /public/: the files `reliefgraph publish` wrote (jobs/publication.py),
served keyless and read-only when the settings name their folder (public_dir).

Static files, not generated per request: a keyless route never touches the graph, so it cannot
be made to run queries, and what it serves is exactly what was published and recorded in the
audit chain. Only the publication's own file names are served (no path from the request
reaches the file system). Public content: cached for a while, not no-store; a CSP with no
scripts, and nosniff.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from jobs.publication import published_files
from settings import Settings

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}


class PublicPages:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.names = frozenset(published_files())

    def _headers(self) -> dict[str, str]:
        return {
            "Cache-Control": f"public, max-age={self.settings.public_max_age_s}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CSP,
        }

    def _answer(self, name: str) -> Response:
        folder = self.settings.public_dir
        if folder is None:
            return PlainTextResponse("the public disclosure is not enabled here", status_code=404)
        if name not in self.names:
            return PlainTextResponse("no such file in the public disclosure", status_code=404)
        path: Path = folder / name
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return PlainTextResponse("not published yet", status_code=404)
        except OSError:
            return PlainTextResponse("the public disclosure cannot be read", status_code=503)
        return Response(body, media_type=MEDIA[path.suffix], headers=self._headers())

    async def index(self, request: Request) -> Response:
        return self._answer("index.html")

    async def file(self, request: Request) -> Response:
        return self._answer(request.path_params["name"])
