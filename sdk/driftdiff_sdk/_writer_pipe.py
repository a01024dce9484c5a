"""The host side of the writer process: a bounded queue of frames, a sender thread, a pipe.

The request path pickles the exchange as captured (raw bytes and strings are copied, nothing is
parsed or redacted: a few microseconds for a small exchange, a memory copy for a large body)
and appends the frame to a deque, bounded by ``queue_size`` frames and ``QUEUE_BYTES`` bytes;
past either it is dropped and counted. It never blocks, and its only system call is, once per
batch, waking the sender thread: that thread wakes when ``_WAKE_BYTES`` or ``_WAKE_FRAMES``
wait (or every ``recorder._FLUSH_EVERY_S``) and writes the batch to the writer process's stdin,
an anonymous pipe, with one ``writev``. The queue holds only ``bytes``: nothing the garbage
collector tracks outlives its request, so recording does not grow the host's collected heap.
The process (``_writer_proc``) parses, redacts, serialises and writes the trace files, off the
host's GIL. A reader thread takes the process's cumulative counters from its stdout into
``stats()`` (the process handle, its pipe ends and that thread: ``_writer_child``).

The writer process starts when the middleware is built (``_active_recorder.start_early``); its
threads start with the first exchange (none exist before: a ``--preload`` master forks
without them). A forked worker's first exchange starts the sender thread, which starts that
worker's writer process while the request only queues its frame. A process that cannot be
started leaves the sender thread decoding the frames and writing them itself (the thread
writer, counted in ``writer_fallbacks``).

When the process dies (killed, out of memory), the host keeps serving: what was queued or in
the pipe and not yet handled is counted as dropped, new exchanges are dropped and counted, and
a new process is started after a back-off doubling from 1 s to 60 s (``writer_restarts``).
``close`` (atexit) hands over the queue, closes the pipe and waits for the process to finish
writing, up to a deadline; past it the process finishes on its own (it exits at end of input).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from typing import Any

from driftdiff_sdk import recorder
from driftdiff_sdk._counters import _counters, count_error, count_fallback
from driftdiff_sdk._record import Captured, pending_bytes, sealed, unsealed
from driftdiff_sdk._writer_child import Child
from driftdiff_sdk._writer_frames import Split, decode, encode
from driftdiff_sdk.config import SDKConfig

__all__ = ["ProcessRecorder"]

log = logging.getLogger("driftdiff_sdk")

_BATCH_BYTES = 1 << 20  # frames per writev: up to about this much
_WAKE_BYTES = 64 << 10  # the sender wakes once this much waits (a pipe buffer's worth) ...
_WAKE_FRAMES = 256  # ... or this many frames (at most half the queue), or on its timer


class ProcessRecorder(recorder.Recorder):
    """The bounded queue of pickled exchanges, drained to a writer process by a sender thread."""

    process = True

    def __init__(self, config: SDKConfig, *, start_now: bool = False) -> None:
        """``start_now`` (when the middleware is built): start the writer process here, and
        the threads on the first exchange; otherwise (a forked worker's first exchange) the
        sender thread starts the process, and the request only queues its frame."""
        super().__init__(config, thread=False)
        self._frames: deque[bytes | Split | _Unsealed] = deque()
        self._wake_frames = max(1, min(_WAKE_FRAMES, config.queue_size // 2))
        self._child: Child | None = None
        self._local: recorder.Recorder | None = None  # the thread writer, if no process starts
        self._accepting = True  # False from a writer process's death until the next one runs
        self._restart_at = 0.0
        self._restart_backoff = 0.0
        self._thread = threading.Thread(target=self._run, name="driftdiff-sender", daemon=True)
        self._thread_lock = threading.Lock()
        self._running = False  # the sender thread was started
        if start_now:
            self._start_child()
        else:
            self._start_sender()

    def _start_sender(self) -> None:
        with self._thread_lock:
            if not self._running and not self._closed:
                self._thread.start()
                self._running = True

    # -- request path ---------------------------------------------------------------------------

    def submit(self, exchange: Captured) -> None:
        """Pickle and queue (no parsing, no system call); dropped and counted past the bounds
        (checked before pickling: a full queue costs a dropped exchange nothing to copy)."""
        frames = self._frames
        if self._closed or not self._accepting or len(frames) >= self._maxsize:
            _counters.dropped += 1
            return
        try:
            if pending_bytes(exchange) + self._bytes_in - self._bytes_out > recorder.QUEUE_BYTES:
                _counters.dropped += 1
                return
            if isinstance(exchange, tuple) and unsealed(exchange):
                # a body cut at the cap: its digest is computed by the sender thread
                frame: bytes | Split | _Unsealed = _Unsealed(exchange, pending_bytes(exchange))
            else:
                frame = encode(exchange)
        except Exception:
            count_error("serialization")  # never queued, never written
            return
        size = len(frame)
        with self._bytes_lock:
            pending = self._bytes_in + size - self._bytes_out
            if pending > recorder.QUEUE_BYTES:
                _counters.dropped += 1
                return
            self._bytes_in += size
        frames.append(frame)
        if not self._running:
            self._start_sender()
        if (pending >= _WAKE_BYTES or len(frames) >= self._wake_frames) and not self._wake.is_set():
            self._wake.set()

    def queued(self) -> int:
        return len(self._frames)

    # -- sender thread --------------------------------------------------------------------------

    def _run(self) -> None:
        if self._child is None and self._local is None:
            self._start_child()
        if self._child is not None:
            self._child.start_reader()
        while True:
            self._wake.wait(recorder._FLUSH_EVERY_S)
            self._wake.clear()
            try:
                self._drain()
            except Exception:  # pragma: no cover - keep the sender alive
                count_error("writer")
            if not self._frames:
                self._idle.set()
            if self._stop:
                return

    def flush(self, timeout: float = 5.0) -> bool:
        """Hand what is queued to the writer process and wait, up to ``timeout``, until it
        reports it written (or counted): the ASGI lifespan's end calls this, so that an
        orchestrator's SIGKILL after the grace period finds nothing left in the host."""
        deadline = time.monotonic() + timeout
        if self._closed:
            return True
        if self._frames and self._running:
            self._idle.clear()
            self._wake.set()
            if not self._idle.wait(timeout):
                return False
        if self._local is not None:
            return True  # the sender thread wrote them itself
        child = self._child
        if child is None:
            return not self._frames
        while child.handled() < child.sent:
            child.progress.clear()
            if child.handled() >= child.sent:
                break
            left = deadline - time.monotonic()
            if left <= 0 or child.done.is_set() or not child.progress.wait(left):
                return child.handled() >= child.sent
        return True

    def _start_child(self) -> None:
        try:
            self._child = Child(self.config, self.pid)
        except Exception:
            count_fallback()
            self._local = recorder.Recorder(self.config, thread=False, pid=self.pid, yield_gil=True)
            self.process = False  # stats()["writer_process"]: the thread writer took over

    def _take(self, limit: int) -> tuple[list[bytes | Split], int]:
        """Frames off the queue, up to about ``limit`` bytes (a record still holding a body's
        tail is hashed and pickled here, off the request path)."""
        frames = self._frames
        out: list[bytes | Split] = []
        size = 0
        while frames and size < limit:
            frame = frames.popleft()
            size += len(frame)
            if type(frame) is _Unsealed:
                try:
                    frame = encode(sealed(frame.record))
                except Exception:
                    count_error("serialization")
                    continue
            out.append(frame)  # type: ignore[arg-type]
        self._bytes_out += size
        return out, size

    def _drain(self) -> None:
        if self._local is not None:
            self._write_locally()
            return
        child = self._child
        if child is None:
            self._drop_queue()
            self._maybe_restart()
            return
        while self._frames:
            batch, _ = self._take(_BATCH_BYTES)
            try:
                child.write_frames(batch)
            except OSError:
                self._died(child, len(batch))
                return
            child.sent += len(batch)

    def _write_locally(self) -> None:
        """The thread writer: decode the frames here and write them (no process to do it)."""
        local = self._local
        assert local is not None
        while self._frames:
            batch, _ = self._take(_BATCH_BYTES)
            exchanges: list[Captured] = []
            for frame in batch:
                try:
                    exchanges.append(_decode_local(frame))  # our own frames
                except Exception:
                    count_error("writer frame")
            local.write_now(exchanges)

    def _died(self, child: Child, unsent: int) -> None:
        self._child = None
        self._accepting = False
        child.close_pipe()
        child.done.wait(1.0)  # its last report, if it wrote one
        with contextlib.suppress(Exception):
            child.proc.wait(1.0)
        _counters.dropped += unsent + child.lost()
        self._drop_queue()
        self._restart_backoff = min(max(self._restart_backoff * 2, 1.0), 60.0)
        self._restart_at = time.monotonic() + self._restart_backoff
        log.warning(
            "driftdiff: the writer process exited (status %s); dropping exchanges (counted) and "
            "starting a new one in %g s",
            child.proc.returncode,
            self._restart_backoff,
        )

    def _drop_queue(self) -> None:
        while self._frames:
            batch, _ = self._take(_BATCH_BYTES)
            _counters.dropped += len(batch)

    def _maybe_restart(self) -> None:
        if self._closed or time.monotonic() < self._restart_at:
            return
        try:
            self._child = Child(self.config, self.pid)
            self._child.start_reader()
            _counters.restarts += 1
            self._accepting = True
        except Exception:
            count_error("writer process restart")
            self._restart_backoff = min(max(self._restart_backoff * 2, 1.0), 60.0)
            self._restart_at = time.monotonic() + self._restart_backoff

    # -- shutdown -------------------------------------------------------------------------------

    def close(self, timeout: float = 5.0) -> None:
        """Hand over what is queued, close the pipe, wait for the process up to ``timeout``."""
        if self._closed:
            return
        deadline = time.monotonic() + timeout
        with self._thread_lock:
            self._closed = True
        self._stop = True
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        if self._thread.is_alive():
            return  # the sender is still writing: the process finishes once the host exits
        if self._child is not None:
            self._child.start_reader()  # never started (nothing recorded): its final report
        if self._frames:  # queued by a request that raced with close: never sent
            _counters.dropped += len(self._frames)
            self._frames.clear()
        if self._local is not None:
            self._local._close_file()
            return
        child = self._child
        if child is None:
            return
        child.close_pipe()
        if not child.done.wait(max(0.0, deadline - time.monotonic())):
            return  # still writing: it exits on its own once done
        with contextlib.suppress(Exception):
            child.proc.wait(max(0.1, deadline - time.monotonic()))
        if child.proc.returncode not in (0, None):
            _counters.dropped += child.lost()

    def abandon_after_fork(self) -> None:
        self._closed = True
        if self._child is not None:
            self._child.forget_fds()
            self._child = None

    def writer_pid(self) -> int:
        """The writer process's pid (0 while there is none)."""
        return self._child.proc.pid if self._child is not None else 0


def _decode_local(frame: bytes | Split) -> Any:
    if type(frame) is Split:
        return decode(b"".join(bytes(p) for p in frame.parts))
    return decode(frame)  # type: ignore[arg-type]


class _Unsealed:
    """A queued record whose body tail still has to be hashed; ``len`` is what it holds."""

    __slots__ = ("record", "size")

    def __init__(self, record: tuple[Any, ...], size: int) -> None:
        self.record = record
        self.size = size

    def __len__(self) -> int:
        return self.size
