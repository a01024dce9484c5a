"""What one recorded request proves about its replay, beyond a location-by-location diff.

The same request (same path and query) answered once with a header, or an array of items, is
evidence about *that* request, whatever the endpoint's other requests do:

* ``missing_headers``: a response header the recorded response carried and the replayed one
  lacks (a pagination count such as ``X-Total-Count``) — framing, caching, per-request and
  CDN headers (inference's volatile set, ``Content-Encoding``, ``Via``…) are not compared;
* ``array_findings``: an array whose items changed JSON type (``tags: ["a"]`` → ``[{"name":
  "a"}]``) is one breaking finding at ``tags[]``, not per-index noise; a non-empty array that
  came back empty is a warning naming the request's query parameters (``?_embed=comments``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from driftdiff_sdk.http_vocabulary import OWN_HEADER_PREFIX
from driftdiff_sdk.limits import MAX_DEPTH

from drift_diff.infer.messages import is_volatile_header
from drift_diff.model import Severity
from drift_diff.replay.paths import format_location
from drift_diff.replay.rules import RULE_ARRAY_EMPTIED, RULE_HEADER_MISSING, RULE_TYPE_CHANGED

__all__ = ["Evidence", "array_findings", "json_type", "missing_headers", "query_text"]


@dataclass(frozen=True)
class Evidence:
    """One finding before it becomes a ``Change``; ``kind`` is what the noise model forgives."""

    rule: str
    severity: Severity
    location: str
    message: str
    kind: str
    before: Any = None
    after: Any = None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def query_text(request: dict[str, Any]) -> str:
    """``?_embed=comments&_page=1`` of a recorded request ('' without a query)."""
    query = request.get("query") or {}
    pairs = [
        (str(k), str(v)) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])
    ]
    text = urlencode(pairs, safe="[]{}:,*")
    return f"?{text[:200]}" if text else ""


def missing_headers(recorded: dict[str, Any], live: dict[str, Any]) -> list[Evidence]:
    """Headers of the recorded response that the replayed response lacks."""
    rec = {str(k).lower() for k in (recorded.get("headers") or {})}
    now = {str(k).lower() for k in (live.get("headers") or {})}
    out = []
    for name in sorted(rec - now):
        if is_volatile_header(name) or name.startswith(OWN_HEADER_PREFIX):
            continue
        out.append(
            Evidence(
                RULE_HEADER_MISSING,
                Severity.BREAKING,
                f"response.headers.{name}",
                f"response header {name} is missing from the replayed response",
                "removed",
                name,
                None,
            )
        )
    return out


def _pairs(
    before: Any, after: Any, location: str, depth: int = 0
) -> Iterator[tuple[str, list[Any], list[Any]]]:
    """Every array present at the same location of both bodies (index-aligned below arrays)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before.keys() & after.keys():
            yield from _pairs(before[key], after[key], format_location(location, [key]), depth + 1)
    elif isinstance(before, list) and isinstance(after, list):
        yield location, before, after
        for i, (b, a) in enumerate(zip(before, after, strict=False)):
            yield from _pairs(b, a, format_location(location, [i]), depth + 1)


def array_findings(
    before: Any, after: Any, request: dict[str, Any], root: str = "response.body"
) -> tuple[list[Evidence], list[str]]:
    """Findings about arrays of the same request, and the array locations they explain (the
    per-index differences below those are not reported again)."""
    found: list[Evidence] = []
    handled: list[str] = []
    for location, rec, live in _pairs(before, after, root):
        if rec and not live:
            query = query_text(request)
            where = f" for the same request ({query})" if query else " for the same request"
            found.append(
                Evidence(
                    RULE_ARRAY_EMPTIED,
                    Severity.WARNING,
                    location,
                    f"{location} had {len(rec)} item(s) and came back empty{where}",
                    "item-removed",
                    len(rec),
                    0,
                )
            )
            handled.append(location)
            continue
        was = {json_type(v) for v in rec} - {"null"}
        now = {json_type(v) for v in live} - {"null"}
        if was and now and not now <= was:
            found.append(
                Evidence(
                    RULE_TYPE_CHANGED,
                    Severity.BREAKING,
                    f"{location}[]",
                    f"items of {location} changed type from {sorted(was)} to {sorted(now)}",
                    "type",
                    sorted(was),
                    sorted(now),
                )
            )
            handled.append(location)
    return found, handled
