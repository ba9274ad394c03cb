"""The machine a benchmark ran on, in one line printed above its figures."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

from settings import Settings


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


def machine_line(settings: Settings) -> str:
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · {_memory_gib():.0f} GiB · "
        f"{_cpu_model()} · Neo4j {settings.neo4j_version} · Python {platform.python_version()}"
    )
