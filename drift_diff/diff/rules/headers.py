"""Response headers appearing, disappearing, becoming optional (judged with presence)."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import RESP, was_always
from drift_diff.model import Severity

REQUIRED_RESPONSE_HEADER_REMOVED = "required-response-header-removed"
OPTIONAL_RESPONSE_HEADER_REMOVED = "optional-response-header-removed"
RESPONSE_HEADER_ADDED = "response-header-added"
RESPONSE_HEADER_BECAME_OPTIONAL = "response-header-became-optional"
RESPONSE_HEADER_BECAME_REQUIRED = "response-header-became-required"

_MIRROR = "request headers are parameters (rules request-parameter-*)"


def _header(fact: Fact) -> bool:
    return fact.is_response and fact.target == "header"


@rule(
    REQUIRED_RESPONSE_HEADER_REMOVED,
    Severity.BREAKING,
    RESP,
    "headers",
    "A response header present in every sample (or declared required) is gone.",
    kinds=F.PROPERTY_REMOVED,
    mirror=_MIRROR,
)
def _required_removed(fact: Fact) -> bool:
    return _header(fact) and was_always(fact)


@rule(
    OPTIONAL_RESPONSE_HEADER_REMOVED,
    Severity.WARNING,
    RESP,
    "headers",
    "A response header that was sometimes absent is gone.",
    kinds=F.PROPERTY_REMOVED,
    mirror=_MIRROR,
)
def _optional_removed(fact: Fact) -> bool:
    return _header(fact) and not was_always(fact)


@rule(
    RESPONSE_HEADER_ADDED,
    Severity.INFO,
    RESP,
    "headers",
    "A new response header.",
    kinds=F.PROPERTY_ADDED,
    mirror=_MIRROR,
)
def _added(fact: Fact) -> bool:
    return _header(fact)


@rule(
    RESPONSE_HEADER_BECAME_OPTIONAL,
    Severity.BREAKING,
    RESP,
    "headers",
    "A response header present in every sample is now sometimes absent.",
    kinds=F.REQUIRED_CHANGED,
    mirror=_MIRROR,
)
def _became_optional(fact: Fact) -> bool:
    return _header(fact) and fact.after is False


@rule(
    RESPONSE_HEADER_BECAME_REQUIRED,
    Severity.INFO,
    RESP,
    "headers",
    "A response header is now always present.",
    kinds=F.REQUIRED_CHANGED,
    mirror=_MIRROR,
)
def _became_required(fact: Fact) -> bool:
    return _header(fact) and fact.after is True
