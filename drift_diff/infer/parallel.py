"""Inference on several processes: split the sources, infer each part, merge the baselines.

Exactness comes from the merge property (``merge(infer(A), infer(B)) == infer(A + B)``): the
result is byte-identical to a single-process run, however the work was split. Plain ``*.jsonl``
files are split into byte ranges at line boundaries; gzip and HAR files are whole units.
Any problem in a worker (a malformed line, a bad file) makes the run fall back to the sequential
reader, which reports it with the exact file and line — so errors read the same either way.
"""

from __future__ import annotations

import gc
import itertools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from drift_diff.errors import DriftDiffError
from drift_diff.infer.engine import Inference
from drift_diff.infer.merge import merge_baselines
from drift_diff.jsonfile import max_line_bytes
from drift_diff.model import Baseline
from drift_diff.traffic.sources import SourceStats, find_source_files, iter_source_exchanges
from drift_diff.traffic.traces import check_exchange, too_deep

__all__ = ["infer_sources"]

#: Below this many bytes of input, one process is faster than starting workers.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024

Progress = Callable[[int], None]
_VERSION_1 = re.compile(r"driftdiff\.exchange/1(\.[0-9]+)?")


class _Unit(NamedTuple):  # a tuple: it pickles to workers in compiled builds too
    path: str
    start: int = 0
    end: int = -1  # -1: the whole file through the ordinary reader


class _Fallback(Exception):
    """A worker met input it will not judge; the sequential reader reports it properly."""


def infer_sources(
    sources: Sequence[str | os.PathLike[str]],
    *,
    service: str | None = None,
    workers: int | None = None,
    stats: SourceStats | None = None,
    progress: Progress | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    templates: Sequence[str] = (),
) -> Baseline:
    """A baseline from trace files/folders and HAR files, on ``workers`` processes (default: CPUs).

    Inputs smaller than ``parallel_min_bytes`` (and any HAR input) are read in this process.
    ``templates``: endpoint templates the user states (config ``paths:``).
    """
    templates = tuple(templates)
    stats = stats if stats is not None else SourceStats()
    files = find_source_files(sources)
    workers = workers or min(os.cpu_count() or 1, 4)
    size = sum(f.stat().st_size for f in files)
    has_har = any(f.name.lower().endswith(".har") for f in files)
    if workers > 1 and size >= parallel_min_bytes and not has_har:
        try:
            baseline, counts = _parallel(
                files, service, workers, progress, parallel_min_bytes, templates
            )
        except _Fallback:
            pass  # rerun sequentially: it names the file and line of the problem
        else:
            stats.traces.exchanges += counts["exchanges"]
            stats.traces.partial_lines += counts["partial"]
            stats.traces.files += len(files)
            return baseline
    return _sequential(files, service, stats, progress, templates)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Inference allocates millions of short-lived, acyclic objects (parsed lines) that reference
    counting frees; the cyclic collector would only rescan the learned state again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sequential(
    files: list[Path],
    service: str | None,
    stats: SourceStats,
    progress: Progress | None,
    templates: tuple[str, ...] = (),
) -> Baseline:
    inference = Inference(service=service, templates=templates)
    with _gc_paused():
        for n, raw in enumerate(iter_source_exchanges(files, stats=stats, service=service), 1):
            inference.add(raw)
            if progress is not None and n % 2000 == 0:
                progress(2000)
        return inference.baseline()


def _units(files: list[Path], workers: int, min_bytes: int) -> list[_Unit]:
    units: list[_Unit] = []
    for path in files:
        size = path.stat().st_size
        if not path.name.endswith(".jsonl") or size < min_bytes // 2:
            units.append(_Unit(str(path)))
            continue
        cuts = [0]
        with open(path, "rb") as fh:
            for k in range(1, workers):
                fh.seek(max(size * k // workers, cuts[-1]))
                _skip_line(fh)  # move to the next line start
                cuts.append(fh.tell())
        cuts.append(size)
        units.extend(_Unit(str(path), a, b) for a, b in itertools.pairwise(cuts) if b > a)
    return units


def _skip_line(fh: BinaryIO) -> None:
    """Move past the next newline (or to the end) reading a block at a time: a file with no
    newline (zeros, a sparse file) must not be read into memory whole."""
    while True:
        block = fh.read(1 << 16)
        newline = block.find(b"\n")
        if newline >= 0:
            fh.seek(newline + 1 - len(block), os.SEEK_CUR)
            return
        if not block:
            return


def _parallel(
    files: list[Path],
    service: str | None,
    workers: int,
    progress: Progress | None,
    min_bytes: int,
    templates: tuple[str, ...] = (),
) -> tuple[Baseline, dict[str, int]]:
    """Infer the units on ``workers`` processes — this one included — and merge the parts."""
    parts: list[Baseline] = []
    totals = {"exchanges": 0, "partial": 0}

    def take(data: dict[str, Any], counts: dict[str, int]) -> None:
        # our own workers' output: no need to validate it against the baseline schema again
        parts.append(
            Baseline(
                service=data["service"],
                endpoints=data["endpoints"],
                sources=data["sources"],
                format=data["format"],
            )
        )
        for name in totals:
            totals[name] += counts[name]
        if progress is not None:
            progress(counts["exchanges"])

    units = _units(files, workers, min_bytes)
    with ProcessPoolExecutor(max_workers=max(1, min(workers - 1, len(units) - 1))) as pool:
        futures = [pool.submit(_infer_unit, unit, service, templates) for unit in units[1:]]
        try:
            take(
                *_infer_unit(units[0], service, templates)
            )  # this process works too, not only waits
            for future in as_completed(futures):
                take(*future.result())
        except (_Fallback, DriftDiffError, OSError, ValueError):
            for other in futures:
                other.cancel()
            raise _Fallback() from None
    return merge_baselines(parts, service=service), totals


def _infer_unit(
    unit: _Unit, service: str | None, templates: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, int]]:
    """Worker: infer one unit; returns the baseline dict and read counts."""
    inference = Inference(service=service, templates=templates)
    with _gc_paused():
        if unit.end < 0:
            stats = SourceStats()
            for raw in iter_source_exchanges([unit.path], stats=stats, service=service):
                inference.add(raw)
            counts = {"exchanges": stats.exchanges, "partial": stats.partial_lines}
        else:
            counts = _read_range(unit, inference)
        return inference.baseline().to_dict(), counts


def _read_range(unit: _Unit, inference: Inference) -> dict[str, int]:
    n = partial = 0
    pos, end = unit.start, unit.end
    versions: set[str] = set()  # format strings already checked
    add = inference.add
    limit = max_line_bytes()
    with open(unit.path, "rb") as fh:
        fh.seek(pos)
        for line in iter(lambda: fh.readline(limit + 1), b""):
            if len(line) > limit:
                raise _Fallback()  # the sequential reader reports it, with the line number
            if pos >= end:
                break
            pos += len(line)
            if line.isspace():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                if line.endswith(b"\n"):
                    raise _Fallback() from None
                partial += 1  # the crash leftover at the end of the file
                continue
            if check_exchange(obj) is not None or too_deep(line, obj):
                raise _Fallback()
            fmt = obj["format"]
            if fmt not in versions:
                if not _VERSION_1.fullmatch(fmt):
                    raise _Fallback()
                versions.add(fmt)
            add(obj)
            n += 1
    return {"exchanges": n, "partial": partial}
