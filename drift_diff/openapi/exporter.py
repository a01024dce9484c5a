"""Baseline -> OpenAPI 3.1.

The learned schemas are already JSON Schema 2020-12, OpenAPI 3.1's dialect; the statistics
annotations (``x-seen``, ``x-values``, ``x-map``) are stripped, since they describe a sample, not
the contract. A cut ``$ref`` cycle (``x-cycle``) stays as an extension on an open schema.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from drift_diff.model import Baseline, split_endpoint_key

__all__ = ["dumps_openapi", "export_openapi"]

_STATS = ("x-seen", "x-values", "x-map")
_PARAM = re.compile(r"\{([^}/]+)\}")


def _clean(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_clean(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _STATS:
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {k: _clean(v) for k, v in value.items()}
        else:
            out[key] = _clean(value)
    return out


def _required(params: dict[str, Any]) -> set[str]:
    names = set(params.get("required") or [])
    for name, s in (params.get("properties") or {}).items():
        seen = s.get("x-seen") if isinstance(s, dict) else None
        if isinstance(seen, list) and len(seen) == 2 and seen[1] > 0 and seen[0] == seen[1]:
            names.add(name)
    return names


def _parameters(data: dict[str, Any], template: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    path_props = (data.get("path_params") or {}).get("properties") or {}
    for name in _PARAM.findall(template):
        out.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _clean(path_props.get(name, {"type": "string"})),
            }
        )
    for key, where in (("query", "query"), ("headers", "header")):
        params = data.get(key) or {}
        required = _required(params)
        for name, schema in sorted((params.get("properties") or {}).items()):
            out.append(
                {"name": name, "in": where, "required": name in required, "schema": _clean(schema)}
            )
    return out


def _content(content: dict[str, Any]) -> dict[str, Any]:
    return {mt: {"schema": _clean(body.get("schema", {}))} for mt, body in sorted(content.items())}


def _operation(data: dict[str, Any], template: str) -> dict[str, Any]:
    op: dict[str, Any] = {}
    params = _parameters(data, template)
    if params:
        op["parameters"] = params
    req = data.get("request") or {}
    if req.get("content"):
        samples, total = req.get("samples"), data.get("samples")
        body_required = req.get("required") is True or (
            isinstance(samples, int) and samples > 0 and samples == total
        )
        op["requestBody"] = {"required": body_required, "content": _content(req["content"])}
    responses: dict[str, Any] = {}
    for status, resp in sorted((data.get("responses") or {}).items()):
        entry: dict[str, Any] = {
            "description": f"{status} response" if status != "default" else "default response"
        }
        if resp.get("content"):
            entry["content"] = _content(resp["content"])
        headers = resp.get("headers") or {}
        if headers.get("properties"):
            required = _required(headers)
            entry["headers"] = {
                name: {"required": name in required, "schema": _clean(s)}
                for name, s in sorted(headers["properties"].items())
            }
        responses[status] = entry
    op["responses"] = responses or {"default": {"description": "no response observed"}}
    return op


def export_openapi(baseline: Baseline, *, version: str = "1.0.0") -> dict[str, Any]:
    """An OpenAPI 3.1 document describing ``baseline``."""
    paths: dict[str, dict[str, Any]] = {}
    for key in sorted(baseline.endpoints):
        data = baseline.endpoints[key]
        method, template = split_endpoint_key(key)
        template = str(data.get("path") or template)
        paths.setdefault(template, {})[method.lower()] = _operation(data, template)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": baseline.service or "driftdiff baseline",
            "version": version,
            "description": EXPORT_MARKER,
        },
        "paths": paths,
    }


#: the document description; also how ``export --out`` knows a file it may replace
EXPORT_MARKER = "Exported by driftdiff from a baseline learned from traffic."


def dumps_openapi(doc: dict[str, Any], path: str | Path | None = None) -> str:
    """JSON, or YAML when ``path`` ends in ``.yaml``/``.yml``."""
    if path is not None and Path(path).suffix.lower() in (".yaml", ".yml"):
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
