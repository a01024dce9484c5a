"""``multipleOf`` set, changed, relaxed or dropped.

A new ``multipleOf`` m' accepts every value the old m did only when m is a multiple of m'
(10 -> 5): that is *relaxed*. Any other change refuses some values (5 -> 10, 5 -> 3).
Requests: set/changed break clients, relaxed/unset are info. Responses: changed/relaxed/unset
warn (consumers may get values off the old step), set is info.
"""

from __future__ import annotations

from fractions import Fraction

from drift_diff.diff.facts import BOUND_CHANGED, Fact
from drift_diff.diff.rules._bounds import register_family
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Severity

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


register_family(
    "multiple-of",
    _KIND,
    _SEVERITY,
    _what,
    lambda side, target, what: f"A {side.value} {target} {_TEXT[what]}.",
)
