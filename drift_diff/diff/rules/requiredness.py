"""Properties changing between always-present and sometimes-absent."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Severity

RESPONSE_PROPERTY_BECAME_OPTIONAL = "response-property-became-optional"
RESPONSE_PROPERTY_BECAME_REQUIRED = "response-property-became-required"
REQUEST_PROPERTY_BECAME_REQUIRED = "request-property-became-required"
REQUEST_PROPERTY_BECAME_OPTIONAL = "request-property-became-optional"


@rule(
    RESPONSE_PROPERTY_BECAME_OPTIONAL,
    Severity.BREAKING,
    RESP,
    "schema",
    "A response property present in every sample (or declared required) is now sometimes absent.",
    kinds=F.REQUIRED_CHANGED,
    mirror=REQUEST_PROPERTY_BECAME_OPTIONAL,
)
def _resp_optional(fact: Fact) -> bool:
    return fact.is_response and fact.target == "property" and fact.after is False


@rule(
    RESPONSE_PROPERTY_BECAME_REQUIRED,
    Severity.INFO,
    RESP,
    "schema",
    "A response property is now always present.",
    kinds=F.REQUIRED_CHANGED,
    mirror=REQUEST_PROPERTY_BECAME_REQUIRED,
)
def _resp_required(fact: Fact) -> bool:
    return fact.is_response and fact.target == "property" and fact.after is True


@rule(
    REQUEST_PROPERTY_BECAME_REQUIRED,
    Severity.BREAKING,
    REQ,
    "schema",
    "A request property that clients could omit is now required.",
    kinds=F.REQUIRED_CHANGED,
    mirror=RESPONSE_PROPERTY_BECAME_REQUIRED,
)
def _req_required(fact: Fact) -> bool:
    return fact.is_request and fact.target == "property" and fact.after is True


@rule(
    REQUEST_PROPERTY_BECAME_OPTIONAL,
    Severity.INFO,
    REQ,
    "schema",
    "A request property became optional.",
    kinds=F.REQUIRED_CHANGED,
    mirror=RESPONSE_PROPERTY_BECAME_OPTIONAL,
)
def _req_optional(fact: Fact) -> bool:
    return fact.is_request and fact.target == "property" and fact.after is False
