"""Opaque person handles: how a caller who sees ID numbers only masked opens a person it found.

A handle is the ID number encrypted and authenticated (Fernet: AES-CBC + HMAC-SHA256) with
the caller's subject and an issue time inside: only this service can read it, only the
caller it was issued to can use it, and only for HANDLE_TTL_S. The key comes from the
settings (RELIEFGRAPH_HANDLE_KEY) or, on one machine, from a file in the state directory
that every worker process shares (created once, readable by the service's user alone).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from access.principal import Principal

HANDLE_TTL_S = 8 * 3600  # a working day: a search result opened the same day


class InvalidHandle(ValueError):
    """Not a handle this service issued to this caller, or one that has expired."""


def handle_key(configured: str | None, state_dir: Path) -> bytes:
    """The configured key, else the machine's own (made on first use)."""
    if configured:
        return configured.encode()
    path = state_dir / "handle.key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        state_dir.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key


class PersonHandles:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def issue(self, principal: Principal, id_number: str) -> str:
        return self._fernet.encrypt(json.dumps([principal.subject, id_number]).encode()).decode()

    def resolve(self, principal: Principal, handle: str) -> str:
        try:
            subject, id_number = json.loads(self._fernet.decrypt(handle.strip().encode(), ttl=HANDLE_TTL_S))
        except (InvalidToken, ValueError, TypeError) as exc:
            raise InvalidHandle("not a person handle issued to you, or it has expired; search again") from exc
        if subject != principal.subject:
            raise InvalidHandle("not a person handle issued to you, or it has expired; search again")
        return id_number
