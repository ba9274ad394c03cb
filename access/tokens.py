"""Authentication: an API key or a JWT in `Authorization: Bearer …`, mapped to a Principal.

API keys are stored only as SHA-256 digests in a TOML keys file (``settings.api_keys_file``,
mode 0600); `reliefgraph apikey create` makes one and shows it once. JWTs are verified with
the algorithm, key, issuer and audience from settings; their claims carry the principal:
``sub``, ``role``, ``department``, ``township``, ``village``. A partner's key names its
data-sharing agreement (access/agreements.py); a JWT subject is bound to one in the agreement.
The keys and agreements files are read again when they change: `reliefgraph apikey create` and
`reliefgraph agreement …` take effect on the next request, without a restart. The claims are checked as API
keys' fields are when a key is made: a token that is signed but says something odd (a
township in full-width digits, a village of another county, department ``*``, a subject of
6 KB or with control characters, an expiry centuries away) is refused, not half-honoured.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import jwt

from access.agreements import Agreement, Watched, read_agreements
from access.principal import Principal, Role

KEY_PREFIX = "rg_"


# Subjects go into audit events, log lines and metric labels: short, printable, no separators.
SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}")
DEPARTMENT = re.compile(r"[A-Z]{2,8}")  # MZ, JTYS, GJJ (rules/reference.toml)


class AuthenticationError(Exception):
    """The caller could not be identified; the message is safe to show, the reason is a metric label."""

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


class AgreementRefused(AuthenticationError):
    """The caller is known, but its data-sharing agreement does not let it in (403, with why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "agreement")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKeyEntry:
    key_id: str
    sha256: str
    principal: Principal
    demo: bool = False
    agreement_id: str | None = None


def read_keys(path: Path) -> list[ApiKeyEntry]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for item in data.get("key", []):
        principal = Principal(
            subject=item["subject"],
            role=Role(item["role"]),
            department=item.get("department"),
            township_code=item.get("township_code"),
            village_code=item.get("village_code"),
        )
        entries.append(
            ApiKeyEntry(
                item["id"], item["sha256"], principal, bool(item.get("demo", False)), item.get("agreement")
            )
        )
    return entries


def _toml_entry(entry: ApiKeyEntry) -> str:
    p = entry.principal
    lines = [
        "[[key]]",
        f'id = "{entry.key_id}"',
        f'sha256 = "{entry.sha256}"',
        f'subject = "{p.subject}"',
        f'role = "{p.role.value}"',
    ]
    for name, value in (
        ("department", p.department),
        ("township_code", p.township_code),
        ("village_code", p.village_code),
    ):
        if value:
            lines.append(f'{name} = "{value}"')
    if entry.agreement_id:
        lines.append(f'agreement = "{entry.agreement_id}"')
    if entry.demo:
        lines.append("demo = true")
    return "\n".join(lines) + "\n\n"


def add_key(
    path: Path,
    principal: Principal,
    *,
    key: str | None = None,
    demo: bool = False,
    agreement: Agreement | None = None,
) -> str:
    """Append a key for ``principal`` (bound to ``agreement``, for a partner); returns the key
    itself (shown once, never stored)."""
    if agreement is not None:
        replace(principal, agreement=agreement)  # the principal's own checks: role and department
    agreement_id = agreement.agreement_id if agreement is not None else None
    for value in (principal.subject, principal.department, principal.township_code, principal.village_code):
        if value is not None and not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"{value!r}: only letters, digits, - and _ are allowed")
    key = key or KEY_PREFIX + secrets.token_urlsafe(32)
    entry = ApiKeyEntry(secrets.token_hex(4), digest(key), principal, demo, agreement_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(_toml_entry(entry))
    return key


@dataclass(frozen=True)
class JwtConfig:
    algorithm: str
    key: str
    issuer: str | None
    audience: str | None
    county_code: str = "370831"  # townships and villages in the claims must be this county's
    max_lifetime_s: int = 24 * 3600  # an expiry further away than this is refused


def _code_problem(claims: dict[str, object], name: str, length: int, county: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    # str.isdigit() is true of full-width and superscript digits too: only ASCII digits are codes.
    if not isinstance(value, str) or len(value) != length or not value.isascii() or not value.isdigit():
        return f"the {name} claim is not {length} digits"
    if not value.startswith(county):
        return f"the {name} claim is outside county {county}"
    return None


def claims_problem(claims: dict[str, object], config: JwtConfig, now: float) -> str | None:
    """What is wrong with a verified token's claims, in one line; None when nothing is."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject):
        return "the sub claim is 1-64 letters, digits or ._@:- characters"
    if not isinstance(claims.get("role"), str) or claims["role"] not in {r.value for r in Role}:
        return "the role claim is not a known role"
    department = claims.get("department")
    if department is not None and (not isinstance(department, str) or not DEPARTMENT.fullmatch(department)):
        return "the department claim is not a department code (2-8 capital letters)"
    for name, length in (("township", 9), ("village", 12)):
        if (problem := _code_problem(claims, name, length, config.county_code)) is not None:
            return problem
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int) or exp > now + config.max_lifetime_s:
        return f"the exp claim is not a whole number of seconds within {config.max_lifetime_s} s from now"
    return None


class Authenticator:
    """`keys` as given, or the keys file and the agreements file, each read again when it changes."""

    def __init__(
        self,
        keys: list[ApiKeyEntry] | Path,
        jwt_config: JwtConfig | None,
        *,
        allow_demo_keys: bool,
        agreements: Path | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._allow_demo = allow_demo_keys
        given: list[ApiKeyEntry] = [] if isinstance(keys, Path) else keys
        self._keys = Watched(keys if isinstance(keys, Path) else None, read_keys, given)
        no_agreements: dict[str, Agreement] = {}
        self._agreements = Watched(agreements, read_agreements, no_agreements)
        self._jwt = jwt_config
        self._today = today

    def _bound(self, principal: Principal, agreement_id: str | None) -> Principal:
        """The principal with its agreement as the store holds it now; refused when not in force."""
        if agreement_id is None:
            return principal
        agreement = self._agreements.get().get(agreement_id)
        if agreement is None:
            raise AgreementRefused(
                f"the data-sharing agreement {agreement_id} of your credentials is unknown"
            )
        if (why := agreement.refusal(self._today())) is not None:
            raise AgreementRefused(why)
        try:
            return replace(principal, agreement=agreement)
        except ValueError as exc:
            raise AgreementRefused(str(exc)) from None

    def _subject_agreement(self, subject: str) -> str | None:
        bound = [a for a in self._agreements.get().values() if subject in a.subjects]
        # The most recent agreement a subject was bound to is the one in force for it.
        return max(bound, key=lambda a: a.valid_from).agreement_id if bound else None

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationError("missing Authorization: Bearer <API key or JWT>", "missing")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("use Authorization: Bearer <API key or JWT>", "malformed")
        if token.count(".") == 2:
            return self._from_jwt(token)
        wanted = digest(token)
        # The latest entry of a key is the one in force (a demo key bound to its agreement later).
        for entry in reversed(self._keys.get()):
            if (self._allow_demo or not entry.demo) and hmac.compare_digest(entry.sha256, wanted):
                return self._bound(entry.principal, entry.agreement_id)
        raise AuthenticationError("unknown API key", "unknown_key")

    def _from_jwt(self, token: str) -> Principal:
        if self._jwt is None:
            raise AuthenticationError("JWTs are not accepted by this server", "jwt_refused")
        try:
            claims = jwt.decode(
                token,
                self._jwt.key,
                algorithms=[self._jwt.algorithm],
                issuer=self._jwt.issuer,
                audience=self._jwt.audience,
                options={"require": ["exp", "sub", "role"]},
            )
        except (jwt.PyJWTError, ValueError, KeyError, OverflowError) as exc:
            raise AuthenticationError(f"invalid token: {exc}", "invalid_jwt") from None
        if (problem := claims_problem(claims, self._jwt, time.time())) is not None:
            raise AuthenticationError(f"invalid token: {problem}", "invalid_claims")
        try:
            principal = Principal(
                subject=claims["sub"],
                role=Role(claims["role"]),
                department=claims.get("department"),
                township_code=claims.get("township"),
                village_code=claims.get("village"),
            )
        except ValueError as exc:
            raise AuthenticationError(f"invalid token: {exc}", "invalid_claims") from None
        if principal.role is not Role.DEPARTMENT_PARTNER:
            return principal
        return self._bound(principal, self._subject_agreement(principal.subject))
