"""Query, header and path parameters appearing, disappearing, becoming required."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, is_always
from drift_diff.model import Severity

REQUEST_PARAMETER_REMOVED = "request-parameter-removed"
NEW_REQUIRED_REQUEST_PARAMETER = "new-required-request-parameter"
NEW_OPTIONAL_REQUEST_PARAMETER = "new-optional-request-parameter"
REQUEST_PARAMETER_BECAME_REQUIRED = "request-parameter-became-required"
REQUEST_PARAMETER_BECAME_OPTIONAL = "request-parameter-became-optional"

_MIRROR = "response headers (rules *-response-header-*) are the response-side parameters"


def _param(fact: Fact) -> bool:
    return fact.is_request and fact.target == "parameter"


@rule(
    REQUEST_PARAMETER_REMOVED,
    Severity.WARNING,
    REQ,
    "parameters",
    "A query/header parameter is no longer part of the contract: clients still send it "
    "(deprecated and past its sunset: `request-parameter-removed-with-deprecation`).",
    kinds=F.PROPERTY_REMOVED,
    mirror=_MIRROR,
)
def _removed(fact: Fact) -> bool:
    return _param(fact)


@rule(
    NEW_REQUIRED_REQUEST_PARAMETER,
    Severity.BREAKING,
    REQ,
    "parameters",
    "A new required parameter: existing clients do not send it.",
    kinds=F.PROPERTY_ADDED,
    mirror=_MIRROR,
)
def _new_required(fact: Fact) -> bool:
    return _param(fact) and is_always(fact)


@rule(
    NEW_OPTIONAL_REQUEST_PARAMETER,
    Severity.INFO,
    REQ,
    "parameters",
    "A new optional parameter.",
    kinds=F.PROPERTY_ADDED,
    mirror=_MIRROR,
)
def _new_optional(fact: Fact) -> bool:
    return _param(fact) and not is_always(fact)


@rule(
    REQUEST_PARAMETER_BECAME_REQUIRED,
    Severity.BREAKING,
    REQ,
    "parameters",
    "A parameter clients could omit is now required.",
    kinds=F.REQUIRED_CHANGED,
    mirror=_MIRROR,
)
def _became_required(fact: Fact) -> bool:
    return _param(fact) and fact.after is True


@rule(
    REQUEST_PARAMETER_BECAME_OPTIONAL,
    Severity.INFO,
    REQ,
    "parameters",
    "A parameter became optional.",
    kinds=F.REQUIRED_CHANGED,
    mirror=_MIRROR,
)
def _became_optional(fact: Fact) -> bool:
    return _param(fact) and fact.after is False
