"""Partners' submissions: POST /feeds/{feed} takes a department's export as a multipart
upload (field `file`), loads it as `reliefgraph load` would, and answers with a receipt;
GET /feeds/receipts/{id}/rejects.csv gives back the rows that were not loaded.

A department submits only the feeds it owns (loaders/feeds: Feed.owners), and only its own
records: a row naming another department as its source is rejected. The same file to the
same feed by the same department is one receipt. ``?dryRun=true`` validates and reports as
`load --dry-run` does, writing nothing. Loads run one at a time in this process, in a thread
(the loader is synchronous), and wake the change feed's subscriptions when they finish.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from neo4j import Driver
from neo4j.exceptions import DriverError, Neo4jError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from access.audit import AuditTrail
from access.operations import ROUTES, route_area
from access.principal import Principal
from access.tokens import AuthenticationError, Authenticator
from loaders.feeds import FEEDS, UnknownFeed
from loaders.headers import HeaderAliasError
from loaders.reading import EXCEL_SUFFIXES, FileFormatError
from loaders.reference import RuleFileError
from loaders.rejects import RejectsDirectoryError
from loaders.run import Loader, LoadReport
from observability.logs import SUBJECT
from resolvers.gateway import GraphGateway, GraphUnavailable
from resolvers.partners import RECORD_RECEIPT, ChangeSignal, fetch_receipt
from settings import Settings
from settings.private_files import private_dir, private_write

SUBMIT = "POST /feeds/{feed}"
REJECTS = "GET /feeds/receipts/{receipt_id}/rejects.csv"
SUFFIXES = frozenset({".csv", ".txt", ".jsonl", ".ndjson"} | EXCEL_SUFFIXES)
ENCODINGS = frozenset({"utf-8", "gb18030"})  # as `load --encoding`; GB18030 includes GBK
SHOWN_REJECTS = 20  # a dry run lists the first rejects, as `load --dry-run` does


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def receipt_id(department: str, feed: str, digest: str) -> str:
    return "S-" + hashlib.sha256(f"{department}\x1f{feed}\x1f{digest}".encode()).hexdigest()[:24]


def receipt_json(r: dict[str, Any]) -> dict[str, Any]:
    """The receipt as the API shows it (the rejects file's place on the server stays here)."""
    return {
        "receiptId": r["receipt_id"],
        "feed": r["feed"],
        "digest": r["digest"],
        "fileName": r["file_name"],
        "encoding": r["encoding"],
        "rows": r["rows"],
        "accepted": r["accepted"],
        "rejected": r["rejected"],
        "duplicates": r["duplicates"],
        "feedsLoaded": list(r["feeds_loaded"]),
        "rejectsUrl": f"/feeds/receipts/{r['receipt_id']}/rejects.csv" if r.get("rejects_file") else None,
        "submittedBy": r["submitted_by"],
        "submittedAt": r["submitted_at"],
    }


def _flag(value: str | None, name: str) -> bool:
    if value in (None, "false"):
        return False
    if value == "true":
        return True
    raise HTTPException(400, f"{name} is true or false")


class Submissions:
    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.settings = settings
        self.authenticator = authenticator
        self._one_at_a_time = asyncio.Lock()

    def _principal(self, request: Request, route: str) -> Principal:
        try:
            principal = self.authenticator.authenticate(request.headers.get("authorization"))
        except AuthenticationError as exc:
            raise HTTPException(401, str(exc)) from None
        SUBJECT.set(principal.subject)
        if route_area(principal, route) is None:
            raise HTTPException(403, ROUTES[route].refused)
        return principal

    def _gateway(self, request: Request) -> GraphGateway:
        return GraphGateway(
            request.app.state.driver, self.settings.neo4j_database, self.settings.query_timeout_s
        )

    async def submit(self, request: Request) -> Response:
        try:
            return await self._submit(request)
        except HTTPException as exc:
            return _error(exc.status_code, str(exc.detail))
        except GraphUnavailable:
            return _error(503, "the database is unavailable; submit again shortly", **{"retry-after": "5"})

    async def _submit(self, request: Request) -> Response:
        principal = self._principal(request, SUBMIT)
        department = principal.department or ""
        name = request.path_params["feed"]
        feed = FEEDS.get(name)
        if feed is None:
            raise HTTPException(404, f"unknown feed {name[:40]!r}; known: {', '.join(sorted(FEEDS))}")
        if department not in feed.owners:
            own = sorted(f.name for f in FEEDS.values() if department in f.owners)
            raise HTTPException(
                403,
                f"feed {feed.name} is not your department's ({department}); "
                f"yours: {', '.join(own) or 'none'}",
            )
        dry = _flag(request.query_params.get("dryRun"), "dryRun")
        encoding = request.query_params.get("encoding")
        if encoding is not None and encoding.lower() not in ENCODINGS:
            raise HTTPException(
                400, "encoding is utf-8 or gb18030 (which includes GBK); leave it out to detect"
            )
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise HTTPException(415, "send the file as multipart/form-data, in a field named file")
        form = await request.form(max_files=1, max_fields=0)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise HTTPException(400, "send the file in a multipart field named file, with its file name")
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in SUFFIXES:
            raise HTTPException(
                415,
                "unknown file type: send .csv, .jsonl or a spreadsheet (.xlsx, .xls)",
            )
        data = await upload.read()
        await form.close()
        digest = hashlib.sha256(data).hexdigest()
        rid = receipt_id(department, feed.name, digest)
        gateway = self._gateway(request)
        if not dry and (found := await fetch_receipt(gateway, rid, department)) is not None:
            return JSONResponse(receipt_json(found))  # the same file again: its receipt
        async with self._one_at_a_time:
            if dry:
                return await asyncio.to_thread(self._dry_run, feed.name, suffix, data, encoding, department)
            report = await asyncio.to_thread(
                self._load, request.app.state.load_driver, feed.name, suffix, data, encoding, rid, department
            )
        summary = report.files[0]
        receipt = {
            "receipt_id": rid,
            "department": department,
            "feed": feed.name,
            "digest": digest,
            "file_name": Path(upload.filename).name[:200],
            "encoding": summary.encoding,
            "rows": summary.rows,
            "accepted": summary.loaded,
            "rejected": summary.rejected,
            "duplicates": summary.duplicates,
            "feeds_loaded": [f.feed for f in report.files],
            "rejects_file": str(summary.rejects_file) if summary.rejects_file else None,
            "submitted_by": principal.subject,
        }
        rows = await gateway.write(RECORD_RECEIPT, receipt_id=rid, receipt=receipt)
        signal: ChangeSignal | None = getattr(request.app.state, "changes", None)
        if signal is not None:
            signal.notify()  # the changes are committed: subscriptions need not wait for detection
        if self.settings.submission_detect:
            async with self._one_at_a_time:
                await asyncio.to_thread(
                    _detect, request.app.state.load_driver, self.settings, report, feed.name
                )
        return JSONResponse(receipt_json(rows[0]["receipt"]), status_code=201)

    def _staged(self, folder: Path, feed: str, suffix: str, data: bytes) -> Path:
        """The upload as a file the loader reads, named so it is taken for its feed."""
        private_dir(folder)
        path = folder / f"{feed}{suffix}"
        private_write(path, data)
        return path

    def _dry_run(
        self, feed: str, suffix: str, data: bytes, encoding: str | None, department: str
    ) -> JSONResponse:
        private_dir(self.settings.submissions_dir)
        folder = Path(tempfile.mkdtemp(prefix="dry-", dir=self.settings.submissions_dir))
        try:
            path = self._staged(folder, feed, suffix, data)
            loader = Loader(None, self.settings, rejects_dir=folder, submitter=department)  # type: ignore[arg-type]  # writes nothing
            try:
                checked = loader.check([path], feed=feed, encoding=encoding, show=SHOWN_REJECTS)
            except (FileFormatError, UnknownFeed, RuleFileError, HeaderAliasError) as exc:
                return _error(422, f"would load nothing: {_reason(exc)}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        summary, rejects = checked[0]
        return JSONResponse(
            {
                "dryRun": True,
                "feed": summary.feed,
                "encoding": summary.encoding,
                "rows": summary.rows,
                "valid": summary.loaded,
                "rejected": summary.rejected,
                "renamed": summary.renamed,
                "rejects": [{"line": r.line, "field": r.field, "reason": r.reason} for r in rejects],
                "written": False,
            }
        )

    def _load(
        self,
        driver: Driver,
        feed: str,
        suffix: str,
        data: bytes,
        encoding: str | None,
        rid: str,
        department: str,
    ) -> LoadReport:
        folder = self.settings.submissions_dir / rid
        path = self._staged(folder, feed, suffix, data)
        try:
            loader = Loader(driver, self.settings, rejects_dir=folder, submitter=department)
            report = loader.load([path], feed=feed, encoding=encoding)
        except (FileFormatError, UnknownFeed, RuleFileError, HeaderAliasError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise HTTPException(422, f"nothing loaded: {_reason(exc)}") from None
        except RejectsDirectoryError as exc:
            raise HTTPException(507, f"nothing loaded: {exc}") from None
        except (Neo4jError, DriverError):
            raise HTTPException(
                503, "the database failed during the load; submit the same file again"
            ) from None
        finally:
            path.unlink(missing_ok=True)  # the rejects stay; the rows are in the graph
        return report

    async def rejects(self, request: Request) -> Response:
        try:
            principal = self._principal(request, REJECTS)
        except HTTPException as exc:
            return _error(exc.status_code, str(exc.detail))
        gateway = self._gateway(request)
        rid = request.path_params["receipt_id"][:80]
        found = await fetch_receipt(gateway, rid, principal.department or "")
        if found is None or not found.get("rejects_file") or not Path(found["rejects_file"]).is_file():
            return _error(404, "no rejects of that receipt for your department")
        await AuditTrail(gateway, principal, request.app.state.audit_writer).record_attempt(
            rid, "own submission's rejects", "submissionRejects", "shown"
        )
        return FileResponse(
            found["rejects_file"], media_type="text/csv; charset=utf-8", filename=f"{rid}.rejects.csv"
        )


def _reason(exc: Exception) -> str:
    """The error without the server's own path of the staged file."""
    return exc.reason if isinstance(exc, FileFormatError) else str(exc)


def _detect(driver: Driver, settings: Settings, report: LoadReport, feed: str) -> None:
    """Incremental detection over what the rows touch, as `load --detect` runs it."""
    # Imported here: detection loads Splink and DuckDB, which a plain load does not need.
    from detection.rules import read_rules
    from detection.run import run_detection
    from detection.scope import affected_households

    scope = affected_households(driver, settings.neo4j_database, report.changed_keys())
    run_detection(
        driver,
        settings.neo4j_database,
        read_rules(settings.detection_rules_file),
        households=scope,
        feeds={feed},
    )
