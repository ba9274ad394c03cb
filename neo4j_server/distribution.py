"""The pinned Neo4j Community server, resolved from Maven Central and cached outside git.

Maven fetches the server's jars and their dependencies with strict checksum checking
(``-C``: a jar whose SHA-1 does not match Central's is an error, not a warning). We then
record a SHA-256 manifest of what we got, so a cached copy that was damaged or tampered
with on disk is detected on reuse instead of being run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

MANIFEST = "manifest.json"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.reliefgraph</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{v}</version></dependency>
    <dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId><version>{v}</version></dependency>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j-import-tool</artifactId><version>{v}</version></dependency>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j-command-line</artifactId><version>{v}</version></dependency>
  </dependencies>
</project>
"""


class DistributionError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(lib: Path) -> bool:
    manifest = lib.parent / MANIFEST
    if not manifest.is_file():
        return False
    expected: dict[str, str] = json.loads(manifest.read_text())["sha256"]
    present = {p.name for p in lib.glob("*.jar")}
    if present != set(expected):
        return False
    return all(_sha256(lib / name) == digest for name, digest in expected.items())


def ensure_distribution(version: str, cache_dir: Path) -> Path:
    """The folder of jars for ``version``; downloaded once, verified on every reuse."""
    root = cache_dir / f"neo4j-{version}"
    lib = root / "lib"
    if lib.is_dir() and _verify(lib):
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DistributionError(
            "Maven (mvn) is needed once to fetch Neo4j from Maven Central; "
            "install it (apt-get install maven)."
        )
    if lib.exists():
        shutil.rmtree(lib)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pom.xml").write_text(_POM.format(v=version))
    cmd = [
        mvn,
        "-B",
        "-q",
        "-C",
        f"-Dmaven.repo.local={cache_dir / 'm2'}",
        "-f",
        str(root / "pom.xml"),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={lib}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise DistributionError(f"downloading Neo4j {version} from Maven Central failed:\n{tail}")
    jars = sorted(lib.glob("*.jar"))
    if not any(j.name == f"neo4j-{version}.jar" for j in jars):
        raise DistributionError(f"Maven finished but neo4j-{version}.jar is missing from {lib}")
    manifest = {"version": version, "sha256": {j.name: _sha256(j) for j in jars}}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return lib
