"""``Inference``: the streaming accumulator behind ``infer_baseline`` and ``merge_baselines``.

Exchanges are added one at a time, wait in a short batch of their endpoint (``endpoint.BATCH``)
and are dropped once learned; what is kept is one ``EndpointStats`` per endpoint, so memory grows
with endpoints, not exchanges. Literal endpoints that the cardinality
pass will fold are folded as the key count grows (and once more at the end), which bounds memory
even when ids escape shape templating. Baselines are added through the same stats
(``add_baseline``), which is why merging equals inferring from the union.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from drift_diff.infer.endpoint import EndpointStats
from drift_diff.infer.paths import (
    Segments,
    is_param,
    param_suffix,
    parse_template,
    plan_folds,
    render,
    route_segments,
    shape_parts,
    shape_segment,
    user_template,
)
from drift_diff.model import Baseline, ExchangeRecord, endpoint_key, split_endpoint_key

__all__ = ["UNKNOWN_SERVICE", "Inference"]

#: Service name of a baseline learned from exchanges that name none.
UNKNOWN_SERVICE = "unknown"

EndpointId = tuple[str, Segments]

_route = lru_cache(maxsize=4096)(route_segments)
#: ``(method, path, route)`` → endpoint and path parameter values; cleared past ``_RESOLVED_MAX``.
_RESOLVED: dict[tuple[Any, ...], tuple[EndpointId, dict[int, str]]] = {}
_RESOLVED_MAX = 4096
_CACHED_VALUE_MAX = 12  # paths with longer parameter values (UUIDs, tokens) rarely repeat
_POSITIONS: dict[Segments, tuple[int, ...]] = {}
_HEADS: dict[str, tuple[list[str], Segments]] = {}


def _param_positions(segments: Segments) -> tuple[int, ...]:
    positions = _POSITIONS.get(segments)
    if positions is None:
        positions = tuple(i for i, s in enumerate(segments) if is_param(s))
        if len(_POSITIONS) >= _RESOLVED_MAX:
            _POSITIONS.clear()
        _POSITIONS[segments] = positions
    return positions


def _param_value(part: str, segment: str) -> str:
    """The value of a parameter segment (``1.json`` under ``{}.json`` → ``1``)."""
    suffix = param_suffix(segment)
    return part[: -len(suffix)] if suffix and part.endswith(suffix) else part


def _resolve(method: str, path: str, route: str | None) -> tuple[EndpointId, dict[int, str]]:
    """The endpoint of one request, and its path parameter values by position."""
    if route is None and path.startswith("/") and "?" not in path:
        head, _, last = path.rpartition("/")  # the head (the collection) repeats: cache it
        cached = _HEADS.get(head)
        if cached is None:
            head_parts = head.split("/")[1:]
            cached = (head_parts, shape_parts(head_parts))
            if len(_HEADS) >= _RESOLVED_MAX:
                _HEADS.clear()
            _HEADS[head] = cached
        head_parts, head_segments = cached
        parts = [*head_parts, last]
        prev = head_parts[-1] if head_parts else None
        segments = (*head_segments, shape_segment(last, prev))
    else:
        parts = path.split("?", 1)[0].split("/")[1:] if path.startswith("/") else path.split("/")
        segments = _route(route) if route else shape_parts(parts)
    positions = _param_positions(segments)
    values: dict[int, str] = {}
    if positions and len(parts) == len(segments):  # else a catch-all route parameter
        values = {i: _param_value(parts[i], segments[i]) for i in positions}
    resolved = ((method.upper(), segments), values)
    if all(len(value) <= _CACHED_VALUE_MAX for value in values.values()):  # else one of a kind
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[(method, path, route)] = resolved
    return resolved


class Inference:
    """Add exchanges (``add``) or baselines (``add_baseline``), then ``baseline()``."""

    def __init__(self, *, service: str | None = None, templates: Iterable[str] = ()) -> None:
        """``templates``: endpoint templates the user states; they override inference."""
        self.templates = tuple(templates)
        self.endpoints: dict[EndpointId, EndpointStats] = {}
        self.counts: Counter[str] = Counter()
        self.services: set[str] = set()
        self.service = service
        self._fold_at = 256

    def _stats(self, key: EndpointId) -> EndpointStats:
        stats = self.endpoints.get(key)
        if stats is None:
            if len(self.endpoints) >= self._fold_at:
                self.fold()
                self._fold_at = 2 * len(self.endpoints) + 256
            stats = self.endpoints[key] = EndpointStats()
        return stats

    def add(self, raw: ExchangeRecord) -> None:
        request = raw["request"]
        method, path = str(request["method"]), str(request["path"])
        route = raw.get("route")
        if not isinstance(route, str) or not route:
            route = user_template(path, self.templates) if self.templates else None
        resolved = _RESOLVED.get((method, path, route))
        key, values = resolved if resolved is not None else _resolve(method, path, route)
        stats = self.endpoints.get(key)
        (stats if stats is not None else self._stats(key)).add_exchange(raw, values)
        counts = self.counts
        counts["exchanges"] += 1
        counts[str(raw.get("source") or "unknown")] += 1
        service = raw.get("service")
        if service and isinstance(service, str):
            self.services.add(service)

    def add_baseline(self, baseline: Baseline) -> None:
        for key, entry in baseline.endpoints.items():
            method, template = split_endpoint_key(key)
            segments = parse_template(template)
            self._stats((method, segments)).add_dict(entry, segments)
        for name, count in baseline.sources.items():
            if isinstance(count, int):
                self.counts[name] += count
        if baseline.service and baseline.service != UNKNOWN_SERVICE:
            self.services.add(baseline.service)

    def fold(self) -> None:
        """Run the cardinality pass: merge literal endpoints into their parameterized form."""
        folded = {k: frozenset(s.folded) for k, s in self.endpoints.items() if s.folded}
        for old, (new, literals) in sorted(plan_folds(list(self.endpoints), folded).items()):
            stats = self.endpoints.pop(old)
            target = self.endpoints.get(new)
            if target is None:
                target = self.endpoints[new] = EndpointStats()
            target.add_dict(stats.to_dict(old[0], old[1]), old[1])
            for position, literal in literals.items():
                target.add_folded_literal(position, literal, stats.samples)

    def baseline(self, *, sources: dict[str, int] | None = None) -> Baseline:
        self.fold()
        endpoints = {
            endpoint_key(method, render(segments)): stats.to_dict(method, segments)
            for (method, segments), stats in self.endpoints.items()
        }
        counts = Counter(self.counts)
        counts.update(sources or {})
        service = self.service or (min(self.services) if self.services else UNKNOWN_SERVICE)
        return Baseline(service=service, endpoints=endpoints, sources=dict(counts))
