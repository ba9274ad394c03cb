"""A real HTTP receiver standing in for the credit platform, run by the tests and the benchmark.

It keeps every record by its idempotency key (a resent record is recognised, not stored
twice), checks the bearer token, and can fail on purpose: refuse every n-th request (503),
store a request's records and then report an error (500: the sender must resend, and the
receiver must not store them twice), or answer too late for the sender's timeout. It can
also refuse records, as the platform does one it cannot take: named in a 200's `refused`
(the rest stored), or in a 422 that stores nothing of the request. Told the catalogue version
it reads (`catalogue`), it refuses records made with another one, as a platform does whose
code table has moved on.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.serving import Served


@dataclass
class Chaos:
    refuse_every: int = 0  # 503 before storing, every n-th request
    lose_reply_every: int = 0  # store, then answer 500
    slow_every: int = 0  # answer after `slow_seconds` (beyond the sender's timeout)
    slow_seconds: float = 0.0
    refuse_records: frozenset[str] = frozenset()  # record ids refused in a 200, the rest stored
    reject_records: frozenset[str] = frozenset()  # record ids that make the request a 422
    ignore_records: frozenset[str] = frozenset()  # record ids neither confirmed nor refused


@dataclass
class Receiver:
    token: str
    chaos: Chaos = field(default_factory=Chaos)
    catalogue: str | None = None  # e.g. "credit-catalogue/2": records in another are refused
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    arrivals: Counter = field(default_factory=Counter)  # key -> times received (resends included)
    requests: int = 0
    failures: int = 0
    refusals: Counter = field(default_factory=Counter)  # key -> times refused
    bodies: Counter = field(default_factory=Counter)  # the catalogue a request's body names -> requests

    async def changes(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        self.requests += 1
        n, c = self.requests, self.chaos
        if c.refuse_every and n % c.refuse_every == 0:
            self.failures += 1
            return JSONResponse({"error": "try again"}, status_code=503)
        body = await request.json()
        self.bodies[body.get("catalogue")] += 1
        rejected = [r for r in body["records"] if r["record_id"] in c.reject_records]
        if rejected:
            for r in rejected:
                self.refusals[r["idempotency_key"]] += 1
            return JSONResponse(
                {
                    "refused": [
                        {"idempotency_key": r["idempotency_key"], "reason": "未知的信用主体"}
                        for r in rejected
                    ]
                },
                status_code=422,
            )
        keys, refused = [], []
        for record in body["records"]:
            key = record["idempotency_key"]
            if self.catalogue is not None and record.get("catalogue") != self.catalogue:
                self.refusals[key] += 1
                refused.append({"idempotency_key": key, "reason": f"目录版本不符，应为 {self.catalogue}"})
                continue
            if record["record_id"] in c.refuse_records:
                self.refusals[key] += 1
                refused.append({"idempotency_key": key, "reason": "行为代码不在目录中"})
                continue
            if record["record_id"] in c.ignore_records:
                continue
            self.arrivals[key] += 1
            self.stored.setdefault(key, record)
            keys.append(key)
        if c.lose_reply_every and n % c.lose_reply_every == 0:
            self.failures += 1
            return JSONResponse({"error": "stored, but the reply is lost"}, status_code=500)
        if c.slow_every and n % c.slow_every == 0:
            self.failures += 1
            await asyncio.sleep(c.slow_seconds)
        return JSONResponse({"confirmed": keys, "refused": refused, "count": len(self.stored)})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/credit/changes", self.changes, methods=["POST"])])


class RunningReceiver(Served):
    """The receiver on a loopback port; stop() shuts it down."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        super().__init__(receiver.app(), lifespan="off")
        self.url = f"{self.base_url}/credit/changes"
