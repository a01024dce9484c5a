"""Enumerations: declared ``enum`` (from OpenAPI) and learned ``x-values`` (from traffic).

Requests: a removed value or a new enum breaks clients. Responses: a new value warns (clients
may switch over the known ones). Learned ``x-values`` only count as an enum for the response
warning when the base saw enough samples with few distinct values (``MIN_SAMPLES`` /
``MAX_DISTINCT``), and never make a request "become enum": traffic shows what clients sent,
not what the server refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_BODY_BECAME_ENUM = "request-body-became-enum"
REQUEST_BODY_ENUM_VALUE_REMOVED = "request-body-enum-value-removed"
REQUEST_BODY_ENUM_VALUE_ADDED = "request-body-enum-value-added"
REQUEST_PROPERTY_BECAME_ENUM = "request-property-became-enum"
REQUEST_PROPERTY_ENUM_VALUE_REMOVED = "request-property-enum-value-removed"
REQUEST_PROPERTY_ENUM_VALUE_ADDED = "request-property-enum-value-added"
REQUEST_PARAMETER_BECAME_ENUM = "request-parameter-became-enum"
REQUEST_PARAMETER_ENUM_VALUE_REMOVED = "request-parameter-enum-value-removed"
REQUEST_PARAMETER_ENUM_VALUE_ADDED = "request-parameter-enum-value-added"
RESPONSE_BODY_ENUM_VALUE_ADDED = "response-body-enum-value-added"
RESPONSE_BODY_ENUM_VALUE_REMOVED = "response-body-enum-value-removed"
RESPONSE_PROPERTY_ENUM_VALUE_ADDED = "response-property-enum-value-added"
RESPONSE_PROPERTY_ENUM_VALUE_REMOVED = "response-property-enum-value-removed"

#: learned values are an enum only past this many base samples ...
MIN_SAMPLES = 20
#: ... and with at most this many distinct values
MAX_DISTINCT = 12

_TARGETS = {
    "body": frozenset({"body"}),
    "property": frozenset({"property", "items", "header"}),
    "parameter": frozenset({"parameter"}),
}


def _keys(values: list[Any] | None) -> set[str]:
    return {repr(v) for v in values or []}


def value_delta(fact: Fact) -> tuple[int, int]:
    """(values added, values removed); a side without enum allows everything."""
    if fact.before is None:
        return 0, 1  # became enum: narrower
    if fact.after is None:
        return 1, 0  # enum dropped: wider
    b, a = _keys(fact.before), _keys(fact.after)
    return len(a - b), len(b - a)


def _learned_enum(fact: Fact) -> bool:
    return (
        fact.samples >= MIN_SAMPLES and fact.before is not None and len(fact.before) <= MAX_DISTINCT
    )


def _make(side: Direction, targets: frozenset[str], what: str) -> Callable[[Fact], bool]:
    def check(fact: Fact) -> bool:
        if fact.side is not side or fact.target not in targets:
            return False
        if fact.kind == F.VALUES_CHANGED:
            return (
                what == "added"
                and side is RESP
                and _learned_enum(fact)
                and value_delta(fact)[0] > 0
            )
        added, removed = value_delta(fact)
        if what == "became":
            return fact.before is None
        if what == "removed":
            return removed > 0 and (side is RESP or fact.before is not None)
        return added > 0

    return check


_TEXT = {
    "became": "A {side} {target} that took any value now takes only an enumerated set.",
    "removed": "A {side} {target} no longer takes some enumerated values.",
    "added": "A {side} {target} takes new enumerated values.",
}


def _register() -> None:
    for target, targets in _TARGETS.items():
        for what, sev in (
            ("became", Severity.BREAKING),
            ("removed", Severity.BREAKING),
            ("added", Severity.INFO),
        ):
            rule_id = (
                f"request-{target}-became-enum"
                if what == "became"
                else f"request-{target}-enum-value-{what}"
            )
            mirror = (
                f"response-{target}-enum-value-{'added' if what == 'removed' else 'removed'}"
                if target != "parameter"
                else "response headers take the response-property-* rules"
            )
            if what == "became":
                mirror = "a response narrowing to an enum is response-*-enum-value-removed (info)"
            rule(
                rule_id,
                sev,
                REQ,
                "schema",
                _TEXT[what].format(side="request", target=target),
                kinds=F.ENUM_CHANGED,
                mirror=mirror,
            )(_make(REQ, targets, what))
    for target in ("body", "property"):
        rule(
            f"response-{target}-enum-value-added",
            Severity.WARNING,
            RESP,
            "schema",
            f"A response {target} shows a value outside its enum (declared, or learned from at "
            f"least {MIN_SAMPLES} samples with at most {MAX_DISTINCT} distinct values): consumers "
            "switching over the known values may fail.",
            kinds=(F.ENUM_CHANGED, F.VALUES_CHANGED),
            mirror=f"request-{target}-enum-value-removed",
        )(_make(RESP, _TARGETS[target], "added"))
        rule(
            f"response-{target}-enum-value-removed",
            Severity.INFO,
            RESP,
            "schema",
            f"A response {target} no longer gives some enumerated values (or became an enum).",
            kinds=F.ENUM_CHANGED,
            mirror=f"request-{target}-enum-value-added",
        )(_make(RESP, _TARGETS[target], "removed"))


_register()
