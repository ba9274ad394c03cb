"""Attachments over HTTP: an investigator uploads a file to an investigation (multipart,
field `file`) and downloads it again. Authorised by access/operations.ROUTES; the content
is stored by its hash (resolvers/attachments.py) and served only as a download: never
rendered by the browser, never cached, its type the one read from its content."""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from access.audit import AuditTrail
from access.operations import route_area
from access.principal import Principal
from access.tokens import AuthenticationError, Authenticator
from resolvers.attachments import AttachmentRefused, AttachmentStore, safe_filename, sniff
from resolvers.gateway import GraphGateway, GraphUnavailable
from resolvers.investigations import add_attachment, fetch_attachment
from schema.validation import purpose_problem
from settings import Settings

UPLOAD = "POST /investigations/{investigation_id}/attachments"
DOWNLOAD = "GET /attachments/{attachment_id}"
FORM_OVERHEAD = 16 * 1024  # multipart boundaries and headers around the file


def store_for(settings: Settings) -> AttachmentStore:
    return AttachmentStore(settings.state_dir / "attachments")


class AttachmentRoutes:
    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.settings = settings
        self.authenticator = authenticator
        self.store = store_for(settings)

    def _principal(self, request: Request, route: str) -> Principal | Response:
        try:
            principal = self.authenticator.authenticate(request.headers.get("authorization"))
        except AuthenticationError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        if route_area(principal, route) is None:
            return JSONResponse({"error": "attachments are for investigators"}, status_code=403)
        return principal

    def _gateway(self, request: Request) -> GraphGateway:
        return GraphGateway(
            request.app.state.driver, self.settings.neo4j_database, self.settings.query_timeout_s
        )

    async def upload(self, request: Request) -> Response:
        principal = self._principal(request, UPLOAD)
        if isinstance(principal, Response):
            return principal
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return JSONResponse(
                {"error": "send the file as multipart/form-data, field 'file'"}, status_code=400
            )
        try:
            form = await request.form(
                max_files=1, max_fields=2, max_part_size=self.settings.attachment_max_bytes
            )
        except Exception as exc:  # noqa: BLE001 - a malformed body is the client's: one line, not a trace
            return JSONResponse({"error": f"unreadable upload: {str(exc)[:200]}"}, status_code=400)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return JSONResponse(
                {"error": "send the file as multipart/form-data, field 'file'"}, status_code=400
            )
        content = await upload.read(self.settings.attachment_max_bytes + 1)
        if len(content) > self.settings.attachment_max_bytes:
            return JSONResponse(
                {"error": f"attachments are at most {self.settings.attachment_max_bytes} bytes"},
                status_code=413,
            )
        if not content:
            return JSONResponse({"error": "the file is empty"}, status_code=400)
        try:
            media_type = sniff(content)
        except AttachmentRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=415)
        digest = self.store.put(content)
        try:
            row = await add_attachment(
                self._gateway(request),
                request.path_params["investigation_id"].strip(),
                sha256=digest,
                media_type=media_type,
                size=len(content),
                filename=safe_filename(upload.filename, media_type),
                by=principal.subject,
                role=principal.role.value,
            )
        except GraphUnavailable as exc:
            return JSONResponse({"error": exc.message}, status_code=503, headers={"Retry-After": "5"})
        if row is None:
            return JSONResponse({"error": "no such investigation"}, status_code=404)
        return JSONResponse(
            {
                "attachmentId": row["attachment_id"],
                "sha256": row["sha256"],
                "mediaType": row["media_type"],
                "size": row["size"],
                "filename": row["filename"],
            },
            status_code=201,
        )

    async def download(self, request: Request) -> Response:
        principal = self._principal(request, DOWNLOAD)
        if isinstance(principal, Response):
            return principal
        purpose = request.query_params.get("purpose", "")
        if (bad := purpose_problem(purpose)) is not None:
            return JSONResponse({"error": bad.message, "field": "purpose"}, status_code=400)
        gateway = self._gateway(request)
        try:
            row = await fetch_attachment(gateway, request.path_params["attachment_id"].strip()[:60])
            if row is None:
                return JSONResponse({"error": "no such attachment"}, status_code=404)
            content = self.store.get(row["attachment"]["sha256"])
            if content is None:
                return JSONResponse(
                    {"error": "the attachment's content is missing from the store"}, status_code=410
                )
            trail = AuditTrail(gateway, principal, request.app.state.audit_writer)
            await trail.record_reads(sorted(set(row["persons"])), purpose, "attachment")
        except GraphUnavailable as exc:
            return JSONResponse({"error": exc.message}, status_code=503, headers={"Retry-After": "5"})
        a = row["attachment"]
        utf8_name = quote(a["filename"])
        ascii_name = "".join(
            ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in a["filename"]
        )
        return Response(
            content,
            media_type=a["media_type"],
            headers={
                "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )
