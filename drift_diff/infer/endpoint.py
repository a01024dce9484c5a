"""What is learned about one endpoint (``METHOD /template``), and its baseline dict both ways.

``EndpointStats.to_dict`` writes the baseline entry; ``add_dict`` reads one back and adds it,
exactly as if the exchanges behind it had been added — merging and cardinality folding both go
through that pair. Parameters are kept by *position* in the template and named only on output,
because folding may rename generated names.
"""

from __future__ import annotations

from typing import Any

from drift_diff.deprecation import header_facts, later_sunset
from drift_diff.infer.builder import DriftNode, DriftSchemaBuilder, wire_value
from drift_diff.infer.content import BodyStats, ResponseStats, add_content_dicts, content_dicts
from drift_diff.infer.messages import add_headers, add_queries, wire_text
from drift_diff.infer.paths import Segments, param_names, render
from drift_diff.records import EndpointRecord, ExchangeRecord, RequestRecord, ResponseRecord

__all__ = ["EndpointStats"]


#: Exchanges an endpoint holds before it learns from them as one batch (columns).
BATCH = 64

_Pending = tuple[RequestRecord, ResponseRecord, str, dict[int, str]]


class EndpointStats:
    __slots__ = (
        "_pending",
        "deprecated",
        "folded",
        "headers",
        "path_nodes",
        "path_seen",
        "query",
        "request",
        "request_samples",
        "responses",
        "samples",
        "sunset",
    )

    def __init__(self) -> None:
        self.samples = 0
        self.path_nodes: dict[int, DriftNode] = {}
        self.path_seen: dict[int, int] = {}
        self.folded: set[int] = set()
        self.query = DriftSchemaBuilder()
        self.headers = DriftSchemaBuilder()
        self.request_samples = 0
        self.request: dict[str, BodyStats] = {}
        self.responses: dict[str, ResponseStats] = {}
        self._pending: list[_Pending] = []
        #: responses that said the endpoint is deprecated, and the latest sunset they named
        self.deprecated = 0
        self.sunset: str | None = None

    # -- learning from exchanges ------------------------------------------------------------

    def add_exchange(self, raw: ExchangeRecord, path_values: dict[int, str]) -> None:
        """Learn from one exchange — in a batch, soon: everything that reads or adds otherwise
        flushes the batch first, so the result is that of adding the exchanges one by one."""
        response = raw["response"]
        pending = self._pending
        pending.append((raw["request"], response, str(response["status"]), path_values))
        if len(pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Learn from the batched exchanges: each schema node gets one column per batch."""
        batch = self._pending
        if not batch:
            return
        self._pending = []
        self.samples += len(batch)
        positions = {position for *_, values in batch for position in values}
        for position in sorted(positions):
            texts = [values[position] for *_, values in batch if position in values]
            self._path_column(position, [wire_text(text) for text in texts])
        requests = [request for request, *_ in batch]
        add_queries(self.query, [request.get("query") for request in requests])
        add_headers(self.headers, [request.get("headers") for request in requests])
        with_body = [r for r in requests if "body" in r or "body_text" in r or "body_b64" in r]
        if with_body:
            self.request_samples += len(with_body)
            BodyStats.add_all(self.request, with_body)
        by_status: dict[str, list[ResponseRecord]] = {}
        for _, response, status, _ in batch:
            by_status.setdefault(status, []).append(response)
            deprecated, sunset = header_facts(response.get("headers"))
            if deprecated:
                self.deprecated += 1
                self.sunset = later_sunset(self.sunset, sunset)
        responses = self.responses
        for status, group in by_status.items():
            stats = responses.get(status)
            if stats is None:
                stats = responses[status] = ResponseStats()
            stats.add_batch(group)

    def _path_column(self, position: int, values: list[Any]) -> None:
        node = self.path_nodes.get(position)
        if node is None:
            node = self.path_nodes[position] = DriftNode()
            self.path_seen[position] = 0
        node.add_column(values)
        self.path_seen[position] += len(values)

    def add_path_value(self, position: int, text: str, weight: int) -> None:
        self.flush()
        node = self.path_nodes.get(position)
        if node is None:
            node = self.path_nodes[position] = DriftNode()
            self.path_seen[position] = 0
        node.add_weighted(wire_value(text), weight)
        self.path_seen[position] += weight

    def add_folded_literal(self, position: int, literal: str, weight: int) -> None:
        """A literal segment that the cardinality pass turned into this parameter."""
        self.add_path_value(position, literal, weight)
        self.folded.add(position)

    # -- the baseline entry -----------------------------------------------------------------

    def to_dict(self, method: str, segments: Segments) -> EndpointRecord:
        self.flush()
        entry: EndpointRecord = {
            "method": method,
            "path": render(segments),
            "samples": self.samples,
            "responses": {status: r.to_dict() for status, r in self.responses.items()},
        }
        if self.path_nodes:
            entry["path_params"] = self._path_params_dict(segments)
        query, headers = self.query.to_schema(), self.headers.to_schema()
        if "properties" in query or "x-map" in query:
            entry["query"] = query
        if "properties" in headers or "x-map" in headers:
            entry["headers"] = headers
        if self.request_samples:
            entry["request"] = {
                "samples": self.request_samples,
                "required": self.request_samples == self.samples,
                "content": content_dicts(self.request),
            }
        if self.deprecated:
            entry["deprecation"] = {"samples": self.deprecated}
            if self.sunset is not None:
                entry["deprecation"]["sunset"] = self.sunset
        return entry

    def _path_params_dict(self, segments: Segments) -> dict[str, Any]:
        names = param_names(segments)
        properties: dict[str, Any] = {}
        for position, node in self.path_nodes.items():
            sub = {**node.to_schema(), "x-seen": [self.path_seen[position], self.samples]}
            if position in self.folded:
                sub["x-folded"] = True
            properties[names[position]] = sub
        required = sorted(names[p] for p, seen in self.path_seen.items() if seen == self.samples)
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return schema

    def add_dict(self, entry: EndpointRecord, segments: Segments) -> None:
        """Add a baseline entry (for the template ``segments``) as if its exchanges were added."""
        self.flush()
        samples = int(entry.get("samples", 0))
        self.samples += samples
        positions = {name: pos for pos, name in param_names(segments).items()}
        params = entry.get("path_params") or {}
        for name, sub in (params.get("properties") or {}).items():
            if name not in positions or not isinstance(sub, dict):
                continue
            self._add_path_schema(positions[name], sub, samples)
        for schema, builder in (
            (entry.get("query"), self.query),
            (entry.get("headers"), self.headers),
        ):
            if isinstance(schema, dict):
                builder.add_schema(schema)
            else:
                builder.add_weighted({}, samples)
        request = entry.get("request") or {}
        self.request_samples += int(request.get("samples", 0))
        add_content_dicts(self.request, request.get("content") or {})
        deprecation = entry.get("deprecation")
        if isinstance(deprecation, dict):
            # a declared deprecation (no count) still deprecates: count it once
            self.deprecated += int(deprecation.get("samples", 1))
            self.sunset = later_sunset(self.sunset, deprecation.get("sunset"))
        for status, data in (entry.get("responses") or {}).items():
            stats = self.responses.get(status)
            if stats is None:
                stats = self.responses[status] = ResponseStats()
            stats.add_dict(data)

    def _add_path_schema(self, position: int, sub: dict[str, Any], samples: int) -> None:
        node = self.path_nodes.get(position)
        if node is None:
            node = self.path_nodes[position] = DriftNode()
            self.path_seen[position] = 0
        seen = sub.get("x-seen")
        self.path_seen[position] += int(seen[0]) if isinstance(seen, list) and seen else samples
        if sub.get("x-folded"):
            self.folded.add(position)
        node.add_schema({k: v for k, v in sub.items() if k not in ("x-seen", "x-folded")})
