"""JSON Schema keywords as the OpenAPI importer and the structural diff both read them.

One list, so a keyword the importer keeps is one the diff compares.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REF_KEY", "SUB_LIST", "SUB_MAP", "SUB_ONE", "type_names"]

#: a reference node: ``{"x-ref": "<file>#<pointer>"}`` stands for a named schema that the
#: OpenAPI importer converted once (``Baseline.refs``); the diff resolves it lazily and compares
#: a recursive or re-entrant one by name
REF_KEY = "x-ref"
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
