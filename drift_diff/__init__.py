"""driftdiff: traffic-driven contract testing for HTTP APIs.

Stages (one package each): ``traffic`` (traces, HAR import, proxy), ``infer`` (baseline learning),
``baseline`` (load/save/merge), ``diff`` (structural diff + rule catalogue), ``replay``,
``report``, ``openapi``, ``generate``; ``cli`` is a thin shell on top. See ARCHITECTURE in docs/.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from drift_diff.errors import DriftDiffError
from drift_diff.model import Baseline, Change, ExchangeRecord, Severity

__all__ = ["Baseline", "Change", "DriftDiffError", "ExchangeRecord", "Severity", "__version__"]
try:  # one version string: the distribution's metadata (pyproject.toml)
    __version__ = version("driftdiff")
except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0+unknown"
