"""genson strategies for the container types: arrays (one merged ``items`` node) and objects
(presence counts per property, map detection). See ``strategies`` for what every strategy keeps.

Both take a *column* (``add_column``): a list of the arrays or objects met at one place of a
batch of bodies, in order. The items (or, per property, the values) are gathered into columns
at C speed and handed to the child nodes, so a batch costs a few operations per node rather
than a method call per value.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any

from mypy_extensions import mypyc_attr

from drift_diff.infer.strategies import MAP_MAX_KEYS, _Strategy, is_map_key

__all__ = ["ArrayStrategy", "ObjectStrategy"]


@mypyc_attr(native_class=False)
class ArrayStrategy(_Strategy):
    """One merged ``items`` schema: mixed objects become one object schema with presence counts."""

    JS_TYPE = "array"

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._items = node_class()

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "array"

    @classmethod
    def match_object(cls, obj: Any) -> bool:
        return isinstance(obj, list)

    def add_weighted(self, obj: Any, weight: int) -> None:
        node = self._items
        by_type = node._by_type
        for item in obj:
            strategy = by_type.get(type(item))
            if strategy is None:
                node.add_weighted(item, weight)
            elif not strategy.idle:
                strategy.add_weighted(item, weight)

    def add_column(self, column: list[Any]) -> None:
        items = list(chain.from_iterable(column))
        if items:
            self._items.add_column(items)

    def add_schema(self, schema: dict[str, Any]) -> None:
        items = schema.get("items")
        if isinstance(items, dict):
            self._items.add_schema(items)

    def to_schema(self) -> dict[str, Any]:
        if not len(self._items):
            return {"type": "array"}
        return {"type": "array", "items": self._items.to_schema()}


@mypyc_attr(native_class=False)
class ObjectStrategy(_Strategy):
    """Properties with presence counts, or — for id-keyed objects — a map of one value schema."""

    JS_TYPE = "object"

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._count = 0
        self._seen: dict[str, int] = {}
        self._props: dict[str, Any] = {}
        self._map: Any = None  # the value node once this object is known to be a map

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "object"

    @classmethod
    def match_object(cls, obj: Any) -> bool:
        return isinstance(obj, dict)

    def _new_property(self, key: str) -> Any:
        """The node for a new key, or None when that key turns this object into a map."""
        if is_map_key(key) or len(self._props) >= MAP_MAX_KEYS:
            self._become_map()
            return None
        node = self._props[key] = self.node_class()
        self._seen[key] = 0
        return node

    def _map_node(self) -> Any:
        """The map's value node. A method on purpose: the caller's ``self._map`` was narrowed to
        None before ``_new_property`` set it, and a compiled build checks narrowed types."""
        return self._map

    def _become_map(self) -> None:
        node = self.node_class()
        for prop in self._props.values():
            node.add_schema(prop.to_schema())
        self._map, self._props, self._seen, self._count = node, {}, {}, 0

    def add_weighted(self, obj: Any, weight: int) -> None:
        if self._map is not None:
            for value in obj.values():
                self._map.add_weighted(value, weight)
            return
        self._count += weight
        props, seen = self._props, self._seen
        items = iter(obj.items())
        for key, value in items:
            node = props.get(key)
            if node is None:
                node = self._new_property(key)
                if node is None:  # became a map: the rest of this object goes to the map
                    value_node = self._map_node()
                    value_node.add_weighted(value, weight)
                    for _, rest in items:
                        value_node.add_weighted(rest, weight)
                    return
            seen[key] += weight
            strategy = node._by_type.get(type(value))  # the node's dispatch, inlined (hot path)
            if strategy is None:
                node.add_weighted(value, weight)
            elif not strategy.idle:
                strategy.add_weighted(value, weight)

    def add_column(self, column: list[Any]) -> None:
        if self._map is not None:
            values = list(chain.from_iterable(map(dict.values, column)))
            if values:
                self._map.add_column(values)
            return
        props = self._props
        parts = [(key, _gather(column, key)) for key in props]
        fresh: list[str] = []
        if sum(map(len, _values_of(parts))) != sum(map(len, column)):  # keys not seen before
            fresh = [key for key in dict.fromkeys(chain.from_iterable(column)) if key not in props]
            if len(props) + len(fresh) > MAP_MAX_KEYS or any(map(is_map_key, fresh)):
                for obj in column:  # this batch turns the object into a map: one by one
                    self.add_weighted(obj, 1)
                return
        seen = self._seen
        for key in fresh:
            props[key] = self.node_class()
            seen[key] = 0
            parts.append((key, _gather(column, key)))
        self._count += len(column)
        for key, values in parts:
            if values:
                seen[key] += len(values)
                props[key].add_column(values)

    def add_table(self, total: int, keys: tuple[str, ...], columns: list[list[Any]]) -> None:
        """``add_column`` of ``total`` objects that all have exactly ``keys`` (in that order),
        given as one column of values per key."""
        props = self._props
        if not keys:
            if self._map is None:
                self._count += total
        elif self._map is not None or any(key not in props for key in keys):
            rows = zip(*columns, strict=True)  # rare: new keys, or a map
            self.add_column([dict(zip(keys, row, strict=True)) for row in rows])
        else:
            self._count += total
            seen = self._seen
            for key, values in zip(keys, columns, strict=True):
                seen[key] += total
                props[key].add_column(values)

    def add_schema(self, schema: dict[str, Any]) -> None:
        if schema.get("x-map"):
            if self._map is None:
                self._become_map()
            self._map.add_schema(_as_schema(schema.get("additionalProperties")))
            return
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        count = _object_count(schema, properties)
        if self._map is None:
            self._count += count
        for key, sub in properties.items():
            sub = _as_schema(sub)
            node = self._props.get(key) if self._map is None else None
            if node is None and self._map is None:
                node = self._new_property(key)
            if node is None:
                self._map.add_schema(_without_seen(sub))
                continue
            seen = _seen_pair(sub.get("x-seen"))
            self._seen[key] += seen[0] if seen else (count if key in required else 0)
            node.add_schema(_without_seen(sub))

    def to_schema(self) -> dict[str, Any]:
        if self._map is not None:
            return {"type": "object", "additionalProperties": self._map.to_schema(), "x-map": True}
        schema: dict[str, Any] = {"type": "object"}
        if not self._props:
            schema["x-objects"] = self._count
            return schema
        count = self._count
        schema["properties"] = {
            key: {**node.to_schema(), "x-seen": [self._seen[key], count]}
            for key, node in self._props.items()
        }
        required = sorted(key for key, k in self._seen.items() if k == count)
        if required:
            schema["required"] = required
        return schema


def _values_of(parts: list[tuple[str, list[Any]]]) -> list[list[Any]]:
    return [values for _, values in parts]


def _gather(column: list[Any], key: str) -> list[Any]:
    """The values of ``key`` in the objects of ``column`` that have it, in order."""
    try:
        return list(map(itemgetter(key), column))  # the common case: every object has it
    except KeyError:
        return [obj[key] for obj in column if key in obj]


def _as_schema(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _seen_pair(seen: Any) -> tuple[int, int] | None:
    """``x-seen`` as ``(k, n)``, or None when absent or malformed."""
    if isinstance(seen, list) and len(seen) == 2 and all(isinstance(x, int) for x in seen):
        return int(seen[0]), int(seen[1])
    return None


def _object_count(schema: dict[str, Any], properties: dict[str, Any]) -> int:
    """How many objects a schema stands for (``x-seen`` n, ``x-objects``, else 1)."""
    for sub in properties.values():
        seen = _seen_pair(_as_schema(sub).get("x-seen"))
        if seen is not None:
            return seen[1]
    objects = schema.get("x-objects")
    return objects if isinstance(objects, int) else 1


def _without_seen(sub: dict[str, Any]) -> dict[str, Any]:
    if "x-seen" not in sub:
        return sub
    return {k: v for k, v in sub.items() if k != "x-seen"}
