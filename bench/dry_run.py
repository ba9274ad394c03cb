"""Dry-run load benchmark: reading and validating the synthetic county as a load does
(Loader.check: the plan's checks and validation, no graph), and how often each file is read.

    python -m bench.dry_run [--scale small] [--repeats 5]

No Neo4j: what it times is the loader's own reading and validation, the part of a load a
second read of every file used to double.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from rich.console import Console

from bench.county import county_folder
from bench.machine import machine_line
from loaders.run import Loader
from settings import Settings

console = Console(width=130)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="small", choices=("small", "full"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    console.print(machine_line(settings))
    county = county_folder(console, args.scale, args.seed)
    files = sorted([*county.glob("*.csv"), *county.glob("*.jsonl")])
    reads: Counter[str] = Counter()
    read_bytes = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads[self.name] += 1
        return read_bytes(self)

    Path.read_bytes = counting  # type: ignore[method-assign]
    loader = Loader(None, settings, rejects_dir=county / "rejects")  # type: ignore[arg-type]  # check() writes nothing
    seconds = []
    rows = 0
    for _ in range(args.repeats):
        reads.clear()
        started = time.perf_counter()
        rows = sum(summary.rows for summary, _ in loader.check(files, show=0))
        seconds.append(time.perf_counter() - started)
    Path.read_bytes = read_bytes  # type: ignore[method-assign]
    size = sum(f.stat().st_size for f in files) / 1e6
    console.print(
        f"{len(files)} files, {rows:,} rows, {size:.1f} MB · reads per file {sorted(set(reads.values()))} · "
        f"dry run median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}, "
        f"{args.repeats} runs) · {rows / statistics.median(seconds):,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
