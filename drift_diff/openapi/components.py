"""Identical schemas of an export shared once, in ``components/schemas``, through ``$ref``.

An object schema (one with ``properties``) written two or more times in the document, byte for
byte equal once keys are sorted, becomes one named component; every place that held it holds
``{"$ref": "#/components/schemas/<Name>"}``. Shared schemas inside a shared schema are refs in
its component too.

Names are stable for a given baseline: the place a schema is first met, walking the document in
its (sorted) order, names it: the property that holds it (``customer`` -> ``Customer``; an
array property's item gets ``Item``), else the operation and part (``GetOrdersRequest``,
``GetOrders200Response``). Clashes get ``2``, ``3``... in that same order.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

__all__ = ["share_schemas"]

_WORD = re.compile(r"[A-Za-z0-9]+")
_PREFIX = "#/components/schemas/"
#: keywords whose values are data, not schemas
_DATA = frozenset({"enum", "const", "default", "example", "examples"})


def _key(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))


def _shareable(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and isinstance(node.get("properties"), dict)
        and node["properties"] != {}
    )


def _pascal(text: str) -> str:
    words = _WORD.findall(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Schema"
    return name if not name[0].isdigit() else f"S{name}"


def _children(node: Any, hint: str) -> list[tuple[Any, str]]:
    """Sub-schemas of ``node`` with the name each would get (in document order)."""
    out: list[tuple[Any, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out.extend((v, _pascal(k)) for k, v in value.items())
            elif key == "items":
                out.append((value, f"{hint}Item"))
            elif isinstance(value, (dict, list)) and key not in _DATA:
                out.append((value, hint))
    elif isinstance(node, list):
        out.extend((v, hint) for v in node)
    return out


def _count(node: Any, counts: Counter[str], shared: set[str] | None) -> None:
    """Occurrences of each object schema; inside a schema in ``shared`` only at its first
    occurrence (the others become refs to it, so what they hold is written once)."""
    stack = [node]
    while stack:
        value = stack.pop()
        if _shareable(value):
            key = _key(value)
            counts[key] += 1
            if shared is not None and key in shared and counts[key] > 1:
                continue
        stack.extend(child for child, _ in _children(value, ""))


def _shared(schemas: list[Any]) -> set[str]:
    shared: set[str] | None = None
    while True:
        counts: Counter[str] = Counter()
        for schema in schemas:
            _count(schema, counts, shared)
        now = {key for key, n in counts.items() if n > 1}
        if now == shared:
            return now
        shared = now


class _Sharer:
    def __init__(self, shared: set[str]) -> None:
        self.shared = shared
        self.names: dict[str, str] = {}  # schema key -> component name
        self.taken: set[str] = set()
        self.components: dict[str, Any] = {}

    def _name(self, hint: str) -> str:
        name, n = hint, 1
        while name in self.taken:
            n += 1
            name = f"{hint}{n}"
        self.taken.add(name)
        return name

    def walk(self, node: Any, hint: str) -> Any:
        if _shareable(node):
            key = _key(node)
            if key in self.shared:
                if key not in self.names:
                    self.names[key] = name = self._name(hint)
                    self.components[name] = self.inner(node, hint)
                return {"$ref": _PREFIX + self.names[key]}
        return self.inner(node, hint)

    def inner(self, node: Any, hint: str) -> Any:
        if isinstance(node, list):
            return [self.walk(v, hint) for v in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out[key] = {k: self.walk(v, _pascal(k)) for k, v in value.items()}
            elif key == "items":
                out[key] = self.walk(value, f"{hint}Item")
            elif isinstance(value, (dict, list)) and key not in _DATA:
                out[key] = self.walk(value, hint)
            else:
                out[key] = value
        return out


def share_schemas(schemas: list[tuple[Any, str]]) -> tuple[list[Any], dict[str, Any]]:
    """``schemas`` (each with the name its place suggests) with shared ones replaced by refs,
    and the components they refer to (sorted by name)."""
    sharer = _Sharer(_shared([schema for schema, _ in schemas]))
    out = [sharer.walk(schema, hint) for schema, hint in schemas]
    return out, dict(sorted(sharer.components.items()))
