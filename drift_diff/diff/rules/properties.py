"""Body properties appearing and disappearing, judged with presence statistics.

A response property present in every sample (or declared required) that disappears breaks
consumers; one that was sometimes absent only warns. Request properties are contravariant:
a new required one breaks clients, a removed one is a warning (clients still send it).
"""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP, is_always, was_always
from drift_diff.model import Severity

RESPONSE_REQUIRED_PROPERTY_REMOVED = "response-required-property-removed"
RESPONSE_OPTIONAL_PROPERTY_REMOVED = "response-optional-property-removed"
RESPONSE_REQUIRED_PROPERTY_ADDED = "response-required-property-added"
RESPONSE_OPTIONAL_PROPERTY_ADDED = "response-optional-property-added"
REQUEST_PROPERTY_REMOVED = "request-property-removed"
NEW_REQUIRED_REQUEST_PROPERTY = "new-required-request-property"
NEW_OPTIONAL_REQUEST_PROPERTY = "new-optional-request-property"


@rule(
    RESPONSE_REQUIRED_PROPERTY_REMOVED,
    Severity.BREAKING,
    RESP,
    "schema",
    "A response property present in every sample (or declared required) is gone.",
    kinds=F.PROPERTY_REMOVED,
    mirror=REQUEST_PROPERTY_REMOVED,
)
def _resp_required_removed(fact: Fact) -> bool:
    return fact.is_response and fact.target == "property" and was_always(fact)


@rule(
    RESPONSE_OPTIONAL_PROPERTY_REMOVED,
    Severity.WARNING,
    RESP,
    "schema",
    "A response property that was sometimes absent is gone.",
    kinds=F.PROPERTY_REMOVED,
    mirror=REQUEST_PROPERTY_REMOVED,
)
def _resp_optional_removed(fact: Fact) -> bool:
    return fact.is_response and fact.target == "property" and not was_always(fact)


@rule(
    RESPONSE_REQUIRED_PROPERTY_ADDED,
    Severity.INFO,
    RESP,
    "schema",
    "A new response property, present in every sample.",
    kinds=F.PROPERTY_ADDED,
    mirror=NEW_REQUIRED_REQUEST_PROPERTY,
)
def _resp_required_added(fact: Fact) -> bool:
    return fact.is_response and fact.target == "property" and is_always(fact)


@rule(
    RESPONSE_OPTIONAL_PROPERTY_ADDED,
    Severity.INFO,
    RESP,
    "schema",
    "A new response property, sometimes absent.",
    kinds=F.PROPERTY_ADDED,
    mirror=NEW_OPTIONAL_REQUEST_PROPERTY,
)
def _resp_optional_added(fact: Fact) -> bool:
    return fact.is_response and fact.target == "property" and not is_always(fact)


@rule(
    REQUEST_PROPERTY_REMOVED,
    Severity.WARNING,
    REQ,
    "schema",
    "A request property is no longer part of the contract: clients still sending it may "
    "be ignored or refused.",
    kinds=F.PROPERTY_REMOVED,
    mirror=RESPONSE_REQUIRED_PROPERTY_REMOVED,
)
def _req_removed(fact: Fact) -> bool:
    return fact.is_request and fact.target == "property"


@rule(
    NEW_REQUIRED_REQUEST_PROPERTY,
    Severity.BREAKING,
    REQ,
    "schema",
    "A new request property that is required: existing clients do not send it.",
    kinds=F.PROPERTY_ADDED,
    mirror=RESPONSE_REQUIRED_PROPERTY_ADDED,
)
def _req_new_required(fact: Fact) -> bool:
    return fact.is_request and fact.target == "property" and is_always(fact)


@rule(
    NEW_OPTIONAL_REQUEST_PROPERTY,
    Severity.INFO,
    REQ,
    "schema",
    "A new optional request property.",
    kinds=F.PROPERTY_ADDED,
    mirror=RESPONSE_OPTIONAL_PROPERTY_ADDED,
)
def _req_new_optional(fact: Fact) -> bool:
    return fact.is_request and fact.target == "property" and not is_always(fact)
