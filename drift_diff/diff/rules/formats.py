"""String formats (``uuid``, ``date-time``, ``email``...) changing.

Response side (severities argued in ``docs/rules.md``, "Severities argued"):

* one named format replaced by another (``date`` -> ``date-time``) **breaks** consumers: a
  parser of the old format gets values it cannot read. oasdiff reports it as
  ``response-property-type-changed`` (error) and vendors' changelogs (Twilio) call it breaking;
* the response narrowing within a number format (``int64`` -> ``int32``, ``double`` ->
  ``float``) is info: every new value fits the old reading (oasdiff's exception too);
* a format dropped (``uuid`` -> free string) warns: consumers validating the format may fail,
  and a learned format is dropped on the first counterexample, so it is weaker evidence;
* a format appearing is info.

Request side: a format appearing or changing warns (clients may send values the new format
refuses); one dropped is info.
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
RESPONSE_PROPERTY_FORMAT_NARROWED = "response-property-format-narrowed"
RESPONSE_PROPERTY_FORMAT_REMOVED = "response-property-format-removed"
RESPONSE_PROPERTY_FORMAT_ADDED = "response-property-format-added"

#: (wider, narrower) number formats: a response moving from the first to the second still
#: gives values every reader of the first accepts
NUMBER_NARROWING = frozenset(
    {("int64", "int32"), ("bigint", "int64"), ("bigint", "int32"), ("double", "float")}
)

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


def _response(check: Callable[[Fact], bool]) -> Callable[[Fact], bool]:
    def wrapped(fact: Fact) -> bool:
        return fact.side is RESP and fact.target in _PROPERTY and check(fact)

    return wrapped


def _replaced(fact: Fact) -> bool:
    return fact.before is not None and fact.after is not None


rule(
    RESPONSE_PROPERTY_FORMAT_CHANGED,
    Severity.BREAKING,
    RESP,
    "schema",
    "A response value's format was replaced by another (e.g. date -> date-time): consumers "
    "parsing the old format get values they cannot read (oasdiff: response-property-type-"
    "changed, error; Twilio's changelog: breaking).",
    kinds=F.FORMAT_CHANGED,
    mirror=REQUEST_PROPERTY_FORMAT_CHANGED,
    oasdiff="response-property-type-changed",
)(_response(lambda f: _replaced(f) and (f.before, f.after) not in NUMBER_NARROWING))
rule(
    RESPONSE_PROPERTY_FORMAT_NARROWED,
    Severity.INFO,
    RESP,
    "schema",
    "A response number's format narrowed (int64 -> int32, double -> float): every new value "
    "fits the old reading (oasdiff makes the same exception).",
    kinds=F.FORMAT_CHANGED,
    mirror=REQUEST_PROPERTY_FORMAT_CHANGED,
    oasdiff="response-property-type-changed",
)(_response(lambda f: _replaced(f) and (f.before, f.after) in NUMBER_NARROWING))
rule(
    RESPONSE_PROPERTY_FORMAT_REMOVED,
    Severity.WARNING,
    RESP,
    "schema",
    "A response value lost its format (e.g. uuid -> free string): consumers validating it may "
    "fail (oasdiff: error; a warning here, since a learned format is dropped on the first "
    "value that does not fit it).",
    kinds=F.FORMAT_CHANGED,
    mirror=REQUEST_PROPERTY_FORMAT_REMOVED,
    oasdiff="response-property-type-changed",
)(_response(lambda f: f.before is not None and f.after is None))
rule(
    RESPONSE_PROPERTY_FORMAT_ADDED,
    Severity.INFO,
    RESP,
    "schema",
    "A response value now has a recognisable format.",
    kinds=F.FORMAT_CHANGED,
    mirror=REQUEST_PROPERTY_FORMAT_REMOVED,
)(_check(RESP, _PROPERTY, True))
