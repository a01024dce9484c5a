"""driftdiff: traffic-driven contract testing for HTTP APIs.

Stages (one package each): ``traffic`` (traces, HAR import, proxy), ``infer`` (baseline learning),
``baseline`` (load/save/merge), ``diff`` (structural diff + rule catalogue), ``replay``,
``report``, ``openapi``, ``generate``; ``cli`` is a thin shell on top. See ARCHITECTURE in docs/.
"""

from __future__ import annotations

from drift_diff.errors import DriftDiffError
from drift_diff.model import Baseline, Change, Exchange, Severity

__all__ = ["Baseline", "Change", "DriftDiffError", "Exchange", "Severity", "__version__"]
__version__ = "0.1.0"
