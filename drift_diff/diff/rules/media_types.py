"""Media types of request and response bodies."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Severity

RESPONSE_MEDIA_TYPE_REMOVED = "response-media-type-removed"
RESPONSE_MEDIA_TYPE_ADDED = "response-media-type-added"
REQUEST_BODY_MEDIA_TYPE_REMOVED = "request-body-media-type-removed"
REQUEST_BODY_MEDIA_TYPE_ADDED = "request-body-media-type-added"


@rule(
    RESPONSE_MEDIA_TYPE_REMOVED,
    Severity.BREAKING,
    RESP,
    "responses",
    "A response content type is no longer produced for that status.",
    kinds=F.MEDIA_TYPE_REMOVED,
    mirror=REQUEST_BODY_MEDIA_TYPE_REMOVED,
)
def _resp_removed(fact: Fact) -> bool:
    return fact.is_response


@rule(
    RESPONSE_MEDIA_TYPE_ADDED,
    Severity.INFO,
    RESP,
    "responses",
    "A new response content type for that status.",
    kinds=F.MEDIA_TYPE_ADDED,
    mirror=REQUEST_BODY_MEDIA_TYPE_ADDED,
)
def _resp_added(fact: Fact) -> bool:
    return fact.is_response


@rule(
    REQUEST_BODY_MEDIA_TYPE_REMOVED,
    Severity.BREAKING,
    REQ,
    "request-body",
    "A request content type is no longer accepted.",
    kinds=F.MEDIA_TYPE_REMOVED,
    mirror=RESPONSE_MEDIA_TYPE_REMOVED,
)
def _req_removed(fact: Fact) -> bool:
    return fact.is_request


@rule(
    REQUEST_BODY_MEDIA_TYPE_ADDED,
    Severity.INFO,
    REQ,
    "request-body",
    "A new accepted request content type.",
    kinds=F.MEDIA_TYPE_ADDED,
    mirror=RESPONSE_MEDIA_TYPE_ADDED,
)
def _req_added(fact: Fact) -> bool:
    return fact.is_request
