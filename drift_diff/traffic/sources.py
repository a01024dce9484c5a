"""Exchanges from any traffic source a user can name: trace files, folders, HAR files.

``iter_source_exchanges`` streams exchange dicts in a fixed order (sources as given, folders
recursively in sorted order), so the same sources always give the same stream.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from drift_diff.errors import InputError
from drift_diff.records import ExchangeRecord
from drift_diff.traffic.traces import (
    TRACE_SUFFIXES,
    ReadStats,
    SourceFile,
    expand_folders,
    iter_raw_exchanges,
)
from drift_diff.traffic.urls import RemoteFile

__all__ = ["HAR_SUFFIX", "SourceStats", "find_source_files", "iter_source_exchanges"]

HAR_SUFFIX = ".har"


@dataclass
class SourceStats:
    """What reading the sources saw: trace statistics, and HAR statistics once a HAR was read."""

    traces: ReadStats = field(default_factory=ReadStats)
    har: Any = None  # drift_diff.traffic.har.HarStats, created on the first HAR file
    har_files: int = 0

    @property
    def exchanges(self) -> int:
        return self.traces.exchanges + (self.har.api if self.har is not None else 0)

    @property
    def files(self) -> int:
        return self.traces.files + self.har_files

    @property
    def partial_lines(self) -> int:
        return self.traces.partial_lines

    def summary(self) -> str:
        """``1,204 exchanges from 3 files, skipped 2 partial lines`` (plus HAR skips)."""
        text = f"{self.exchanges:,} exchanges from {self.files} file(s)"
        if self.traces.partial_lines:
            text += f", skipped {self.traces.partial_lines} partial line(s)"
        if self.har is not None and sum(self.har.skipped.values()):
            text += f", HAR {self.har.summary()}"
        return text


def find_source_files(sources: Sequence[str | os.PathLike[str] | SourceFile]) -> list[SourceFile]:
    """Files named directly, and trace/HAR files found (recursively, sorted) under folders;
    URLs and globs (``s3://bucket/traces/*.jsonl.gz``) expand to the objects they name."""
    if not sources:
        raise InputError("<sources>", "no traffic source given")
    return expand_folders(
        sources,
        (*TRACE_SUFFIXES, HAR_SUFFIX),
        "folder holds no traces (*.jsonl, *.jsonl.gz) or HAR files",
    )


def iter_source_exchanges(
    sources: Sequence[str | os.PathLike[str] | SourceFile],
    *,
    stats: SourceStats | None = None,
    service: str | None = None,
    learn: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Iterator[ExchangeRecord]:
    """Yield the exchanges of every source. HAR files are imported on the fly (redacted;
    ``learn``: their exchanges are only learned from, see ``har.har_exchanges``)."""
    stats = stats if stats is not None else SourceStats()
    for path in find_source_files(sources):
        if path.name.lower().endswith(HAR_SUFFIX):
            from drift_diff.traffic.har import HarStats, read_har

            if stats.har is None:
                stats.har = HarStats()
            stats.har_files += 1
            # a HAR is one JSON document, read whole (a store URL through fsspec)
            har = str(path) if isinstance(path, RemoteFile) else path
            yield from read_har(har, service=service, redact=True, stats=stats.har, learn=learn)
        else:
            yield from iter_raw_exchanges([path], stats.traces)
