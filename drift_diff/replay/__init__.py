"""Replay: recorded requests against a new build, outbound calls answered from the recording.

Public surface::

    run_replay(exchanges, ReplayOptions(target=..., start=...)) -> ReplayRun
    run_check(baseline, sources, options, config=...)            -> CheckResult
    compare_exchange(recorded, live, CompareContext(...))        -> list[Change]
    MockStore / MockServer                                        the outbound mock server

Modules: ``runner`` (process, scheduling, capture), ``service`` (the service's process group),
``mockserver`` + ``matching`` (recorded outbound calls), ``compare`` + ``noise`` + ``kinds`` +
``paths`` (noise-aware comparison), ``findings`` (outcomes and ``Change`` objects), ``check``
(replay + infer + diff, the pre-merge gate).
"""

from __future__ import annotations

from drift_diff.replay.check import CheckResult, run_check
from drift_diff.replay.compare import CompareContext, compare_exchange
from drift_diff.replay.findings import ReplayRun, RequestOutcome
from drift_diff.replay.mockserver import MockServer, MockStore
from drift_diff.replay.noise import NoiseModel
from drift_diff.replay.runner import ReplayOptions, run_replay

__all__ = [
    "CheckResult",
    "CompareContext",
    "MockServer",
    "MockStore",
    "NoiseModel",
    "ReplayOptions",
    "ReplayRun",
    "RequestOutcome",
    "compare_exchange",
    "run_check",
    "run_replay",
]
