"""The SDK's counters (``driftdiff_sdk.stats()``) and the one place errors are swallowed.

Plain integer attributes, bumped without a lock from request threads and the writer thread: a
lost increment under a race is acceptable for a statistic, a lock on every request is not.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["count_error", "count_fallback", "reset_stats", "stats"]

log = logging.getLogger("driftdiff_sdk")


class _Counters:
    __slots__ = (
        "dropped",
        "errors",
        "excluded",
        "fallbacks",
        "not_sampled",
        "recorded",
        "restarts",
        "sampled",
        "unwritten",
    )

    def __init__(self) -> None:
        self.excluded = 0  # requests an ``exclude`` pattern left out (before sampling)
        self.sampled = 0  # requests the sampling decision took for recording
        self.not_sampled = 0  # and those it passed through untouched
        self.recorded = 0
        self.dropped = 0
        self.errors = 0
        self.unwritten = 0  # lost because the traces folder refused them (also in ``errors``)
        self.fallbacks = 0  # writer processes that would not start (a thread writes instead)
        self.restarts = 0  # writer processes started again after one died


_counters = _Counters()
_error_logged = False


def count_error(what: str = "capture", n: int = 1) -> None:
    """Count ``n`` swallowed capture errors; log the first only (never spam the host's logs)."""
    global _error_logged
    _counters.errors += n
    if not _error_logged:
        _error_logged = True
        log.warning(
            "driftdiff: %s error (counted in driftdiff_sdk.stats(); logged once)",
            what,
            exc_info=sys.exc_info()[0] is not None,  # a traceback only when there is one
        )


def count_fallback() -> None:
    """Count a writer process that would not start (a thread writes instead) and log why (called
    from the ``except`` that caught it, so the traceback is logged)."""
    _counters.fallbacks += 1
    log.warning(
        "driftdiff: the writer process did not start; writing from a thread instead "
        "(counted as 'writer_fallbacks' in driftdiff_sdk.stats())",
        exc_info=True,
    )


def stats() -> dict[str, int]:
    from driftdiff_sdk._active_recorder import current

    rec = current()
    return {
        "recorded": _counters.recorded,
        "dropped": _counters.dropped,
        "errors": _counters.errors,
        "unwritten": _counters.unwritten,
        "queued": rec.queued() if rec is not None else 0,
        "sampled": _counters.sampled,
        "not_sampled": _counters.not_sampled,
        "excluded": _counters.excluded,
        "writer_process": int(getattr(rec, "process", False)),
        "writer_fallbacks": _counters.fallbacks,
        "writer_restarts": _counters.restarts,
    }


def reset_stats() -> None:
    for name in _Counters.__slots__:
        setattr(_counters, name, 0)
