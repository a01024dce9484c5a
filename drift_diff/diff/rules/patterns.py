"""``pattern`` added, changed or removed.

Two regular expressions cannot be compared for inclusion in general, so any change counts as
possibly narrowing. Requests: a pattern added breaks clients (values they sent may not match),
one changed warns (oasdiff: the same), one removed is info. Responses: added is info, changed
or removed warns (consumers parsing by the old shape may fail).
"""

from __future__ import annotations

from collections.abc import Callable

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._bounds import TARGETS
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


def _check(side: Direction, targets: frozenset[str], what: str) -> Callable[[Fact], bool]:
    def check(fact: Fact) -> bool:
        return fact.side is side and fact.target in targets and _what(fact) == what

    return check


def _register() -> None:
    for side in (REQ, RESP):
        other = RESP if side is REQ else REQ
        for target, targets in TARGETS.items():
            if side is RESP and target == "parameter":
                continue
            for what, severity in _SEVERITY[side].items():
                rule(
                    f"{side.value}-{target}-pattern-{what}",
                    severity,
                    side,
                    "parameters" if target == "parameter" else "schema",
                    f"A {side.value} {target}'s pattern was {what}"
                    + (
                        " (values that matched the old one may not match)."
                        if what == "changed"
                        else "."
                    ),
                    kinds=F.PATTERN_CHANGED,
                    mirror=f"{other.value}-{target}-pattern-{what}"
                    if target != "parameter"
                    else "response headers take the response-property-* rules",
                )(_check(side, targets, what))


_register()
