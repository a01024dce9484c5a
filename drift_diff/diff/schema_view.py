"""A flat view of one JSON Schema node, whatever keywords it was written with.

``view(schema)`` folds ``allOf`` (intersection), ``anyOf``/``oneOf`` (union), boolean schemas,
OpenAPI 3.0 ``nullable`` and 3.1 ``type`` lists into one ``Node``: a set of types, a nullable
flag, properties, required names, items, map values, enum, learned values and format. The
structural diff compares ``Node``s, so it never has to know how a schema was spelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from driftdiff_sdk.limits import MAX_DEPTH

from drift_diff.schema_keywords import (
    BOUND_KEYWORDS,
    BOUNDS,
    REF_KEY,
    SUB_LIST,
    SUB_MAP,
    SUB_ONE,
    bounds_of,
    type_names,
)

__all__ = ["CYCLE_KEY", "Node", "Resolve", "ref_name", "view"]

#: looks a reference node's name up (``Baseline.refs``); None when the name is unknown
Resolve = Callable[[str], Any]

#: marker the OpenAPI importer leaves where a ``$ref`` cycle was cut: {"x-cycle": "<ref>"}
CYCLE_KEY = "x-cycle"


@dataclass(slots=True)
class Node:
    types: frozenset[str] = frozenset()  # without "null"; empty = unconstrained
    nullable: bool = False
    properties: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Any = None
    additional: Any = None  # the value schema of a map (object keyed by ids)
    enum: list[Any] | None = None
    values: list[Any] | None = None  # x-values: distinct values observed in traffic
    format: str | None = None
    cycle: str | None = None
    negated: Any = None  # the ``not`` subschema
    #: other subschemas by marker (if/then/else, contains, prefixItems/0, patternProperties/^x-)
    subschemas: dict[str, Any] = field(default_factory=dict)
    #: value constraints (pattern, lengths, bounds) present: accepts a subset of its type
    constrained: bool = False
    read_only: bool = False
    write_only: bool = False
    is_map: bool = False
    #: x-seen [k, n] of this node as a property of its parent
    seen: tuple[int, int] | None = None
    pattern: str | None = None
    #: value bounds (``schema_keywords.bounds_of``): maxLength -> 5, maximum -> [10, exclusive]
    bounds: dict[str, Any] = field(default_factory=dict)


def _types_of(schema: dict[str, Any]) -> tuple[frozenset[str], bool]:
    names = type_names(schema)
    nullable = "null" in names or schema.get("nullable") is True
    types = {t for t in names if t != "null"}
    if not types and not names:
        if isinstance(schema.get("properties"), dict) or isinstance(
            schema.get("additionalProperties"), dict
        ):
            types.add("object")
        elif "items" in schema:
            types.add("array")
    return frozenset(types), nullable


_CONSTRAINTS = ("pattern", *BOUND_KEYWORDS, "enum", "const", "format")


_SUB_KEYS = frozenset((*SUB_ONE, *SUB_LIST, *SUB_MAP))
_CONSTRAINT_KEYS = frozenset(_CONSTRAINTS)
_BOUND_KEYS = frozenset(BOUND_KEYWORDS)


def _subschemas(schema: dict[str, Any]) -> dict[str, Any]:
    if _SUB_KEYS.isdisjoint(schema):
        return {}
    subs = {key: schema[key] for key in SUB_ONE if isinstance(schema.get(key), (dict, bool))}
    for key in SUB_LIST:
        for i, sub in enumerate(schema.get(key) or []):
            subs[f"{key}/{i}"] = sub
    for key in SUB_MAP:
        value = schema.get(key)
        if isinstance(value, dict):
            subs.update({f"{key}/{name}": sub for name, sub in value.items()})
    return subs


def _own(schema: dict[str, Any]) -> Node:
    types, nullable = _types_of(schema)
    get = schema.get
    props = get("properties")
    required = get("required")
    additional = get("additionalProperties")
    enum = get("enum")
    if enum is None and "const" in schema:
        enum = [schema["const"]]
    if isinstance(enum, list) and None in enum:
        nullable = True
        enum = [v for v in enum if v is not None]
    values = get("x-values")
    seen = get("x-seen")
    fmt = get("format")
    return Node(
        types=types,
        nullable=nullable,
        properties=props if isinstance(props, dict) else {},
        required=frozenset(required) if isinstance(required, list) else frozenset(),
        items=get("items"),
        additional=additional if isinstance(additional, dict) else None,
        enum=list(enum) if isinstance(enum, list) else None,
        values=list(values) if isinstance(values, list) else None,
        format=fmt if isinstance(fmt, str) else None,
        negated=schema.get("not"),
        read_only=schema.get("readOnly") is True,
        write_only=schema.get("writeOnly") is True,
        is_map=schema.get("x-map") is True,
        seen=(int(seen[0]), int(seen[1])) if isinstance(seen, list) and len(seen) == 2 else None,
        subschemas=_subschemas(schema),
        constrained=not _CONSTRAINT_KEYS.isdisjoint(schema),
        pattern=schema["pattern"] if isinstance(schema.get("pattern"), str) else None,
        bounds=bounds_of(schema) if not _BOUND_KEYS.isdisjoint(schema) else {},
    )


def _intersect(nodes: list[Node]) -> Node:
    out = nodes[0]
    for n in nodes[1:]:
        types = out.types & n.types if out.types and n.types else out.types or n.types
        if out.types and n.types and not types:
            types = out.types  # contradictory allOf: keep the first, never invent "nothing"
        props = dict(out.properties)
        for name, sub in n.properties.items():
            props[name] = {"allOf": [props[name], sub]} if name in props else sub
        out = Node(
            types=types,
            nullable=(out.nullable and n.nullable)
            if (out.types or out.nullable) and (n.types or n.nullable)
            else out.nullable or n.nullable,
            properties=props,
            required=out.required | n.required,
            items=out.items if out.items is not None else n.items,
            additional=out.additional if out.additional is not None else n.additional,
            enum=out.enum if out.enum is not None else n.enum,
            values=out.values if out.values is not None else n.values,
            format=out.format or n.format,
            cycle=out.cycle or n.cycle,
            negated=out.negated if out.negated is not None else n.negated,
            read_only=out.read_only or n.read_only,
            write_only=out.write_only or n.write_only,
            is_map=out.is_map or n.is_map,
            seen=out.seen or n.seen,
            subschemas={**n.subschemas, **out.subschemas},
            constrained=out.constrained or n.constrained,
            pattern=out.pattern or n.pattern,
            bounds={**n.bounds, **out.bounds},
        )
    return out


def _loosest(nodes: list[Node]) -> dict[str, Any]:
    """Bounds every branch of a union keeps, at their loosest (a bare ``null`` branch aside)."""
    valued = [n for n in nodes if n.types or not n.nullable]
    if not valued:
        return {}
    out: dict[str, Any] = {}
    for key in set.intersection(*(set(n.bounds) for n in valued)):
        values = [n.bounds[key] for n in valued]
        if key == "multipleOf":
            if all(v == values[0] for v in values):
                out[key] = values[0]
        elif key in ("maximum", "minimum"):
            upper = BOUNDS[key]
            # loosest: the largest maximum (inclusive first), the smallest minimum
            out[key] = (max if upper else min)(
                values, key=lambda v: (v[0], not v[1]) if upper else (v[0], v[1])
            )
        else:
            out[key] = (max if BOUNDS[key] else min)(values)
    return out


def _union(nodes: list[Node]) -> Node:
    if len(nodes) == 1:
        return nodes[0]
    objects = [n for n in nodes if "object" in n.types or n.properties]
    props: dict[str, Any] = {}
    for n in objects:
        for name, sub in n.properties.items():
            props[name] = {"anyOf": [props[name], sub]} if name in props else sub
    required = frozenset.intersection(*(n.required for n in objects)) if objects else frozenset()
    arrays = [n.items for n in nodes if n.items is not None]
    maps = [n.additional for n in nodes if n.additional is not None]
    enums = [n.enum for n in nodes]
    formats = {n.format for n in nodes}
    patterns = {n.pattern for n in nodes if n.types or not n.nullable}
    any_type = any(
        not n.types and not n.nullable for n in nodes
    )  # a bare {"type": "null"} adds nothing
    return Node(
        types=frozenset() if any_type else frozenset().union(*(n.types for n in nodes)),
        nullable=any(n.nullable for n in nodes),
        properties=props,
        required=required,
        items=arrays[0] if len(arrays) == 1 else ({"anyOf": arrays} if arrays else None),
        additional=maps[0] if len(maps) == 1 else ({"anyOf": maps} if maps else None),
        enum=sorted({repr(v): v for e in enums if e for v in e}.values(), key=repr)
        if all(e is not None for e in enums)
        else None,
        format=formats.pop() if len(formats) == 1 else None,
        pattern=patterns.pop() if len(patterns) == 1 else None,
        bounds=_loosest(nodes),
    )


def ref_name(schema: Any) -> str | None:
    """The name a reference node (``{"x-ref": name}``) stands for, else None."""
    if isinstance(schema, dict):
        name = schema.get(REF_KEY)
        if isinstance(name, str):
            return name
    return None


def view(
    schema: Any, depth: int = 0, resolve: Resolve | None = None, _refs: tuple[str, ...] = ()
) -> Node:
    """Fold ``schema`` into a ``Node`` (combinators folded at most ``MAX_DEPTH`` levels deep).

    Reference nodes are looked up with ``resolve``; one met again inside itself (or with no
    ``resolve``) is a ``Node`` with ``cycle`` set to its name.
    """
    if schema is True or schema is None:
        return Node()
    if schema is False:
        return Node(types=frozenset({"never"}))
    if not isinstance(schema, dict):
        return Node()
    if isinstance(schema.get(CYCLE_KEY), str):
        return Node(cycle=schema[CYCLE_KEY])
    name = ref_name(schema)
    if name is not None:
        if resolve is None or name in _refs or depth >= MAX_DEPTH:
            return Node(cycle=name)
        return view(resolve(name), depth + 1, resolve, (*_refs, name))
    own = _own(schema)
    if depth >= MAX_DEPTH:
        return own
    parts = [own]
    for sub in schema.get("allOf") or []:
        parts.append(view(sub, depth + 1, resolve, _refs))
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            parts.append(_union([view(b, depth + 1, resolve, _refs) for b in branches]))
    node = _intersect(parts) if len(parts) > 1 else own
    node.seen = own.seen
    return node
