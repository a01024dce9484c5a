"""Loading and saving baseline files (``schemas/baseline.schema.json``).

Saving is deterministic (sorted keys, fixed indentation, trailing newline) and atomic, so the
same traffic gives a byte-identical file and a failed write never leaves half a baseline.
Merging lives in ``drift_diff.infer.merge`` (it needs the inference strategies).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from drift_diff.errors import FormatVersionError, InputError, quoted
from drift_diff.jsonfile import load_json
from drift_diff.model import BASELINE_FORMAT, Baseline
from drift_diff.output import is_baseline_output, write_output
from drift_diff.schema_keywords import SUB_LIST, SUB_MAP, SUB_ONE
from drift_diff.schemas import validation_error
from drift_diff.traffic.urls import as_source

__all__ = [
    "baseline_from_dict",
    "dumps_baseline",
    "is_baseline_file",
    "load_baseline",
    "save_baseline",
]

_MAJOR = int(BASELINE_FORMAT.rsplit("/", 1)[1])


def dumps_baseline(baseline: Baseline) -> str:
    return json.dumps(baseline.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def save_baseline(
    baseline: Baseline,
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
) -> None:
    """Write ``baseline`` by the output rules of ``drift_diff.output``: an earlier baseline is
    replaced, any other existing file only with ``force``; never one of ``inputs``."""
    write_output(
        path, dumps_baseline(baseline), inputs=inputs, force=force, owned=is_baseline_output
    )


def baseline_from_dict(data: Any, path: str | os.PathLike[str] = "<baseline>") -> Baseline:
    """Validate a parsed baseline document (format version first, then the schema)."""
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith(
        "driftdiff.baseline/"
    ):
        raise InputError(path, "not a driftdiff baseline (missing or wrong 'format')")
    fmt = str(data["format"])
    try:
        major = int(fmt.rsplit("/", 1)[1].split(".", 1)[0])
    except ValueError:
        major = -1
    if major != _MAJOR:
        raise FormatVersionError(
            path,
            f"baseline format {quoted(fmt)} is not supported "
            f"(this driftdiff reads major version {_MAJOR})",
        )
    problem = validation_error("baseline", data) or _embedded_schema_problem(data["endpoints"])
    if problem:
        raise InputError(path, f"invalid baseline: {problem}")
    return Baseline(
        service=data["service"],
        endpoints=data["endpoints"],
        sources=data.get("sources", {}),
        format=fmt,
    )


#: keywords of an embedded schema whose value is one subschema / a list / a map of them: the
#: core ones the diff reads directly, plus the shared lists of the other subschema keywords
_SUB_ONE = ("additionalProperties", "items", "not", *SUB_ONE)
_SUB_LIST = ("allOf", "anyOf", "oneOf", *SUB_LIST)
_SUB_MAP = ("properties", *SUB_MAP)
_SCALAR = (str, int, float, bool, type(None))


def _keyword_problem(key: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``key`` of an embedded schema (subschemas checked apart)."""
    if key == "type":
        ok = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        return None if ok else "must be a string or a list of strings"
    if key == "required":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "must be a list of strings"
    if key == "x-seen":
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        )
        return None if ok else "must be [k, n]: two counts"
    if key == "x-values":
        ok = isinstance(value, list) and all(isinstance(v, _SCALAR) for v in value)
        return None if ok else "must be a list of scalar values"
    if key in ("enum", *_SUB_LIST):
        return None if isinstance(value, list) else "must be a list"
    if key in _SUB_MAP:
        return None if isinstance(value, dict) else "must be an object"
    if key in ("x-map", "nullable"):
        return None if isinstance(value, bool) else "must be true or false"
    if key == "format":
        return None if isinstance(value, str) else "must be a string"
    return None


def _embedded_schema_problem(endpoints: dict[str, Any]) -> str | None:
    """The first embedded schema keyword of the wrong shape, with its path, or None.

    The JSON Schema of the format leaves embedded schemas open (any object); the keywords the
    diff, merge and export read are checked here, iteratively (a schema learned from deeply
    nested bodies is as deep as they were).
    """
    stack: list[tuple[str, Any]] = []
    for key, endpoint in endpoints.items():
        where = f"endpoints/{key}"
        for part in ("path_params", "query", "headers"):
            if part in endpoint:
                stack.append((f"{where}/{part}", endpoint[part]))
        for media, body in ((endpoint.get("request") or {}).get("content") or {}).items():
            stack.append((f"{where}/request/content/{media}/schema", body["schema"]))
        for status, response in endpoint["responses"].items():
            if "headers" in response:
                stack.append((f"{where}/responses/{status}/headers", response["headers"]))
            for media, body in (response.get("content") or {}).items():
                stack.append((f"{where}/responses/{status}/content/{media}/schema", body["schema"]))
    stack.reverse()
    while stack:
        where, schema = stack.pop()
        if isinstance(schema, bool):
            continue
        if not isinstance(schema, dict):
            return f"{where}: a schema must be an object or a boolean"
        subs: list[tuple[str, Any]] = []
        for key, value in schema.items():
            problem = _keyword_problem(key, value)
            if problem:
                return f"{where}/{key}: {problem}"
            if key in _SUB_ONE:
                subs.append((f"{where}/{key}", value))
            elif key in _SUB_LIST:
                subs.extend((f"{where}/{key}/{i}", v) for i, v in enumerate(value))
            elif key in _SUB_MAP:
                subs.extend((f"{where}/{key}/{name}", v) for name, v in value.items())
        stack.extend(reversed(subs))
    return None


def is_baseline_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a local JSON file whose first bytes announce a driftdiff baseline."""
    p = as_source(path)
    if not isinstance(p, Path) or not p.is_file():
        return False
    if p.name.endswith((".jsonl", ".jsonl.gz", ".har")):
        return False
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"driftdiff.baseline/' in head


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """The baseline file ``path`` (local, ``REV:path`` or a store URL such as ``s3://…``)."""
    p = as_source(path)
    return baseline_from_dict(load_json(p), p)
