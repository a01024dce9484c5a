"""Response statuses of an endpoint appearing and disappearing."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import NO_REQUEST_MIRROR, RESP
from drift_diff.model import Severity

RESPONSE_SUCCESS_STATUS_REMOVED = "response-success-status-removed"
RESPONSE_NON_SUCCESS_STATUS_REMOVED = "response-non-success-status-removed"
RESPONSE_SUCCESS_STATUS_ADDED = "response-success-status-added"
RESPONSE_NON_SUCCESS_STATUS_ADDED = "response-non-success-status-added"


NOT_MODIFIED = "304"


def _success(status: object) -> bool:
    return str(status).startswith("2")


@rule(
    RESPONSE_SUCCESS_STATUS_REMOVED,
    Severity.BREAKING,
    RESP,
    "responses",
    "A 2xx status the endpoint answered with is no longer given: clients handling it get "
    "another status for the same request.",
    kinds=F.STATUS_REMOVED,
    mirror=NO_REQUEST_MIRROR,
)
def _success_removed(fact: Fact) -> bool:
    return _success(fact.before)


@rule(
    RESPONSE_NON_SUCCESS_STATUS_REMOVED,
    Severity.WARNING,
    RESP,
    "responses",
    "A non-2xx status is no longer given (oasdiff: info; a warning here because learned "
    "statuses are real answers clients were handling). Not 304 Not Modified: it answers the "
    "client's cache validators, not the API.",
    kinds=F.STATUS_REMOVED,
    mirror=NO_REQUEST_MIRROR,
)
def _non_success_removed(fact: Fact) -> bool:
    # 304 Not Modified answers the client's cache validators: whether a server gives it depends
    # on what the client had cached (a browser capture is full of them), not on the API
    return not _success(fact.before) and str(fact.before) != NOT_MODIFIED


@rule(
    RESPONSE_SUCCESS_STATUS_ADDED,
    Severity.INFO,
    RESP,
    "responses",
    "A new 2xx status.",
    kinds=F.STATUS_ADDED,
    mirror=NO_REQUEST_MIRROR,
)
def _success_added(fact: Fact) -> bool:
    return _success(fact.after)


@rule(
    RESPONSE_NON_SUCCESS_STATUS_ADDED,
    Severity.INFO,
    RESP,
    "responses",
    "A new non-2xx status.",
    kinds=F.STATUS_ADDED,
    mirror=NO_REQUEST_MIRROR,
)
def _non_success_added(fact: Fact) -> bool:
    return not _success(fact.after)
