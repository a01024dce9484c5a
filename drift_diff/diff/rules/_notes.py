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
        "The floor is per status: a capture whose every status was answered once (as in "
        "`../shared/conformance/har/chrome-requestgenerator-665.har`) cannot evidence a "
        "removed field, only changed ones.",
    ]


def notes_markdown() -> list[str]:
    """The hand-written sections, as lines."""
    return ["", *_coverage()]
