"""String formats (``uuid``, ``date-time``, ``email``...) changing.

A response format dropped or changed (``uuid`` -> free string) warns: consumers parsing the
value may fail; a response format appearing is info. A request format appearing or changing
warns (clients may send values the new format refuses); one dropped is info.
"""

from __future__ import annotations

from collections.abc import Callable

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_PROPERTY_FORMAT_CHANGED = "request-property-format-changed"
REQUEST_PROPERTY_FORMAT_REMOVED = "request-property-format-removed"
REQUEST_PARAMETER_FORMAT_CHANGED = "request-parameter-format-changed"
REQUEST_PARAMETER_FORMAT_REMOVED = "request-parameter-format-removed"
RESPONSE_PROPERTY_FORMAT_CHANGED = "response-property-format-changed"
RESPONSE_PROPERTY_FORMAT_ADDED = "response-property-format-added"

_PROPERTY = frozenset({"body", "property", "items", "header"})
_PARAMETER = frozenset({"parameter"})


def _check(side: Direction, targets: frozenset[str], relaxed: bool) -> Callable[[Fact], bool]:
    """``relaxed``: the side's harmless direction (request: format dropped; response: added)."""

    def check(fact: Fact) -> bool:
        if fact.side is not side or fact.target not in targets:
            return False
        is_relaxed = fact.after is None if side is REQ else fact.before is None
        return is_relaxed == relaxed

    return check


_P_MIRROR = "response headers take the response-property-format-* rules"
rule(
    REQUEST_PROPERTY_FORMAT_CHANGED,
    Severity.WARNING,
    REQ,
    "schema",
    "A request body value gained or changed its format: some values clients send may be refused.",
    kinds=F.FORMAT_CHANGED,
    mirror=RESPONSE_PROPERTY_FORMAT_CHANGED,
)(_check(REQ, _PROPERTY, False))
rule(
    REQUEST_PROPERTY_FORMAT_REMOVED,
    Severity.INFO,
    REQ,
    "schema",
    "A request body value lost its format (accepts any string).",
    kinds=F.FORMAT_CHANGED,
    mirror=RESPONSE_PROPERTY_FORMAT_ADDED,
)(_check(REQ, _PROPERTY, True))
rule(
    REQUEST_PARAMETER_FORMAT_CHANGED,
    Severity.WARNING,
    REQ,
    "parameters",
    "A parameter gained or changed its format: some values clients send may be refused.",
    kinds=F.FORMAT_CHANGED,
    mirror=_P_MIRROR,
)(_check(REQ, _PARAMETER, False))
rule(
    REQUEST_PARAMETER_FORMAT_REMOVED,
    Severity.INFO,
    REQ,
    "parameters",
    "A parameter lost its format (accepts any string).",
    kinds=F.FORMAT_CHANGED,
    mirror=_P_MIRROR,
)(_check(REQ, _PARAMETER, True))
rule(
    RESPONSE_PROPERTY_FORMAT_CHANGED,
    Severity.WARNING,
    RESP,
    "schema",
    "A response value changed or lost its format (e.g. uuid -> free string): consumers parsing "
    "it may fail.",
    kinds=F.FORMAT_CHANGED,
    mirror=REQUEST_PROPERTY_FORMAT_CHANGED,
)(_check(RESP, _PROPERTY, False))
rule(
    RESPONSE_PROPERTY_FORMAT_ADDED,
    Severity.INFO,
    RESP,
    "schema",
    "A response value now has a recognisable format.",
    kinds=F.FORMAT_CHANGED,
    mirror=REQUEST_PROPERTY_FORMAT_REMOVED,
)(_check(RESP, _PROPERTY, True))
