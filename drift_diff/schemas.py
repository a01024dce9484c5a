"""Access to driftdiff's own JSON Schemas (``schemas/`` at the top of the repository)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

__all__ = ["load_schema", "validation_error"]


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
    """The first reason ``instance`` does not match schema ``name`` (with its path), or None."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator(name).iter_errors(instance))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message[:300]}"
