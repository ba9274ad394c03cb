"""The publicity list as CSV and as a printable page for a village notice board, and the
printable notice of an intended dishonesty record served on its subject (告知书).

Same data, same rules as the GraphQL `publicityList` (schema.publicity): the caller
authenticates with the same bearer token and may post only for their own area. The notice
is for the credit officers who serve it (notifyDishonestySubject's entry in the access
table) and is audited as a read of the record.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from access.operations import area as operation_area
from access.tokens import AgreementRefused, AuthenticationError, Authenticator
from credit.records import fetch_record
from domain.money import to_yuan
from domain.spreadsheet import spreadsheet_safe
from resolvers.context import RequestContext
from resolvers.gateway import GraphGateway, GraphUnavailable
from schema.errors import Forbidden
from schema.publicity import PublicityList, publicity_list
from settings import Settings

# The page's one script: the Print button. A CSP blocks inline handlers (onclick=…), so the
# button is wired by this script, which the CSP allows by its hash and nothing else may run.
PRINT_SCRIPT = "document.getElementById('print').addEventListener('click', () => window.print());"
_PRINT_HASH = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()
# The printable list is a static page: its own inline style and that script, nothing else.
PAGE_CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_PRINT_HASH}'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
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
            print_script=PRINT_SCRIPT,
        )
        return HTMLResponse(
            page,
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": PAGE_CSP,
                "X-Content-Type-Options": "nosniff",
            },
        )


BEHAVIOUR_ZH = {"false_report": "虚报", "concealment": "隐瞒", "deception": "欺骗"}
SEVERITY_ZH = {"general": "一般", "serious": "较重", "severe": "严重"}
SERVED_BY_ZH = {"in_person": "直接送达", "post": "邮寄送达", "publication": "公告送达"}


class CreditNoticePage:
    """GET /credit/notice.html?record=ID: the notice, once it has been served (recorded)."""

    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.settings = settings
        self.authenticator = authenticator

    async def html(self, request: Request) -> Response:
        try:
            principal = self.authenticator.authenticate(request.headers.get("authorization"))
        except AuthenticationError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        if operation_area(principal, ("Mutation", "notifyDishonestySubject")) is None:
            return JSONResponse({"error": "only credit officers serve notices"}, status_code=403)
        record_id = (request.query_params.get("record") or "").strip()
        if not record_id or len(record_id) > 64:
            return JSONResponse({"error": "give the record: ?record=DR…"}, status_code=400)
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
            r = await fetch_record(gateway, record_id)
            if r is None or r.get("source_agency") is not None:
                return JSONResponse({"error": "no such dishonesty record"}, status_code=404)
            if not r.get("notice_served_on"):
                return JSONResponse(
                    {"error": "record the notice first (notifyDishonestySubject): how and when it is served"},
                    status_code=409,
                )
            await ctx.audit.record_reads([r["id_number"]], "notice of intended decision", "dishonestyRecord")
        except GraphUnavailable as exc:
            return JSONResponse({"error": exc.message}, status_code=503, headers={"Retry-After": "5"})
        amount = to_yuan(r.get("amount_fen"))
        page = TEMPLATES.get_template("credit-notice.html").render(
            title="失信记录拟列入告知书",
            r=r,
            authority=r.get("deciding_authority") or "泗水县民政局",
            facts=(r.get("facts") or "").rstrip("。."),
            behaviour=BEHAVIOUR_ZH.get(r["behaviour"], r["behaviour"]),
            severity=SEVERITY_ZH.get(r["severity"], r["severity"]),
            amount="" if amount is None else amount,
            deadline=_zh_date(r["defence_deadline"]),
            served_by=SERVED_BY_ZH.get(r["notice_served_by"], r["notice_served_by"]),
            served_on=_zh_date(r["notice_served_on"]),
            today=_zh_date(date.today()),
        )
        return HTMLResponse(
            page,
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": PAGE_CSP,
                "X-Content-Type-Options": "nosniff",
            },
        )


def _zh_date(value: object) -> str:
    day = value.to_native() if hasattr(value, "to_native") else value
    return f"{day.year}年{day.month}月{day.day}日" if isinstance(day, date) else ""
