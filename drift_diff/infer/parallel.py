"""Inference on several processes: split the sources, infer each part, merge the baselines.

One partition/merge engine, two executors: local processes (``engine="local"``) and Dask
distributed (``engine="dask"``, see ``drift_diff.infer.dask_engine``). Both infer the same
units with ``infer_unit`` and merge with ``merge_results``.

Exactness comes from the merge property (``merge(infer(A), infer(B)) == infer(A + B)``): the
result is byte-identical to a single-process run, however the work was split. Plain ``*.jsonl``
files are split into byte ranges at line boundaries; gzip and HAR files are whole units.
A malformed line is reported by the worker that read it, in the sequential reader's words
and with its line number in the whole file (for a byte range, the newlines before the range
are counted only then): no second pass over the input. Other surprises in a worker (an
unreadable file, a line past the length limit) make the run fall back to the sequential reader.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, NamedTuple

import orjson

from drift_diff.errors import DriftDiffError, InputError, UsageError, quoted
from drift_diff.infer.engine import Inference
from drift_diff.infer.learned import learned_part
from drift_diff.infer.merge import merge_baselines
from drift_diff.infer.pool import PARTS_PER_WORKER, gc_paused, run_parts
from drift_diff.jsonfile import max_line_bytes
from drift_diff.model import Baseline, BaselineRecord
from drift_diff.traffic.sources import (
    HAR_SUFFIX,
    SourceStats,
    find_source_files,
    iter_source_exchanges,
)
from drift_diff.traffic.traces import SourceFile, file_size, parse_line, too_deep_error
from drift_diff.traffic.urls import RemoteFile, is_url

__all__ = [
    "ENGINES",
    "PARALLEL_MIN_BYTES",
    "infer_sources",
    "infer_unit",
    "merge_results",
    "part_baseline",
]

#: The executors of the partition/merge engine.
ENGINES = ("local", "dask")

#: Below this many bytes of input, one process is faster than starting workers.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024

Progress = Callable[[int], None]


class Unit(NamedTuple):  # a tuple: it pickles to workers in compiled builds too
    path: str  # a local path or a URL
    size: int
    start: int = 0
    end: int = -1  # -1: the whole file through the ordinary reader

    def file(self) -> SourceFile:
        return RemoteFile(self.path, self.size) if is_url(self.path) else Path(self.path)


Result = tuple[BaselineRecord, dict[str, int]]  # a part's baseline dict and its read counts


class Fallback(Exception):
    """A worker met input it will not judge; the sequential reader reports it properly."""


def infer_sources(
    sources: Sequence[str | os.PathLike[str] | SourceFile],
    *,
    service: str | None = None,
    workers: int | None = None,
    stats: SourceStats | None = None,
    progress: Progress | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    templates: Sequence[str] = (),
    engine: str = "local",
    scheduler: str | None = None,
) -> Baseline:
    """A baseline from trace files/folders, HAR files and URLs, on ``workers`` processes
    (default: CPUs) or on Dask (``engine="dask"``; ``scheduler``: a ``tcp://HOST:PORT``
    address, or ``None`` for a ``LocalCluster`` of ``workers`` processes).

    Local inputs smaller than ``parallel_min_bytes`` (and any HAR input) are read in this
    process; the Dask engine distributes whatever it is given.
    ``templates``: endpoint templates the user states (config ``paths:``).
    """
    if engine not in ENGINES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {quoted(engine)}")
    templates = tuple(templates)
    stats = stats if stats is not None else SourceStats()
    files = find_source_files(sources)
    workers = workers or os.cpu_count() or 1
    size = sum(file_size(f) for f in files)
    hars = [f for f in files if f.name.lower().endswith(HAR_SUFFIX)]
    large_har = any(file_size(f) >= parallel_min_bytes for f in hars)
    if large_har and engine == "local" and workers > 1:
        return _split_hars(files, service, workers, stats, progress, templates, parallel_min_bytes)
    distributed = engine == "dask" and not hars
    if distributed or (workers > 1 and size >= parallel_min_bytes and not hars):
        units = _units(files, workers, parallel_min_bytes)
        try:
            if distributed:
                from drift_diff.infer.dask_engine import run_on_dask

                baseline, counts = run_on_dask(
                    units, service, templates, workers=workers, scheduler=scheduler
                )
            else:
                baseline, counts = _parallel(units, service, workers, progress, templates)
        except Fallback:
            pass  # rerun sequentially: it names the file and line of the problem
        else:
            stats.traces.exchanges += counts["exchanges"]
            stats.traces.partial_lines += counts["partial"]
            stats.traces.files += len(files)
            return baseline
    return _sequential(files, service, stats, progress, templates)


def _split_hars(
    files: list[SourceFile],
    service: str | None,
    workers: int,
    stats: SourceStats,
    progress: Progress | None,
    templates: tuple[str, ...],
    parallel_min_bytes: int,
) -> Baseline:
    """Each HAR file on ``workers`` processes (``har_parts``), then the trace files as usual;
    the parts merge into what one pass over all of them gives, in the same order."""
    from drift_diff.infer.har_parts import infer_har

    parts: list[Baseline] = []
    traces: list[SourceFile] = []
    for path in files:
        if path.name.lower().endswith(HAR_SUFFIX):
            parts.append(
                infer_har(
                    path,
                    service=service,
                    workers=workers,
                    stats=stats,
                    progress=progress,
                    templates=templates,
                )
            )
        else:
            traces.append(path)
    if traces:
        parts.append(
            infer_sources(
                traces,
                service=service,
                workers=workers,
                stats=stats,
                progress=progress,
                templates=templates,
                parallel_min_bytes=parallel_min_bytes,
            )
        )
    return merge_baselines(parts, service=service)


def _sequential(
    files: list[SourceFile],
    service: str | None,
    stats: SourceStats,
    progress: Progress | None,
    templates: tuple[str, ...] = (),
) -> Baseline:
    inference = Inference(service=service, templates=templates)
    with gc_paused():
        exchanges = iter_source_exchanges(files, stats=stats, service=service, learn=learned_part)
        for n, raw in enumerate(exchanges, 1):
            inference.add(raw)
            if progress is not None and n % 2000 == 0:
                progress(2000)
        return inference.baseline()


def _open_raw(path: SourceFile) -> IO[bytes]:
    return path.open() if isinstance(path, RemoteFile) else open(path, "rb")


#: The smallest piece worth its own partial baseline.
PIECE_MIN_BYTES = 4 * 1024 * 1024


def _units(files: list[SourceFile], workers: int, min_bytes: int) -> list[Unit]:
    """Whole files, and large plain ``*.jsonl`` files cut at line starts into up to
    ``PARTS_PER_WORKER × workers`` byte ranges."""
    units: list[Unit] = []
    for path in files:
        size = file_size(path)
        if not path.name.endswith(".jsonl") or size < min_bytes // 2:
            units.append(Unit(str(path), size))
            continue
        pieces = max(min(workers * PARTS_PER_WORKER, size // PIECE_MIN_BYTES), min(workers, 2))
        cuts = [0]
        with _open_raw(path) as fh:
            for k in range(1, pieces):
                fh.seek(max(size * k // pieces, cuts[-1]))
                _skip_line(fh)  # move to the next line start
                cuts.append(fh.tell())
        cuts.append(size)
        units.extend(Unit(str(path), size, a, b) for a, b in itertools.pairwise(cuts) if b > a)
    return units


def _skip_line(fh: IO[bytes]) -> None:
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


def part_baseline(data: BaselineRecord) -> Baseline:
    # our own workers' output: no need to validate it against the baseline schema again
    return Baseline(
        service=data["service"],
        endpoints=data["endpoints"],
        sources=data["sources"],
        format=data["format"],
    )


def merge_results(
    results: Sequence[Result], service: str | None
) -> tuple[Baseline, dict[str, int]]:
    """One baseline and summed counts from the parts' results (any grouping gives the same)."""
    totals = {"exchanges": 0, "partial": 0}
    for _, counts in results:
        for name in totals:
            totals[name] += counts[name]
    return merge_baselines([part_baseline(data) for data, _ in results], service=service), totals


#: What a failing unit raises in a worker; the sequential reader then names file and line.
WORKER_FAILURES = (Fallback, DriftDiffError, OSError, ValueError)


def _parallel(
    units: list[Unit],
    service: str | None,
    workers: int,
    progress: Progress | None,
    templates: tuple[str, ...] = (),
) -> tuple[Baseline, dict[str, int]]:
    """Infer the units on ``workers`` processes — this one included (``pool.run_parts``,
    largest first) — and merge the parts."""
    ordered = sorted(
        units, key=lambda unit: unit.end - unit.start if unit.end >= 0 else unit.size, reverse=True
    )
    try:
        results = run_parts(
            ordered,
            workers=workers,
            remote=lambda unit: (infer_unit, (unit, service, templates)),
            local=lambda unit: infer_unit(unit, service, templates),
            done=None if progress is None else lambda result: progress(result[1]["exchanges"]),
        )
    except WORKER_FAILURES as exc:
        if isinstance(exc, InputError):
            raise  # a bad line, named by the unit that read it
        raise Fallback() from None
    return merge_results(results, service)


def infer_unit(unit: Unit, service: str | None, templates: tuple[str, ...] = ()) -> Result:
    """Worker: infer one unit; returns the baseline dict and read counts."""
    inference = Inference(service=service, templates=templates)
    with gc_paused():
        if unit.end < 0:
            stats = SourceStats()
            for raw in iter_source_exchanges([unit.file()], stats=stats, service=service):
                inference.add(raw)
            counts = {"exchanges": stats.exchanges, "partial": stats.partial_lines}
        else:
            counts = _read_range(unit, inference)
        return inference.baseline().to_dict(), counts


def _read_range(unit: Unit, inference: Inference) -> dict[str, int]:
    """Infer the lines of a byte range. Each line goes through ``parse_line``, the sequential
    reader's own check; a bad line is reported with its number in the whole file, which is
    counted (newlines before ``unit.start``) only then."""
    n = partial = 0
    pos, end = unit.start, unit.end
    add = inference.add
    limit = max_line_bytes()
    path = unit.file()
    with _open_raw(path) as fh:
        fh.seek(pos)
        for k, line in enumerate(iter(lambda: fh.readline(limit + 1), b""), 1):
            if len(line) > limit:
                raise Fallback()  # the sequential reader reports it, with the line number
            if pos >= end:
                break
            pos += len(line)
            if line.isspace():
                continue
            if not line.endswith(b"\n"):  # the last line: a fragment is a crash leftover
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    if not too_deep_error(exc):
                        partial += 1
                        continue
            try:
                obj = parse_line(path, k, line)
            except InputError:
                obj = None
            if obj is None:  # the same error again, numbered in the whole file
                parse_line(path, _lines_before(path, unit.start) + k, line)
                raise Fallback()  # (not reached: the line failed the same check above)
            add(obj)
            n += 1
    return {"exchanges": n, "partial": partial}


def _lines_before(path: SourceFile, offset: int) -> int:
    """How many lines the file has before byte ``offset`` (read in blocks, C-speed count)."""
    count = 0
    with _open_raw(path) as fh:
        while offset > 0:
            block = fh.read(min(offset, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            offset -= len(block)
    return count
