"""JSON Schema keywords as the OpenAPI importer and the structural diff both read them.

One list, so a keyword the importer keeps is one the diff compares.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BOUNDS",
    "BOUND_KEYWORDS",
    "REF_KEY",
    "SUB_LIST",
    "SUB_MAP",
    "SUB_ONE",
    "bounds_of",
    "type_names",
]

#: a reference node: ``{"x-ref": "<file>#<pointer>"}`` stands for a named schema that the
#: OpenAPI importer converted once (``Baseline.refs``); the diff resolves it lazily and compares
#: a recursive or re-entrant one by name
REF_KEY = "x-ref"
#: value bounds the diff compares: keyword -> True for an upper bound, False for a lower one
#: (``maximum``/``minimum`` also read ``exclusiveMaximum``/``exclusiveMinimum``, 3.0 and 3.1)
BOUNDS = {
    "maxLength": True,
    "minLength": False,
    "maximum": True,
    "minimum": False,
    "maxItems": True,
    "minItems": False,
}
#: every keyword ``bounds_of`` reads (the OpenAPI importer keeps them)
BOUND_KEYWORDS = (*BOUNDS, "exclusiveMaximum", "exclusiveMinimum", "multipleOf")
#: keywords holding one subschema
SUB_ONE = (
    "if",
    "then",
    "else",
    "contains",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
    "propertyNames",
)
#: keywords holding a list of subschemas
SUB_LIST = ("prefixItems",)
#: keywords holding a map of subschemas
SUB_MAP = ("patternProperties", "dependentSchemas")


def type_names(schema: dict[str, Any]) -> list[str]:
    """The names under ``type`` (a string or a list; anything else is no type)."""
    raw = schema.get("type")
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [t for t in raw if isinstance(t, str)]
    return []


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def bounds_of(schema: dict[str, Any]) -> dict[str, Any]:
    """The bounds of one schema node: ``maxLength`` -> 5, ``maximum`` -> [10, exclusive],
    ``multipleOf`` -> 0.5 (only those present and numeric)."""
    out: dict[str, Any] = {}
    for key in ("maxLength", "minLength", "maxItems", "minItems", "multipleOf"):
        value = _number(schema.get(key))
        if value is not None:
            out[key] = value
    for key, excl_key in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        value, excl = _number(schema.get(key)), schema.get(excl_key)
        if value is not None:
            out[key] = [value, excl is True]
        numeric = _number(excl)  # 3.1: the exclusive bound is a number of its own
        if numeric is not None:
            upper = key == "maximum"
            if value is None or (numeric <= value if upper else numeric >= value):
                out[key] = [numeric, True]
    return out
