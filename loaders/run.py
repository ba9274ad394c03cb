"""Loading department exports: check every file first, then validate and write in batches.

Guarantees:
- a file that is not what it claims stops the load before anything is written;
- a bad row never stops the load: it goes to the rejects file and is counted;
- each batch is one transaction of idempotent MERGEs, so loading a file twice, or again
  after a crash at any point, ends in the graph a single clean run gives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ConstraintError
from pydantic import ValidationError

from loaders.changed import add_keys, as_lists
from loaders.feeds import Feed, feed_for
from loaders.headers import read_header_aliases
from loaders.prefetch import prefetch
from loaders.reading import ExportFile, FileFormatError, read_export
from loaders.reference import ReferenceData, read_reference, upsert_reference
from loaders.references import existing_keys
from loaders.rejects import Reject, RejectsFile, check_writable, rejects_from_validation
from loaders.rows.common import FeedRow
from settings import Settings


class LoadProgress(Protocol):
    def start_file(self, label: str, total_rows: int) -> None: ...
    def advance(self, rows: int) -> None: ...
    def end_file(self) -> None: ...


class _Silent:
    def start_file(self, label: str, total_rows: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def end_file(self) -> None:
        pass


@dataclass
class FileSummary:
    feed: str
    path: Path
    encoding: str
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    batches: int = 0
    seconds: float = 0.0
    rejects_file: Path | None = None
    renamed: dict[str, str] = field(default_factory=dict)  # header as exported -> the feed's column
    keys: dict[str, set[str]] = field(default_factory=dict)  # what its valid rows name (loaders/changed.py)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class LoadReport:
    files: list[FileSummary] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.files)

    def rejects_files(self) -> list[FileSummary]:
        return [f for f in self.files if f.rejects_file is not None]

    def changed_keys(self) -> dict[str, list[str]]:
        """The keys the loaded rows named, for incremental detection."""
        return _merged_keys(self.files)


def _merged_keys(files: Sequence[FileSummary]) -> dict[str, list[str]]:
    keys: dict[str, set[str]] = {}
    for summary in files:
        for kind, values in summary.keys.items():
            keys.setdefault(kind, set()).update(values)
    return as_lists(keys)


@dataclass
class Planned:
    """A file checked for the load, with what reading it gave: the load validates these
    rows, so each file is read once."""

    feed: Feed
    path: Path
    export: ExportFile


@dataclass(frozen=True)
class _Item:
    line: int
    raw: str
    params: dict[str, Any]


BatchHook = Callable[[FileSummary, int], None]

# A value validation let through that Bolt cannot carry (an integer over 64 bits, say):
# a fault of that row, never of the load.
_UNSENDABLE = (OverflowError, TypeError)

# The columns that say which department a row comes from.
SOURCE_FIELDS = ("source", "department")

AWAIT_SEARCH_INDEX = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()"


def _write_batch(
    tx: ManagedTransaction, feed: Feed, batch: list[_Item], county_code: str, source_file: str
) -> list[Reject]:
    """Reject rows naming entities that do not exist, write the rest; safe to retry."""
    missing: dict[int, Reject] = {}
    for ref in feed.refs:
        keys: set[str] = set()
        for item in batch:
            value = item.params.get(ref.field)
            keys.update(value if isinstance(value, list) else [value] if value is not None else [])
        if not keys:
            continue
        found = existing_keys(tx, ref.kind, sorted(keys))
        for item in batch:
            if item.line in missing:
                continue
            value = item.params.get(ref.field)
            for key in value if isinstance(value, list) else [value]:
                if key is not None and key not in found:
                    missing[item.line] = Reject(
                        "",
                        item.line,
                        ref.field,
                        f"unknown {ref.kind.value} {key}: not in the graph",
                        key,
                        item.raw,
                    )
                    break
    rows = [
        item.params | {"source_line": item.line} if feed.provenance else item.params
        for item in batch
        if item.line not in missing
    ]
    if rows:
        tx.run(feed.cypher, rows=rows, county_code=county_code, source_file=source_file).consume()
    return list(missing.values())


class Loader:
    def __init__(
        self, driver: Driver, settings: Settings, *, rejects_dir: Path, submitter: str | None = None
    ) -> None:
        self.driver = driver
        self.settings = settings
        self.rejects_dir = rejects_dir
        # A partner department submitting through the API: its rows speak for it alone.
        self.submitter = submitter
        self.reference: ReferenceData = read_reference(settings.rules_file)
        self.headers = read_header_aliases(settings.feed_headers_file)

    def plan(
        self, paths: Sequence[Path], feed: str | None = None, encoding: str | None = None
    ) -> list[Planned]:
        """Every file's feed and rows, after checking encoding, header and completeness; in
        load order. Raises FileFormatError before anything is written."""
        planned = []
        for path in paths:
            chosen = feed_for(path, feed)
            export = read_export(path, chosen.required_columns, encoding, self.headers.for_feed(chosen.name))
            planned.append(Planned(chosen, path, export))
        return sorted(planned, key=lambda p: p.feed.rank)

    def load(
        self,
        paths: Sequence[Path],
        *,
        feed: str | None = None,
        encoding: str | None = None,
        progress: LoadProgress | None = None,
        after_batch: BatchHook | None = None,
    ) -> LoadReport:
        planned = self.plan(paths, feed, encoding)
        check_writable(self.rejects_dir)
        upsert_reference(self.driver, self.settings.neo4j_database, self.reference)
        report = LoadReport()
        while planned:
            # Each file's rows are let go once it is loaded.
            report.files.append(self._load_file(planned.pop(0), progress or _Silent(), after_batch))
        # The name-search index is updated after commit; a finished load is searchable.
        with self.driver.session(database=self.settings.neo4j_database) as session:
            session.run(AWAIT_SEARCH_INDEX).consume()
        return report

    def check(
        self, paths: Sequence[Path], *, feed: str | None = None, encoding: str | None = None, show: int = 5
    ) -> list[tuple[FileSummary, list[Reject]]]:
        """The dry run: every file read and every row validated as a load would, nothing
        written (no graph, no rejects file). Rows naming persons or households not yet in
        the graph are only found by a real load."""
        out = []
        for planned in self.plan(paths, feed, encoding):
            summary = FileSummary(planned.feed.name, planned.path, "")
            shown: list[Reject] = []
            for batch, invalid in self._validated_batches(planned, summary):
                summary.loaded += len(batch)
                shown += invalid[: max(0, show - len(shown))]
            out.append((summary, shown))
        return out

    def changed_keys(
        self, paths: Sequence[Path], *, feed: str | None = None, encoding: str | None = None
    ) -> dict[str, list[str]]:
        """The keys these files' valid rows name, read and validated as a load would (for
        detection over files already loaded)."""
        return _merged_keys(
            [summary for summary, _ in self.check(paths, feed=feed, encoding=encoding, show=0)]
        )

    def _validated_batches(
        self, planned: Planned, summary: FileSummary
    ) -> Iterator[tuple[list[_Item], list[Reject]]]:
        """Batches of valid rows, each with the rejects found since the previous batch."""
        chosen, path, export = planned.feed, planned.path, planned.export
        summary.encoding, summary.rows, summary.renamed = export.encoding, len(export.rows), export.renamed
        context = self.reference.validation_context()
        items: list[_Item] = []
        rejects: list[Reject] = []
        seen: set[str] = set()
        for raw in export.rows:
            if raw.raw in seen:
                summary.duplicates += 1  # still loaded: MERGE makes it a no-op
            seen.add(raw.raw)
            if raw.problem is not None:
                rejects.append(Reject(str(path), raw.line, "(row)", raw.problem, "", raw.raw))
                summary.rejected += 1
                continue
            try:
                row = chosen.model.model_validate(FeedRow.without_blanks(raw.values), context=context)
            except ValidationError as exc:
                rejects.extend(rejects_from_validation(str(path), raw.line, raw.raw, exc))
                summary.rejected += 1
                continue
            params = chosen.to_params(row)
            if (foreign := self._foreign_department(params)) is not None:
                rejects.append(Reject(str(path), raw.line, *foreign, raw.raw))
                summary.rejected += 1
                continue
            items.append(_Item(raw.line, raw.raw, params))
            add_keys(summary.keys, items[-1].params)
            if len(items) >= self.settings.batch_size:
                yield items, rejects
                items, rejects = [], []
        yield items, rejects

    def _foreign_department(self, params: dict[str, Any]) -> tuple[str, str, str] | None:
        """(field, reason, value) when a submitted row names another department as its source."""
        if self.submitter is None:
            return None
        for name in SOURCE_FIELDS:
            value = params.get(name)
            if value is not None and value != self.submitter:
                return (
                    name,
                    f"department {value} is not yours ({self.submitter}): submit your own records",
                    value,
                )
        return None

    def _write(
        self, chosen: Feed, batch: list[_Item], county: str, source_file: str
    ) -> tuple[int, list[Reject]]:
        with self.driver.session(database=self.settings.neo4j_database) as session:
            try:
                return len(batch), session.execute_write(_write_batch, chosen, batch, county, source_file)
            except (ConstraintError, *_UNSENDABLE):
                pass
            # Some row contradicts what the graph holds (a staff id already held by another
            # person, say), or holds a value the database cannot take. The batch rolled back
            # whole; write it row by row to reject just those.
            refused: list[Reject] = []
            for item in batch:
                try:
                    refused += session.execute_write(_write_batch, chosen, [item], county, source_file)
                except ConstraintError as exc:
                    refused.append(
                        Reject(
                            "", item.line, "(row)", f"conflicts with the graph: {exc.message}", "", item.raw
                        )
                    )
                except _UNSENDABLE as exc:
                    refused.append(
                        Reject(
                            "", item.line, "(row)", f"a value the database cannot store: {exc}", "", item.raw
                        )
                    )
            return len(batch), refused

    def _load_file(
        self, planned: Planned, progress: LoadProgress, after_batch: BatchHook | None
    ) -> FileSummary:
        """Validate in one thread, write with ``write_workers`` concurrent transactions.

        Batches may commit out of order; every batch is an idempotent MERGE, so a crash at
        any point still converges to the same graph on the next run. Concurrent MERGEs of one
        key are serialised by the uniqueness constraint; deadlocks are retried by the driver.
        """
        started = time.perf_counter()
        chosen, path = planned.feed, planned.path
        summary = FileSummary(chosen.name, path, "")
        rejects = RejectsFile(self.rejects_dir / f"{path.name}.rejects.csv")
        county = self.reference.county.code
        workers = self.settings.write_workers
        refused_rows = 0  # the producer thread counts invalid rows in summary.rejected meanwhile

        def collect(done: set[Future[tuple[int, list[Reject]]]]) -> None:
            nonlocal refused_rows
            for future in done:
                size, refused = future.result()
                rejects.write([Reject(str(path), r.line, r.field, r.reason, r.value, r.raw) for r in refused])
                refused_rows += len(refused)
                summary.loaded += size - len(refused)
                summary.batches += 1
                progress.advance(size)
                if after_batch is not None:
                    after_batch(summary, summary.batches)

        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="writer") as pool:
                pending: set[Future[tuple[int, list[Reject]]]] = set()
                try:
                    for number, (batch, invalid) in enumerate(
                        prefetch(self._validated_batches(planned, summary))
                    ):
                        if number == 0:
                            progress.start_file(f"{chosen.name} ← {path.name}", summary.rows)
                        rejects.write(invalid)
                        progress.advance(len({r.line for r in invalid}))
                        if batch:
                            pending.add(pool.submit(self._write, chosen, batch, county, path.name))
                        if len(pending) >= workers:
                            done, pending = wait(pending, return_when=FIRST_COMPLETED)
                            collect(done)
                    done, pending = wait(pending)
                    collect(done)
                finally:
                    for future in pending:
                        future.cancel()
            progress.end_file()
        except BaseException:
            rejects.abandon()
            raise
        rejects.close()
        summary.rejected += refused_rows
        summary.seconds = time.perf_counter() - started
        summary.rejects_file = rejects.path if rejects.count else None
        return summary


__all__ = ["Loader", "LoadReport", "FileSummary", "FileFormatError", "Planned"]
