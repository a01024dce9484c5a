"""openapi-spec-validator, run so it cannot fetch anything and explains what it refuses.

``validate_openapi(doc, source, refs)`` raises ``OpenAPIError`` with one line: the JSON path of
the offending node (``#/paths/~1pets/get/responses/200``), the real reason (for a
``oneOf``/``anyOf`` failure the best-matching error of the validator's ``context``, not
"is not valid under any of the given schemas"), and how to proceed (``--lenient-openapi``).

Retrieval goes through ``RefSource.handlers()``: the validator cannot open a file or URL that
loading itself would refuse (see ``refs.py``). Every external reference of the main document
is refused before the validator starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drift_diff.errors import OpenAPIError
from drift_diff.openapi.refs import RefRefused, RefSource

__all__ = ["LENIENT_HINT", "validate_openapi"]

LENIENT_HINT = "pass --lenient-openapi to diff it anyway (best effort)"
_MAX_REASON = 200
#: the JSON Schema keywords (their errors are described by ``schemas.describe_error``)
_KEYWORDS = frozenset(
    [
        "$ref",
        "$dynamicRef",
        "additionalItems",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "contains",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "if",
        "items",
        "maxContains",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minContains",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "multipleOf",
        "not",
        "oneOf",
        "pattern",
        "patternProperties",
        "prefixItems",
        "properties",
        "propertyNames",
        "required",
        "type",
        "unevaluatedItems",
        "unevaluatedProperties",
        "uniqueItems",
    ]
)
#: keyword validators whose errors know nothing of where in the document they arose
_LOCATED = ("default", "schema")


def _pointer(parts: list[Any]) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _Locating:
    """Wraps one keyword validator: tags each error with the document path it came from."""

    def __init__(self, inner: Any, keyword: str) -> None:
        self._inner = inner
        self._keyword = keyword

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __call__(self, schema: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for err in self._inner(schema, *args, **kwargs):
            if getattr(err, "driftdiff_at", None) is None:
                err.driftdiff_at = list(getattr(schema, "parts", ()) or ())
                err.driftdiff_keyword = self._keyword
            yield err


def _registry(keyword_validators: Any) -> Any:
    from openapi_spec_validator.validation.registries import KeywordValidatorRegistry

    class Registry(KeywordValidatorRegistry):
        def __missing__(self, keyword: str) -> Any:
            made: Any = super().__missing__(keyword)
            if keyword in _LOCATED:
                made = _Locating(made, keyword)
                self[keyword] = made
            return made

    return Registry(keyword_validators)


def _first_error(doc: Any, refs: RefSource) -> Any:
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls

    cls = get_validator_cls(doc)
    path = SchemaPath.from_dict(doc, base_uri=refs.base_uri(), handlers=refs.handlers())
    validator = cls(path)
    validator.keyword_validators_registry = _registry(cls.keyword_validators)
    for err in validator.schema_validator.iter_errors(validator.schema):
        if not _tolerated(err):
            return err
    for err in validator.root_validator(validator.schema_path):
        if not _tolerated(err):
            return err
    return None


def _tolerated(err: Any) -> bool:
    """Problems in example values, not in the contract: a ``default`` that its own schema
    refuses, a ``pattern`` Python's ``re`` cannot compile (ECMA-262 and ``re`` differ). oasdiff
    diffs such documents; so do we (the pattern still compares as text)."""
    if getattr(err, "driftdiff_keyword", None) == "default":
        return True
    return (
        getattr(err, "validator", None) == "format"
        and getattr(err, "validator_value", None) == "regex"
    )


def _explain(err: Any) -> tuple[str, str]:
    """(JSON path, reason) of a validator error, digging into its ``context``."""
    from jsonschema.exceptions import ValidationError, best_match

    from drift_diff.redaction import redact_line
    from drift_diff.schemas import describe_error

    located = list(getattr(err, "driftdiff_at", None) or [])
    best = err
    if isinstance(err, ValidationError):
        while best.context:  # "not valid under any of the given schemas": say why
            best = best_match(best.context) or best.context[0]
        located += list(best.absolute_path)
    keyword = getattr(best, "validator", "")
    if isinstance(best, ValidationError) and (keyword in _KEYWORDS or keyword is None):
        # in words that do not echo the document's values (jsonschema's message quotes them)
        reason = describe_error(best)
    else:  # the validator's own checks (a path parameter never declared...): redacted, then cut
        reason = str(getattr(best, "message", None) or best or type(best).__name__)
        reason = redact_line(" ".join(reason.split()))
    if len(reason) > _MAX_REASON:
        reason = reason[:_MAX_REASON] + "..."
    return _pointer(located), reason


def validate_openapi(doc: Any, source: str = "<openapi>", refs: RefSource | None = None) -> None:
    """Raise ``OpenAPIError`` (one line: where, why, what to do) when ``doc`` is invalid."""
    refs = refs or RefSource(doc, source)
    refs.check_all()
    try:
        err = _first_error(doc, refs)
    except RefRefused:
        raise
    except RecursionError:
        raise OpenAPIError(f"{source}: invalid OpenAPI document: nested too deeply") from None
    except Exception as exc:  # the validator raises many unrelated types; all mean "invalid"
        refused = exc.__context__ or exc.__cause__
        while refused is not None and not isinstance(refused, RefRefused):
            refused = refused.__context__ or refused.__cause__
        if isinstance(refused, RefRefused):
            raise refused from None
        err = exc
    if err is None:
        return
    if isinstance(err, RefRefused):
        raise err
    where, reason = _explain(err)
    raise OpenAPIError(
        f"{source}: invalid OpenAPI document at {where}: {reason}; {LENIENT_HINT}"
    ) from None
