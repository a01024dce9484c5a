"""Bodies per media type, and responses per status.

A JSON body feeds the schema builder. A text or binary body counts as a sample of its media type
with schema ``{"type": "string"}`` (the contract says "a string of that media type"; its content
is not JSON Schema's business). A form body (``application/x-www-form-urlencoded``,
``multipart/form-data``) is decoded into an object of its fields (``forms``), file parts as
``format: binary`` strings, so that a form field added, removed or retyped shows in the diff. A
truncated body counts as a sample and teaches no schema: half a document would only teach a
wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drift_diff.infer.builder import DriftSchemaBuilder
from drift_diff.infer.forms import FORM_MEDIA_TYPES, form_fields
from drift_diff.infer.messages import add_headers, media_type
from drift_diff.records import BodyFields, MediaRecord, ResponseContractRecord, ResponseRecord

__all__ = ["BodyStats", "ResponseStats", "add_content_dicts", "content_dicts"]

_STRING = {"type": "string"}


class BodyStats:
    """Samples and learned schema of the bodies of one media type."""

    __slots__ = ("builder", "samples")

    def __init__(self) -> None:
        self.samples = 0
        self.builder = DriftSchemaBuilder()

    @staticmethod
    def has_body(message: BodyFields) -> bool:
        return "body" in message or "body_text" in message or "body_b64" in message

    @staticmethod
    def add_to(content: dict[str, BodyStats], message: BodyFields) -> None:
        """Count ``message``'s body under its media type (call only when it has one)."""
        BodyStats.add_all(content, [message])

    @staticmethod
    def add_all(content: dict[str, BodyStats], messages: Sequence[BodyFields]) -> None:
        """``add_to`` of each message in turn; the JSON bodies go in as columns."""
        content_type = messages[0].get("content_type")
        if all(["body" in m and m.get("content_type") == content_type for m in messages]):
            one = media_type(content_type) or "application/json"  # the common case: one column
            stats = content.get(one)
            if stats is None:
                stats = content[one] = BodyStats()
            stats.samples += len(messages)
            stats.builder.add_column([m["body"] for m in messages])
            return
        columns: dict[str, list[Any]] = {}  # JSON bodies not added yet, per media type
        for message in messages:
            is_json = "body" in message
            mt = media_type(message.get("content_type"))
            if mt is None:
                mt = (
                    "application/json"
                    if is_json
                    else ("text/plain" if "body_text" in message else "application/octet-stream")
                )
            stats = content.get(mt)
            if stats is None:
                stats = content[mt] = BodyStats()
            stats.samples += 1
            if is_json:
                columns.setdefault(mt, []).append(message["body"])
            elif not message.get("truncated"):
                fields = form_fields(message, mt) if mt in FORM_MEDIA_TYPES else None
                if fields is not None:
                    columns.setdefault(mt, []).append(fields)
                    continue
                if mt in columns:  # keep the order: the bodies before this one go in first
                    stats.builder.add_column(columns.pop(mt))
                stats.builder.add_schema(_STRING)
        for mt, column in columns.items():
            content[mt].builder.add_column(column)

    def to_dict(self) -> MediaRecord:
        return {"samples": self.samples, "schema": self.builder.to_schema()}

    def add_dict(self, data: MediaRecord) -> None:
        self.samples += int(data.get("samples", 0))
        schema = data.get("schema")
        if isinstance(schema, dict):
            self.builder.add_schema(schema)


def content_dicts(content: dict[str, BodyStats]) -> dict[str, MediaRecord]:
    return {mt: stats.to_dict() for mt, stats in content.items()}


def add_content_dicts(content: dict[str, BodyStats], data: dict[str, MediaRecord]) -> None:
    for mt, entry in data.items():
        stats = content.get(mt)
        if stats is None:
            stats = content[mt] = BodyStats()
        if isinstance(entry, dict):
            stats.add_dict(entry)


class ResponseStats:
    """One status of an endpoint: samples, bodies per media type, response headers."""

    __slots__ = ("content", "headers", "samples")

    def __init__(self) -> None:
        self.samples = 0
        self.content: dict[str, BodyStats] = {}
        self.headers = DriftSchemaBuilder()

    def add(self, response: ResponseRecord) -> None:
        self.add_batch([response])

    def add_batch(self, responses: list[ResponseRecord]) -> None:
        """Add responses of this status, in order (their headers as one column)."""
        self.samples += len(responses)
        with_body = [r for r in responses if "body" in r or "body_text" in r or "body_b64" in r]
        if with_body:
            BodyStats.add_all(self.content, with_body)
        add_headers(self.headers, [r.get("headers") for r in responses])

    def to_dict(self) -> ResponseContractRecord:
        out: ResponseContractRecord = {"samples": self.samples}
        if self.content:
            out["content"] = content_dicts(self.content)
        headers = self.headers.to_schema()
        if "properties" in headers or "x-map" in headers:
            out["headers"] = headers
        return out

    def add_dict(self, data: ResponseContractRecord) -> None:
        samples = int(data.get("samples", 0))
        self.samples += samples
        add_content_dicts(self.content, data.get("content") or {})
        headers = data.get("headers")
        if isinstance(headers, dict):
            self.headers.add_schema(headers)
        else:
            self.headers.add_weighted({}, samples)
