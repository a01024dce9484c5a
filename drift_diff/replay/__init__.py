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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drift_diff.replay.check import CheckResult, run_check
    from drift_diff.replay.compare import CompareContext, compare_exchange
    from drift_diff.replay.findings import ReplayRun, RequestOutcome
    from drift_diff.replay.mockserver import MockServer, MockStore
    from drift_diff.replay.noise import NoiseModel
    from drift_diff.replay.runner import ReplayOptions, run_replay

# Loaded on first use: every command imports ``drift_diff.config``, which needs only
# ``replay.credentials``; importing the package must not start the runner's imports (httpx,
# the mock server...), 0.3 s of every ``driftdiff`` start.
_LAZY = {
    "CheckResult": "check", "run_check": "check", "CompareContext": "compare",
    "compare_exchange": "compare", "ReplayRun": "findings", "RequestOutcome": "findings",
    "MockServer": "mockserver", "MockStore": "mockserver", "NoiseModel": "noise",
    "ReplayOptions": "runner", "run_replay": "runner",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
