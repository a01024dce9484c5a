"""Inference on several processes: split the sources, infer each part, merge the baselines.

One partition/merge engine, two executors: local processes (``engine="local"``) and Dask
distributed (``engine="dask"``, see ``drift_diff.infer.dask_engine``). Both infer the same
units with ``infer_unit`` and merge with ``merge_results``.

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
from typing import IO, Any, NamedTuple

import orjson

from drift_diff.errors import DriftDiffError, UsageError
from drift_diff.infer.engine import Inference
from drift_diff.infer.merge import merge_baselines
from drift_diff.jsonfile import max_line_bytes
from drift_diff.model import Baseline
from drift_diff.traffic.sources import SourceStats, find_source_files, iter_source_exchanges
from drift_diff.traffic.traces import SourceFile, check_exchange, file_size, too_deep
from drift_diff.traffic.urls import RemoteFile, is_url

__all__ = ["ENGINES", "infer_sources", "infer_unit", "merge_results"]

#: The executors of the partition/merge engine.
ENGINES = ("local", "dask")

#: Below this many bytes of input, one process is faster than starting workers.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024

Progress = Callable[[int], None]
_VERSION_1 = re.compile(r"driftdiff\.exchange/1(\.[0-9]+)?")


class Unit(NamedTuple):  # a tuple: it pickles to workers in compiled builds too
    path: str  # a local path or a URL
    size: int
    start: int = 0
    end: int = -1  # -1: the whole file through the ordinary reader

    def file(self) -> SourceFile:
        return RemoteFile(self.path, self.size) if is_url(self.path) else Path(self.path)


Result = tuple[dict[str, Any], dict[str, int]]  # a part's baseline dict and its read counts


class Fallback(Exception):
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
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    templates = tuple(templates)
    stats = stats if stats is not None else SourceStats()
    files = find_source_files(sources)
    workers = workers or os.cpu_count() or 1
    size = sum(file_size(f) for f in files)
    has_har = any(f.name.lower().endswith(".har") for f in files)
    distributed = engine == "dask" and not has_har
    if distributed or (workers > 1 and size >= parallel_min_bytes and not has_har):
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
    files: list[SourceFile],
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


def _open_raw(path: SourceFile) -> IO[bytes]:
    return path.open() if isinstance(path, RemoteFile) else open(path, "rb")


def _units(files: list[SourceFile], workers: int, min_bytes: int) -> list[Unit]:
    """Whole files, and large plain ``*.jsonl`` files cut at line starts near ``size / workers``."""
    units: list[Unit] = []
    for path in files:
        size = file_size(path)
        if not path.name.endswith(".jsonl") or size < min_bytes // 2:
            units.append(Unit(str(path), size))
            continue
        cuts = [0]
        with _open_raw(path) as fh:
            for k in range(1, workers):
                fh.seek(max(size * k // workers, cuts[-1]))
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


def _part(data: dict[str, Any]) -> Baseline:
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
    return merge_baselines([_part(data) for data, _ in results], service=service), totals


#: What a failing unit raises in a worker; the sequential reader then names file and line.
WORKER_FAILURES = (Fallback, DriftDiffError, OSError, ValueError)


def _parallel(
    units: list[Unit],
    service: str | None,
    workers: int,
    progress: Progress | None,
    templates: tuple[str, ...] = (),
) -> tuple[Baseline, dict[str, int]]:
    """Infer the units on ``workers`` processes — this one included — and merge the parts."""
    results: list[Result] = []

    def take(result: Result) -> None:
        results.append(result)
        if progress is not None:
            progress(result[1]["exchanges"])

    with ProcessPoolExecutor(max_workers=max(1, min(workers - 1, len(units) - 1))) as pool:
        futures = [pool.submit(infer_unit, unit, service, templates) for unit in units[1:]]
        try:
            take(infer_unit(units[0], service, templates))  # this process works too
            for future in as_completed(futures):
                take(future.result())
        except WORKER_FAILURES:
            for other in futures:
                other.cancel()
            raise Fallback() from None
    return merge_results(results, service)


def infer_unit(unit: Unit, service: str | None, templates: tuple[str, ...] = ()) -> Result:
    """Worker: infer one unit; returns the baseline dict and read counts."""
    inference = Inference(service=service, templates=templates)
    with _gc_paused():
        if unit.end < 0:
            stats = SourceStats()
            for raw in iter_source_exchanges([unit.file()], stats=stats, service=service):
                inference.add(raw)
            counts = {"exchanges": stats.exchanges, "partial": stats.partial_lines}
        else:
            counts = _read_range(unit, inference)
        return inference.baseline().to_dict(), counts


def _read_range(unit: Unit, inference: Inference) -> dict[str, int]:
    n = partial = 0
    pos, end = unit.start, unit.end
    versions: set[str] = set()  # format strings already checked
    add = inference.add
    limit = max_line_bytes()
    with _open_raw(unit.file()) as fh:
        fh.seek(pos)
        for line in iter(lambda: fh.readline(limit + 1), b""):
            if len(line) > limit:
                raise Fallback()  # the sequential reader reports it, with the line number
            if pos >= end:
                break
            pos += len(line)
            if line.isspace():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                if line.endswith(b"\n"):
                    raise Fallback() from None
                partial += 1  # the crash leftover at the end of the file
                continue
            if check_exchange(obj) is not None or too_deep(line, obj):
                raise Fallback()
            fmt = obj["format"]
            if fmt not in versions:
                if not _VERSION_1.fullmatch(fmt):
                    raise Fallback()
                versions.add(fmt)
            add(obj)
            n += 1
    return {"exchanges": n, "partial": partial}
