"""Hand-written sections of ``docs/rules.md`` (the generator appends them after the tables).

Figures come from the constants they describe, so the text cannot drift from the code.
"""

from __future__ import annotations

from drift_diff.diff.coverage import CONFIDENCE, MIN_EVIDENCE

__all__ = ["notes_markdown"]


def _coverage() -> list[str]:
    return [
        "## When the current side is traffic",
        "",
        "`driftdiff diff A B` reads B coverage-aware when B is traffic (a HAR file, trace "
        "files or folders, replay output); a baseline file or an OpenAPI document is a "
        "contract and is judged strictly, as the tables above say. Traffic only shows what "
        "clients happened to exercise, so:",
        "",
        "- an endpoint B never called is `endpoint-unobserved` (info), never "
        "`endpoint-removed`: a removed endpoint shows up as 404/405 answers on an endpoint "
        "B did call;",
        "- a response status, response media type, response property or response header "
        "counts as removed only with evidence: the base saw it at least "
        f"**{MIN_EVIDENCE}** times, B has at least **{MIN_EVIDENCE}** comparable samples "
        "(same endpoint; for media types and properties the same status), and at the share "
        "the base saw it, B's samples all missing it would happen by chance with probability "
        f"at most {1 - CONFIDENCE:.0%} (`(1 - share) ** samples <= {1 - CONFIDENCE:.2f}`). "
        "Otherwise it is `response-status-unobserved` / `response-part-unobserved` (info) "
        "with both counts in the evidence;",
        "- `304 Not Modified` answers a conditional request the client chose to make: B's "
        "304s are left out of the comparable answers (a cached 200 is not a removed 200) and "
        "a 304 B did not show is never removed;",
        "- request parts are what clients chose to send (an `Accept` header, an optional "
        "query parameter, a body field), never the server's contract: a part B's clients "
        "always sent is not *required* (no `*-became-required`, a new one is "
        "`new-optional-*`), and a part no longer sent or sent with fewer kinds of values is "
        "`request-part-unobserved` (info). No request rule above info fires on traffic;",
        "- what B *did* show still counts at full severity: a type that changed, a value "
        "that became null, a new enum value, a status or field that vanished with the "
        "evidence above.",
        "",
        "A response property gone under several statuses of one endpoint is judged on the "
        "counts pooled over those statuses: in "
        "`../shared/conformance/har/chrome-requestgenerator-665.har` every status of an "
        "endpoint was answered once, so no single status can evidence a removed field, but a "
        "field missing from all 29 answers of an endpoint the current side called is "
        "`response-required-property-removed`.",
    ]


def _severities() -> list[str]:
    return [
        "## Severities argued",
        "",
        "Three changes real API histories show often, where tools and vendors disagree. Each is "
        "decided against oasdiff and the vendors' own changelog labels (Twilio's calls all "
        "three breaking); any of them can be re-set per rule id in `driftdiff.yaml`.",
        "",
        "**A response field's format replaced (`date` -> `date-time`)**: `breaking` "
        "(`response-property-format-changed`). A consumer parsing the old format (a date "
        "parser) is handed values it cannot read; oasdiff reports it as "
        "`response-property-type-changed` at error level and Twilio calls it breaking. Two "
        "neighbours are judged apart: a number format narrowing in a response (`int64` -> "
        "`int32`, `double` -> `float`) is `info` (`response-property-format-narrowed`, every "
        "new value fits the old reading; oasdiff makes the same exception), and a format "
        "dropped (`uuid` -> free string) stays a `warning` (`response-property-format-removed`): "
        "consumers that validate the format may fail, most treat it as a string, and a format "
        "learned from traffic is dropped on the first value that does not fit, so it is "
        "weaker evidence than a declared one.",
        "",
        "**A string map becoming an object** (`additionalProperties` -> named properties): "
        "oasdiff has no check; Twilio calls it breaking because its generated SDKs change type "
        "(`Map<String, String>` -> a class). On the wire a reader of a map of strings still "
        "reads an object of strings, so it is a `warning` when the named properties keep the "
        "map's value type (`response-map-became-object`) and `breaking` when one does not "
        "(`response-map-became-object-retyped`: consumers reading every value as a string get "
        "a number). In a request it is a `warning` (`request-map-became-object`): keys clients "
        "send outside the named properties may be ignored or refused; the named properties "
        "themselves are judged by the property rules (a new required one breaks).",
        "",
        "**An optional request field removed**: stays a `warning` (`request-property-removed`, "
        "`request-parameter-removed`), as in oasdiff (`request-property-removed`: warning). "
        "Clients that keep sending it are not refused by an open schema, the server only stops "
        "reading it: what breaks is the behaviour the field controlled, which no schema diff "
        "can see. An API that refuses unknown fields (a 4xx) should set "
        "`severity: {request-property-removed: breaking, request-parameter-removed: breaking}` "
        "in `driftdiff.yaml`.",
    ]


def notes_markdown() -> list[str]:
    """The hand-written sections, as lines."""
    return ["", *_coverage(), "", *_severities()]
