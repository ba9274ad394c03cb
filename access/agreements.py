"""Data-sharing agreements (数据共享协议): what a partner department may read, why, and until when.

An agreement names the department, its programmes, the data categories it may receive, the
purposes it may state (codes, e.g. EDU_AID_ELIGIBILITY), its term, its signatories and its
document. API keys (and JWT subjects) are bound to one; a partner's reach under Scope.AGREEMENT
is its agreement, and no category outside it leaves (access/policy.access narrows by it).

Agreements are kept in a TOML file in the state directory (``settings.agreements_file``,
mode 0600), beside the API keys, and only ever appended to: an agreement, a revocation, a
trusted document. `reliefgraph agreement create|list|revoke|trust` writes it; a running server
re-reads it when the file changes (Watched), so a change takes effect on the next request.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar

from access.categories import DataCategory

PURPOSE_CODE = re.compile(r"[A-Z][A-Z0-9_]{2,63}")  # EDU_AID_ELIGIBILITY
PROGRAMME_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")  # EDU (rules/reference.toml)
DEPARTMENT_CODE = re.compile(r"[A-Z]{2,8}")  # JT
AGREEMENT_ID = re.compile(r"AGR-[A-Za-z0-9-]{1,40}")
DEFAULT_TERM_YEARS = 3  # DOMAIN.md section 12


class AgreementError(ValueError):
    """An agreement that cannot be made or changed as asked; the message says why, in one line."""


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    department: str
    programmes: tuple[str, ...]
    categories: frozenset[DataCategory]
    purposes: tuple[str, ...]
    valid_from: date
    valid_until: date
    signatories: tuple[str, ...]
    document: str  # the signed agreement's reference (文号)
    subjects: tuple[str, ...] = ()  # JWT subjects bound to it (API keys name it themselves)
    revoked_on: date | None = None
    revoked_reason: str | None = None
    documents: frozenset[str] = field(default_factory=frozenset)  # trusted GraphQL documents, SHA-256

    def allows(self, category: DataCategory) -> bool:
        return category in self.categories

    def refusal(self, today: date) -> str | None:
        """Why the agreement does not let its holder in today, in one line; None when it does."""
        if self.revoked_on is not None and self.revoked_on <= today:
            return (
                f"data-sharing agreement {self.agreement_id} was revoked on {self.revoked_on}: "
                f"{self.revoked_reason or 'no reason recorded'}"
            )
        if today < self.valid_from:
            return f"data-sharing agreement {self.agreement_id} is in force from {self.valid_from}"
        if today > self.valid_until:
            return f"data-sharing agreement {self.agreement_id} expired on {self.valid_until}"
        return None


def document_hash(document: str) -> str:
    """A GraphQL document's SHA-256, as the trusted-documents list and clients name it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _date(value: object, name: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise AgreementError(f"{name} is not a date (YYYY-MM-DD)")


def read_agreements(path: Path) -> dict[str, Agreement]:
    """Every agreement in the file, revocations and trusted documents applied."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found: dict[str, Agreement] = {}
    for item in data.get("agreement", []):
        found[item["id"]] = Agreement(
            agreement_id=item["id"],
            department=item["department"],
            programmes=tuple(item.get("programmes", [])),
            categories=frozenset(DataCategory(c) for c in item.get("categories", [])),
            purposes=tuple(item.get("purposes", [])),
            valid_from=_date(item["valid_from"], "valid_from"),
            valid_until=_date(item["valid_until"], "valid_until"),
            signatories=tuple(item.get("signatories", [])),
            document=item.get("document", ""),
            subjects=tuple(item.get("subjects", [])),
        )
    for item in data.get("revocation", []):
        if (a := found.get(item["agreement"])) is not None and a.revoked_on is None:
            found[a.agreement_id] = replace(
                a, revoked_on=_date(item["on"], "on"), revoked_reason=item.get("reason")
            )
    for item in data.get("document", []):
        if (a := found.get(item["agreement"])) is not None:
            found[a.agreement_id] = replace(a, documents=a.documents | {item["sha256"]})
    return found


def _quoted(value: str) -> str:
    # Every value written is checked against a pattern or for printable text first; the
    # escapes keep the TOML well formed whatever a signatory's name holds.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_quoted(v) for v in values) + "]"


def _text(value: str, name: str, limit: int = 200) -> str:
    text = value.strip()
    if not text or len(text) > limit or not text.isprintable():
        raise AgreementError(f"{name}: 1-{limit} printable characters")
    return text


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(text)


def add_agreement(
    path: Path,
    *,
    department: str,
    programmes: list[str],
    categories: list[str],
    purposes: list[str],
    valid_from: date,
    valid_until: date | None,
    signatories: list[str],
    document: str,
    subjects: list[str] | None = None,
    agreement_id: str | None = None,
) -> Agreement:
    """Record an agreement (checked field by field); returns it."""
    if not DEPARTMENT_CODE.fullmatch(department):
        raise AgreementError(f"department {department!r} is not a department code (2-8 capital letters)")
    for code in programmes:
        if not PROGRAMME_CODE.fullmatch(code):
            raise AgreementError(f"programme {code!r} is not a programme code")
    known = {c.value for c in DataCategory}
    if not categories or any(c not in known for c in categories):
        raise AgreementError(f"categories are some of: {', '.join(sorted(known))}")
    if not purposes or any(not PURPOSE_CODE.fullmatch(p) for p in purposes):
        raise AgreementError("purposes are codes of capital letters, digits and _ (e.g. EDU_AID_ELIGIBILITY)")
    until = valid_until or _years_later(valid_from, DEFAULT_TERM_YEARS)
    if until < valid_from:
        raise AgreementError("valid-until is before valid-from")
    if not signatories:
        raise AgreementError("name the signatories")
    names = [_text(s, "signatory", 100) for s in signatories]
    reference = _text(document, "document")
    agreement_id = agreement_id or f"AGR-{department}-{valid_from.year}-{secrets.token_hex(3)}"
    if not AGREEMENT_ID.fullmatch(agreement_id):
        raise AgreementError(f"agreement id {agreement_id!r} is AGR- and up to 40 letters, digits or -")
    if agreement_id in read_agreements(path):
        raise AgreementError(f"agreement {agreement_id} exists already")
    for subject in subjects or []:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}", subject):
            raise AgreementError(f"JWT subject {subject!r} is 1-64 letters, digits or ._@:- characters")
    _append(
        path,
        "[[agreement]]\n"
        f"id = {_quoted(agreement_id)}\n"
        f"department = {_quoted(department)}\n"
        f"programmes = {_list(programmes)}\n"
        f"categories = {_list(sorted(set(categories)))}\n"
        f"purposes = {_list(purposes)}\n"
        f"valid_from = {valid_from.isoformat()}\n"
        f"valid_until = {until.isoformat()}\n"
        f"signatories = {_list(names)}\n"
        f"document = {_quoted(reference)}\n"
        f"subjects = {_list(subjects or [])}\n\n",
    )
    return read_agreements(path)[agreement_id]


def revoke_agreement(path: Path, agreement_id: str, reason: str, on: date) -> Agreement:
    agreement = read_agreements(path).get(agreement_id)
    if agreement is None:
        raise AgreementError(f"no agreement {agreement_id}")
    if agreement.revoked_on is not None:
        raise AgreementError(f"agreement {agreement_id} was revoked on {agreement.revoked_on} already")
    why = _text(reason, "reason")
    _append(
        path,
        f"[[revocation]]\nagreement = {_quoted(agreement_id)}\n"
        f"on = {on.isoformat()}\nreason = {_quoted(why)}\n\n",
    )
    return read_agreements(path)[agreement_id]


def trust_document(path: Path, agreement_id: str, document: str) -> str:
    """Register a GraphQL document the agreement's keys may run (production); returns its hash."""
    if agreement_id not in read_agreements(path):
        raise AgreementError(f"no agreement {agreement_id}")
    if not document.strip():
        raise AgreementError("the document is empty")
    sha = document_hash(document)
    _append(path, f"[[document]]\nagreement = {_quoted(agreement_id)}\nsha256 = {_quoted(sha)}\n\n")
    return sha


def _years_later(day: date, years: int) -> date:
    """The last day of a term of `years` from `day`."""
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


T = TypeVar("T")


class Watched(Generic[T]):
    """A file's parsed contents, read again when the file changes (its size, mtime or inode):
    what the CLI writes takes effect on the next request, without a restart."""

    def __init__(self, path: Path | None, parse: Callable[[Path], T], empty: T) -> None:
        self._path = path
        self._parse = parse
        self._value = empty
        self._empty = empty
        self._seen: tuple[int, int, int] | None = None

    def get(self) -> T:
        if self._path is None:
            return self._value
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            self._seen, self._value = None, self._empty
            return self._value
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp != self._seen:
            try:
                self._value = self._parse(self._path)
            except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError):
                return self._value  # a file being edited by hand: the last good contents meanwhile
            self._seen = stamp
        return self._value
