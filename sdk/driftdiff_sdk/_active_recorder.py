"""The process's one recorder: created on first use, started early, re-created after fork.

``get_recorder`` is what every middleware and adapter hands its exchanges to: the writer
process's request side (``_writer_pipe.ProcessRecorder``) or, when that cannot start or
``DRIFTDIFF_WRITER=thread``, the thread writer (``recorder.Recorder``). A forked worker drops
its parent's (``os.register_at_fork``) and starts its own on its first exchange; at exit the
recorder is closed, which flushes what is queued.
"""

from __future__ import annotations

import atexit
import os
import threading

from driftdiff_sdk._counters import count_error, count_fallback
from driftdiff_sdk.config import SDKConfig
from driftdiff_sdk.recorder import Recorder

__all__ = ["current", "get_recorder", "reset_recorder", "start_early"]

_recorder: Recorder | None = None  # or its subclass _writer_pipe.ProcessRecorder
_pid = os.getpid()  # refreshed in a forked child (a syscall per request otherwise)
_failed_pid = 0  # a recorder that failed to start is not retried on every request
_lock = threading.Lock()


def current() -> Recorder | None:
    """The recorder created so far (``None`` before the first exchange or after a reset); it
    may be a forked parent's: compare its ``pid``."""
    return _recorder


def get_recorder(config: SDKConfig) -> Recorder | None:
    """The process's recorder, created on first use (and again in a forked child)."""
    global _recorder, _failed_pid
    rec = _recorder
    if rec is not None and rec.pid == _pid and not rec._closed:
        return rec
    if _failed_pid == os.getpid():
        return None
    with _lock:
        rec = _recorder
        if rec is not None and rec.pid == os.getpid() and not rec._closed:
            return rec
        try:
            _recorder = _start(config)
        except Exception:
            _failed_pid = os.getpid()
            count_error("recorder start")
            return None
        return _recorder


def start_early(config: SDKConfig) -> None:
    """Start this process's writer process now (the middleware is being built), so that no
    request pays for starting it; a forked worker starts its own on its first exchange."""
    global _recorder
    if config.writer != "process":
        return
    with _lock:
        rec = _recorder
        if rec is not None and rec.pid == os.getpid() and not rec._closed:
            return
        _recorder = _start(config, now=True)


def _start(config: SDKConfig, *, now: bool = False) -> Recorder:
    """The writer process's request side; the thread writer when it cannot start (counted)."""
    if config.writer == "process":
        try:
            from driftdiff_sdk._writer_pipe import ProcessRecorder

            return ProcessRecorder(config, start_now=now)
        except Exception:
            count_fallback()
    return Recorder(config)


def reset_recorder() -> None:
    """Close and forget the recorder (flushes what is queued). For shutdown and tests."""
    global _recorder, _failed_pid
    with _lock:
        rec, _recorder = _recorder, None
        _failed_pid = 0
    if rec is not None and rec.pid == os.getpid():
        try:
            rec.close()
        except Exception:  # pragma: no cover
            count_error("close")


def _after_fork_in_child() -> None:
    # the writer thread does not survive fork (gunicorn --preload): start afresh in the child
    global _recorder, _pid
    rec, _recorder = _recorder, None
    abandon = getattr(rec, "abandon_after_fork", None)
    if abandon is not None:
        abandon()  # the parent's pipe to its writer process is not this child's
    _pid = os.getpid()


atexit.register(reset_recorder)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
