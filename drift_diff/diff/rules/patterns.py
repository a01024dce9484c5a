"""``pattern`` added, changed or removed.

Two regular expressions cannot be compared for inclusion in general, so any change counts as
possibly narrowing. Requests: a pattern added breaks clients (values they sent may not match),
one changed warns (oasdiff: the same), one removed is info. Responses: added is info, changed
or removed warns (consumers parsing by the old shape may fail).
"""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.rules._bounds import register_family
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_PROPERTY_PATTERN_ADDED = "request-property-pattern-added"
REQUEST_PARAMETER_PATTERN_CHANGED = "request-parameter-pattern-changed"
RESPONSE_PROPERTY_PATTERN_CHANGED = "response-property-pattern-changed"

_SEVERITY = {
    REQ: {"added": Severity.BREAKING, "changed": Severity.WARNING, "removed": Severity.INFO},
    RESP: {"added": Severity.INFO, "changed": Severity.WARNING, "removed": Severity.WARNING},
}


def _what(fact: Fact) -> str:
    if fact.before is None:
        return "added"
    return "removed" if fact.after is None else "changed"


def _describe(side: Direction, target: str, what: str) -> str:
    effect = " (values that matched the old one may not match)" if what == "changed" else ""
    return f"A {side.value} {target}'s pattern was {what}{effect}."


register_family("pattern", F.PATTERN_CHANGED, _SEVERITY, _what, _describe)
