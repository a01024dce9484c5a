"""One writer process seen from the host: starting it, its pipe ends, and what it reports.

The process runs ``CHILD_MODULE`` (``_writer_proc``) with the host's interpreter, recording
nothing itself; the host writes frames to its stdin (``_writer_pipe.ProcessRecorder``) and a
reader thread adds the cumulative counters it reports on stdout to ``stats()``. A forked worker
closes its inherited copies of its parent's pipe ends (``forget_fds``) and starts its own.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from typing import Any

from driftdiff_sdk._counters import _counters
from driftdiff_sdk._writer_frames import HEADER, Split
from driftdiff_sdk._writer_proc import REPORT
from driftdiff_sdk.config import SDKConfig

__all__ = ["CHILD_MODULE", "Child"]

#: the module the writer process runs (``python -m``); tests point it at a fault-injecting one
CHILD_MODULE = "driftdiff_sdk._writer_proc"
_IOV_MAX = 512  # buffers per writev (Linux allows 1024)
_PIPE_BYTES = 1 << 20  # the pipe's buffer, where the system allows (Linux: pipe-max-size)
_ABANDONED: list[Child] = []  # a forked child's copies of its parent's writer
_SDK_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Child:
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
        with contextlib.suppress(Exception):  # Linux: fewer, larger pipe writes
            import fcntl

            fcntl.fcntl(self.wfd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        self.rfd = self.proc.stdout.fileno()
        self.sent = 0  # exchanges written to the pipe
        self.last = (0, 0, 0, 0)  # recorded, errors, unwritten, received
        self.done = threading.Event()  # its stdout reached EOF
        self.progress = threading.Event()  # set on every report
        self.write_frames([pickle.dumps((config, host_pid), protocol=5)])
        self._reader: threading.Thread | None = None

    def start_reader(self) -> None:
        """Start taking its reports (a thread: started with the sender, not before)."""
        if self._reader is None:
            self._reader = threading.Thread(
                target=self._read, name="driftdiff-writer-report", daemon=True
            )
            self._reader.start()

    def write_frames(self, frames: list[bytes | Split]) -> None:
        """Write length-prefixed frames; raises ``OSError`` when the process is gone."""
        pack = HEADER.pack
        parts: list[Any] = []
        for frame in frames:
            parts.append(pack(len(frame)))
            if type(frame) is Split:
                parts += frame.parts
            else:
                parts.append(frame)
        _writev_all(self.wfd, parts)

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
                    self.progress.set()
        except OSError:
            return
        finally:
            self.done.set()

    def handled(self) -> int:
        """Exchanges it reported written or counted as errors (cumulative)."""
        return self.last[0] + self.last[1]

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


def _writev_all(fd: int, parts: list[bytes | memoryview]) -> None:
    """``os.writev`` until every buffer is written (a pipe takes part of a batch at a time)."""
    i = 0
    while i < len(parts):
        chunk = parts[i : i + _IOV_MAX]
        written = os.writev(fd, chunk)
        for buf in chunk:
            n = len(buf)
            if written >= n:
                written -= n
                i += 1
                continue
            parts[i] = memoryview(buf)[written:]
            break
