"""The request body as a whole: present, required."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ
from drift_diff.model import Severity

REQUEST_BODY_REMOVED = "request-body-removed"
ADDED_REQUIRED_REQUEST_BODY = "added-required-request-body"
ADDED_OPTIONAL_REQUEST_BODY = "added-optional-request-body"
REQUEST_BODY_BECAME_REQUIRED = "request-body-became-required"
REQUEST_BODY_BECAME_OPTIONAL = "request-body-became-optional"

_WHY = "none: a response body's presence is judged per status and media type"


@rule(
    REQUEST_BODY_REMOVED,
    Severity.BREAKING,
    REQ,
    "request-body",
    "The endpoint no longer takes a request body: what clients send is dropped or refused.",
    kinds=F.BODY_REMOVED,
    mirror=_WHY,
)
def _removed(fact: Fact) -> bool:
    return True


@rule(
    ADDED_REQUIRED_REQUEST_BODY,
    Severity.BREAKING,
    REQ,
    "request-body",
    "A request body is now required where none was sent.",
    kinds=F.BODY_ADDED,
    mirror=_WHY,
)
def _added_required(fact: Fact) -> bool:
    return fact.after is True


@rule(
    ADDED_OPTIONAL_REQUEST_BODY,
    Severity.INFO,
    REQ,
    "request-body",
    "An optional request body is now accepted.",
    kinds=F.BODY_ADDED,
    mirror=_WHY,
)
def _added_optional(fact: Fact) -> bool:
    return fact.after is not True


@rule(
    REQUEST_BODY_BECAME_REQUIRED,
    Severity.BREAKING,
    REQ,
    "request-body",
    "The request body was optional (sometimes absent) and is now required.",
    kinds=F.BODY_REQUIRED_CHANGED,
    mirror=_WHY,
)
def _became_required(fact: Fact) -> bool:
    return fact.after is True


@rule(
    REQUEST_BODY_BECAME_OPTIONAL,
    Severity.INFO,
    REQ,
    "request-body",
    "The request body became optional.",
    kinds=F.BODY_REQUIRED_CHANGED,
    mirror=_WHY,
)
def _became_optional(fact: Fact) -> bool:
    return fact.after is False
