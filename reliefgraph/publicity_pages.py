"""The publicity list as CSV and as a printable page for a village notice board.

Same data, same rules as the GraphQL `publicityList` (schema.publicity): the caller
authenticates with the same bearer token and may post only for their own area.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from access.tokens import AgreementRefused, AuthenticationError, Authenticator
from domain.spreadsheet import spreadsheet_safe
from resolvers.context import RequestContext
from resolvers.gateway import GraphGateway, GraphUnavailable
from schema.errors import Forbidden
from schema.publicity import PublicityList, publicity_list
from settings import Settings

# The printable list is a static page: its own inline style, nothing else may load or run.
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
CSV_COLUMNS = (
    "outcome",
    "name",
    "village",
    "household_size",
    "programme",
    "programme_name",
    "monthly_amount",
    "reason",
    "publicity_start",
    "publicity_end",
)


class PublicityPages:
    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.settings = settings
        self.authenticator = authenticator

    async def _list(self, request: Request) -> PublicityList | Response:
        try:
            principal = self.authenticator.authenticate(request.headers.get("authorization"))
        except AuthenticationError as exc:
            status = 403 if isinstance(exc, AgreementRefused) else 401
            return JSONResponse({"error": str(exc)}, status_code=status)
        q = request.query_params
        try:
            start = date.fromisoformat(q["from"]) if q.get("from") else None
            end = date.fromisoformat(q["to"]) if q.get("to") else None
        except ValueError:
            return JSONResponse({"error": "from and to are dates, YYYY-MM-DD"}, status_code=400)
        if not q.get("area"):
            return JSONResponse({"error": "give the area: county, township or village code"}, status_code=400)
        gateway = GraphGateway(
            request.app.state.driver, self.settings.neo4j_database, self.settings.query_timeout_s
        )
        ctx = RequestContext(
            request=request,
            response=None,
            settings=self.settings,
            principal=principal,
            gateway=gateway,
            audit_writer=request.app.state.audit_writer,
        )
        try:
            result = await publicity_list(ctx, q["area"], q.get("programme"), start, end)
        except GraphUnavailable as exc:
            return JSONResponse({"error": exc.message}, status_code=503, headers={"Retry-After": "5"})
        if isinstance(result, Forbidden):
            return JSONResponse({"error": result.message}, status_code=403)
        if not isinstance(result, PublicityList):
            return JSONResponse({"error": result.message, "field": result.field}, status_code=400)
        return result

    async def csv(self, request: Request) -> Response:
        result = await self._list(request)
        if isinstance(result, Response):
            return result
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for e in [*result.proposed, *result.rejected]:
            writer.writerow(
                [
                    spreadsheet_safe(x)
                    for x in (
                        e.outcome,
                        e.name,
                        e.village,
                        e.household_size,
                        e.programme,
                        e.programme_name,
                        e.monthly_amount,
                        e.reason,
                        e.publicity_start,
                        e.publicity_end,
                    )
                ]
            )
        filename = f"publicity-{result.area_code}-{result.window_start}-{result.window_end}.csv"
        # UTF-8 with a BOM, so the spreadsheet programs in township halls read the Chinese right.
        return Response(
            "\ufeff" + buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def html(self, request: Request) -> Response:
        result = await self._list(request)
        if isinstance(result, Response):
            return result
        page = TEMPLATES.get_template("publicity.html").render(
            title="社会救助公示",
            area_code=result.area_code,
            area_name=result.area_name,
            programme=result.programme,
            window_start=result.window_start,
            window_end=result.window_end,
            proposed=result.proposed,
            rejected=result.rejected,
            today=date.today(),
        )
        return HTMLResponse(
            page,
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": PAGE_CSP,
                "X-Content-Type-Options": "nosniff",
            },
        )
