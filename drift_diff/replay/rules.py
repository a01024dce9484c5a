"""The replay rules: what comparing a replayed response with the recorded one can find.

They are registered in the one rule catalogue (``drift_diff.catalogue.RULES``) beside the
diff rules, so ``driftdiff rules``, ``docs/rules.md``, SARIF and the config's rule ids know them.
``compare``, ``findings`` and ``fold`` use the ids below; ``fold`` joins a replay finding with a
contract change through each rule's ``related`` set. Severity here is the default; some findings
are graded by what happened (a status that changes class is breaking, 404 → 200 is info).
"""

from __future__ import annotations

from drift_diff.catalogue import RULES, Rule, no_fact
from drift_diff.model import Direction, Severity

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

_RESPONSE_ONLY = "none: replay sends the recorded request and judges only what comes back"


def _replay_rule(
    rule_id: str,
    severity: Severity,
    description: str,
    *,
    direction: Direction = Direction.RESPONSE,
    related: frozenset[str] = frozenset(),
) -> Rule:
    mirror = _RESPONSE_ONLY if direction is Direction.RESPONSE else ""
    return Rule(
        rule_id,
        severity,
        direction,
        "replay",
        description,
        frozenset(),
        no_fact,
        mirror=mirror,
        oasdiff="—",
        related=related,
    )


#: the replay rules, in the order the docs list them; each is registered in ``RULES``
REPLAY_RULES: tuple[Rule, ...] = (
    _replay_rule(
        RULE_STATUS_CHANGED,
        Severity.BREAKING,
        "The status changed class (200 → 500); within a class (200 → 201) a warning; a "
        "client error that became a success (404 → 200: the resource now exists) is info.",
        related=frozenset(
            {"response-success-status-removed", "response-non-success-status-removed"}
        ),
    ),
    _replay_rule(
        RULE_CONTENT_TYPE_CHANGED,
        Severity.BREAKING,
        "The response's media type changed.",
        related=frozenset({"response-media-type-removed"}),
    ),
    _replay_rule(
        RULE_FIELD_MISSING,
        Severity.BREAKING,
        "A field the same recorded request returned is missing (even where other requests of "
        "the endpoint do without it), or the body is now empty.",
        related=frozenset(
            {
                "response-required-property-removed",
                "response-optional-property-removed",
                "response-property-became-optional",
            }
        ),
    ),
    _replay_rule(
        RULE_TYPE_CHANGED,
        Severity.BREAKING,
        "A value, or the items of an array, changed JSON type for the same request.",
        related=frozenset(
            f"response-{what}-type-{how}"
            for what in ("property", "array-item", "body")
            for how in ("changed", "narrowed", "widened")
        ),
    ),
    _replay_rule(
        RULE_HEADER_MISSING,
        Severity.BREAKING,
        "A response header the recorded response carried (e.g. a pagination count such as "
        "X-Total-Count) is absent from the replayed one; framing and per-request headers "
        "(Date, Content-Length, Set-Cookie…) and CDN headers are not compared. Downgrade with "
        "`severity:` (with the contract's header rules when they report it too).",
        related=frozenset(
            {
                "required-response-header-removed",
                "optional-response-header-removed",
                "response-header-became-optional",
            }
        ),
    ),
    _replay_rule(
        RULE_ARRAY_EMPTIED,
        Severity.WARNING,
        "A non-empty array came back empty for the same request; the message names the "
        "request's query parameters.",
    ),
    _replay_rule(
        RULE_VALUE_CHANGED,
        Severity.WARNING,
        "A stable value changed (values of a kind — ids, times, durations, redaction "
        "placeholders — compare by kind).",
    ),
    _replay_rule(
        RULE_FIELD_ADDED,
        Severity.INFO,
        "A field is new in the replayed response.",
        related=frozenset({"response-optional-property-added", "response-required-property-added"}),
    ),
    _replay_rule(
        RULE_MOCK_NOT_FOUND,
        Severity.BREAKING,
        "An outbound call had no recorded answer.",
        direction=Direction.ENDPOINT,
    ),
    _replay_rule(
        RULE_UNPATCHED_DEPENDENCY,
        Severity.BREAKING,
        "The service connected somewhere no instrumentation covered.",
        direction=Direction.ENDPOINT,
    ),
    _replay_rule(
        RULE_REQUEST_FAILED,
        Severity.BREAKING,
        "The request failed (timeout, service gone).",
        direction=Direction.ENDPOINT,
    ),
)

for _rule in REPLAY_RULES:
    RULES.register(_rule.id, _rule)
