"""The ``ignore:`` entries of a driftdiff config (``Ignore``) and the matching they do.

An entry hides a finding by its fingerprint, or by rule id with optional endpoint and location
patterns. Endpoints and locations are split into segments and matched segment-wise
(``match_segments``): ``*`` = one whole segment, ``**`` = any number of segments, ``[]`` or
``[*]`` = any array item; never a substring match. Loading and validating the entries is
``drift_diff.config``'s.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from drift_diff.model import Change

__all__ = ["Ignore", "location_segments", "match_segments"]


def location_segments(location: str) -> list[str]:
    """Split ``response.200.body(application/vnd.x+json).id`` on dots outside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in location:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "." and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def match_segments(pattern: list[str], value: list[str]) -> bool:
    """Segment-wise match: ``*`` = exactly one segment, ``**`` = zero or more."""
    if not pattern:
        return not value
    head = pattern[0]
    if head == "**":
        return any(match_segments(pattern[1:], value[i:]) for i in range(len(value) + 1))
    if not value:
        return False
    return _segment_matches(head, value[0]) and match_segments(pattern[1:], value[1:])


#: an array item in a location: ``[]`` (reports of baselines), ``[3]`` (replay), ``[*]``
_ITEM = re.compile(r"\[(?:\d*|\*)\]")


def _segment_matches(pattern: str, value: str) -> bool:
    """``*`` is any segment; ``[]`` or ``[*]`` in a pattern is any array item: ``[]``, ``[*]``
    or ``[3]`` in the value."""
    if pattern in ("*", value):
        return True
    if "[" not in pattern:
        return False
    parts = [re.escape(p) for p in re.split(r"\[\*?\]", pattern)]
    return re.fullmatch(_ITEM.pattern.join(parts), value) is not None


def _endpoint_segments(endpoint: str) -> list[str]:
    """``GET /users/{id}`` → ``[GET, '', users, {}]``; a pattern without a method (``/users/**``,
    ``**``) stands for every method."""
    method, sep, path = endpoint.partition(" ")
    if not sep:
        if endpoint == "**":
            return ["**"]
        method, path = "*", endpoint
    return [method, *re.sub(r"\{[^}/]*\}", "{}", path).split("/")]


@dataclass(frozen=True, slots=True)
class Ignore:
    reason: str
    rule: str | None = None
    endpoint: str | None = None
    location: str | None = None
    fingerprint: str | None = None
    expires: dt.date | None = None
    index: int = 0

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today >= self.expires

    def matches(self, change: Change) -> bool:
        if self.fingerprint is not None:
            return change.fingerprint == self.fingerprint
        if self.rule != change.rule:
            return False
        if self.endpoint is not None and not match_segments(
            _endpoint_segments(self.endpoint), _endpoint_segments(change.endpoint)
        ):
            return False
        return self.location is None or match_segments(
            location_segments(self.location), location_segments(change.location)
        )

    def describe(self) -> str:
        if self.fingerprint:
            return f"ignore #{self.index + 1} (fingerprint {self.fingerprint})"
        where = " ".join(x for x in (self.endpoint, self.location) if x)
        return f"ignore #{self.index + 1} ({self.rule}{' ' + where if where else ''})"
