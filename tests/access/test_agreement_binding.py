"""Keys and JWT subjects bound to agreements, as the authenticator reads them from files that
change while it runs."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import jwt
import pytest

from access.agreements import add_agreement, read_agreements, revoke_agreement
from access.principal import Principal, Role
from access.tokens import AgreementRefused, AuthenticationError, Authenticator, JwtConfig, add_key

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"


def agreement(path: Path, agreement_id: str, **changes: object) -> None:
    fields: dict[str, object] = {
        "department": "JT",
        "programmes": ["EDU"],
        "categories": ["identity", "benefits"],
        "purposes": ["EDU_AID_ELIGIBILITY"],
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2028, 12, 31),
        "signatories": ["民政局", "教体局"],
        "document": "test",
        "agreement_id": agreement_id,
    } | changes
    add_agreement(path, **fields)  # type: ignore[arg-type]


def token(sub: str, role: str = "department_partner", department: str = "JT") -> str:
    claims = {"sub": sub, "role": role, "department": department, "exp": int(time.time()) + 600}
    return "Bearer " + jwt.encode(claims, SECRET, algorithm="HS256", headers=None)


def test_a_jwt_subject_is_bound_to_its_agreement(tmp_path: Path) -> None:
    agreements = tmp_path / "agreements.toml"
    agreement(agreements, "AGR-PORTAL", subjects=["jt-portal"])
    auth = Authenticator(
        tmp_path / "keys.toml",
        JwtConfig("HS256", SECRET, None, None),
        allow_demo_keys=False,
        agreements=agreements,
        today=lambda: date(2027, 6, 1),
    )
    bound = auth.authenticate(token("jt-portal"))
    assert bound.agreement is not None and bound.agreement.agreement_id == "AGR-PORTAL"
    assert auth.authenticate(token("jt-other")).agreement is None  # unbound: the mandate alone
    # A subject of another department cannot borrow the agreement.
    with pytest.raises(AgreementRefused, match="not one of this partner's department"):
        auth.authenticate(token("jt-portal", department="GA"))


def test_changes_to_the_files_count_on_the_next_request(tmp_path: Path) -> None:
    keys, agreements = tmp_path / "keys.toml", tmp_path / "agreements.toml"
    today = [date(2027, 6, 1)]
    auth = Authenticator(keys, None, allow_demo_keys=False, agreements=agreements, today=lambda: today[0])
    with pytest.raises(AuthenticationError, match="unknown API key"):
        auth.authenticate("Bearer rg_not_yet")
    agreement(agreements, "AGR-LIVE")
    key = add_key(
        keys,
        Principal("jt-live", Role.DEPARTMENT_PARTNER, "JT"),
        key="rg_not_yet",
        agreement=read_agreements(agreements)["AGR-LIVE"],
    )
    assert auth.authenticate(f"Bearer {key}").agreement is not None
    today[0] = date(2029, 1, 1)
    with pytest.raises(AgreementRefused, match="expired on 2028-12-31"):
        auth.authenticate(f"Bearer {key}")
    today[0] = date(2027, 6, 1)
    revoke_agreement(agreements, "AGR-LIVE", "misuse found", date(2027, 5, 1))
    with pytest.raises(AgreementRefused, match="revoked on 2027-05-01: misuse found"):
        auth.authenticate(f"Bearer {key}")
