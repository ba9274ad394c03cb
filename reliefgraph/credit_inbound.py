"""POST /credit/inbound: the credit platform pushes records other agencies published (and
their withdrawals), as JSON: `{"records": [{…the credit_records_external feed's columns…}]}`.
Each record is answered on its own, accepted or refused with the reason; a record sent again
is accepted again and changes nothing (idempotent on the platform's `source_record_key`).
The key is the credit platform's (role credit_exporter: the platform's link, both ways)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from access.operations import ROUTES, route_area
from access.tokens import AuthenticationError, Authenticator
from credit.external import receive_external
from loaders.rows.credit import ExternalCreditRow
from observability.logs import SUBJECT
from resolvers.gateway import GraphGateway, GraphUnavailable
from settings import Settings

INBOUND = "POST /credit/inbound"
MAX_RECORDS = 1000  # per request; the platform sends more in several


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(x) for x in first.get("loc", ()))
    message = str(first.get("msg", "not valid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


class CreditInbound:
    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.settings = settings
        self.authenticator = authenticator

    async def push(self, request: Request) -> Response:
        try:
            principal = self.authenticator.authenticate(request.headers.get("authorization"))
        except AuthenticationError as exc:
            return _error(401, str(exc))
        SUBJECT.set(principal.subject)
        if route_area(principal, INBOUND) is None:
            return _error(403, ROUTES[INBOUND].refused)
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(415, 'send the records as application/json: {"records": [...]}')
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return _error(400, "the body is not JSON")
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not records:
            return _error(400, 'give the records: {"records": [{"source_record_key": …}, …]}')
        if len(records) > MAX_RECORDS:
            return _error(413, f"at most {MAX_RECORDS} records per request; send the rest in another")
        refused: dict[str, str] = {}
        rows: list[dict[str, Any]] = []
        order: list[str] = []
        for i, raw in enumerate(records):
            key = str(raw.get("source_record_key", "")).strip()[:100] if isinstance(raw, dict) else ""
            label = key or f"#{i + 1}"
            if not isinstance(raw, dict):
                refused[label] = "a record is a JSON object"
                order.append(label)
                continue
            try:
                row = ExternalCreditRow.model_validate(ExternalCreditRow.without_blanks(raw))
            except ValidationError as exc:
                refused.setdefault(label, _problem(exc))
                order.append(label)
                continue
            if row.source_record_key in order:
                refused.setdefault(row.source_record_key, "named twice in this request")
                continue
            order.append(row.source_record_key)
            rows.append(row.params())
        gateway = GraphGateway(
            request.app.state.driver, self.settings.neo4j_database, self.settings.query_timeout_s
        )
        try:
            outcome = (
                await receive_external(gateway, rows, f"credit platform push ({principal.subject})")
                if rows
                else {}
            )
        except GraphUnavailable:
            return _error(503, "the database is unavailable; push again shortly", **{"retry-after": "5"})
        refused.update({k: reason for k, reason in outcome.items() if reason is not None})
        return JSONResponse(
            {
                "accepted": [k for k in order if k not in refused],
                "refused": [{"source_record_key": k, "reason": refused[k]} for k in order if k in refused],
            }
        )
