"""Where the API's CPU time goes under load: py-spy's samples of the serving workers, split by layer.

py-spy (a sampling profiler that reads the processes from outside, no code in the server)
records the workers' stacks while wrk drives the person 360; each sample is attributed to the
first layer found walking from the innermost frame outwards, so time in the driver's
unpacking counts as the driver's even when strawberry called it. Idle samples (a worker
waiting on its event loop) are not recorded: the split is of busy CPU time. Neo4j's own time
is not in it (another process): the table beside it shows the server's side.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

EVENT_LOOP = "event loop (asyncio, uvloop)"
# (layer, how its files' paths begin as py-spy prints them: relative to the import root).
# A frame gets the first layer that matches.
LAYERS = (
    ("JSON encoding", ("json/", "orjson/")),
    ("neo4j driver and result conversion", ("neo4j/",)),
    ("strawberry and graphql-core execution", ("strawberry/", "graphql/")),
    (
        "ASGI server, starlette and our HTTP middleware",
        (
            "uvicorn/",
            "starlette/",
            "httptools/",
            "uvloop/",
            "reliefgraph/body_limit.py",
            "reliefgraph/graphql_http.py",
        ),
    ),
    ("audit trail", ("access/audit.py", "access/audit_chain.py")),
    (
        "field policy and masking",
        ("schema/field_policy.py", "access/fields.py", "access/handles.py", "access/policy.py"),
    ),
    ("logs and metrics", ("observability/", "logging/", "prometheus_client/")),
    ("our resolvers and types", ("resolvers/", "schema/", "reliefgraph/")),
    # Last: a socket write the driver makes counts as the driver's; what is left is the
    # event loop itself (uvloop's C code shows as its Python caller).
    (EVENT_LOOP, ("asyncio/",)),
)
OTHER = "other (authentication, the interpreter, the rest)"


def _path(frame: str) -> str:
    """'func (path/to/file.py:12)' -> 'path/to/file.py'."""
    inside = frame[frame.rfind("(") + 1 :].rstrip(")")
    return inside.rsplit(":", 1)[0]


def record(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    """Start py-spy on the serving process and its workers; wait on the returned process."""
    out.unlink(missing_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))  # the venv's, from the lock
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--format",
            "raw",
            "--rate",
            "97",
            "--duration",
            str(seconds),
            "--nonblocking",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def layer_of(stack: str) -> str:
    """The innermost frame's layer; the event loop's only when no other frame has one."""
    fallback = OTHER
    for frame in reversed(stack.split(";")):  # innermost first
        path = _path(frame)
        for layer, prefixes in LAYERS:
            if any(path.startswith(prefix) or f"/{prefix}" in path for prefix in prefixes):
                if layer != EVENT_LOOP:
                    return layer
                fallback = EVENT_LOOP
    return fallback


def split(collapsed: Path) -> dict[str, float]:
    """Share of busy samples per layer, from py-spy's raw (collapsed stack) output."""
    counts: Counter[str] = Counter()
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            counts[layer_of(stack)] += int(n)
    total = sum(counts.values())
    return {layer: counts[layer] / total for layer, _ in (*LAYERS, (OTHER, ()))} if total else {}


def one_line(shares: dict[str, float]) -> str:
    return " · ".join(
        f"{layer} {share:.0%}" for layer, share in sorted(shares.items(), key=lambda x: -x[1]) if share
    )
