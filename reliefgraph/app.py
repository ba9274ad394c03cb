"""The app factory: starlette with the GraphQL endpoint, health checks and limits.

The driver lives in lifespan state (no globals); each request gets its own context, graph
gateway and audit trail.
"""

from __future__ import annotations

import gc
import hmac
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from access.audit import AuditWriter
from access.handles import PersonHandles, handle_key
from access.operations import EVIDENCE_PACK_ROUTE, PUBLIC_FILE_ROUTE, PUBLIC_INDEX_ROUTE
from access.tokens import Authenticator, JwtConfig
from graph.driver import open_async_driver, open_driver
from graph.migrations import LATEST_VERSION, current_version, migrate
from jobs.runs import LAST_SUCCESS
from observability.logs import RequestLog
from observability.logs import configure as configure_logging
from observability.metrics import (
    audit_metrics,
    auth_failure_metrics,
    graph_metrics,
    personal_read_metrics,
    process_metrics,
    rate_limit_metrics,
)
from reliefgraph.attachment_routes import FORM_OVERHEAD, AttachmentRoutes
from reliefgraph.body_limit import BodySizeLimit
from reliefgraph.cache_control import NoStore
from reliefgraph.credit_inbound import CreditInbound
from reliefgraph.evidence_pages import EvidencePages
from reliefgraph.graphql_http import GraphQLView
from reliefgraph.keep_alive import KeepAliveSpread
from reliefgraph.public_pages import PublicPages
from reliefgraph.publicity_pages import CreditNoticePage, PublicityPages
from reliefgraph.rate_limit import Buckets, Lockout, RateLimits
from reliefgraph.report_pages import ReportPages, form_key
from reliefgraph.submissions import Submissions
from reliefgraph.warm_plans import plan_ahead
from reliefgraph.workbench import workbench_app
from resolvers.partners import ChangeSignal
from schema.build import build_schema
from settings import Settings


def _authenticator(settings: Settings) -> Authenticator:
    jwt_config = None
    if settings.jwt_key is not None:
        jwt_config = JwtConfig(
            settings.jwt_algorithm,
            settings.jwt_key.get_secret_value(),
            settings.jwt_issuer,
            settings.jwt_audience,
            settings.county_code,
            settings.jwt_max_lifetime_s,
        )
    # The files, not their contents: keys and agreements made while the server runs count at once.
    return Authenticator(
        settings.api_keys_file,
        jwt_config,
        allow_demo_keys=settings.development,
        agreements=settings.agreements_file,
    )


FINDINGS_BY_STATUS = "MATCH (f:Finding) RETURN f.kind AS kind, f.status AS status, count(*) AS count"


def _rate_limits(settings: Settings, authenticator: Authenticator, clock: Callable[[], float]) -> Middleware:
    return Middleware(
        RateLimits,
        authenticator=authenticator,
        addresses=Buckets(settings.rate_limit_address_per_s, settings.rate_limit_address_burst, clock),
        principals=Buckets(settings.rate_limit_principal_per_s, settings.rate_limit_principal_burst, clock),
        lockout=Lockout(
            settings.auth_failure_limit, settings.auth_failure_window_s, settings.auth_lockout_s, clock
        ),
        trusted_proxies=settings.trusted_proxies,
        on_refused=rate_limit_metrics,
        on_auth_failure=auth_failure_metrics,
    )


# Under these, answers may carry personal data (or are the pages that show it): never stored.
EVIDENCE_PACK_METHOD, EVIDENCE_PACK_PATH = EVIDENCE_PACK_ROUTE.split(" ")

NO_STORE_PREFIXES = (
    "/graphql",
    "/publicity",
    "/credit",
    "/workbench",
    "/feeds",
    "/report",
    "/investigations",
    "/attachments",
    "/evidence",
)


def create_app(settings: Settings, clock: Callable[[], float] = time.monotonic) -> Starlette:
    """`clock` times the rate limits (tests move it instead of sleeping)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Migrations run once, at start-up; the same driver loads partners' submissions.
        app.state.load_driver = open_driver(settings)
        migrate(app.state.load_driver, settings.neo4j_database)
        app.state.planning = plan_ahead(app.state.load_driver, settings)
        app.state.changes = ChangeSignal()
        app.state.driver = await open_async_driver(settings)
        app.state.audit_writer = AuditWriter(
            app.state.driver,
            settings.neo4j_database,
            settings.query_timeout_s,
            on_change=audit_metrics,
            on_commit=personal_read_metrics,
        )
        app.state.audit_writer.start()
        shared_key = handle_key(
            settings.handle_key.get_secret_value() if settings.handle_key else None, settings.state_dir
        )
        app.state.handles = PersonHandles(shared_key)
        app.state.form_key = form_key(shared_key)
        # What start-up built (the schema, the imported modules and their tables: some 300,000
        # objects) lives as long as the process. Out of the collector's sight, a full
        # collection no longer walks all of it while every request in flight waits: the person
        # 360's p95 under 32 clients fell from about 230 ms to 78 ms (python -m bench.api).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # collectable again: an app built and shut down in one process does not leak
            await app.state.audit_writer.stop()
            await app.state.driver.close()
            app.state.load_driver.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with request.app.state.driver.session(database=settings.neo4j_database) as session:
                result = await session.run(
                    "MATCH (v:SchemaVersion {key: 'reliefgraph'}) RETURN v.version AS v"
                )
                record = await result.single()
            version = record["v"] if record else 0
        except Exception:  # noqa: BLE001 - any failure means not ready; details stay in the logs
            return JSONResponse({"status": "unavailable", "neo4j": "unreachable"}, status_code=503)
        ready = version == LATEST_VERSION
        return JSONResponse(
            {"status": "ready" if ready else "migrating", "schema_version": version},
            status_code=200 if ready else 503,
        )

    async def metrics(request: Request) -> Response:
        if settings.metrics_token is not None and not hmac.compare_digest(
            request.headers.get("authorization", ""), f"Bearer {settings.metrics_token.get_secret_value()}"
        ):
            return JSONResponse({"error": "metrics need the metrics token"}, status_code=401)
        # Open only by choice in production: a forgotten token must not leave them to anyone who asks.
        if settings.metrics_token is None and not (settings.development or settings.metrics_open):
            return JSONResponse(
                {
                    "error": "metrics are closed: set RELIEFGRAPH_METRICS_TOKEN "
                    "(or RELIEFGRAPH_METRICS_OPEN=true)"
                },
                status_code=403,
            )
        try:
            async with request.app.state.driver.session(database=settings.neo4j_database) as session:
                findings = await (await session.run(FINDINGS_BY_STATUS)).data()
                jobs = await (await session.run(LAST_SUCCESS)).data()
        except Exception:  # noqa: BLE001 - the process's own metrics still matter when Neo4j is down
            findings, jobs = [], []
        return Response(process_metrics() + graph_metrics(findings, jobs), media_type=CONTENT_TYPE_LATEST)

    authenticator = _authenticator(settings)
    view = GraphQLView(build_schema(settings), settings, authenticator)
    publicity = PublicityPages(settings, authenticator)
    submissions = Submissions(settings, authenticator)
    reports = ReportPages(settings, clock)
    attachments = AttachmentRoutes(settings, authenticator)
    evidence = EvidencePages(settings, authenticator)
    public = PublicPages(settings)
    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),  # subscriptions (graphql-transport-ws)
            Route("/feeds/receipts/{receipt_id}/rejects.csv", submissions.rejects, methods=["GET"]),
            Route("/feeds/{feed}", submissions.submit, methods=["POST"]),
            Route("/publicity/list.csv", publicity.csv),
            Route("/publicity/list.html", publicity.html),
            Route("/credit/notice.html", CreditNoticePage(settings, authenticator).html),
            Route("/credit/inbound", CreditInbound(settings, authenticator).push, methods=["POST"]),
            # The public report form: no key (docs/investigations.md).
            Route("/report", reports.form, methods=["GET"]),
            Route("/report", reports.submit, methods=["POST"]),
            Route("/report/status", reports.status, methods=["GET", "POST"]),
            Route("/investigations/{investigation_id}/attachments", attachments.upload, methods=["POST"]),
            Route("/attachments/{attachment_id}", attachments.download, methods=["GET"]),
            Route(EVIDENCE_PACK_PATH, evidence.finding_pdf, methods=[EVIDENCE_PACK_METHOD]),
            # The public disclosure: keyless, read-only, off unless public_dir is set.
            Route(PUBLIC_INDEX_ROUTE.split(" ")[1], public.index, methods=["GET"]),
            Route(PUBLIC_FILE_ROUTE.split(" ")[1], public.file, methods=["GET"]),
            Mount("/workbench", workbench_app(settings), name="workbench"),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        middleware=[
            Middleware(KeepAliveSpread, requests=settings.keep_alive_requests),
            Middleware(RequestLog),
            Middleware(NoStore, prefixes=NO_STORE_PREFIXES),
            _rate_limits(settings, authenticator, clock),
            Middleware(
                BodySizeLimit,
                max_bytes=settings.max_body_bytes,
                larger={
                    "/feeds/": settings.max_submission_bytes,
                    "/credit/inbound": settings.credit_inbound_max_bytes,
                    "/investigations/": settings.attachment_max_bytes + FORM_OVERHEAD,
                },
            ),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """For uvicorn's worker processes: each builds its settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_format)
    return create_app(settings)


__all__ = ["create_app", "app_from_environment", "current_version"]
