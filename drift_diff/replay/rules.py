"""The replay rules: what comparing a replayed response with the recorded one can find.

One place for their ids, severities and meaning (``compare``, ``findings`` and ``fold`` use the
ids; the docs list them from ``REPLAY_RULES``). Severity here is the default; some findings are
graded by what happened (a status that changes class is breaking, 404 → 200 is info).
"""

from __future__ import annotations

from drift_diff.model import Severity

__all__ = [
    "REPLAY_RULES",
    "RULE_ARRAY_EMPTIED",
    "RULE_CONTENT_TYPE_CHANGED",
    "RULE_FIELD_ADDED",
    "RULE_FIELD_MISSING",
    "RULE_HEADER_MISSING",
    "RULE_MOCK_NOT_FOUND",
    "RULE_REQUEST_FAILED",
    "RULE_STATUS_CHANGED",
    "RULE_TYPE_CHANGED",
    "RULE_UNPATCHED_DEPENDENCY",
    "RULE_VALUE_CHANGED",
]

RULE_STATUS_CHANGED = "replay-status-changed"
RULE_CONTENT_TYPE_CHANGED = "replay-content-type-changed"
RULE_FIELD_MISSING = "replay-field-missing"
RULE_TYPE_CHANGED = "replay-type-changed"
RULE_VALUE_CHANGED = "replay-value-changed"
RULE_FIELD_ADDED = "replay-field-added"
RULE_HEADER_MISSING = "replay-header-missing"
RULE_ARRAY_EMPTIED = "replay-array-emptied"
RULE_MOCK_NOT_FOUND = "replay-mock-not-found"
RULE_UNPATCHED_DEPENDENCY = "replay-unpatched-dependency"
RULE_REQUEST_FAILED = "replay-request-failed"

#: id → (default severity, what it means)
REPLAY_RULES: dict[str, tuple[Severity, str]] = {
    RULE_STATUS_CHANGED: (
        Severity.BREAKING,
        "The status changed class (200 → 500); within a class (200 → 201) a warning; a "
        "client error that became a success (404 → 200: the resource now exists) is info.",
    ),
    RULE_CONTENT_TYPE_CHANGED: (Severity.BREAKING, "The response's media type changed."),
    RULE_FIELD_MISSING: (
        Severity.BREAKING,
        "A field the same recorded request returned is missing (even where other requests of "
        "the endpoint do without it), or the body is now empty.",
    ),
    RULE_TYPE_CHANGED: (
        Severity.BREAKING,
        "A value, or the items of an array, changed JSON type for the same request.",
    ),
    RULE_HEADER_MISSING: (
        Severity.BREAKING,
        "A response header the recorded response carried (e.g. a pagination count such as "
        "X-Total-Count) is absent from the replayed one; framing and per-request headers "
        "(Date, Content-Length, Set-Cookie…) and CDN headers are not compared. Downgrade with "
        "`severity:` (with the contract's header rules when they report it too).",
    ),
    RULE_ARRAY_EMPTIED: (
        Severity.WARNING,
        "A non-empty array came back empty for the same request; the message names the "
        "request's query parameters.",
    ),
    RULE_VALUE_CHANGED: (
        Severity.WARNING,
        "A stable value changed (values of a kind — ids, times, durations, redaction "
        "placeholders — compare by kind).",
    ),
    RULE_FIELD_ADDED: (Severity.INFO, "A field is new in the replayed response."),
    RULE_MOCK_NOT_FOUND: (Severity.BREAKING, "An outbound call had no recorded answer."),
    RULE_UNPATCHED_DEPENDENCY: (
        Severity.BREAKING,
        "The service connected somewhere no instrumentation covered.",
    ),
    RULE_REQUEST_FAILED: (Severity.BREAKING, "The request failed (timeout, service gone)."),
}
