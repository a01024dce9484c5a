"""Bodies, properties and parameters becoming nullable or not.

Response: a value that may now be ``null`` breaks consumers; request: a value that may no
longer be ``null`` breaks clients. The other directions are info.
"""

from __future__ import annotations

from collections.abc import Callable

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_BODY_BECAME_NULLABLE = "request-body-became-nullable"
REQUEST_BODY_BECAME_NOT_NULLABLE = "request-body-became-not-nullable"
REQUEST_PROPERTY_BECAME_NULLABLE = "request-property-became-nullable"
REQUEST_PROPERTY_BECAME_NOT_NULLABLE = "request-property-became-not-nullable"
REQUEST_PARAMETER_BECAME_NULLABLE = "request-parameter-became-nullable"
REQUEST_PARAMETER_BECAME_NOT_NULLABLE = "request-parameter-became-not-nullable"
RESPONSE_BODY_BECAME_NULLABLE = "response-body-became-nullable"
RESPONSE_BODY_BECAME_NOT_NULLABLE = "response-body-became-not-nullable"
RESPONSE_PROPERTY_BECAME_NULLABLE = "response-property-became-nullable"
RESPONSE_PROPERTY_BECAME_NOT_NULLABLE = "response-property-became-not-nullable"

_TARGETS = {
    "body": frozenset({"body"}),
    "property": frozenset({"property", "items", "header"}),
    "parameter": frozenset({"parameter"}),
}


def _predicate(side: Direction, targets: frozenset[str], nullable: bool) -> Callable[[Fact], bool]:
    def check(fact: Fact) -> bool:
        return fact.side is side and fact.target in targets and fact.after is nullable

    return check


def _register() -> None:
    for side in (REQ, RESP):
        for target, targets in _TARGETS.items():
            if side is RESP and target == "parameter":
                continue
            for nullable in (True, False):
                word = "nullable" if nullable else "not-nullable"
                breaks = (side is RESP) == nullable
                other = RESP if side is REQ else REQ
                mirror = (
                    f"{other.value}-{target}-became-{word}"
                    if target != "parameter"
                    else "response headers take the response-property-* rules"
                )
                text = (
                    f"A {side.value} {target} may now be null."
                    if nullable
                    else f"A {side.value} {target} may no longer be null."
                )
                rule(
                    f"{side.value}-{target}-became-{word}",
                    Severity.BREAKING if breaks else Severity.INFO,
                    side,
                    "schema",
                    text,
                    kinds=F.NULLABLE_CHANGED,
                    mirror=mirror,
                )(_predicate(side, targets, nullable))


_register()
