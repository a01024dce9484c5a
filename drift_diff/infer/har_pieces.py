"""A large HAR file learned in pieces of its bytes, each parsed by the process that learns it.

``har_parts`` first shared a HAR's entries out after parsing the whole file in one process
(1.5-3 s for 263 MB, while the other cores waited) and sending each worker its entries as JSON
text again. Here this process only reads the bytes and cuts them (``traffic.har_cut``: found
without parsing, proved by the parse of each piece), and every process parses, converts,
redacts and learns pieces at once; no process holds the whole file parsed, so none spends
0.4 s freeing it either.

The result is byte-identical to one pass, as ``har_parts``'s is: placeholders are keyed by the
whole file's digest (``har_digest``, computed here beside the cutting), every exchange names the
service the file's first API entry names, and a piece's counts — its malformed entries named by
their index in the piece — are shifted by the entries before it. Learning reads no exchange
ids, so pieces need not know their place in the file before they are parsed. Whenever a piece
does not parse, or the file's first API entry is not among its first entries, this returns
``None`` and the caller parses the file whole (which names the file's error with its line).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from driftdiff_sdk.redact import Redactor

from drift_diff.infer.engine import Inference
from drift_diff.infer.pool import gc_paused, run_parts
from drift_diff.records import as_exchange
from drift_diff.traffic.har import (
    DIGEST_SIZE,
    HarStats,
    LoadedHar,
    file_redactor,
    har_digest,
    har_exchanges,
    har_service,
)
from drift_diff.traffic.har_cut import Span, cut_entries, entry_pieces, parse_piece

__all__ = ["PIECES_PER_WORKER", "SharedHar", "learn_pieces", "worker_redactor"]

#: Pieces per worker: more pieces than workers let the queue even out a core that other work
#: slows down.
PIECES_PER_WORKER = 4
#: A piece's start, its baseline (a dict), its counts; or the start and ``None`` twice for a
#: piece that did not parse.
Part = tuple[int, Any, Any]


#: Seconds a worker waits for the file's digest (it is computed beside the cutting, in well
#: under a second; this only bounds a hang should this process die first).
DIGEST_WAIT = 600.0


class _CutFailed(Exception):
    """A piece did not parse: the cut does not hold, the file is parsed whole."""


class SharedHar:
    """What worker processes get of the HAR file: its bytes when they start (``pool``'s
    ``initargs``: shared copy-on-write by a forked process, which never writes to them, and
    copied once to a spawned one), and its digest once this process has computed it, through
    shared memory. Start the pool with ``init`` after the file is read."""

    def __init__(self, data: bytes) -> None:
        context = multiprocessing.get_context()
        self.data = data
        self.ready = context.Event()
        self.value = context.Array("B", DIGEST_SIZE, lock=False)

    @property
    def init(self) -> tuple[Callable[..., None], tuple[Any, ...]]:
        """The pool's ``initializer`` and ``initargs``."""
        return _install, (self.data, self.ready, self.value)

    def put(self, digest: bytes) -> bytes:
        self.value[:] = digest
        self.ready.set()
        return digest


def _install(data: bytes, ready: Any, value: Any) -> None:
    global _SHARED
    _SHARED = (data, ready, value)


def _shared() -> tuple[bytes, Any, Any]:
    if _SHARED is None:
        raise RuntimeError("this worker was not started with the HAR file")
    return _SHARED


def _shared_digest() -> bytes:
    """Worker: the file's digest, once this process has put it."""
    _, ready, value = _shared()
    if not ready.wait(DIGEST_WAIT):
        raise RuntimeError("the HAR file's digest never came")
    return bytes(value)


_SHARED: tuple[bytes, Any, Any] | None = None  # set in worker processes only


def learn_pieces(
    service: str | None,
    workers: int,
    templates: Sequence[str],
    progress: Callable[[int], None] | None,
    pool: ProcessPoolExecutor | None,
    shared: SharedHar,
) -> tuple[list[Part], HarStats] | None:
    """The parts of the baseline of a HAR file (``shared.data``, from ``har_bytes``) learned
    in pieces on ``workers`` processes, and the file's counts; ``None`` when the file cannot be
    cut (the caller then parses it whole). ``pool``'s workers were started with ``shared``'s
    ``init``."""
    data = shared.data
    with ThreadPoolExecutor(max_workers=1) as hashing:  # hashlib lets go of the GIL
        digest_of = hashing.submit(lambda: shared.put(har_digest(data)))
        spans = cut_entries(data, workers * PIECES_PER_WORKER)
        if spans is None or len(spans) < 2:
            return None
        found, named = (True, service) if service is not None else _first_service(data, spans[0])
        if not found:
            return None
        args = (named, tuple(templates))

        def done(part: Part) -> None:
            if part[2] is None:
                raise _CutFailed
            if progress is not None:
                progress(part[2].api)

        try:
            parts = run_parts(
                spans,
                workers=workers,
                remote=lambda span: (_learn_span, (span, *args)),
                local=lambda span: _learn(
                    parse_piece(data, span), span[0], digest_of.result, *args
                ),
                done=done,
                pool=pool,
            )
        except _CutFailed:
            return None
        finally:
            _WORKER_REDACTOR.clear()  # this process's, for its own pieces
    stats, before = HarStats(), 0
    for _, _, part_stats in sorted(parts, key=lambda part: part[0]):  # file order
        stats.add(part_stats, shift=before)
        before += part_stats.entries
    return parts, stats


def worker_redactor(digest: bytes) -> Redactor:
    """The redactor of the file ``digest`` in a worker process: one per process and file, so
    its memo carries over from part to part."""
    redactor = _WORKER_REDACTOR.get(digest)
    if redactor is None:
        _WORKER_REDACTOR.clear()
        redactor = _WORKER_REDACTOR[digest] = file_redactor(digest)
    return redactor


_WORKER_REDACTOR: dict[bytes, Redactor] = {}  # filled in worker processes only


def _first_service(data: bytes, span: Span) -> tuple[bool, str | None]:
    """Whether the file's first API entry is among the first entries of ``span`` (the file's
    first piece), and the service it names (``har_service``)."""
    for run in entry_pieces(data, span):
        entries = parse_piece(data, run)
        if entries is None:
            return False, None
        named = har_service(LoadedHar("", entries, b"", ""), None)
        if named is not None:
            return True, named
    return False, None


def _learn_span(span: Span, *args: Any) -> Part:
    """Worker: the piece ``span`` of the file it was started with."""
    with gc_paused():
        return _learn(parse_piece(_shared()[0], span), span[0], _shared_digest, *args)


def _learn(
    entries: list[Any] | None,
    start: int,
    digest: Callable[[], bytes],
    service: str | None,
    templates: tuple[str, ...],
) -> Part:
    """The baseline and counts of the entries of the piece at byte ``start``: converted
    first, then (once ``digest()`` gives the file's digest) redacted and learned."""
    if entries is None:
        return start, None, None
    har = LoadedHar("", entries, b"", "")  # learning names no file: no ids, no errors
    stats = HarStats()
    exchanges = list(
        har_exchanges(har, 0, len(entries), service=service, redactor=None, stats=stats, ids=False)
    )
    redact = worker_redactor(digest()).redact_exchange
    inference = Inference(service=service, templates=templates)
    add = inference.add
    for exchange in exchanges:
        add(as_exchange(redact(exchange)))
    return start, inference.baseline().to_dict(), stats
