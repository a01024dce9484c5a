"""A large HAR file learned or imported in pieces of its bytes, each parsed by the process
that works on it.

``har_parts`` first shared a HAR's entries out after parsing the whole file in one process
(1.5-3 s for 263 MB, while the other cores waited) and sending each worker its entries as JSON
text again. Here this process only reads the bytes and cuts them (``traffic.har_cut``: found
without parsing, proved by the parse of each piece); worker processes, forked after the read,
share the bytes, and every process parses, converts, redacts and learns (or writes as trace
lines) pieces at once. No process holds the whole file parsed, so none spends 0.4 s freeing
it either.

The result is byte-identical to one pass, as ``har_parts``'s is: placeholders are keyed by the
whole file's digest (``har_digest``, computed here beside the cutting and handed to workers
through shared memory; a piece is converted before it waits for it), every exchange names the
service the file's first API entry names, and a piece's counts are those of its entries.
Learning reads no exchange ids, so a piece that learns need not know its place in the file:
its malformed entries, counted from 0, are shifted by the entries before it. Trace lines carry
ids derived from the entry's index in the file, so for them the entries of every piece are
counted first (``span_counts``) and each piece's parse must give its count. Whenever a piece
does not parse (or gives another count), or the file's first API entry is not among its first
entries, this returns ``None`` and the caller parses the file whole (which names the file's
error with its line).
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from driftdiff_sdk.redact import Redactor
from driftdiff_sdk.writer import dump_line

from drift_diff.infer.engine import Inference
from drift_diff.infer.learned import learned_part
from drift_diff.infer.pool import PARTS_PER_WORKER, gc_paused, run_parts
from drift_diff.records import ExchangeRecord, as_exchange
from drift_diff.traffic.har import (
    DIGEST_SIZE,
    HarStats,
    LoadedHar,
    file_redactor,
    har_digest,
    har_exchanges,
    har_service,
)
from drift_diff.traffic.har_cut import Span, cut_entries, entry_pieces, parse_piece, span_counts

__all__ = ["Job", "SharedHar", "job_result", "job_view", "run_pieces", "worker_redactor"]

#: What is done with a piece: ``("learn", templates)``, or ``("lines", ())``: its exchanges
#: as trace lines (``import har``).
Job = tuple[str, tuple[str, ...]]
#: A piece's start, what the job made of it (a baseline dict, or the lines), its counts; or
#: the start and ``None`` twice for a piece that did not parse.
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
        # the digest, then one byte: 1 once it is there, 0 when computing it failed
        self.value = context.Array("B", DIGEST_SIZE + 1, lock=False)

    @property
    def init(self) -> tuple[Callable[..., None], tuple[Any, ...]]:
        """The pool's ``initializer`` and ``initargs``."""
        return _install, (self.data, self.ready, self.value)

    def hash(self) -> bytes:
        """The file's digest (``har_digest``), put where workers read it; should computing it
        fail, the workers learn that too (they do not wait for it), and this raises."""
        try:
            digest = har_digest(self.data)
        except BaseException:
            self.ready.set()
            raise
        self.value[:] = digest + b"\x01"
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
    if not ready.wait(DIGEST_WAIT) or not value[DIGEST_SIZE]:
        raise RuntimeError("the HAR file's digest never came")
    return bytes(value[:DIGEST_SIZE])


_SHARED: tuple[bytes, Any, Any] | None = None  # set in worker processes only


def run_pieces(
    shared: SharedHar,
    job: Job,
    *,
    service: str | None,
    seed: str,
    redact: bool,
    workers: int,
    done: Callable[[Part], None] | None,
    pool: ProcessPoolExecutor | None,
) -> tuple[list[Part], HarStats] | None:
    """``job`` on the HAR file ``shared.data`` (from ``har_bytes``; ``seed``: what its ids
    derive from) in pieces on ``workers`` processes: the parts and the file's counts, as
    ``har_parts`` gives them; ``None`` when the file cannot be cut (the caller then parses it
    whole). ``done`` is called with each part as it ends; ``pool``'s workers were started with
    ``shared``'s ``init``."""
    data = shared.data
    with ThreadPoolExecutor(max_workers=1) as hashing:  # hashlib lets go of the GIL
        digest_of = hashing.submit(shared.hash)
        spans = cut_entries(data, workers * PARTS_PER_WORKER)
        if spans is None or len(spans) < 2:
            return None
        found, named = (True, service) if service is not None else _first_service(data, spans[0])
        if not found:
            return None
        # ids name an entry by its index in the file: a piece that writes lines must know
        # where it starts, so its entries are counted here (and the count checked by its parse)
        places: dict[Span, tuple[int, int] | None] = dict.fromkeys(spans)
        if job[0] == "lines":
            counts = span_counts(data, spans)
            if counts is None:
                return None
            firsts = itertools.accumulate(counts[:-1], initial=0)
            places = {
                span: (first, n) for span, first, n in zip(spans, firsts, counts, strict=True)
            }
        args = (named, seed, redact, job)

        def took(part: Part) -> None:
            if part[2] is None:
                raise _CutFailed
            if done is not None:
                done(part)

        try:
            parts = run_parts(
                spans,
                workers=workers,
                remote=lambda span: (_piece_span, (span, places[span], *args)),
                local=lambda span: _piece(
                    parse_piece(data, span), span[0], places[span], digest_of.result, *args
                ),
                done=took,
                pool=pool,
            )
        except _CutFailed:
            return None
        finally:
            _WORKER_REDACTOR.clear()  # this process's, for its own pieces
    stats, before = HarStats(), 0
    for _, _, part_stats in sorted(parts, key=lambda part: part[0]):  # file order
        # a piece that learned counted its malformed entries from 0
        stats.add(part_stats, shift=before if job[0] == "learn" else 0)
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


def _piece_span(span: Span, *args: Any) -> Part:
    """Worker: the piece ``span`` of the file it was started with."""
    with gc_paused():
        entries = parse_piece(_shared()[0], span)
        return _piece(entries, span[0], args[0], _shared_digest, *args[1:])


def _piece(
    entries: list[Any] | None,
    start: int,
    place: tuple[int, int] | None,
    digest: Callable[[], bytes],
    service: str | None,
    seed: str,
    redact: bool,
    job: Job,
) -> Part:
    """What ``job`` makes of the entries of the piece at byte ``start`` (``place``: the index
    in the file of its first entry and how many it holds, when known), and the piece's
    counts: converted first, then (once ``digest()`` gives the file's digest) redacted."""
    if entries is None or (place is not None and len(entries) != place[1]):
        return start, None, None
    first = place[0] if place is not None else 0
    har = LoadedHar(seed, entries, b"", seed, first=first)
    stats = HarStats()
    exchanges = list(
        har_exchanges(
            har,
            first,
            first + len(entries),
            service=service,
            redactor=None,
            stats=stats,
            learn=job_view(job),
        )
    )
    if redact:
        redact_exchange = worker_redactor(digest()).redact_exchange
        exchanges = [as_exchange(redact_exchange(exchange)) for exchange in exchanges]
    return start, job_result(job, service, exchanges), stats


def job_view(job: Job) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """What ``har_exchanges`` cuts each exchange to for ``job`` (its ``learn``): what learning
    reads when the job learns; the whole exchange for trace lines."""
    return learned_part if job[0] == "learn" else None


def job_result(job: Job, service: str | None, exchanges: Iterable[ExchangeRecord]) -> Any:
    """What ``job`` makes of a part's exchanges: their trace lines, joined, or the baseline
    learned from them (a dict)."""
    kind, templates = job
    if kind == "lines":
        return b"".join(dump_line(exchange) for exchange in exchanges)
    inference = Inference(service=service, templates=templates)
    add = inference.add
    for exchange in exchanges:
        add(exchange)
    return inference.baseline().to_dict()
