"""Endpoints appearing and disappearing (matched regardless of path-parameter names)."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff import lifecycle as L
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.model import Direction, Severity

ENDPOINT_REMOVED = "endpoint-removed"
ENDPOINT_ADDED = "endpoint-added"

_E = Direction.ENDPOINT


@rule(
    ENDPOINT_REMOVED,
    Severity.BREAKING,
    _E,
    "paths",
    "An endpoint (method + path template) is gone without deprecation, or before its sunset "
    "date: every caller of it breaks (retiring one: `endpoint-retired`).",
    kinds=(F.ENDPOINT_REMOVED, L.REMOVED_BEFORE_SUNSET),
    oasdiff="api-removed-without-deprecation",
)
def _endpoint_removed(fact: Fact) -> bool:
    return True


@rule(ENDPOINT_ADDED, Severity.INFO, _E, "paths", "A new endpoint.", kinds=F.ENDPOINT_ADDED)
def _endpoint_added(fact: Fact) -> bool:
    return True
