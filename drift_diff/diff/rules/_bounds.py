"""Direction of a value-bound change, and the registration the bound rule families share.

A bound change *tightens* (the new bound refuses values the old accepted: a smaller maximum, a
larger minimum, an inclusive bound made exclusive, a bound that appears) or *loosens* (the
reverse, or the bound is dropped). Requests are contravariant: tightening breaks clients,
loosening is info. Responses covariant: loosening warns (consumers may get values they never
saw: longer strings, larger numbers, more items), tightening is info. The ids follow oasdiff's
``{side}-{target}-{bound}-{set|unset|increased|decreased}``. ``register_family`` is the
registration every family of ``{side}-{target}-{name}-{what}`` rules shares (bounds,
``multipleOf``, ``pattern``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

__all__ = ["TARGETS", "register_bound", "register_family", "tightens"]

#: rule target noun -> fact targets (response headers count as response properties)
TARGETS = {
    "body": frozenset({"body"}),
    "property": frozenset({"property", "items", "header"}),
    "parameter": frozenset({"parameter"}),
}


def _key(value: Any, upper: bool) -> tuple[float, bool]:
    """Order bounds from loosest to tightest: ``[value, exclusive]`` or a plain number."""
    number, exclusive = (value[0], value[1]) if isinstance(value, list) else (value, False)
    return (-number if upper else number, bool(exclusive))


def tightens(before: Any, after: Any, upper: bool) -> bool:
    """Whether moving the bound from ``before`` to ``after`` refuses some accepted value."""
    if after is None:
        return False
    if before is None:
        return True
    return _key(after, upper) > _key(before, upper)


def _what(fact: Fact, upper: bool) -> str:
    if fact.before is None:
        return "set"
    if fact.after is None:
        return "unset"
    narrower = tightens(fact.before, fact.after, upper)
    return "decreased" if narrower == upper else "increased"


def _severity(side: Direction, what: str, upper: bool) -> Severity:
    narrower = what == "set" or (what == ("decreased" if upper else "increased"))
    if side is REQ:
        return Severity.BREAKING if narrower else Severity.INFO
    return Severity.INFO if narrower else Severity.WARNING


def _check(
    side: Direction, targets: frozenset[str], what: str, classify: Callable[[Fact], str]
) -> Callable[[Fact], bool]:
    def check(fact: Fact) -> bool:
        return fact.side is side and fact.target in targets and classify(fact) == what

    return check


def register_family(
    name: str,
    kinds: str | tuple[str, ...],
    severities: Mapping[Direction, Mapping[str, Severity]],
    classify: Callable[[Fact], str],
    describe: Callable[[Direction, str, str], str],
    area: str = "schema",
) -> None:
    """Register ``{side}-{target}-{name}-{what}`` for both sides and every target (response
    parameters excepted: response headers take the response-property rules), one rule per
    ``what`` of ``severities[side]``: a fact of ``kinds`` fires the rule of its side, its target
    and ``classify(fact)``; ``describe(side, target, what)`` is the rule's description."""
    for side in (REQ, RESP):
        other = RESP if side is REQ else REQ
        for target, targets in TARGETS.items():
            if side is RESP and target == "parameter":
                continue
            for what, severity in severities[side].items():
                mirror = (
                    f"{other.value}-{target}-{name}-{what}"
                    if target != "parameter"
                    else "response headers take the response-property-* rules"
                )
                rule(
                    f"{side.value}-{target}-{name}-{what}",
                    severity,
                    side,
                    "parameters" if target == "parameter" else area,
                    describe(side, target, what),
                    kinds=kinds,
                    mirror=mirror,
                )(_check(side, targets, what, classify))


def register_bound(kind: str, name: str, word: str, upper: bool, area: str = "schema") -> None:
    """Register the rules of one bound (``name`` as in ids: ``max-length``; ``word`` as read:
    ``maxLength``) for both sides and every target."""
    whats = ("set", "unset", "increased", "decreased")

    def describe(side: Direction, target: str, what: str) -> str:
        severity = _severity(side, what, upper)
        effect = "refuses values clients sent" if side is REQ else "bounds what it gives"
        if severity is not Severity.BREAKING and side is REQ:
            effect = "accepts more values"
        if side is RESP and severity is Severity.WARNING:
            effect = "may give values consumers never saw"
        verb = {"set": "gained", "unset": "lost"}.get(what, what)
        return f"A {side.value} {target}'s {word} {verb}: it {effect}."

    register_family(
        name,
        kind,
        {side: {what: _severity(side, what, upper) for what in whats} for side in (REQ, RESP)},
        lambda fact: _what(fact, upper),
        describe,
        area,
    )
