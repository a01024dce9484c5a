"""Comparing a recorded response with the live one, location by location.

One finding per location, never one per body. Severity follows the consumer's risk: a status
that changes class, a missing field, a changed type or content type is **breaking**; a changed
value of a stable field is a **warning** (always with the path and both values); an added field
is **info**. Values that carry ids or times, durations under timing field names and redaction
placeholders compare by kind (:func:`driftdiff_sdk.kinds.same_kind`),
locations that varied between recordings of the same request are noise
(:class:`~drift_diff.replay.noise.NoiseModel`), user ignore patterns match exact paths with
wildcards (:class:`~drift_diff.replay.paths.PathMatcher`), and the recorded origin inside string
values (``next_url``) is rewritten to the target's before anything is compared
(:mod:`drift_diff.replay.origins`). What one recorded request proves beyond the diff — headers it
carried, arrays that changed item type or came back empty — is
:mod:`drift_diff.replay.request_evidence`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from driftdiff_sdk.kinds import same_kind
from driftdiff_sdk.redact import RedactionConfig, Redactor

from drift_diff.model import Change, Severity
from drift_diff.replay.noise import Difference, NoiseModel, endpoint_of, json_differences
from drift_diff.replay.origins import recorded_origins, rewrite_origins
from drift_diff.replay.paths import PathMatcher, generalize, split_location
from drift_diff.replay.request_evidence import Evidence, array_findings, json_type, missing_headers
from drift_diff.replay.rules import (
    RULE_CONTENT_TYPE_CHANGED,
    RULE_FIELD_ADDED,
    RULE_FIELD_MISSING,
    RULE_STATUS_CHANGED,
    RULE_TYPE_CHANGED,
    RULE_VALUE_CHANGED,
)
from drift_diff.replay.text_tokens import same_text

__all__ = ["CompareContext", "compare_exchange"]

_SHOWN = 200  # characters of a value quoted in a finding
NOT_MODIFIED = 304


@dataclass
class CompareContext:
    """What a comparison needs besides the two exchanges."""

    noise: NoiseModel = field(default_factory=NoiseModel)
    ignore: PathMatcher = field(default_factory=PathMatcher)
    target_origin: str | None = None


def _media_type(message: dict[str, Any]) -> str:
    ct = message.get("content_type")
    if not ct:
        ct = ((message.get("headers") or {}).get("content-type") or [""])[0]
    return str(ct or "").split(";", 1)[0].strip().lower()


def _shown(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _SHOWN:
        return value[: _SHOWN - 1] + "…"
    if isinstance(value, (dict, list)) and len(repr(value)) > _SHOWN:
        return f"<{type(value).__name__} of {len(value)}>"
    return value


def _status_severity(recorded: int, live: int) -> Severity:
    """A change of class breaks consumers, except a client error that became a success (404 →
    200: the resource now exists), which is info; within a class it is a warning."""
    if 400 <= recorded < 500 and 200 <= live < 300:
        return Severity.INFO
    return Severity.BREAKING if recorded // 100 != live // 100 else Severity.WARNING


#: The kinds of difference a second live answer can show to be the build's own (values and
#: array items); a field that went missing, appeared or changed type never is.
_VALUE_KINDS = frozenset({"value", "item-added", "item-removed"})


class _Comparer:
    def __init__(
        self,
        recorded: dict[str, Any],
        live: dict[str, Any],
        ctx: CompareContext,
        unstable: frozenset[str] = frozenset(),
    ) -> None:
        self.recorded, self.live, self.ctx = recorded, live, ctx
        self.unstable = unstable
        self.endpoint = endpoint_of(recorded)
        self.evidence = f"exchange {recorded.get('id', '?')}"
        self.changes: list[Change] = []

    def add(
        self,
        rule: str,
        severity: Severity,
        location: str,
        message: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.changes.append(
            Change(
                rule,
                severity,
                self.endpoint,
                location,
                message,
                _shown(before),
                _shown(after),
                self.evidence,
            )
        )

    def skip(self, location: str, kind: str) -> bool:
        return (
            self.ctx.ignore.matches(location)
            or self.ctx.noise.is_noisy(self.endpoint, location, kind)
            or (kind in _VALUE_KINDS and self.is_unstable(location))
        )

    def is_unstable(self, location: str) -> bool:
        """Whether two live answers of the build differed at ``location`` or above it."""
        if not self.unstable:
            return False
        general = generalize(location)
        return any(general == u or general.startswith((u + ".", u + "[")) for u in self.unstable)

    def run(self) -> list[Change]:
        rec, live = self.recorded.get("response") or {}, self.live.get("response") or {}
        rs, ls = int(rec.get("status", 0)), int(live.get("status", 0))
        if rs == NOT_MODIFIED and 200 <= ls < 300:
            return self.changes  # a recorded cache revalidation answered in full: no body to hold
        if rs != ls:
            breaking = rs // 100 != ls // 100
            self.add(
                RULE_STATUS_CHANGED,
                _status_severity(rs, ls),
                "response.status",
                f"status {rs} became {ls}",
                rs,
                ls,
            )
            if breaking:
                return self.changes
        rct, lct = _media_type(rec), _media_type(live)
        if (
            rct != lct
            and (rct or _has_body(rec))
            and not self.skip("response.content_type", "type")
        ):
            self.add(
                RULE_CONTENT_TYPE_CHANGED,
                Severity.BREAKING,
                "response.content_type",
                f"content type {rct or 'none'} became {lct or 'none'}",
                rct or None,
                lct or None,
            )
            return self.changes
        if 300 <= ls < 400:
            self.compare_location_header(rec, live)
        self.record(missing_headers(rec, live))
        if rec.get("truncated") or live.get("truncated"):
            return self.changes  # a cut body cannot be compared fairly; status and type were
        self.compare_body(rec, live)
        return self.changes

    def rewrite(self, value: Any) -> Any:
        return rewrite_origins(value, recorded_origins(self.recorded), self.ctx.target_origin)

    def compare_location_header(self, rec: dict[str, Any], live: dict[str, Any]) -> None:
        before = self.rewrite(((rec.get("headers") or {}).get("location") or [None])[0])
        after = ((live.get("headers") or {}).get("location") or [None])[0]
        if before != after and not self.skip("response.headers.location", "value"):
            self.add(
                RULE_VALUE_CHANGED,
                Severity.WARNING,
                "response.headers.location",
                f"redirect target {before} became {after}",
                before,
                after,
            )

    def compare_body(self, rec: dict[str, Any], live: dict[str, Any]) -> None:
        loc = "response.body"
        if "body" in rec and "body" in live:
            before = self.rewrite(rec["body"])
            found, arrays = array_findings(before, live["body"], self.recorded.get("request") or {})
            self.record(found)
            for diff in json_differences(before, live["body"]):
                if not any(diff.location.startswith(a + "[") for a in arrays):
                    self.report(diff)
            return
        if not _has_body(rec) and not _has_body(live):
            return
        if not _has_body(live):
            if not self.skip(loc, "removed"):
                self.add(RULE_FIELD_MISSING, Severity.BREAKING, loc, "response body is now empty")
            return
        if not _has_body(rec):
            if not self.skip(loc, "added"):
                self.add(RULE_FIELD_ADDED, Severity.INFO, loc, "response now has a body")
            return
        if ("body" in rec) != ("body" in live):
            if not self.skip(loc, "type"):
                was, now = ("JSON", "non-JSON") if "body" in rec else ("non-JSON", "JSON")
                self.add(
                    RULE_TYPE_CHANGED,
                    Severity.BREAKING,
                    loc,
                    f"response body was {was} and is now {now}",
                )
            return
        if "body_text" in rec and "body_text" in live:
            before, after = self.rewrite(rec["body_text"]), live["body_text"]
            if not same_text(before, after) and not self.skip(loc, "value"):
                self.add(
                    RULE_VALUE_CHANGED,
                    Severity.WARNING,
                    loc,
                    "response text changed",
                    before,
                    after,
                )
            return
        before_bytes, after_bytes = _raw_bytes(rec), _raw_bytes(live)
        if before_bytes != after_bytes and not self.skip(loc, "value"):
            self.add(
                RULE_VALUE_CHANGED,
                Severity.WARNING,
                loc,
                f"response bytes changed ({len(before_bytes)} bytes → {len(after_bytes)} bytes)",
                _digest(before_bytes),
                _digest(after_bytes),
            )

    def record(self, found: list[Evidence]) -> None:
        for f in found:
            if not self.skip(f.location, f.kind):
                self.add(f.rule, f.severity, f.location, f.message, f.before, f.after)

    def report(self, diff: Difference) -> None:
        loc = diff.location
        if self.skip(loc, diff.kind):
            return
        if diff.kind == "removed":
            self.add(
                RULE_FIELD_MISSING,
                Severity.BREAKING,
                loc,
                f"{loc} is missing from the live response",
                diff.before,
                None,
            )
        elif diff.kind == "added":
            self.add(
                RULE_FIELD_ADDED,
                Severity.INFO,
                loc,
                f"{loc} is new in the live response",
                None,
                diff.after,
            )
        elif diff.kind in ("item-removed", "item-added"):
            what = "removed from" if diff.kind == "item-removed" else "added to"
            self.add(
                RULE_VALUE_CHANGED,
                Severity.WARNING,
                loc,
                f"array item {what} {loc}",
                diff.before,
                diff.after,
            )
        elif diff.kind == "type":
            self.report_type(diff)
        elif not same_kind(diff.before, diff.after, _field_name(loc)) and not _masked(loc):
            self.add(
                RULE_VALUE_CHANGED,
                Severity.WARNING,
                loc,
                f"{loc} changed from {_shown(diff.before)!r} to {_shown(diff.after)!r}",
                diff.before,
                diff.after,
            )

    def report_type(self, diff: Difference) -> None:
        before, after = json_type(diff.before), json_type(diff.after)
        if before == "null":  # a value where the recording had null: the consumer gets more
            self.add(
                RULE_VALUE_CHANGED,
                Severity.WARNING,
                diff.location,
                f"{diff.location} was null and is now {after}",
                None,
                diff.after,
            )
            return
        self.add(
            RULE_TYPE_CHANGED,
            Severity.BREAKING,
            diff.location,
            f"{diff.location} changed type from {before} to {after}",
            diff.before,
            diff.after,
        )


def _has_body(message: dict[str, Any]) -> bool:
    return any(k in message for k in ("body", "body_text", "body_b64"))


def _raw_bytes(message: dict[str, Any]) -> bytes:
    if "body_b64" in message:
        try:
            return base64.b64decode(message["body_b64"])
        except ValueError:
            return str(message["body_b64"]).encode()
    return str(message.get("body_text", "")).encode("utf-8", "surrogatepass")


def _digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()[:16]} ({len(data)} bytes)"


@functools.lru_cache(maxsize=1)
def _names() -> Redactor:
    """What decides which names are secret: the one recordings were redacted with (its
    configuration from the environment, as the recorder's)."""
    return Redactor(RedactionConfig.from_env())


def _masked(location: str) -> bool:
    """Whether a body value sits under a secret name (``password``, ``api_key``, or below
    ``credentials``): the recording holds a placeholder of its format there, never the value,
    so only its presence and type can be compared."""
    names = _names()
    return any(
        not segment.startswith("[") and names.is_secret_key(segment)
        for segment in split_location(location)[2:]  # (after "response", "body")
    )


def _field_name(location: str) -> str | None:
    """The last key of a location (``response.body.meta.query_ms`` → ``query_ms``)."""
    for segment in reversed(split_location(location)):
        if not segment.startswith("["):
            return segment
    return None


def compare_exchange(
    recorded: dict[str, Any],
    live: dict[str, Any],
    ctx: CompareContext | None = None,
    unstable: frozenset[str] = frozenset(),
) -> list[Change]:
    """Findings for one replayed exchange (empty when the live response matches).

    ``unstable``: where a second live answer to the same request differed from the first
    (``noise.unstable_locations``); a changed value or array there is the build's own
    variation, not a change from the recording."""
    return _Comparer(recorded, live, ctx or CompareContext(), unstable).run()
