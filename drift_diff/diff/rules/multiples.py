"""``multipleOf`` set, changed, relaxed or dropped.

A new ``multipleOf`` m' accepts every value the old m did only when m is a multiple of m'
(10 -> 5): that is *relaxed*. Any other change refuses some values (5 -> 10, 5 -> 3).
Requests: set/changed break clients, relaxed/unset are info. Responses: changed/relaxed/unset
warn (consumers may get values off the old step), set is info.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from drift_diff.diff.facts import BOUND_CHANGED, Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._bounds import TARGETS
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_PROPERTY_MULTIPLE_OF_SET = "request-property-multiple-of-set"
RESPONSE_PROPERTY_MULTIPLE_OF_CHANGED = "response-property-multiple-of-changed"

_KIND = BOUND_CHANGED["multipleOf"]


def _relaxes(before: float, after: float) -> bool:
    """``after`` divides ``before``: every multiple of ``before`` is a multiple of ``after``."""
    try:
        ratio = Fraction(str(before)) / Fraction(str(after))
    except (ValueError, ZeroDivisionError):
        return False
    return ratio.denominator == 1


def _what(fact: Fact) -> str:
    if fact.before is None:
        return "set"
    if fact.after is None:
        return "unset"
    return "relaxed" if _relaxes(fact.before, fact.after) else "changed"


_SEVERITY = {
    REQ: {
        "set": Severity.BREAKING,
        "changed": Severity.BREAKING,
        "relaxed": Severity.INFO,
        "unset": Severity.INFO,
    },
    RESP: {
        "set": Severity.INFO,
        "changed": Severity.WARNING,
        "relaxed": Severity.WARNING,
        "unset": Severity.WARNING,
    },
}
_TEXT = {
    "set": "gained a multipleOf",
    "changed": "changed its multipleOf so that some values of the old step are off the new one",
    "relaxed": "relaxed its multipleOf to a divisor of the old one",
    "unset": "lost its multipleOf",
}


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
                    f"{side.value}-{target}-multiple-of-{what}",
                    severity,
                    side,
                    "parameters" if target == "parameter" else "schema",
                    f"A {side.value} {target} {_TEXT[what]}.",
                    kinds=_KIND,
                    mirror=f"{other.value}-{target}-multiple-of-{what}"
                    if target != "parameter"
                    else "response headers take the response-property-* rules",
                )(_check(side, targets, what))


_register()
