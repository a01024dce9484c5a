"""The host side of the writer process: a bounded queue, a sender thread and a pipe.

The request path appends the exchange as captured (``recorder.Recorder.submit``'s bounds:
``queue_size`` exchanges and ``QUEUE_BYTES`` of raw body bytes; past them, dropped and counted)
and returns. The sender thread pickles each exchange (raw bytes are copied, never parsed) and
writes the frames to the writer process's stdin, an anonymous pipe; the process
(``_writer_proc``) parses, redacts, serialises and writes the trace files, off the host's GIL.
A reader thread takes the process's cumulative counters from its stdout into ``stats()``.

When the process dies (killed, out of memory), the host keeps serving: what was queued or in
the pipe and not yet handled is counted as dropped, new exchanges are dropped and counted, and
a new process is started after a back-off doubling from 1 s to 60 s (``writer_restarts``).
``close`` (atexit) hands over the queue, closes the pipe and waits for the process to finish
writing, up to a deadline; past it the process finishes on its own (it exits at end of input).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from typing import Any

from driftdiff_sdk import recorder
from driftdiff_sdk._counters import _counters, count_error
from driftdiff_sdk._writer_proc import HEADER, REPORT
from driftdiff_sdk.config import SDKConfig

__all__ = ["CHILD_MODULE", "ProcessRecorder"]

log = logging.getLogger("driftdiff_sdk")

#: the module the writer process runs (``python -m``); tests point it at a fault-injecting one
CHILD_MODULE = "driftdiff_sdk._writer_proc"
_BATCH_BYTES = 1 << 20  # frames per os.write: up to about this much
_ABANDONED: list[_Child] = []  # a forked child's copies of its parent's writer
_SDK_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Child:
    """One writer process: its pipes, and what it reported (cumulative)."""

    def __init__(self, config: SDKConfig, host_pid: int) -> None:
        env = dict(os.environ)
        env["DRIFTDIFF_MODE"] = "off"  # the writer records nothing itself
        path = env.get("PYTHONPATH")
        env["PYTHONPATH"] = _SDK_PARENT + (os.pathsep + path if path else "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", CHILD_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
            # its own session: a signal to the host's process group (Ctrl-C, an orchestrator's
            # SIGTERM) stops the host, whose exit ends the writer's input; the writer then
            # writes what it holds and exits, instead of dying with a queue in its pipe
            start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        self.sent = 0  # exchanges written to the pipe
        self.last = (0, 0, 0, 0)  # recorded, errors, unwritten, received
        self.done = threading.Event()  # its stdout reached EOF
        self.write_frames([pickle.dumps((config, host_pid), protocol=5)])
        threading.Thread(target=self._read, name="driftdiff-writer-report", daemon=True).start()

    def write_frames(self, frames: list[bytes]) -> None:
        """Write length-prefixed frames; raises ``OSError`` when the process is gone."""
        data = b"".join(HEADER.pack(len(f)) + f for f in frames)
        view = memoryview(data)
        while view:
            view = view[os.write(self.wfd, view) :]

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                chunk = os.read(self.rfd, 4096)
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= REPORT.size:
                    now = REPORT.unpack_from(buf)
                    buf = buf[REPORT.size :]
                    rec, err, unw, _ = (a - b for a, b in zip(now, self.last, strict=True))
                    self.last = now
                    _counters.recorded += rec
                    _counters.errors += err
                    _counters.unwritten += unw
        except OSError:
            return
        finally:
            self.done.set()

    def lost(self) -> int:
        """Exchanges sent that the process never reported receiving."""
        return max(0, self.sent - self.last[3])

    def close_pipe(self) -> None:
        with contextlib.suppress(OSError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()

    def forget_fds(self) -> None:
        """In a forked child: close the inherited ends without touching the process (kept
        referenced, so that no later garbage collection closes a reused descriptor number)."""
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        _ABANDONED.append(self)


class ProcessRecorder(recorder.Recorder):
    """``Recorder``'s queue and bounds, drained to a writer process instead of to files."""

    process = True

    def __init__(self, config: SDKConfig) -> None:
        self._child: _Child | None = None
        self._restart_at = 0.0
        self._backoff = 0.0
        super().__init__(config, thread=False)
        self._child = _Child(config, self.pid)  # raises: the caller falls back to a thread
        self._thread = threading.Thread(target=self._run, name="driftdiff-sender", daemon=True)
        self._thread.start()

    def submit(self, exchange: dict[str, Any]) -> None:
        if self._child is None:  # the writer process died: drop until it is back
            _counters.dropped += 1
            return
        super().submit(exchange)

    # -- sender thread --------------------------------------------------------------------------

    def _drain(self) -> None:
        child = self._child
        if child is None:
            self._drop_queue()
            self._maybe_restart()
            return
        queue = self._queue
        frames: list[bytes] = []
        size = 0
        count = 0
        while queue:
            exchange, raw_bytes = queue.popleft()
            self._bytes_out += raw_bytes
            try:
                frame = pickle.dumps(exchange, protocol=5)
            except Exception:
                count_error("serialization")  # never sent, never written
                continue
            del exchange
            frames.append(frame)
            size += len(frame)
            count += 1
            if size >= _BATCH_BYTES or not queue:
                if not self._send(child, frames, count):
                    return
                frames, size, count = [], 0, 0

    def _send(self, child: _Child, frames: list[bytes], count: int) -> bool:
        try:
            child.write_frames(frames)
        except OSError:
            self._died(child, count)
            return False
        child.sent += count
        return True

    def _died(self, child: _Child, unsent: int) -> None:
        self._child = None
        child.close_pipe()
        child.done.wait(1.0)  # its last report, if it wrote one
        with contextlib.suppress(Exception):
            child.proc.wait(1.0)
        _counters.dropped += unsent + child.lost()
        self._drop_queue()
        self._backoff = min(max(self._backoff * 2, 1.0), 60.0)
        self._restart_at = time.monotonic() + self._backoff
        log.warning(
            "driftdiff: the writer process exited (status %s); dropping exchanges (counted) and "
            "starting a new one in %g s",
            child.proc.returncode,
            self._backoff,
        )

    def _drop_queue(self) -> None:
        queue = self._queue
        while queue:
            self._bytes_out += queue.popleft()[1]
            _counters.dropped += 1

    def _maybe_restart(self) -> None:
        if self._closed or time.monotonic() < self._restart_at:
            return
        try:
            self._child = _Child(self.config, self.pid)
            _counters.restarts += 1
        except Exception:
            count_error("writer process restart")
            self._backoff = min(max(self._backoff * 2, 1.0), 60.0)
            self._restart_at = time.monotonic() + self._backoff

    def _run(self) -> None:
        while True:
            self._wake.wait(recorder._FLUSH_EVERY_S)
            self._wake.clear()
            try:
                self._drain()
            except Exception:  # pragma: no cover - keep the sender alive
                count_error("writer")
            if self._stop:
                return

    # -- shutdown -------------------------------------------------------------------------------

    def close(self, timeout: float = 5.0) -> None:
        """Hand over what is queued, close the pipe, wait for the process up to ``timeout``."""
        if self._closed:
            return
        deadline = time.monotonic() + timeout
        self._closed = True
        self._stop = True
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        child = self._child
        if child is None:
            return
        if self._thread.is_alive():
            return  # the sender is still writing: the process finishes once the host exits
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
