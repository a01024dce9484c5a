"""Coverage-aware judgement when the current side of a diff is traffic.

A contract (baseline file, OpenAPI document) says what the API does; traffic (HAR, traces,
replay output) only shows what clients happened to exercise. So when the *current* side is
traffic (``Semantics.OBSERVED``), a fact that says "the current side lacks X" is only evidence
of removal when the current side sent comparable requests often enough that X would have
shown up:

* an endpoint the current side never called is **unobserved**, never removed (a server that
  dropped an endpoint answers 404/405 on it: that is a status change of an exercised endpoint);
* a response status, response media type, response property or response header counts as
  removed only when the base saw it at least ``MIN_EVIDENCE`` times, the current side has at
  least ``MIN_EVIDENCE`` comparable samples (same endpoint and status; conditional requests
  answered 304 Not Modified are not comparable to the 200 they revalidate), and at the share
  the base saw it, all those samples missing it would happen with probability at most
  ``1 - CONFIDENCE``. Otherwise it is unobserved (info, with the counts). A response property
  gone from several statuses of one endpoint is judged on the counts pooled over them (the
  same field missing from every answer of an exercised endpoint, whatever its status);
* request parts are what clients chose to send (an ``Accept`` header, an optional query
  parameter, a body field): they are never read as the server's contract. A part no longer
  sent, or narrowed, is unobserved; a part sent every time is a client's choice, never
  "required"; what clients sent that is new stays a (harmless) observation.

``Semantics.STRICT`` (the current side is a contract) keeps every fact as it is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact, Presence
from drift_diff.model import Baseline, Direction, EndpointRecord

__all__ = [
    "CONFIDENCE",
    "MIN_EVIDENCE",
    "NOT_MODIFIED",
    "UNOBSERVED",
    "ClientChoice",
    "Semantics",
    "evidenced",
    "observe",
    "status_free",
    "unobserved_evidence",
]

#: fewest samples on each side before an absence can be called a removal
MIN_EVIDENCE = 5
#: how sure the absence must be: (1 - base share) ** current samples <= 1 - CONFIDENCE
CONFIDENCE = 0.99
#: the status of a conditional request's answer: the client revalidated its cached copy
NOT_MODIFIED = "304"

#: the fact kind of an absence without evidence (``before``/``after`` keep the original values)
UNOBSERVED = "unobserved"


class Semantics(str, enum.Enum):
    """How absences on the current side are read."""

    #: the current side is a contract: what it lacks, it lacks
    STRICT = "strict"
    #: the current side is traffic: what it lacks may only be unexercised
    OBSERVED = "observed"


@dataclass(frozen=True, slots=True)
class ClientChoice(Presence):
    """Presence of a request part in traffic: how often clients sent it, never a requirement."""

    @property
    def always(self) -> bool:
        return False


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def evidenced(base: Presence | None, comparable: int | None) -> bool:
    """Is "seen in ``base``; absent from ``comparable`` current samples" evidence of removal?"""
    if base is None or comparable is None or comparable < MIN_EVIDENCE:
        return False
    if base.declared:
        return base.required  # declared required, absent from enough real answers
    seen, total = base.seen or 0, base.total or 0
    if seen < MIN_EVIDENCE or total <= 0:
        return False
    return (1 - seen / total) ** comparable <= 1 - CONFIDENCE


def _comparable_responses(endpoint: EndpointRecord | None, status: str | None = None) -> int | None:
    """Current responses comparable to the base's: of ``status``, or of the whole endpoint
    minus the 304 answers to conditional requests."""
    if not isinstance(endpoint, dict):
        return None
    responses = endpoint.get("responses") or {}
    if status is not None:
        entry = responses.get(status)
        return _int(entry.get("samples")) if isinstance(entry, dict) else None
    total = _int(endpoint.get("samples"))
    if total is None:
        return None
    cached = responses.get(NOT_MODIFIED)
    revalidated = (_int(cached.get("samples")) or 0) if isinstance(cached, dict) else 0
    return total - revalidated


def status_free(location: str) -> str:
    """``response.200.body.a`` -> ``response.body.a``: one field whatever the status. A status
    itself (``response.404``) and request locations stay as they are."""
    parts = location.split(".")
    if len(parts) > 2 and parts[0] == "response":
        return ".".join(["response", *parts[2:]])
    return location


def _pooled(facts: list[Fact]) -> dict[int, Fact]:
    """Response properties removed under several statuses of one endpoint, each re-stated with
    the presence counts pooled over those statuses (by ``id`` of the original fact)."""
    pools: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        if fact.kind == F.PROPERTY_REMOVED and fact.side is Direction.RESPONSE:
            pools.setdefault((fact.endpoint, status_free(fact.location)), []).append(fact)
    out: dict[int, Fact] = {}
    for pool in pools.values():
        counted = [
            f
            for f in pool
            if f.base is not None
            and not f.base.declared
            and f.current is not None
            and f.current.total is not None
        ]
        if len(pool) < 2 or len(counted) != len(pool):
            continue
        base = Presence(
            all(f.base.always for f in counted if f.base is not None),
            sum(f.base.seen or 0 for f in counted if f.base is not None),
            sum(f.base.total or 0 for f in counted if f.base is not None),
        )
        current = Presence(False, 0, sum(f.current.total or 0 for f in counted if f.current))
        for f in pool:
            out[id(f)] = replace(f, base=base, current=current)
    return out


def _status_of(location: str) -> str | None:
    # "response.200.content(application/json)" -> "200"
    parts = location.split(".", 2)
    return parts[1] if len(parts) > 1 and parts[0] == "response" else None


def _unobserved(fact: Fact, comparable: int | None) -> Fact:
    current = Presence(False, 0, comparable) if comparable is not None else None
    return replace(fact, kind=UNOBSERVED, current=current)


_ABSENCES = frozenset(
    {F.ENDPOINT_REMOVED, F.STATUS_REMOVED, F.MEDIA_TYPE_REMOVED, F.BODY_REMOVED, F.PROPERTY_REMOVED}
)


def _observe_response(fact: Fact, endpoint: EndpointRecord | None) -> Fact | None:
    if fact.kind == F.STATUS_REMOVED:
        if str(fact.before) == NOT_MODIFIED:
            return _unobserved(fact, None)  # a revalidation the client chose not to make
        comparable = _comparable_responses(endpoint)
    elif fact.kind == F.MEDIA_TYPE_REMOVED:
        comparable = _comparable_responses(endpoint, _status_of(fact.location))
    elif fact.kind == F.PROPERTY_REMOVED:
        comparable = fact.current.total if fact.current is not None else None
    else:
        return fact
    return fact if evidenced(fact.base, comparable) else _unobserved(fact, comparable)


def _observe_request(fact: Fact, raises_concern: Callable[[Fact], bool]) -> Fact | None:
    if fact.kind == F.PARAM_DEPRECATION_CHANGED:
        return None  # requests never say a parameter is deprecated
    if fact.kind in (F.REQUIRED_CHANGED, F.BODY_REQUIRED_CHANGED) and fact.after is True:
        return None  # clients sending it every time is their choice, not a requirement
    if fact.kind == F.PROPERTY_ADDED and fact.current is not None:
        cur = fact.current
        return replace(fact, current=ClientChoice(False, cur.seen, cur.total))
    if fact.kind == F.BODY_ADDED:
        cur = fact.current or Presence(False)
        return replace(fact, after=False, current=ClientChoice(False, cur.seen, cur.total))
    if fact.kind in _ABSENCES or raises_concern(fact):
        # no longer sent, or sent with fewer kinds of values: what clients chose, not what
        # the server refuses
        return _unobserved(fact, None)
    return fact


def observe(
    facts: Iterable[Fact], current: Baseline, raises_concern: Callable[[Fact], bool]
) -> Iterator[Fact]:
    """The facts of a diff whose current side is traffic, re-read for coverage.

    ``raises_concern(fact)`` tells whether the catalogue would judge a fact above info; a
    request-side one becomes unobserved (clients' choices are not the server's contract).
    """
    listed = list(facts)
    pooled = _pooled(listed)
    for fact in listed:
        fact = pooled.get(id(fact), fact)
        if fact.kind == F.ENDPOINT_REMOVED:
            yield _unobserved(fact, None)
            continue
        if fact.side is Direction.REQUEST:
            out = _observe_request(fact, raises_concern)
        elif fact.side is Direction.RESPONSE:
            out = _observe_response(fact, current.endpoints.get(fact.endpoint))
        else:
            out = fact
        if out is not None:
            yield out


def unobserved_evidence(fact: Fact) -> str:
    """``seen in 1 of 30 responses; now absent from 29 comparable responses (removal ...)``."""
    if fact.side is Direction.ENDPOINT:
        calls = fact.base.seen if fact.base is not None and fact.base.seen is not None else 0
        return (
            f"seen in {calls:,} requests; not called by the current side (a removed endpoint "
            "would show as 404/405 answers to calls)"
        )
    base = fact.base
    if base is None:
        before = "not counted"
    elif base.declared:
        before = "declared " + ("required" if base.required else "optional")
    else:
        before = f"seen in {base.seen or 0:,} of {base.total or 0:,} {fact.noun}"
    cur = fact.current
    if fact.side is Direction.REQUEST:
        now = "not sent this way by the current side's clients"
    elif cur is None or cur.total is None:
        now = "not exercised by the current side"
    else:
        now = f"now absent from {cur.total:,} comparable {fact.noun}"
    need = (
        f"removal needs {MIN_EVIDENCE}+ samples on each side and an absence that is "
        f"{CONFIDENCE:.0%} unlikely by chance"
    )
    if fact.side is Direction.REQUEST:
        need = "what clients send is not the server's contract"
    return f"{before}; {now} ({need})"
