"""Rate limits at the door: per client address, per principal (API key or JWT subject), and a
lockout of an address after repeated failed authentications. Over a limit, 429 with Retry-After.

Token buckets: a key (an address, a subject) holds up to `burst` requests and regains
`per_second` of them every second, so a workbench page's burst of queries passes while a
script reading the county one ID number at a time is slowed to the sustained rate. The
buckets live in this worker process: with several uvicorn workers a client may get up to
workers × the limit, which is still a limit (docs/operations.md).

A failed authentication counts against the address only when a credential was presented
and the answer was 401: guessing keys or forging tokens is what the lockout is for; a
browser opening GraphiQL without one is not. The principal is worked out here as well as
in the endpoints (hashing a key or checking a JWT's signature costs microseconds), so the
endpoints stay unaware of the limits.

The clock is injectable: tests move time instead of sleeping.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from access.tokens import AuthenticationError, Authenticator

Clock = Callable[[], float]
MAX_KEYS = 10_000  # buckets remembered; the least recently seen is forgotten (and starts full again)
AUTHENTICATED = ("/graphql", "/publicity/", "/feeds/")
UNLIMITED = ("/healthz", "/readyz")  # probes carry no data and must not be locked out with their address


class Buckets:
    """One token bucket per key."""

    def __init__(self, per_second: float, burst: int, clock: Clock, max_keys: int = MAX_KEYS) -> None:
        self.per_second = per_second
        self.burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key: (tokens, when counted)

    def take(self, key: str) -> float:
        """0 when the request may go ahead (a token is spent); otherwise the seconds until it may."""
        if self.per_second <= 0:
            return 0.0
        now = self._clock()
        tokens, then = self._state.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - then) * self.per_second)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.per_second
        self._state[key] = (tokens, now)
        if len(self._state) > self._max_keys:
            self._state.popitem(last=False)
        return wait


class Lockout:
    """`limit` failures from one key within `window_s` lock it out for `lockout_s`."""

    def __init__(
        self, limit: int, window_s: float, lockout_s: float, clock: Clock, max_keys: int = MAX_KEYS
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.lockout_s = lockout_s
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._until: OrderedDict[str, float] = OrderedDict()

    def remaining(self, key: str) -> float:
        """Seconds the key stays locked out; 0 when it is not."""
        until = self._until.get(key)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._until[key]
            return 0.0
        return left

    def failed(self, key: str) -> None:
        if self.limit <= 0:
            return
        now = self._clock()
        times = self._failures.pop(key, None) or deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        times.append(now)
        if len(times) >= self.limit:
            self._until[key] = now + self.lockout_s
            self._until.move_to_end(key)
            times.clear()
        else:
            self._failures[key] = times
        for remembered in (self._failures, self._until):
            if len(remembered) > self._max_keys:
                remembered.popitem(last=False)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    """The client's address: the peer's, or behind a trusted proxy the last hop it added."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if peer not in trusted_proxies:
        return peer
    # The proxy appends the address it saw; hops before it may be made up by the client.
    forwarded = Headers(scope=scope).get("x-forwarded-for", "")
    for hop in reversed([h.strip() for h in forwarded.split(",")]):
        if hop not in trusted_proxies:
            return hop if _is_address(hop) else peer
    return peer


class RateLimits:
    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        addresses: Buckets,
        principals: Buckets,
        lockout: Lockout,
        trusted_proxies: list[str],
        on_refused: Callable[[str], None] | None = None,
        on_auth_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.addresses = addresses
        self.principals = principals
        self.lockout = lockout
        self.trusted_proxies = frozenset(trusted_proxies)
        self._on_refused = on_refused  # (which limit) for /metrics
        self._on_auth_failure = on_auth_failure  # (reason) for /metrics

    def client_address(self, scope: Scope) -> str:
        return client_address(scope, self.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED:
            await self.app(scope, receive, send)
            return
        address = self.client_address(scope)
        if (wait := self.lockout.remaining(address)) > 0:
            await self._refuse(send, "lockout", wait, "too many failed authentications from your address")
            return
        if (wait := self.addresses.take(address)) > 0:
            await self._refuse(send, "address", wait, "too many requests from your address")
            return
        authorization = Headers(scope=scope).get("authorization")
        reason = "missing" if not authorization else "metrics_token"
        if authorization and scope["path"].startswith(AUTHENTICATED):
            try:
                principal = self.authenticator.authenticate(authorization)
            except AuthenticationError as exc:
                reason = exc.reason
            else:
                if (wait := self.principals.take(principal.subject)) > 0:
                    await self._refuse(send, "principal", wait, "too many requests with your credentials")
                    return
        status = 0

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watching_send)
        if status == 401:
            if self._on_auth_failure is not None:
                self._on_auth_failure(reason)
            if authorization:
                self.lockout.failed(address)

    async def _refuse(self, send: Send, limit: str, wait: float, message: str) -> None:
        if self._on_refused is not None:
            self._on_refused(limit)
        seconds = max(1, math.ceil(wait))
        body = (
            '{"errors":[{"message":"%s; retry after %d s","extensions":{"code":"RATE_LIMITED"}}]}'
            % (message, seconds)
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(seconds).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
