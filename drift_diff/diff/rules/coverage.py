"""What the current side did not exercise, when it is traffic (``drift_diff.diff.coverage``).

These rules only fire on facts the coverage step re-read as *unobserved*: an absence without
the evidence a removal needs. They are info: a gap in what the traffic shows, not a change.
"""

from __future__ import annotations

from drift_diff.diff.coverage import CONFIDENCE, MIN_EVIDENCE, UNOBSERVED
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import NO_REQUEST_MIRROR, REQ, RESP
from drift_diff.model import Direction, Severity

ENDPOINT_UNOBSERVED = "endpoint-unobserved"
RESPONSE_STATUS_UNOBSERVED = "response-status-unobserved"
RESPONSE_PART_UNOBSERVED = "response-part-unobserved"
REQUEST_PART_UNOBSERVED = "request-part-unobserved"

_EVIDENCE = (
    f"at least {MIN_EVIDENCE} samples on each side (comparable ones: same endpoint and status, "
    f"304 revalidations left out) and an absence that is {CONFIDENCE:.0%} unlikely at the "
    "share the base saw"
)


@rule(
    ENDPOINT_UNOBSERVED,
    Severity.INFO,
    Direction.ENDPOINT,
    "coverage",
    "Current side is traffic and never called this endpoint: not evidence of removal (a "
    "removed endpoint shows as 404/405 answers on an exercised one).",
    kinds=UNOBSERVED,
)
def _endpoint(fact: Fact) -> bool:
    return fact.side is Direction.ENDPOINT


@rule(
    RESPONSE_STATUS_UNOBSERVED,
    Severity.INFO,
    RESP,
    "coverage",
    "Current side is traffic and did not show this status; `response-*-status-removed` needs "
    f"{_EVIDENCE}. A 304 Not Modified is a client's revalidation, never a removed status.",
    kinds=UNOBSERVED,
    mirror=NO_REQUEST_MIRROR,
)
def _status(fact: Fact) -> bool:
    return fact.side is RESP and fact.target == "status"


@rule(
    RESPONSE_PART_UNOBSERVED,
    Severity.INFO,
    RESP,
    "coverage",
    "Current side is traffic and did not show this response media type, property or header; "
    f"a removal rule needs {_EVIDENCE}.",
    kinds=UNOBSERVED,
    mirror=REQUEST_PART_UNOBSERVED,
)
def _response(fact: Fact) -> bool:
    return fact.side is RESP and fact.target != "status"


@rule(
    REQUEST_PART_UNOBSERVED,
    Severity.INFO,
    REQ,
    "coverage",
    "Current side is traffic and its clients no longer sent this request part (or sent fewer "
    "kinds of values): what clients choose to send (an `Accept` header, an optional "
    "parameter) is never read as the server's contract, so no request rule above info fires "
    "on traffic.",
    kinds=UNOBSERVED,
    mirror=RESPONSE_PART_UNOBSERVED,
)
def _request(fact: Fact) -> bool:
    return fact.side is REQ
