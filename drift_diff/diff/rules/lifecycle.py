"""Deprecation and sunset of endpoints (oasdiff's lifecycle checks), dated by ``diff/lifecycle``.

The removal of a deprecated endpoint once its sunset has come is ``endpoint-retired`` (info);
removed before its sunset, or never deprecated, it is ``endpoint-removed`` (``endpoints.py``).
"""

from __future__ import annotations

from drift_diff.deprecation import RETIRED_RULE
from drift_diff.diff import lifecycle as L
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.model import Direction, Severity

ENDPOINT_DEPRECATED = "endpoint-deprecated"
ENDPOINT_REACTIVATED = "endpoint-reactivated"
ENDPOINT_RETIRED = RETIRED_RULE
ENDPOINT_SUNSET_CHANGED = "endpoint-sunset-changed"
SUNSET_TOO_SMALL = "api-sunset-date-too-small"
SUNSET_CHANGED_TOO_SMALL = "api-sunset-date-changed-too-small"
SUNSET_MISSING = "api-deprecated-sunset-missing"
SUNSET_DELETED = "sunset-deleted"
PARAMETER_RETIRED = "request-parameter-removed-with-deprecation"
PARAMETER_DEPRECATED = "request-parameter-deprecated"
PARAMETER_REACTIVATED = "request-parameter-reactivated"
PARAMETER_SUNSET_TOO_SMALL = "request-parameter-sunset-date-too-small"
PARAMETER_SUNSET_MISSING = "request-parameter-deprecated-sunset-missing"

__all__ = [
    "ENDPOINT_DEPRECATED",
    "ENDPOINT_REACTIVATED",
    "ENDPOINT_RETIRED",
    "ENDPOINT_SUNSET_CHANGED",
    "PARAMETER_DEPRECATED",
    "PARAMETER_REACTIVATED",
    "PARAMETER_RETIRED",
    "PARAMETER_SUNSET_MISSING",
    "PARAMETER_SUNSET_TOO_SMALL",
    "SUNSET_CHANGED_TOO_SMALL",
    "SUNSET_DELETED",
    "SUNSET_MISSING",
    "SUNSET_TOO_SMALL",
]

_E = Direction.ENDPOINT
_AREA = "lifecycle"
_NO_MIRROR = (
    "none: a response property carries no deprecation in a learned contract (OpenAPI "
    "import keeps it for parameters)"
)


def _fires(_fact: Fact) -> bool:
    return True  # the lifecycle pass already chose the kind


rule(
    ENDPOINT_DEPRECATED,
    Severity.INFO,
    _E,
    _AREA,
    "An endpoint is now deprecated (OpenAPI `deprecated: true`, or `Deprecation`/`Sunset` "
    "response headers), with a sunset date far enough away or none.",
    kinds=L.DEPRECATED,
)(_fires)
rule(
    ENDPOINT_REACTIVATED,
    Severity.INFO,
    _E,
    _AREA,
    "A deprecated endpoint is no longer deprecated.",
    kinds=L.REACTIVATED,
)(_fires)
rule(
    ENDPOINT_RETIRED,
    Severity.INFO,
    _E,
    _AREA,
    "A deprecated endpoint is gone on or after its sunset date (or it had none), or answers "
    "only 404/405/410 now: its callers were told. Removed before the sunset it is "
    "`endpoint-removed`.",
    kinds=(L.RETIRED, L.RETIRED_ANSWERING_GONE),
    oasdiff="api-removed-with-deprecation",
)(_fires)
rule(
    ENDPOINT_SUNSET_CHANGED,
    Severity.INFO,
    _E,
    _AREA,
    "A deprecated endpoint's sunset date moved later, was added, or moved earlier but still "
    "gives the notice `deprecation_days` asks for.",
    kinds=L.SUNSET_CHANGED,
    oasdiff="—",
)(_fires)
rule(
    SUNSET_DELETED,
    Severity.WARNING,
    _E,
    _AREA,
    "A deprecated endpoint lost its sunset date: it could then be retired at once, without the "
    "notice the date gave (oasdiff: error).",
    kinds=L.SUNSET_DELETED,
)(_fires)
rule(
    SUNSET_TOO_SMALL,
    Severity.WARNING,
    _E,
    _AREA,
    "An endpoint is deprecated with a sunset date fewer than `deprecation_days` days away, or "
    "already past (oasdiff: error).",
    kinds=L.SUNSET_TOO_SOON,
)(_fires)
rule(
    SUNSET_CHANGED_TOO_SMALL,
    Severity.WARNING,
    _E,
    _AREA,
    "A deprecated endpoint's sunset date moved earlier, to fewer than `deprecation_days` days "
    "away or the past (oasdiff: error).",
    kinds=L.SUNSET_SHORTENED,
)(_fires)
rule(
    SUNSET_MISSING,
    Severity.WARNING,
    _E,
    _AREA,
    "An endpoint is deprecated without a sunset date while `deprecation_days` asks for notice "
    "(oasdiff: error).",
    kinds=L.SUNSET_MISSING,
)(_fires)
rule(
    PARAMETER_DEPRECATED,
    Severity.INFO,
    Direction.REQUEST,
    _AREA,
    "A query/header parameter is now deprecated (OpenAPI `deprecated: true` on the parameter).",
    kinds=L.PARAM_DEPRECATED,
    mirror=_NO_MIRROR,
)(_fires)
rule(
    PARAMETER_REACTIVATED,
    Severity.INFO,
    Direction.REQUEST,
    _AREA,
    "A deprecated query/header parameter is no longer deprecated.",
    kinds=L.PARAM_REACTIVATED,
    mirror=_NO_MIRROR,
)(_fires)
rule(
    PARAMETER_RETIRED,
    Severity.INFO,
    Direction.REQUEST,
    _AREA,
    "A deprecated query/header parameter is gone on or after its sunset date (or it had none). "
    "Removed before it, or never deprecated, it is `request-parameter-removed`.",
    kinds=L.PARAM_RETIRED,
    mirror=_NO_MIRROR,
)(_fires)
rule(
    PARAMETER_SUNSET_TOO_SMALL,
    Severity.WARNING,
    Direction.REQUEST,
    _AREA,
    "A query/header parameter is deprecated with a sunset date fewer than `deprecation_days` "
    "days away, or already past (oasdiff: error).",
    kinds=L.PARAM_SUNSET_TOO_SOON,
    mirror=_NO_MIRROR,
)(_fires)
rule(
    PARAMETER_SUNSET_MISSING,
    Severity.WARNING,
    Direction.REQUEST,
    _AREA,
    "A query/header parameter is deprecated without a sunset date while `deprecation_days` asks "
    "for notice (oasdiff: error).",
    kinds=L.PARAM_SUNSET_MISSING,
    mirror=_NO_MIRROR,
)(_fires)
