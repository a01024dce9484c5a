"""A map (``additionalProperties``: any key, values of one schema) becoming an object of named
properties. Severities argued in ``docs/rules.md`` ("Severities argued"):

* response, the new properties' values keep the map's value type: a **warning**. On the wire a
  consumer reading a map of strings still reads an object of strings, so hand-written clients
  keep working; generated clients change their type (``Map<String, String>`` -> a class), which
  is why Twilio's changelog calls it breaking. oasdiff has no check for it;
* response, some new property has another type than the map's values: **breaking**, consumers
  reading every value as the map's type get another one;
* request: a **warning**: clients sending keys outside the named properties may now be ignored
  or refused (a closed object); the new properties themselves are judged by the property rules.
"""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.diff.rules.types import type_shift
from drift_diff.model import Severity

RESPONSE_MAP_BECAME_OBJECT = "response-map-became-object"
RESPONSE_MAP_BECAME_OBJECT_RETYPED = "response-map-became-object-retyped"
REQUEST_MAP_BECAME_OBJECT = "request-map-became-object"


def _keeps_value_type(fact: Fact) -> bool:
    before, after = fact.before or [], fact.after or []
    return (
        not before
        or not after
        or set(after) == set(before)
        or (type_shift(before, after) == "narrowed")
    )


@rule(
    RESPONSE_MAP_BECAME_OBJECT,
    Severity.WARNING,
    RESP,
    "schema",
    "A response map (any key) became an object of named properties whose values keep the map's "
    "value type: wire-compatible, but generated clients change type (Twilio: breaking; oasdiff: "
    "no check).",
    kinds=F.MAP_BECAME_OBJECT,
    mirror=REQUEST_MAP_BECAME_OBJECT,
)
def _resp_same(fact: Fact) -> bool:
    return fact.is_response and _keeps_value_type(fact)


@rule(
    RESPONSE_MAP_BECAME_OBJECT_RETYPED,
    Severity.BREAKING,
    RESP,
    "schema",
    "A response map became an object with a property of another type than the map's values: "
    "consumers reading every value as the map's type get another one.",
    kinds=F.MAP_BECAME_OBJECT,
    mirror=REQUEST_MAP_BECAME_OBJECT,
)
def _resp_retyped(fact: Fact) -> bool:
    return fact.is_response and not _keeps_value_type(fact)


@rule(
    REQUEST_MAP_BECAME_OBJECT,
    Severity.WARNING,
    REQ,
    "schema",
    "A request map (any key) became an object of named properties: keys clients send outside "
    "them may be ignored or refused.",
    kinds=F.MAP_BECAME_OBJECT,
    mirror=RESPONSE_MAP_BECAME_OBJECT,
)
def _req(fact: Fact) -> bool:
    return fact.is_request
