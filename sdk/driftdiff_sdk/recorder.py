"""Background exchange writer: a bounded queue drained by one daemon thread into JSONL files.

This is the thread writer (``DRIFTDIFF_WRITER=thread``, and the fallback when the writer
process cannot start); the default writer process (``_writer_pipe``/``_writer_proc``) runs this
same class, without its thread, in the child.

The request path only appends the exchange as captured (raw body bytes, unredacted, in memory
only) to a deque; encoding the bodies (``_record.materialize``), redaction, serialization and
file I/O happen on the writer thread, in that order: nothing unredacted reaches the disk. When
the queue is full the exchange is dropped and counted: the host is never blocked. Each batch is
written with one ``os.write`` of whole lines on an ``O_APPEND`` descriptor, so a crash loses at
most the partial last line, and files rotate by size as ``<service>-<pid>-<n>.jsonl``.

Everything here swallows its own errors and counts them in ``stats()``. A disk that refuses
writes (full, read-only, quota) is not retried on every flush: the writer keeps its one open
file (never a new empty file per attempt), cuts off any partial line, drops what is queued
(counted as ``unwritten``) and tries again after a back-off that doubles from 1 s to 60 s,
logging one line per outage and one when writing works again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections import deque
from typing import Any

from driftdiff_sdk import writer as _writer
from driftdiff_sdk._counters import _counters, count_error, reset_stats, stats
from driftdiff_sdk._record import Captured, materialize, pending_bytes
from driftdiff_sdk.config import SDKConfig

__all__ = ["QUEUE_BYTES", "Recorder", "count_error", "reset_stats", "stats"]

log = logging.getLogger("driftdiff_sdk")

# after the disk refused a write or an open (full, read-only, quota...), drop what comes for a
# back-off doubling from _BACKOFF_MIN_S up to _BACKOFF_MAX_S before trying again
_BACKOFF_MIN_S = 1.0
_BACKOFF_MAX_S = 60.0
# The writer wakes every _FLUSH_EVERY_S, or early once _WAKE_AT exchanges wait: waking it on
# every request costs a futex call and a thread switch per request on the host's hot path,
# while a long queue keeps exchanges alive long enough for the garbage collector to promote them
# (a full collection of the host's heap every few thousand requests: tens of milliseconds).
_FLUSH_EVERY_S = 0.1
_WAKE_AT = 16
# While draining, the writer gives the GIL back every _YIELD_EVERY lines: a request arriving
# then waits for a few lines' serialization at most, not a whole batch's.
_YIELD_EVERY = 4
#: Raw body bytes the queue may hold (beside its ``queue_size`` exchanges); past that new
#: exchanges are dropped and counted: the memory the SDK holds stays bounded.
QUEUE_BYTES = 64 << 20


def _safe_name(service: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", service).strip("._") or "service"


class Recorder:
    """Queue + writer thread for one process (re-created after ``fork``).

    ``thread=False`` (the writer process): no thread; ``write_now`` drains on the caller's
    thread, without pausing to hand the GIL over (``yield_gil``, by default only with a
    thread: the writer process has no request threads to hand it to). ``pid`` names the trace
    files (the host's, not the writer process's).
    """

    process = False

    def __init__(
        self,
        config: SDKConfig,
        *,
        thread: bool = True,
        pid: int | None = None,
        yield_gil: bool | None = None,
    ) -> None:
        self.config = config
        # hand the GIL back between lines: only where request threads share the interpreter
        self._yield_gil = thread if yield_gil is None else yield_gil
        self.pid = os.getpid() if pid is None else pid
        self._queue: deque[tuple[Captured, int]] = deque()
        self._maxsize = config.queue_size
        # raw body bytes queued: in (request threads, under the lock) minus out (writer only)
        self._bytes_lock = threading.Lock()
        self._bytes_in = 0
        self._bytes_out = 0
        self._wake = threading.Event()
        self._idle = threading.Event()  # set by the writer after a drain that emptied the queue
        self._stop = False
        self._closed = False
        self._fd: int | None = None
        self._path = ""
        self._file_bytes = 0
        self._next_index = 0
        self._backoff = 0.0  # seconds; 0 while the disk takes writes
        self._retry_at = 0.0  # monotonic time before which nothing is written
        self._redactor: Any = None  # built on first use, on the writer's side
        self._thread = threading.Thread(target=self._run, name="driftdiff-writer", daemon=True)
        if thread:
            self._thread.start()

    @staticmethod
    def _make_redactor(config: SDKConfig) -> Any:
        from driftdiff_sdk.redact import RedactionConfig, Redactor

        redaction = config.redaction if config.redaction is not None else RedactionConfig.from_env()
        return Redactor(redaction)

    # -- request path -------------------------------------------------------------------------

    def submit(self, exchange: Captured) -> None:
        """Enqueue as it is (raw bodies, unredacted, in memory only); never blocks, never raises.

        Dropped and counted when the queue holds ``queue_size`` exchanges or
        ``QUEUE_BYTES`` of raw body bytes. Encoding and redaction happen on the writer thread.
        """
        if self._closed or len(self._queue) >= self._maxsize:
            _counters.dropped += 1
            return
        try:
            size = pending_bytes(exchange)
        except Exception:
            count_error()
            return
        with self._bytes_lock:
            if size and self._bytes_in + size - self._bytes_out > QUEUE_BYTES:
                _counters.dropped += 1
                return
            self._bytes_in += size
        self._queue.append((exchange, size))
        if len(self._queue) >= _WAKE_AT and not self._wake.is_set():
            self._wake.set()

    def queued(self) -> int:
        """Exchanges waiting on the host's side (``stats()["queued"]``)."""
        return len(self._queue)

    def write_now(self, exchanges: list[Captured]) -> None:
        """Encode, redact and write ``exchanges`` on this thread (the writer process)."""
        self._queue.extend((exchange, 0) for exchange in exchanges)
        self._drain()

    # -- writer thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait(_FLUSH_EVERY_S)
            self._wake.clear()
            try:
                self._drain()
            except Exception:  # pragma: no cover - _drain already counts; keep the thread alive
                count_error("writer")
            if not self.queued():
                self._idle.set()
            if self._stop:
                return

    def flush(self, timeout: float = 5.0) -> bool:
        """Write what is queued now (shutdown: the ASGI lifespan's end), waiting up to
        ``timeout``; ``True`` once it is written. Never raises."""
        if self._closed or not self.queued():
            return True
        if not self._thread.is_alive():
            return False  # no writer thread (stopped): ``close`` drains what is left
        self._idle.clear()
        self._wake.set()
        return self._idle.wait(timeout)

    def _drain(self) -> None:
        queue = self._queue
        if self._backoff and time.monotonic() < self._retry_at:
            lost = 0
            while queue:  # the disk refused the last write: do not serialize for nothing
                self._bytes_out += queue.popleft()[1]
                lost += 1
            self._lost(lost)
            return
        redactor = self._redactor
        if redactor is None and queue:
            try:
                redactor = self._redactor = self._make_redactor(self.config)
            except Exception:
                count_error("redaction", len(queue))  # unredacted data is never written
                while queue:
                    self._bytes_out += queue.popleft()[1]
                return
        # one write per batch; a batch never spans a rotation boundary
        limit = max(1, min(256 * 1024, self.config.rotate_bytes))
        batch: list[bytes] = []
        size = 0
        batch_started = time.monotonic()
        done = 0
        while queue:
            done += 1
            if self._yield_gil and done % _YIELD_EVERY == 0:
                time.sleep(0)  # hand the GIL back to request threads between small runs
            raw, raw_bytes = queue.popleft()
            self._bytes_out += raw_bytes
            try:
                obj = redactor.redact_exchange(materialize(raw))
            except Exception:
                count_error("redaction")  # unredacted data is never written: drop it
                continue
            del raw
            try:
                line = _writer.dump_line(obj)
            except Exception:
                count_error("serialization")
                continue
            # write out before the batch crosses a rotation boundary, grows large, or ages:
            # under a steady stream the queue never empties, and lines must still reach disk
            if batch and (
                size + len(line) > limit
                or len(batch) >= 64
                or time.monotonic() - batch_started > 0.05
            ):
                self._write(batch, size)
                batch, size = [], 0
            if not batch:
                batch_started = time.monotonic()
            batch.append(line)
            size += len(line)
        if batch:
            self._write(batch, size)

    def _write(self, batch: list[bytes], size: int) -> None:
        if self._backoff and time.monotonic() < self._retry_at:
            self._lost(len(batch))
            return
        data = b"".join(batch)
        try:
            fd = self._ensure_file(size)
            view = memoryview(data)
            while view:  # os.write may be partial on some filesystems: finish the lines
                written = os.write(fd, view)
                view = view[written:]
        except OSError as exc:
            self._cut_partial_line()
            self._disk_refused(exc, len(batch))
            return
        self._file_bytes += len(data)
        _counters.recorded += len(batch)
        if self._backoff:
            self._backoff = 0.0
            log.warning("driftdiff: writing traces to %s again", self.config.traces_dir)

    def _lost(self, n: int) -> None:
        _counters.errors += n
        _counters.unwritten += n

    def _disk_refused(self, exc: OSError, n: int) -> None:
        """Count the lost lines, back off, and say so once per outage (no traceback)."""
        self._lost(n)
        first = not self._backoff
        self._backoff = min(max(self._backoff * 2, _BACKOFF_MIN_S), _BACKOFF_MAX_S)
        self._retry_at = time.monotonic() + self._backoff
        if first:
            log.warning(
                "driftdiff: cannot write traces to %s (%s); dropping exchanges until it works "
                "again (retrying after %g s, backing off to %g s; counted as 'unwritten' in "
                "driftdiff_sdk.stats())",
                self._path or self.config.traces_dir,
                exc.strerror or exc,
                self._backoff,
                _BACKOFF_MAX_S,
            )

    def _cut_partial_line(self) -> None:
        """After a failed write, cut the file back to its last whole line (or give it up)."""
        if self._fd is None:
            return
        try:
            if os.fstat(self._fd).st_size != self._file_bytes:
                os.ftruncate(self._fd, self._file_bytes)
        except OSError:
            self._close_file()

    def _ensure_file(self, incoming: int) -> int:
        """The open trace file (rotated by size); raises ``OSError`` when it cannot be made."""
        if (
            self._fd is not None
            and self._file_bytes
            and (self._file_bytes + incoming > self.config.rotate_bytes)
        ):
            self._close_file()
        if self._fd is not None:
            return self._fd
        os.makedirs(self.config.traces_dir, exist_ok=True)
        prefix = f"{_safe_name(self.config.service)}-{self.pid}-"
        while True:
            path = os.path.join(self.config.traces_dir, f"{prefix}{self._next_index}.jsonl")
            self._next_index += 1
            try:
                # O_EXCL: a file left by an earlier process with the same pid is never reused
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
                break
            except FileExistsError:
                continue
        self._fd, self._path, self._file_bytes = fd, path, 0
        return fd

    def _close_file(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
            if not self._file_bytes:  # never leave an empty trace file behind
                with contextlib.suppress(OSError):
                    os.unlink(self._path)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, stop the thread and close the file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._stop = True
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        if self._queue and not self._thread.is_alive():
            self._drain()  # the thread died or never ran: drain here, on the closing thread
        self._close_file()
