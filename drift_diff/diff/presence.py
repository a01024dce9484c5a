"""Presence statistics of schema members, request bodies and statuses (``x-seen``, ``samples``)."""

from __future__ import annotations

from typing import Any

from drift_diff.diff.facts import Presence
from drift_diff.diff.schema_view import Node
from drift_diff.records import EndpointRecord, RequestBodyRecord

__all__ = [
    "body_presence",
    "count_presence",
    "flag",
    "has_stats",
    "member_presence",
    "object_count",
]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def flag(schema: Any, key: str) -> bool:
    return isinstance(schema, dict) and schema.get(key) is True


def object_count(node: Node, fallback: int | None) -> int | None:
    totals = [
        s["x-seen"][1]
        for s in node.properties.values()
        if isinstance(s, dict) and isinstance(s.get("x-seen"), list) and len(s["x-seen"]) == 2
    ]
    return max(totals) if totals else fallback


def member_presence(parent: Node, name: str, sub: Any, total: int | None) -> Presence:
    declared = name in parent.required
    if sub is None:
        return (
            Presence(False, 0, total)
            if total is not None and has_stats(parent)
            else Presence(False)
        )
    seen = sub.get("x-seen") if isinstance(sub, dict) else None
    if isinstance(seen, list) and len(seen) == 2:
        k, n = int(seen[0]), int(seen[1])
        return Presence(declared or (n > 0 and k == n), k, n)
    return Presence(declared)


def has_stats(node: Node) -> bool:
    return any(isinstance(s, dict) and "x-seen" in s for s in node.properties.values())


def count_presence(obj: Any, total: int | None) -> Presence | None:
    samples = _int(obj.get("samples")) if isinstance(obj, dict) else None
    if samples is None or total is None:
        return None
    return Presence(samples == total, samples, total)


def body_presence(req: RequestBodyRecord, endpoint: EndpointRecord) -> Presence:
    samples, total = _int(req.get("samples")), _int(endpoint.get("samples"))
    if req.get("required") is True:
        return Presence(True, samples, total) if samples is not None and total else Presence(True)
    if samples is not None and total:
        return Presence(samples == total, samples, total)
    return Presence(False)
