"""Human messages of the rules, kept apart from their logic.

Templates use ``{endpoint}``, ``{location}``, ``{before}`` and ``{after}`` (already rendered
short). ``message_for(rule_id, ...)`` falls back to the rule id for an unknown rule, so a
renderer never fails on a finding from another stage (e.g. ``replay-*``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MESSAGES", "message_for", "short"]

MESSAGES: dict[str, str] = {
    "endpoint-removed": "endpoint {endpoint} was removed",
    "endpoint-added": "endpoint {endpoint} was added",
    "endpoint-deprecated": "endpoint {endpoint} was deprecated (sunset: {after})",
    "endpoint-reactivated": "endpoint {endpoint} is no longer deprecated",
    "endpoint-retired": "deprecated endpoint {endpoint} was removed (sunset: {before})",
    "endpoint-sunset-changed": "sunset of {endpoint} changed: {before} -> {after}",
    "api-sunset-date-too-small": (
        "endpoint {endpoint} is deprecated with sunset {after}, sooner than the notice required"
    ),
    "api-sunset-date-changed-too-small": (
        "sunset of {endpoint} moved earlier: {before} -> {after}, sooner than the notice required"
    ),
    "api-deprecated-sunset-missing": "endpoint {endpoint} was deprecated without a sunset date",
    "sunset-deleted": "sunset {before} of deprecated endpoint {endpoint} was removed",
    "request-parameter-deprecated": "parameter {location} was deprecated (sunset: {after})",
    "request-parameter-reactivated": "parameter {location} is no longer deprecated",
    "request-parameter-deprecated-sunset-missing": (
        "parameter {location} was deprecated without a sunset date"
    ),
    "request-parameter-removed-with-deprecation": (
        "deprecated parameter {location} was removed (sunset: {after})"
    ),
    "request-parameter-sunset-date-too-small": (
        "parameter {location} is deprecated with sunset {after}, sooner than the notice required"
    ),
    "response-success-status-removed": "status {before} is no longer returned",
    "response-non-success-status-removed": "status {before} is no longer returned",
    "response-success-status-added": "new status {after}",
    "response-non-success-status-added": "new status {after}",
    "response-media-type-removed": "response media type {before} was removed",
    "response-media-type-added": "response media type {after} was added",
    "request-body-media-type-removed": "request media type {before} is no longer accepted",
    "request-body-media-type-added": "request media type {after} is now accepted",
    "request-body-removed": "the request body was removed",
    "added-required-request-body": "a required request body was added",
    "added-optional-request-body": "an optional request body was added",
    "request-body-became-required": "the request body became required",
    "request-body-became-optional": "the request body became optional",
    "response-required-property-removed": "response property {location} was removed",
    "response-optional-property-removed": "optional response property {location} was removed",
    "response-required-property-added": "response property {location} was added",
    "response-optional-property-added": "optional response property {location} was added",
    "request-property-removed": "request property {location} was removed",
    "new-required-request-property": "new required request property {location}",
    "new-optional-request-property": "new optional request property {location}",
    "response-property-became-optional": "response property {location} became optional",
    "response-property-became-required": "response property {location} became required",
    "request-property-became-required": "request property {location} became required",
    "request-property-became-optional": "request property {location} became optional",
    "request-parameter-removed": "parameter {location} was removed",
    "new-required-request-parameter": "new required parameter {location}",
    "new-optional-request-parameter": "new optional parameter {location}",
    "request-parameter-became-required": "parameter {location} became required",
    "request-parameter-became-optional": "parameter {location} became optional",
    "required-response-header-removed": "response header {location} was removed",
    "optional-response-header-removed": "optional response header {location} was removed",
    "response-header-added": "response header {location} was added",
    "response-header-became-optional": "response header {location} became optional",
    "response-header-became-required": "response header {location} became required",
    "request-property-format-changed": "format of {location} changed from {before} to {after}",
    "request-property-format-removed": "format {before} of {location} was dropped",
    "request-parameter-format-changed": "format of {location} changed from {before} to {after}",
    "request-parameter-format-removed": "format {before} of {location} was dropped",
    "response-property-format-changed": "format of {location} changed from {before} to {after}",
    "response-property-format-added": "{location} now has format {after}",
    "response-property-format-narrowed": "format of {location} narrowed from {before} to {after}",
    "response-property-format-removed": "format {before} of {location} was dropped",
    "response-map-became-object": "map {location} became an object with named properties",
    "response-map-became-object-retyped": (
        "map {location} became an object with other value types: {before} -> {after}"
    ),
    "request-map-became-object": "map {location} became an object with named properties",
    "endpoint-unobserved": "endpoint {endpoint} was not exercised by the current side",
    "response-status-unobserved": "status {before} was not observed on the current side",
    "response-part-unobserved": "{location} was not observed on the current side",
    "request-part-unobserved": "{location} was not sent as before by the current side's clients",
}

_KINDS = ("body", "property", "parameter", "array-item")
for _side in ("request", "response"):
    for _t in _KINDS:
        for _shift in ("changed", "widened", "narrowed"):
            MESSAGES[f"{_side}-{_t}-type-{_shift}"] = (
                f"type of {{location}} {_shift}: {{before}} -> {{after}}"
            )
    for _t in ("body", "property", "parameter"):
        MESSAGES[f"{_side}-{_t}-became-nullable"] = "{location} became nullable"
        MESSAGES[f"{_side}-{_t}-became-not-nullable"] = "{location} is no longer nullable"
        MESSAGES[f"{_side}-{_t}-enum-value-added"] = (
            "{location} has new values: {before} -> {after}"
        )
        MESSAGES[f"{_side}-{_t}-enum-value-removed"] = "{location} lost values: {before} -> {after}"
        MESSAGES[f"request-{_t}-became-enum"] = "{location} became an enum: {after}"
        for _word in ("one-of", "any-of"):
            MESSAGES[f"{_side}-{_t}-{_word}-removed"] = "branch {before} of {location} was removed"
            MESSAGES[f"{_side}-{_t}-{_word}-added"] = "branch {after} of {location} was added"
        # value bounds and patterns (rules/_bounds.py, lengths, ranges, item_counts, ...)
        for _bound, _word in (
            ("max-length", "maxLength"),
            ("min-length", "minLength"),
            ("max", "maximum [value, exclusive]"),
            ("min", "minimum [value, exclusive]"),
            ("max-items", "maxItems"),
            ("min-items", "minItems"),
            ("multiple-of", "multipleOf"),
            ("pattern", "pattern"),
        ):
            for _what in ("set", "unset", "increased", "decreased", "changed", "relaxed"):
                MESSAGES[f"{_side}-{_t}-{_bound}-{_what}"] = (
                    f"{_word} of {{location}} {_what}: {{before}} -> {{after}}"
                )
            for _what in ("added", "removed"):
                MESSAGES[f"{_side}-{_t}-{_bound}-{_what}"] = (
                    f"{_word} of {{location}} {_what}: {{before}} -> {{after}}"
                )


def short(value: Any, limit: int = 80) -> str:
    """A compact rendering of a before/after value for messages."""
    if value is None:
        text = "none"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(short(v, limit) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_for(rule_id: str, *, endpoint: str, location: str, before: Any, after: Any) -> str:
    template = MESSAGES.get(rule_id, rule_id + " at {location}")
    return template.format(
        endpoint=endpoint, location=location or endpoint, before=short(before), after=short(after)
    )
