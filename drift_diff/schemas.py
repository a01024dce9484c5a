"""Access to driftdiff's own JSON Schemas (``schemas/`` at the top of the repository)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

__all__ = ["describe_error", "error_path", "json_type", "load_schema", "validation_error"]


@cache
def load_schema(name: str) -> dict[str, Any]:
    """``load_schema("baseline")`` → the parsed ``schemas/baseline.schema.json``."""
    text = (
        resources.files("drift_diff")
        .joinpath("_schemas")
        .joinpath(f"{name}.schema.json")
        .read_text("utf-8")
    )
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    import jsonschema  # (imported when first needed: 70 ms of every command's start otherwise)

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def validation_error(name: str, instance: Any) -> str | None:
    """The first reason ``instance`` does not match schema ``name`` (with its path), or None.

    Said by location and type (``exclude/0: expected a string, got an object``), never by
    echoing the offending value: jsonschema's own message quotes it as a Python repr (a
    ``{'password': '...'}`` the line redaction cannot recognise). Only a short scalar the reason
    is about (an unknown enum value, a string that misses its pattern) is quoted, as JSON and
    redacted (``redaction.quote_value``)."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator(name).iter_errors(instance))
    if error is None:
        return None
    return f"{error_path(error.absolute_path)}: {describe_error(error)}"


def error_path(parts: Iterable[Any]) -> str:
    """``exclude/0``; ``(top level)`` for the document itself. Each segment (an input's key) is
    shown as ``redaction.shown_name`` shows names: redacted, then cut."""
    from drift_diff.redaction import shown_name

    return "/".join(shown_name(part) for part in parts) or "(top level)"


_ARTICLE = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "null": "null",
}
#: keywords whose jsonschema message quotes only the schema (a required property's name)
_SCHEMA_ONLY_MESSAGES = ("required", "dependentRequired", "dependencies")
_MAX_LISTED = 12


def json_type(value: Any) -> str:
    """``an object``, ``a string``, ``null``...: what an input value is, without the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a value of another type"


def _listed(values: Iterable[Any]) -> str:
    items = [json.dumps(v, ensure_ascii=False, default=str) for v in values]
    more = len(items) > _MAX_LISTED
    return ", ".join(items[:_MAX_LISTED]) + (", ..." if more else "")


def describe_error(error: Any) -> str:
    """What a jsonschema ``ValidationError`` says, in words that quote no more of the input
    than a short redacted scalar (see ``validation_error``)."""
    from drift_diff.redaction import quote_value

    keyword = error.validator
    expected = error.validator_value
    instance = error.instance
    path = list(error.absolute_path)
    key = path[-1] if path and isinstance(path[-1], str) else None

    def got() -> str:
        return quote_value(instance, key=key)

    if keyword in _SCHEMA_ONLY_MESSAGES and isinstance(expected, (list, dict)):
        return str(error.message)
    if keyword == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_ARTICLE.get(t, t) for t in types)
        return f"expected {wanted}, got {json_type(instance)}"
    if keyword == "enum":
        return f"expected one of {_listed(expected)}, got {got()}"
    if keyword == "const":
        return f"expected {_listed([expected])}, got {got()}"
    if keyword == "pattern":
        return f"expected a string matching {expected}, got {got()}"
    if keyword == "format":
        return f"expected a valid {expected}, got {got()}"
    sized = _sized(keyword, expected, instance)
    if sized is not None:
        return sized
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        bound = {
            "minimum": ">=",
            "maximum": "<=",
            "exclusiveMinimum": ">",
            "exclusiveMaximum": "<",
        }.get(keyword)
        wanted = f"a number {bound} {expected}" if bound else f"a multiple of {expected}"
        return f"expected {wanted}, got {got()}"
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        extra = _unexpected_key(error)
        named = f" {quote_value(extra)}" if extra is not None else ""
        return f"unexpected property{named}"
    if keyword == "uniqueItems":
        return "expected unique items, got duplicates"
    if keyword in ("anyOf", "oneOf"):
        if keyword == "oneOf" and not error.context:
            return "matches more than one of the allowed forms"
        return f"{json_type(instance)} that matches none of the allowed forms"
    if keyword == "not" or keyword is None or expected is False:
        return f"{json_type(instance)} is not allowed here"
    if keyword == "contains":
        return "expected at least one item of the required form"
    return f"{json_type(instance)} that does not satisfy '{keyword}'"


def _sized(keyword: str, expected: Any, instance: Any) -> str | None:
    """The length/count keywords: ``expected at most 200 characters, got 312``."""
    units = {
        "minLength": ("at least", "characters"),
        "maxLength": ("at most", "characters"),
        "minItems": ("at least", "items"),
        "maxItems": ("at most", "items"),
        "minProperties": ("at least", "properties"),
        "maxProperties": ("at most", "properties"),
    }
    if keyword not in units:
        return None
    bound, unit = units[keyword]
    try:
        size = len(instance)
    except TypeError:
        return f"expected {bound} {expected} {unit}"
    return f"expected {bound} {expected} {unit}, got {size}"


def _unexpected_key(error: Any) -> Any:
    """The first key of the object that its schema's ``properties``/``patternProperties`` do
    not allow, or None."""
    import re

    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return None
    known = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    for name in instance:
        if name in known:
            continue
        try:
            if any(re.search(p, name) for p in patterns):
                continue
        except re.error:
            pass
        return name
    return None
