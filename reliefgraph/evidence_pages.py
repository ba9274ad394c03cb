"""GET /evidence/finding/{finding_id}.pdf?purpose=…: a confirmed finding's evidence pack, made
for the caller (masked as their role reads), recorded in the audit chain, downloaded as an
attachment. Authorised by access/operations.ROUTES, like every other operation."""

from __future__ import annotations

from neo4j.exceptions import DriverError, Neo4jError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from access.operations import EVIDENCE_PACK_ROUTE, ROUTES, route_area
from access.tokens import AuthenticationError, Authenticator
from evidence.case_file import finding_case_file
from evidence.pack import Refusal, events, make, read_async, record_async, refusal
from evidence.pdf import FontMissing
from resolvers.gateway import GraphGateway, GraphUnavailable
from schema.findings import KIND_CATEGORIES
from schema.validation import purpose_problem
from settings import Settings

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
STATUS = {Refusal.NOT_FOUND: 404, Refusal.NOT_CONFIRMED: 409}


def _error(message: str, status: int, code: str, **more: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **more}, status_code=status, headers=NO_STORE)


class EvidencePages:
    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.settings = settings
        self.authenticator = authenticator

    async def finding_pdf(self, request: Request) -> Response:
        try:
            principal = self.authenticator.authenticate(request.headers.get("authorization"))
        except AuthenticationError as exc:
            return _error(str(exc), 401, "unauthenticated")
        if route_area(principal, EVIDENCE_PACK_ROUTE) is None:
            return _error(ROUTES[EVIDENCE_PACK_ROUTE].refused, 403, "forbidden")
        purpose = request.query_params.get("purpose", "")
        if (bad := purpose_problem(purpose)) is not None:
            return _error(bad.message, 400, "invalid_input", field="purpose")
        finding_id = request.path_params["finding_id"].strip()
        if not 1 <= len(finding_id) <= 200 or not finding_id.isprintable():
            return _error("name the finding by its id", 400, "invalid_input", field="finding_id")
        s = self.settings
        gateway = GraphGateway(request.app.state.driver, s.neo4j_database, s.query_timeout_s)
        try:
            found = await read_async(gateway, [finding_id])
            case = finding_case_file(finding_id, found)
            if (refused := refusal(case, found)) is not None:
                return _error(refused.message, STATUS[refused.code], refused.code.value)
            # Rendering is CPU work: off the event loop, so other requests go on meanwhile.
            pack = await run_in_threadpool(make, case, found, principal, s.evidence_font_file)
            kind = found.findings[0].finding.get("kind") or ""
            audit = events(pack, principal, purpose.strip(), KIND_CATEGORIES.get(kind, ["basic"]))
            await record_async(request.app.state.driver, s.neo4j_database, pack, case, principal, audit)
        except GraphUnavailable as exc:
            return _error(exc.message, 503, "unavailable")
        except (Neo4jError, DriverError):
            return _error("the graph database did not answer; try again", 503, "unavailable")
        except FontMissing as exc:
            return _error(str(exc), 503, "unavailable")
        return Response(
            pack.pdf,
            media_type="application/pdf",
            headers={
                **NO_STORE,
                "Content-Disposition": f'attachment; filename="evidence-{pack.pack_id}.pdf"',
                "X-Evidence-Pack": pack.pack_id,
                "X-Evidence-Manifest-SHA256": pack.manifest_sha256,
            },
        )
