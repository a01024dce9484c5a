"""Type changes of bodies, properties, parameters and array items.

Types are compared as sets without ``null`` (nullability is its own family), ``integer`` being
a subset of ``number``. A change *widens* (the new set covers the old), *narrows* (the old
covers the new) or is incomparable. Requests are contravariant (narrowing breaks clients,
widening is info); responses covariant (widening breaks consumers, narrowing is info); an
incomparable change breaks both.
"""

from __future__ import annotations

from collections.abc import Callable

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_BODY_TYPE_CHANGED = "request-body-type-changed"
REQUEST_BODY_TYPE_WIDENED = "request-body-type-widened"
REQUEST_BODY_TYPE_NARROWED = "request-body-type-narrowed"
REQUEST_PROPERTY_TYPE_CHANGED = "request-property-type-changed"
REQUEST_PROPERTY_TYPE_WIDENED = "request-property-type-widened"
REQUEST_PROPERTY_TYPE_NARROWED = "request-property-type-narrowed"
REQUEST_PARAMETER_TYPE_CHANGED = "request-parameter-type-changed"
REQUEST_PARAMETER_TYPE_WIDENED = "request-parameter-type-widened"
REQUEST_PARAMETER_TYPE_NARROWED = "request-parameter-type-narrowed"
REQUEST_ARRAY_ITEM_TYPE_CHANGED = "request-array-item-type-changed"
REQUEST_ARRAY_ITEM_TYPE_WIDENED = "request-array-item-type-widened"
REQUEST_ARRAY_ITEM_TYPE_NARROWED = "request-array-item-type-narrowed"
RESPONSE_BODY_TYPE_CHANGED = "response-body-type-changed"
RESPONSE_BODY_TYPE_WIDENED = "response-body-type-widened"
RESPONSE_BODY_TYPE_NARROWED = "response-body-type-narrowed"
RESPONSE_PROPERTY_TYPE_CHANGED = "response-property-type-changed"
RESPONSE_PROPERTY_TYPE_WIDENED = "response-property-type-widened"
RESPONSE_PROPERTY_TYPE_NARROWED = "response-property-type-narrowed"
RESPONSE_ARRAY_ITEM_TYPE_CHANGED = "response-array-item-type-changed"
RESPONSE_ARRAY_ITEM_TYPE_WIDENED = "response-array-item-type-widened"
RESPONSE_ARRAY_ITEM_TYPE_NARROWED = "response-array-item-type-narrowed"


_WIRE_SCALARS = frozenset({"integer", "number", "boolean"})


def _covers(wide: set[str], narrow: set[str], wire: bool) -> bool:
    def covered(t: str) -> bool:
        if t in wide or (t == "integer" and "number" in wide):
            return True
        # on the wire a parameter is text: a string parameter takes "1" and "true" too
        return wire and t in _WIRE_SCALARS and "string" in wide

    return all(covered(t) for t in narrow)


def type_shift(before: list[str], after: list[str], *, wire: bool = False) -> str:
    """``"widened"``, ``"narrowed"`` or ``"changed"`` (incomparable); ``wire`` for parameters."""
    b, a = set(before), set(after)
    if _covers(a, b, wire):
        return "widened"
    if _covers(b, a, wire):
        return "narrowed"
    return "changed"


_TARGETS = {
    "body": frozenset({"body"}),
    "property": frozenset({"property", "header"}),
    "parameter": frozenset({"parameter"}),
    "items": frozenset({"items"}),
}
_NOUN = {"body": "body", "property": "property", "parameter": "parameter", "items": "array item"}
_OASDIFF = {"widened": "list-of-types-widened", "narrowed": "list-of-types-narrowed"}


def _predicate(side: Direction, targets: frozenset[str], shift: str) -> Callable[[Fact], bool]:
    def check(fact: Fact) -> bool:
        return (
            fact.side is side
            and fact.target in targets
            and type_shift(fact.before, fact.after, wire=fact.target == "parameter") == shift
        )

    return check


def _severity(side: Direction, shift: str) -> Severity:
    if shift == "changed":
        return Severity.BREAKING
    breaks = (side is REQ and shift == "narrowed") or (side is RESP and shift == "widened")
    return Severity.BREAKING if breaks else Severity.INFO


def _describe(side: Direction, target: str, shift: str) -> str:
    noun = f"{side.value} {_NOUN[target]}"
    if shift == "changed":
        return f"The type of a {noun} changed to an incompatible one."
    verb = "accepts more types" if side is REQ else "may now be of more types"
    if shift == "narrowed":
        verb = "accepts fewer types" if side is REQ else "is now of fewer types"
    return f"A {noun} {verb} (type list {shift}; integer counts as a kind of number)."


def _register() -> None:
    for side in (REQ, RESP):
        for target, targets in _TARGETS.items():
            if side is RESP and target == "parameter":
                continue
            other = RESP if side is REQ else REQ
            for shift in ("changed", "widened", "narrowed"):
                name = "array-item" if target == "items" else target
                rule_id = f"{side.value}-{name}-type-{shift}"
                mirror = (
                    f"{other.value}-{name}-type-{shift}"
                    if target != "parameter"
                    else "response headers take the response-property-type-* rules"
                )
                oasdiff = f"{side.value}-{name}-{_OASDIFF[shift]}" if shift in _OASDIFF else ""
                rule(
                    rule_id,
                    _severity(side, shift),
                    side,
                    "schema",
                    _describe(side, target, shift),
                    kinds=F.TYPE_CHANGED,
                    mirror=mirror,
                    oasdiff=oasdiff,
                )(_predicate(side, targets, shift))


_register()
