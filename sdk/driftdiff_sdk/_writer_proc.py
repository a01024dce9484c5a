"""The writer process: ``python -m driftdiff_sdk._writer_proc``, started by ``_writer_pipe``.

It reads frames from its stdin (an anonymous pipe from the host process): a 4-byte big-endian
length, then a pickle. The first frame is ``(SDKConfig, host pid)``; every later one is one
exchange as the request path captured it (raw body bytes, unredacted). Each batch that arrives
is encoded, redacted and written by a thread-less ``recorder.Recorder`` (the same code the
thread writer runs), and the counters are sent back on stdout as ``REPORT``: recorded, errors,
unwritten and exchanges received, all cumulative, at most every ``REPORT_EVERY_S`` (each
report wakes a thread in the host) and once more before it waits for input with news unsent.

It runs in its own session and ignores SIGINT and SIGTERM (a signal meant for the host must not
kill it before the host has handed over its queue), at a lower CPU priority than the host. It
exits when its stdin reaches end of file (the host closed it, exited or died), once what it
received is written. Nothing raw is written anywhere but the trace files, after redaction.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

from driftdiff_sdk._writer_frames import HEADER, decode

__all__ = ["HEADER", "NICE", "REPORT", "main"]

#: recorded, errors, unwritten, exchanges received (cumulative)
REPORT = struct.Struct("!QQQQ")
#: added to the writer process's nice value: the host's requests come first
NICE = 10
_READ = 1 << 20
#: the writer reports its counters at most this often (and when it goes idle)
REPORT_EVERY_S = 0.1


def _frames(fd: int, before_read: Callable[[int], None] | None = None) -> Iterator[list[bytes]]:
    """Yield lists of frame payloads as they arrive (one list per read); ends at EOF."""
    pending = bytearray()
    while True:
        if before_read is not None:
            before_read(fd)
        chunk = os.read(fd, _READ)
        if not chunk:
            return
        pending += chunk
        frames: list[bytes] = []
        pos = 0
        while len(pending) - pos >= HEADER.size:
            (size,) = HEADER.unpack_from(pending, pos)
            if len(pending) - pos - HEADER.size < size:
                break
            start = pos + HEADER.size
            frames.append(bytes(pending[start : start + size]))
            pos = start + size
        del pending[:pos]
        if frames:
            yield frames


def main(stdin: int = 0, stdout: int = 1) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    with contextlib.suppress(OSError):  # not permitted: run at the host's priority
        os.nice(NICE)
    from driftdiff_sdk import recorder
    from driftdiff_sdk._counters import _counters as counters

    rec: recorder.Recorder | None = None
    received = 0
    sent_at = 0.0  # when the last report went out
    unsent = False  # counters changed since

    def report() -> None:
        nonlocal stdout, sent_at, unsent
        sent_at, unsent = time.monotonic(), False
        if stdout < 0:
            return
        data = REPORT.pack(counters.recorded, counters.errors, counters.unwritten, received)
        try:
            os.write(stdout, data)
        except OSError:  # the host is gone: keep writing what it handed over
            stdout = -1

    def before_read(fd: int) -> None:
        """With news unsent, wait for input only until the next report is due, then send it."""
        if unsent:
            wait = sent_at + REPORT_EVERY_S - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                report()

    try:
        for frames in _frames(stdin, before_read):
            exchanges: list[Any] = []
            for payload in frames:
                try:
                    obj = decode(payload)  # from the host process only (our own pipe)
                except Exception:
                    recorder.count_error("writer frame")
                    continue
                if rec is None:
                    config, pid = obj
                    rec = recorder.Recorder(config, thread=False, pid=pid)
                else:
                    received += 1
                    exchanges.append(obj)
            del frames
            if rec is not None and exchanges:
                rec.write_now(exchanges)
            del exchanges
            unsent = True
            if time.monotonic() - sent_at >= REPORT_EVERY_S:
                report()
        if unsent:
            report()
    finally:
        if rec is not None:
            rec._close_file()


if __name__ == "__main__":
    main()
