"""Exact installs: requirements.lock pins every dependency pyproject.toml names (dev extras
included), at a version its specifier admits, with hashes; `make lock` refreshes it."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from settings import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^ ;\\]+)")


def pins(path: str) -> dict[str, tuple[Version, bool]]:
    text = (PROJECT_ROOT / path).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=\S)", text)
    out = {}
    for block in blocks:
        match = PIN.match(block)
        if match:
            name = canonicalize_name(match.group(1).split("[")[0])
            out[name] = (Version(match.group(2)), "--hash=sha256:" in block)
    return out


def test_every_dependency_is_pinned_with_hashes_at_an_admitted_version() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirements, lock in (
        (project["dependencies"] + project["optional-dependencies"]["dev"], "requirements.lock"),
        (project["optional-dependencies"]["jdk"], "requirements-jdk.lock"),
    ):
        locked = pins(lock)
        assert locked and all(hashed for _, hashed in locked.values()), lock
        for line in requirements:
            req = Requirement(line)
            name = canonicalize_name(req.name)
            assert name in locked, f"{req.name} is not in {lock}: run `make lock`"
            assert req.specifier.contains(locked[name][0], prereleases=True), (
                f"{lock} pins {req.name} {locked[name][0]}, outside {req.specifier}: run `make lock`"
            )
