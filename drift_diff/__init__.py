"""driftdiff: traffic-driven contract testing for HTTP APIs.

Stages (one package each): ``traffic`` (traces, HAR import, proxy), ``infer`` (baseline learning),
``baseline`` (load/save/merge), ``diff`` (structural diff + rule catalogue), ``replay``,
``report``, ``openapi``, ``generate``; ``cli`` is a thin shell on top. See ARCHITECTURE in docs/.
"""

from __future__ import annotations

from functools import cache

from drift_diff.errors import DriftDiffError
from drift_diff.model import Baseline, Change, ExchangeRecord, Severity

__all__ = ["Baseline", "Change", "DriftDiffError", "ExchangeRecord", "Severity", "__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, read when first asked for: ``importlib.metadata`` costs every command
    40 ms of start-up otherwise."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _version() -> str:
    """One version string: the distribution's metadata (pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("driftdiff")
    except PackageNotFoundError:  # pragma: no cover - a tree that was never installed
        return "0+unknown"
