"""genson strategies, one per JSON type, that learn what a contract needs and merge exactly.

Every strategy keeps *sufficient statistics* and writes all of them into its schema, so that
``add_schema(to_schema())`` of one builder into another gives exactly what adding the objects
would have given (that is what makes baselines merge associatively):

* ``String`` — one candidate ``format`` (formats are mutually exclusive), dropped for good on
  the first counterexample;
* value-carrying types (string, integer, boolean) — the distinct values while few (``x-values``);
* ``Object`` — how many objects were seen and how many had each property (``x-seen``), and map
  detection: once a key looks like an id, or there are too many keys, the object becomes
  ``additionalProperties`` (a monotone decision of the key set, so merge order cannot change it).

Adding is weighted (``add_weighted(obj, w)`` == adding ``obj`` ``w`` times) so callers can
deduplicate identical bodies. The node that folds these schemas into one is in ``builder``.
"""

from __future__ import annotations

from typing import Any

from genson.schema.strategies import SchemaStrategy

from drift_diff.infer.formats import is_date, is_hex_id, is_ulid, is_uuid, string_format

__all__ = [
    "MAP_MAX_KEYS",
    "VALUES_CAP",
    "VALUE_MAX_LEN",
    "ArrayStrategy",
    "BooleanStrategy",
    "NullStrategy",
    "NumberStrategy",
    "ObjectStrategy",
    "StringStrategy",
    "is_map_key",
]

#: Most distinct scalar values kept in ``x-values``; past it the annotation is dropped.
VALUES_CAP = 12
#: Strings longer than this are free text, not enum-like values: ``x-values`` is dropped.
VALUE_MAX_LEN = 64
#: An object with more distinct keys than this is a map, whatever its keys look like.
MAP_MAX_KEYS = 100


def is_map_key(key: str) -> bool:
    """Keys that are ids (numbers, UUIDs, ULIDs, hex ids, dates) make an object a map."""
    return key.isdigit() or is_uuid(key) or is_ulid(key) or is_hex_id(key) or is_date(key)


class _Strategy(SchemaStrategy):  # type: ignore[misc]
    """Common shape: ``add_object`` is ``add_weighted(obj, 1)``; no free-form extra keywords."""

    JS_TYPE = ""
    #: True while adding a value of this type can change nothing (a saturated leaf): the
    #: object and array loops then skip the call — the hot path on large corpora.
    idle = False

    def add_object(self, obj: Any) -> None:
        self.add_weighted(obj, 1)

    def add_weighted(self, obj: Any, weight: int) -> None:
        raise NotImplementedError

    def add_schema(self, schema: dict[str, Any]) -> None:
        pass  # keywords of other types (the node splits type lists) must not leak in

    def values(self) -> set[Any] | bool | None:
        """Observed values (a set), ``None`` once dropped, ``False`` for types without values."""
        return False

    def to_schema(self) -> dict[str, Any]:
        return {"type": self.JS_TYPE}


class _ValueStrategy(_Strategy):
    """A scalar type whose distinct values are kept while few (``x-values``)."""

    PYTHON_TYPES: tuple[type, ...] = ()

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._values: set[Any] | None = set()

    @classmethod
    def match_object(cls, obj: Any) -> bool:
        return type(obj) in cls.PYTHON_TYPES

    def _note(self, value: Any) -> None:
        values = self._values
        if values is not None and value not in values:
            values.add(value)
            if len(values) > VALUES_CAP:
                self._values = None
            self._settle()

    def _settle(self) -> None:
        """Recompute ``idle`` after the state changed."""

    def add_schema(self, schema: dict[str, Any]) -> None:
        listed = schema.get("x-values")
        if listed is None:
            self._values = None  # absent means "more than the cap" (or never tracked)
            self._settle()
            return
        for value in listed:
            if type(value) in self.PYTHON_TYPES:
                self._note(value)

    def values(self) -> set[Any] | bool | None:
        return self._values


class NullStrategy(_Strategy):
    JS_TYPE = "null"
    idle = True

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "null"

    @classmethod
    def match_object(cls, obj: Any) -> bool:
        return obj is None

    def add_weighted(self, obj: Any, weight: int) -> None:
        pass


class BooleanStrategy(_ValueStrategy):
    JS_TYPE = "boolean"
    PYTHON_TYPES = (bool,)

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "boolean"

    def add_weighted(self, obj: Any, weight: int) -> None:
        self._note(obj)

    def _settle(self) -> None:
        self.idle = self._values is None or len(self._values) == 2


class NumberStrategy(_ValueStrategy):
    """``integer`` until a float (or a ``number`` schema) arrives; values kept for integers only."""

    PYTHON_TYPES = (int, float)

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self.JS_TYPE = "integer"

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") in ("integer", "number")

    def add_weighted(self, obj: Any, weight: int) -> None:
        if type(obj) is float:
            self.JS_TYPE = "number"
            self._values = None
            self._settle()
        else:
            self._note(obj)

    def add_schema(self, schema: dict[str, Any]) -> None:
        if schema.get("type") == "number":
            self.JS_TYPE = "number"
            self._values = None
            self._settle()
        else:
            super().add_schema(schema)

    def _settle(self) -> None:
        self.idle = self.JS_TYPE == "number"  # values are dropped with the first float


class StringStrategy(_ValueStrategy):
    JS_TYPE = "string"
    PYTHON_TYPES = (str,)

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._started = False
        self._format: str | None = None

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "string"

    def _meet_format(self, fmt: str | None) -> None:
        if not self._started:
            self._started, self._format = True, fmt
        elif self._format is not None and self._format != fmt:
            self._format = None  # a counterexample: the format is gone for good
        self._settle()

    def _settle(self) -> None:
        self.idle = self._started and self._format is None and self._values is None

    def add_weighted(self, obj: Any, weight: int) -> None:
        if self._values is not None and obj in self._values:
            return  # already seen: its format was met then (the hot path of enum-like fields)
        if self._format is not None or not self._started:
            self._meet_format(string_format(obj))
        if self._values is not None:
            if len(obj) > VALUE_MAX_LEN:
                self._values = None
                self._settle()
            else:
                self._note(obj)

    def add_schema(self, schema: dict[str, Any]) -> None:
        fmt = schema.get("format")
        self._meet_format(fmt if isinstance(fmt, str) else None)
        super().add_schema(schema)

    def to_schema(self) -> dict[str, Any]:
        if self._format is None:
            return {"type": "string"}
        return {"type": "string", "format": self._format}


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

    def add_schema(self, schema: dict[str, Any]) -> None:
        items = schema.get("items")
        if isinstance(items, dict):
            self._items.add_schema(items)

    def to_schema(self) -> dict[str, Any]:
        if not len(self._items):
            return {"type": "array"}
        return {"type": "array", "items": self._items.to_schema()}


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
                    value_node: Any = self._map
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
