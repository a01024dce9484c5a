"""One HAR file on several processes, byte-identical to one pass: learned (``infer_har``, for
``driftdiff baseline x.har``) or converted to trace lines (``har_lines``, for ``import har``).

A HAR is one JSON document, so it cannot be cut at line boundaries like a trace file. It is
first cut into pieces of its bytes that every process parses on its own (``har_pieces``); a
file that cannot be cut so is parsed here (below). This process then parses it once
(``load_har``) and cuts its entries into contiguous slices. A worker
process gets a slice as the JSON text of its entries (``orjson.dumps`` of half of a 263 MB file
takes 0.14 s, where parsing the whole file again would take 1 s in every worker); this process
runs its own slices straight from the parsed entries, and the rest of the work — converting,
redacting and learning the entries, 80 % of the CPU of ``driftdiff baseline x.har`` — is shared.

Each slice is converted exactly as the single pass converts it: placeholders are keyed by the
whole file's digest, every exchange names the service the file's first API entry names
(``har_service``), ids and the first malformed entry use the entry's index in the whole file.
The slices' baselines then merge into the single pass's baseline (the merge property); their
lines, joined in entry order, are the single pass's lines; their counts add up to the same
``HarStats``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from driftdiff_sdk.redact import Redactor

from drift_diff.infer.engine import Inference
from drift_diff.infer.har_pieces import (
    Job,
    SharedHar,
    job_result,
    job_view,
    run_pieces,
    worker_redactor,
)
from drift_diff.infer.parallel import part_baseline
from drift_diff.infer.pool import PARTS_PER_WORKER, gc_paused, run_parts, started_pool
from drift_diff.model import Baseline
from drift_diff.traffic.har import (
    HarStats,
    LoadedHar,
    check_usable,
    file_redactor,
    har_bytes,
    har_exchanges,
    har_service,
    load_har,
)
from drift_diff.traffic.sources import SourceStats
from drift_diff.traffic.traces import SourceFile
from drift_diff.traffic.urls import RemoteFile, as_source, source_name

__all__ = ["har_lines", "infer_har"]

#: The fewest entries worth a slice of their own.
MIN_SLICE = 500

Slice = tuple[int, int]  # entries [start, end) of the file
#: A slice's start, what the job made of it (a baseline dict, or the lines), and its counts.
Part = tuple[int, Any, HarStats]


def infer_har(
    path: SourceFile,
    *,
    service: str | None,
    workers: int,
    stats: SourceStats,
    progress: Callable[[int], None] | None = None,
    templates: Sequence[str] = (),
) -> Baseline:
    """The baseline of one HAR file on ``workers`` processes (this one included); its counts
    are added to ``stats`` as the sequential reader adds them."""
    name = str(path) if isinstance(path, RemoteFile) else path
    merging = _Merging(service, progress)
    with gc_paused():
        _, file_stats = _job(name, service, True, workers, ("learn", tuple(templates)), merging)
        baseline = merging.baseline()
    if stats.har is None:
        stats.har = HarStats()
    stats.har.add(file_stats)
    stats.har_files += 1
    return baseline


class _Merging:
    """What ``infer_har`` does with each part as it arrives: its baseline is merged at once
    (merging is commutative and associative: the order parts finish in does not matter), in
    this process, between its own parts, while the other processes still work. Merging all
    parts at the end took 0.18 s of wall time with every other core idle; now only the last
    part and the finishing pass are left for then. The parts of a cut that fails are
    forgotten (``restart``): the file is then learned again, whole."""

    def __init__(self, service: str | None, progress: Callable[[int], None] | None) -> None:
        self.service = service
        self.progress = progress
        self.restart()

    def restart(self) -> None:
        self.inference = Inference(service=self.service)

    def take(self, part: Part) -> None:
        self.inference.add_baseline(part_baseline(part[1]))
        if self.progress is not None:
            self.progress(part[2].api)

    def baseline(self) -> Baseline:
        """``merge_baselines`` of every part taken since the last ``restart``."""
        return self.inference.baseline()


def har_lines(
    path: Path | str,
    *,
    service: str | None,
    redact: bool,
    workers: int,
    stats: HarStats,
    min_bytes: int = 0,
) -> list[bytes]:
    """The trace lines ``import har`` writes for the HAR ``path``, in entry order, converted
    (and redacted) on ``workers`` processes when it holds ``min_bytes`` or more; the file's
    counts are added to ``stats``."""
    with gc_paused():
        parts, file_stats = _job(path, service, redact, workers, ("lines", ()), None, min_bytes)
    stats.add(file_stats)
    return [part[1] for part in sorted(parts, key=lambda part: part[0])]


def _job(
    path: Path | str,
    service: str | None,
    redact: bool,
    workers: int,
    job: Job,
    merging: _Merging | None,
    min_bytes: int = 0,
) -> tuple[list[Part], HarStats]:
    """``job`` on the HAR ``path``: in pieces of its bytes (``har_pieces``) when it holds
    ``min_bytes`` or more and more than one worker is asked for, else (or when it cannot be
    cut) parsed whole here and cut into slices of its entries; the parts and the file's counts
    (``InputError`` when every entry is malformed). ``merging`` takes each part as it ends."""
    done = None if merging is None else merging.take
    source = as_source(path)
    read = har_bytes(source)
    shared = SharedHar(read[0]) if workers > 1 and read[1] >= min_bytes else None
    procs = workers if shared is not None else 1
    # workers forked before the parse (they share the bytes, not a parsed heap)
    with started_pool(procs, *(shared.init if shared else (None, ()))) as pool:
        pieces = None
        if shared is not None:  # parsed in pieces by every process at once
            seed = source_name(source)
            pieces = run_pieces(
                shared,
                job,
                service=service,
                seed=seed,
                redact=redact,
                workers=procs,
                done=done,
                pool=pool,
            )
        if pieces is None:
            if merging is not None:
                merging.restart()
            har = load_har(source, read)
            del read, shared
            pieces = _run(har, service, redact, procs, job, done, pool)
    check_usable(source, pieces[1])
    return pieces


def _run(
    har: LoadedHar,
    service: str | None,
    redact: bool,
    workers: int,
    job: Job,
    done: Callable[[Part], None] | None,
    pool: ProcessPoolExecutor | None,
) -> tuple[list[Part], HarStats]:
    """``job`` on every slice of ``har`` (``done`` called with each part as it ends); the
    parts, and the file's counts in entry order."""
    named = har_service(har, service)
    # one redactor for this process's slices: its memo carries over
    redactor = file_redactor(har.digest) if redact else None
    parts = run_parts(
        _slices(len(har.entries), workers),
        workers=workers,
        remote=lambda piece: (
            _run_text,
            (_slice_text(har, piece), piece, har.id_seed, har.digest, named, redact, job),
        ),
        local=lambda piece: _run_slice(har, piece, named, redactor, job),
        done=done,
        pool=pool,
    )
    file_stats = HarStats()
    for _, _, part_stats in sorted(parts, key=lambda part: part[0]):  # file order
        file_stats.add(part_stats)
    return parts, file_stats


def _slices(n: int, workers: int) -> list[Slice]:
    """Contiguous slices of ``n`` entries, largest first (at least one, maybe empty)."""
    count = 1 if workers <= 1 else max(1, min(workers * PARTS_PER_WORKER, n // MIN_SLICE))
    cuts = [n * k // count for k in range(count + 1)]
    pieces = list(itertools.pairwise(cuts))
    return sorted(pieces, key=lambda piece: piece[0] - piece[1])


def _slice_text(har: LoadedHar, piece: Slice) -> bytes:
    text: bytes = orjson.dumps(har.entries[piece[0] : piece[1]])  # typed even where the
    return text  # build environment lacks orjson (mypyc then sees Any)


def _run_slice(
    har: LoadedHar, piece: Slice, service: str | None, redactor: Redactor | None, job: Job
) -> Part:
    start, end = piece
    stats = HarStats()
    exchanges = har_exchanges(
        har, start, end, service=service, redactor=redactor, stats=stats, learn=job_view(job)
    )
    return start, job_result(job, service, exchanges), stats


def _run_text(
    text: bytes,
    piece: Slice,
    id_seed: str,
    digest: bytes,
    service: str | None,
    redact: bool,
    job: Job,
) -> Part:
    """Worker: a slice sent as the JSON text of its entries."""
    with gc_paused():
        entries: list[Any] = orjson.loads(text)
        har = LoadedHar(id_seed, entries, digest, id_seed, first=piece[0])
        redactor = worker_redactor(digest) if redact else None
        return _run_slice(har, piece, service, redactor, job)
