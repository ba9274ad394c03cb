"""The public report form (投诉举报): a server-rendered page anyone may open without a key,
its POST, and a status page that answers a tracking code with the status alone.

No script runs on these pages (CSP: nothing loads, forms post only to this origin). A post
is accepted only from this origin (Origin or Sec-Fetch-Site, where the browser sends them)
and with a form token the page issued: an HMAC of the time it was issued, so it needs no
session and works across the API's workers. Posts are limited per client address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.reports import CATEGORY_ZH, PUBLIC_STATUS_EN, PUBLIC_STATUS_ZH, ReportCategory, ReportChannel
from reliefgraph.rate_limit import Buckets, client_address
from resolvers.gateway import GraphGateway, GraphUnavailable
from resolvers.reports import intake, public_status
from schema.reports import text_problem
from settings import Settings

PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: under no-referrer Chromium posts the form with `Origin: null`,
    # which the same-origin check refuses; other sites still get no referrer.
    "Referrer-Policy": "same-origin",
}
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
TOKEN_MAX_AGE_S = 2 * 3600  # a form left open longer is reloaded
PUBLIC = "public-form"  # who the events of a report from the form say took it


def form_key(handle_key: bytes) -> bytes:
    """The form tokens' key, derived from the one every worker shares (access/handles.py)."""
    return hmac.new(handle_key, b"report-form-token", hashlib.sha256).digest()


class ReportPages:
    def __init__(
        self,
        settings: Settings,
        limit_clock: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`limit_clock` times the per-address limit, `clock` the form tokens (tests move them)."""
        self.settings = settings
        self.clock = clock
        self.trusted = frozenset(settings.trusted_proxies)
        self.posts = Buckets(settings.report_form_per_hour / 3600, settings.report_form_burst, limit_clock)

    def _token(self, key: bytes) -> str:
        issued = f"{int(self.clock())}.{secrets.token_hex(8)}"
        return issued + "." + hmac.new(key, issued.encode(), hashlib.sha256).hexdigest()

    def _token_ok(self, key: bytes, token: str) -> bool:
        issued, _, mac = token.rpartition(".")
        stamp = issued.split(".")[0]
        if not stamp.isdigit() or not hmac.compare_digest(
            mac, hmac.new(key, issued.encode(), hashlib.sha256).hexdigest()
        ):
            return False
        return 0 <= self.clock() - int(stamp) <= TOKEN_MAX_AGE_S

    @staticmethod
    def _same_origin(request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is not None:
            return origin != "null" and urlsplit(origin).netloc == request.headers.get("host")
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")

    def _page(self, template: str, status: int = 200, **values: object) -> HTMLResponse:
        page = TEMPLATES.get_template(template).render(**values)
        return HTMLResponse(page, status_code=status, headers=HEADERS)

    def _form(
        self, request: Request, status: int = 200, error: str | None = None, **kept: str
    ) -> HTMLResponse:
        return self._page(
            "report_form.html",
            status,
            token=self._token(request.app.state.form_key),
            categories=[(c.value, CATEGORY_ZH[c]) for c in ReportCategory],
            error=error,
            kept=kept,
        )

    def _gateway(self, request: Request) -> GraphGateway:
        # No principal: the public reads nothing but a status, and writes only a new report.
        return GraphGateway(
            request.app.state.driver, self.settings.neo4j_database, self.settings.query_timeout_s
        )

    async def form(self, request: Request) -> Response:
        return self._form(request)

    async def submit(self, request: Request) -> Response:
        if not self._same_origin(request):
            return self._page(
                "report_message.html", 403, message="请从本站的举报页面提交。Submit from this site's form."
            )
        wait = self.posts.take(client_address(request.scope, self.trusted))
        if wait > 0:
            return self._page(
                "report_message.html",
                429,
                message=f"提交过于频繁，请{int(wait) // 60 + 1}分钟后再试。Too many reports from here; "
                "try later.",
            )
        form = await request.form(max_files=0, max_fields=10)
        values = {
            k: str(form.get(k) or "") for k in ("category", "summary", "named_text", "contact", "token")
        }
        kept = {k: values[k] for k in ("category", "summary", "named_text", "contact")}
        if not self._token_ok(request.app.state.form_key, values["token"]):
            return self._form(
                request, 400, "表单已过期，请重新提交。The form expired; submit it again.", **kept
            )
        if values["category"] not in {c.value for c in ReportCategory}:
            return self._form(request, 400, "请选择举报类别。Choose a category.", **kept)
        for field, low, high, zh in (
            ("summary", 10, 4000, "举报内容"),
            ("named_text", 0, 500, "被举报人或单位"),
            ("contact", 0, 200, "联系方式"),
        ):
            if (bad := text_problem(values[field], field, low, high)) is not None:
                return self._form(request, 400, f"{zh}：{bad.message}", **kept)
        try:
            _, code = await intake(
                self._gateway(request),
                self.settings,
                category=ReportCategory(values["category"]),
                channel=ReportChannel.ONLINE,
                summary=values["summary"],
                named_text=values["named_text"],
                reporter_contact=values["contact"],
                by=PUBLIC,
                role="public",
            )
        except GraphUnavailable:
            return self._page(
                "report_message.html", 503, message="系统暂不可用，请稍后再试。Try again later."
            )
        return self._page("report_received.html", code=code)

    async def status(self, request: Request) -> Response:
        if request.method == "GET":
            return self._page("report_status.html", token=self._token(request.app.state.form_key))
        if not self._same_origin(request):
            return self._page(
                "report_message.html", 403, message="请从本站的查询页面提交。Use this site's page."
            )
        if self.posts.take("status:" + client_address(request.scope, self.trusted)) > 0:
            return self._page(
                "report_message.html", 429, message="查询过于频繁，请稍后再试。Try again later."
            )
        form = await request.form(max_files=0, max_fields=5)
        code = str(form.get("code") or "")[:40]
        token = str(form.get("token") or "")
        if not self._token_ok(request.app.state.form_key, token):
            return self._page(
                "report_status.html",
                400,
                token=self._token(request.app.state.form_key),
                error="表单已过期，请重新查询。The form expired.",
            )
        try:
            found = await public_status(self._gateway(request), code)
        except GraphUnavailable:
            return self._page(
                "report_message.html", 503, message="系统暂不可用，请稍后再试。Try again later."
            )
        return self._page(
            "report_status.html",
            404 if found is None else 200,
            token=self._token(request.app.state.form_key),
            error=None if found else "查无此编号。No report has this tracking code.",
            status_zh=PUBLIC_STATUS_ZH.get(found) if found else None,  # type: ignore[call-overload]
            status_en=PUBLIC_STATUS_EN.get(found) if found else None,  # type: ignore[call-overload]
        )
