"""Authentication: an API key or a JWT in `Authorization: Bearer …`, mapped to a Principal.

API keys are stored only as SHA-256 digests in a TOML keys file (``settings.api_keys_file``,
mode 0600); `reliefgraph apikey create` makes one and shows it once. JWTs are verified with
the algorithm, key, issuer and audience from settings; their claims carry the principal:
``sub``, ``role``, ``department``, ``township``, ``village``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jwt

from access.principal import Principal, Role

KEY_PREFIX = "rg_"


class AuthenticationError(Exception):
    """The caller could not be identified; the message is safe to show."""


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKeyEntry:
    key_id: str
    sha256: str
    principal: Principal
    demo: bool = False


def read_keys(path: Path) -> list[ApiKeyEntry]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for item in data.get("key", []):
        principal = Principal(
            subject=item["subject"], role=Role(item["role"]), department=item.get("department"),
            township_code=item.get("township_code"), village_code=item.get("village_code"),
        )
        entries.append(ApiKeyEntry(item["id"], item["sha256"], principal, bool(item.get("demo", False))))
    return entries


def _toml_entry(entry: ApiKeyEntry) -> str:
    p = entry.principal
    lines = ["[[key]]", f'id = "{entry.key_id}"', f'sha256 = "{entry.sha256}"', f'subject = "{p.subject}"',
             f'role = "{p.role.value}"']
    for name, value in (("department", p.department), ("township_code", p.township_code),
                        ("village_code", p.village_code)):
        if value:
            lines.append(f'{name} = "{value}"')
    if entry.demo:
        lines.append("demo = true")
    return "\n".join(lines) + "\n\n"


def add_key(path: Path, principal: Principal, *, key: str | None = None, demo: bool = False) -> str:
    """Append a key for ``principal``; returns the key itself (shown once, never stored)."""
    for value in (principal.subject, principal.department, principal.township_code, principal.village_code):
        if value is not None and not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"{value!r}: only letters, digits, - and _ are allowed")
    key = key or KEY_PREFIX + secrets.token_urlsafe(32)
    entry = ApiKeyEntry(secrets.token_hex(4), digest(key), principal, demo)
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


class Authenticator:
    def __init__(self, keys: list[ApiKeyEntry], jwt_config: JwtConfig | None, *, allow_demo_keys: bool) -> None:
        self._keys = [k for k in keys if allow_demo_keys or not k.demo]
        self._jwt = jwt_config

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationError("missing Authorization: Bearer <API key or JWT>")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("use Authorization: Bearer <API key or JWT>")
        if token.count(".") == 2:
            return self._from_jwt(token)
        wanted = digest(token)
        for entry in self._keys:
            if hmac.compare_digest(entry.sha256, wanted):
                return entry.principal
        raise AuthenticationError("unknown API key")

    def _from_jwt(self, token: str) -> Principal:
        if self._jwt is None:
            raise AuthenticationError("JWTs are not accepted by this server")
        try:
            claims = jwt.decode(
                token, self._jwt.key, algorithms=[self._jwt.algorithm], issuer=self._jwt.issuer,
                audience=self._jwt.audience, options={"require": ["exp", "sub", "role"]},
            )
            return Principal(
                subject=str(claims["sub"]), role=Role(claims["role"]), department=claims.get("department"),
                township_code=claims.get("township"), village_code=claims.get("village"),
            )
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise AuthenticationError(f"invalid token: {exc}") from None
