"""Neutral facts: what differs between two baselines, before anyone judges it.

The structural diff (``structural.py``) produces ``Fact`` objects; the rules (``rules/``) decide
which facts are changes and how much they matter. A fact knows its side of the contract
(``Direction``), its *target* (what kind of thing changed) and the presence statistics of both
sides, so every change can carry evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift_diff.model import Direction

__all__ = [
    "BODY_ADDED",
    "BODY_REMOVED",
    "BODY_REQUIRED_CHANGED",
    "BOUND_CHANGED",
    "BRANCH_ADDED",
    "BRANCH_REMOVED",
    "DEPRECATION_CHANGED",
    "ENDPOINT_ADDED",
    "ENDPOINT_REMOVED",
    "ENUM_CHANGED",
    "FORMAT_CHANGED",
    "MAP_BECAME_OBJECT",
    "MEDIA_TYPE_ADDED",
    "MEDIA_TYPE_REMOVED",
    "NULLABLE_CHANGED",
    "PARAM_DEPRECATION_CHANGED",
    "PATTERN_CHANGED",
    "PROPERTY_ADDED",
    "PROPERTY_REMOVED",
    "REQUIRED_CHANGED",
    "STATUS_ADDED",
    "STATUS_REMOVED",
    "TARGETS",
    "TYPE_CHANGED",
    "VALUES_CHANGED",
    "Fact",
    "Presence",
]

ENDPOINT_REMOVED = "endpoint-removed"
ENDPOINT_ADDED = "endpoint-added"
#: an endpoint's deprecation differs (deprecated or not, its sunset); before/after = the
#: sides' ``deprecation`` records (None: not deprecated). Dated by ``diff/lifecycle.py``.
DEPRECATION_CHANGED = "deprecation-changed"
#: the same for a query/header parameter (``deprecated`` in its schema, ``x-sunset`` beside it)
PARAM_DEPRECATION_CHANGED = "parameter-deprecation-changed"
STATUS_REMOVED = "status-removed"
STATUS_ADDED = "status-added"
MEDIA_TYPE_REMOVED = "media-type-removed"
MEDIA_TYPE_ADDED = "media-type-added"
BODY_REMOVED = "body-removed"
BODY_ADDED = "body-added"
BODY_REQUIRED_CHANGED = "body-required-changed"
PROPERTY_REMOVED = "property-removed"
PROPERTY_ADDED = "property-added"
REQUIRED_CHANGED = "required-changed"
TYPE_CHANGED = "type-changed"
NULLABLE_CHANGED = "nullable-changed"
ENUM_CHANGED = "enum-changed"
VALUES_CHANGED = "values-changed"
FORMAT_CHANGED = "format-changed"
PATTERN_CHANGED = "pattern-changed"
#: a ``oneOf``/``anyOf`` branch appeared or went; before/after = ``"oneOf/2"`` or the branch's
#: schema name (``#/components/schemas/Card``)
BRANCH_REMOVED = "branch-removed"
BRANCH_ADDED = "branch-added"
#: a value bound changed, one kind per keyword (``schema_keywords.bounds_of``); before/after
#: are the bound (``maximum``/``minimum``: ``[value, exclusive]``) or None when absent
BOUND_CHANGED = {
    "maxLength": "max-length-changed",
    "minLength": "min-length-changed",
    "maximum": "maximum-changed",
    "minimum": "minimum-changed",
    "maxItems": "max-items-changed",
    "minItems": "min-items-changed",
    "multipleOf": "multiple-of-changed",
}
#: a map (``additionalProperties``) became an object of named properties;
#: ``before`` = the map's value types, ``after`` = the types of the new properties' values
MAP_BECAME_OBJECT = "map-became-object"

#: what a fact is about: ``body`` = the root of a body schema, ``property`` = anything inside
#: one (properties, array items, map values), ``parameter`` = a query/header/path parameter,
#: ``header`` = a response header, ``request-body`` = the request body as a whole
TARGETS = (
    "endpoint",
    "status",
    "media-type",
    "request-body",
    "body",
    "property",
    "parameter",
    "header",
)


@dataclass(frozen=True, slots=True)
class Presence:
    """How often a thing was there: ``seen`` of ``total`` samples, or declared (OpenAPI)."""

    required: bool
    seen: int | None = None
    total: int | None = None

    @property
    def declared(self) -> bool:
        return self.seen is None or self.total is None

    @property
    def always(self) -> bool:
        """Present every time (or declared required)."""
        if self.declared:
            return self.required
        return self.required or (
            self.total is not None and self.total > 0 and self.seen == self.total
        )


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str
    endpoint: str
    location: str
    side: Direction
    target: str
    before: Any = None
    after: Any = None
    base: Presence | None = None
    current: Presence | None = None
    #: samples behind the base node (how many values were observed), 0 when declared
    samples: int = 0
    #: samples behind the current node
    current_samples: int = 0
    #: "requests" or "responses": what the presence counts count
    noun: str = "responses"
    #: the evidence a judging pass worked out (``lifecycle``: the sunset against today)
    note: str = ""

    @property
    def is_request(self) -> bool:
        return self.side is Direction.REQUEST

    @property
    def is_response(self) -> bool:
        return self.side is Direction.RESPONSE
