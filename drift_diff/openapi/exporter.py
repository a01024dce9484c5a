"""Baseline -> OpenAPI 3.1.

The learned schemas are already JSON Schema 2020-12, OpenAPI 3.1's dialect; the statistics
annotations (``x-seen``, ``x-values``, ``x-map``) are stripped, since they describe a sample, not
the contract. A cut ``$ref`` cycle (``x-cycle``) stays as an extension on an open schema.

The document is one a reader (and a generator) can use as it is:

* every operation has an ``operationId`` made from its method and path template
  (``GET /orders/{order_id}`` -> ``getOrdersByOrderId``), unique in the document (a clash gets
  ``_2``, ``_3``... in sorted order);
* ``servers`` lists the URLs given (``--server``), reduced to scheme, host, port and path (no
  user, password, query or fragment); with none, one relative server ``/`` (OpenAPI's own
  default) says the paths are relative to wherever the service runs;
* ``Authorization`` is a security scheme, not a parameter; ``Accept``/``Content-Type`` are not
  written (``headers.py``);
* a method OpenAPI 3.1 has no field for (``PROPFIND``, ``QUERY``) goes under the path item's
  ``x-additionalOperations`` (OpenAPI 3.2's ``additionalOperations``), which import reads back;
* identical object schemas are written once, in ``components/schemas`` (``components.py``);
* a deprecated endpoint's operation says ``deprecated: true``, with its sunset day as
  ``x-sunset`` (oasdiff's extension), which import reads back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from drift_diff.deprecation import SUNSET_EXTENSION, param_deprecation
from drift_diff.errors import UsageError, quoted
from drift_diff.model import Baseline, EndpointRecord, split_endpoint_key
from drift_diff.openapi.components import share_schemas
from drift_diff.openapi.headers import AUTH_HEADER, AUTH_SCHEME, SPEC_IGNORED_HEADERS

__all__ = ["EXPORT_MARKER", "dumps_openapi", "export_openapi", "operation_id", "server_url"]

_STATS = ("x-seen", "x-values", "x-map")
#: a deprecated parameter's mark in its schema, written on the parameter instead
_MARK = ("deprecated", SUNSET_EXTENSION)
_PARAM = re.compile(r"\{([^}/]+)\}")
_WORD = re.compile(r"[A-Za-z0-9]+")
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
#: where methods other than those go (3.2 names it ``additionalOperations``)
_EXTRA_METHODS = "x-additionalOperations"


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


def _unmarked(schema: Any) -> Any:
    """A parameter schema without its deprecation mark (``deprecated``/``x-sunset``, beside a
    named schema: ``{allOf: [ref, mark]}``)."""
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k not in _MARK}
    parts = out.get("allOf")
    if isinstance(parts, list):
        kept = [_unmarked(p) for p in parts]
        kept = [p for p in kept if p != {}]
        if len(kept) == 1 and len(out) == 1:
            return kept[0]
        out["allOf"] = kept
    return out


def _required(params: dict[str, Any]) -> set[str]:
    names = set(params.get("required") or [])
    for name, s in (params.get("properties") or {}).items():
        seen = s.get("x-seen") if isinstance(s, dict) else None
        if isinstance(seen, list) and len(seen) == 2 and seen[1] > 0 and seen[0] == seen[1]:
            names.add(name)
    return names


def _parameters(data: EndpointRecord, template: str) -> list[dict[str, Any]]:
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
    for params, where in (
        (data.get("query") or {}, "query"),
        (data.get("headers") or {}, "header"),
    ):
        required = _required(params)
        for name, schema in sorted((params.get("properties") or {}).items()):
            if where == "header" and name.lower() in SPEC_IGNORED_HEADERS:
                continue  # said by content and security, never by parameters
            param = {"name": name, "in": where, "required": name in required}
            deprecation = param_deprecation(schema)
            if deprecation is not None:  # on the parameter, where OpenAPI readers look
                param["deprecated"] = True
                param.update({SUNSET_EXTENSION: deprecation["sunset"]} if deprecation else {})
                schema = _unmarked(schema)
            out.append({**param, "schema": _clean(schema)})
    return out


def _content(content: dict[str, Any]) -> dict[str, Any]:
    return {mt: {"schema": _clean(body.get("schema", {}))} for mt, body in sorted(content.items())}


def _security(data: EndpointRecord) -> list[dict[str, Any]] | None:
    headers = data.get("headers") or {}
    if AUTH_HEADER not in (headers.get("properties") or {}):
        return None
    if AUTH_HEADER in _required(headers):
        return [{AUTH_SCHEME: []}]
    return [{AUTH_SCHEME: []}, {}]  # sent by some requests only: optional


def operation_id(method: str, template: str) -> str:
    """``getOrdersByOrderId`` for ``GET /orders/{order_id}``."""
    words: list[str] = []
    for segment in template.strip("/").split("/"):
        match = _PARAM.fullmatch(segment)
        parts = _WORD.findall(match.group(1) if match else segment)
        if match and parts:
            parts = ["by", *parts]
        words.extend(p.lower() for p in parts)
    if not words:
        words = ["root"]
    return method.lower() + "".join(w[:1].upper() + w[1:] for w in words)


def server_url(url: str) -> str:
    """``url`` as a server: scheme, host, port, path; credentials, query, fragment dropped."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--server {quoted(url)}: give an http(s) URL such as https://api.example.com"
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit((parts.scheme, host + port, parts.path.rstrip("/"), "", ""))


def _operation(data: EndpointRecord, template: str, op_id: str) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id}
    deprecation = data.get("deprecation")
    if deprecation is not None:
        op["deprecated"] = True
        if "sunset" in deprecation:
            op[SUNSET_EXTENSION] = deprecation["sunset"]
    security = _security(data)
    if security is not None:
        op["security"] = security
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


def _operations(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for m, op in item.items() if m in _METHODS] + list(
        item.get(_EXTRA_METHODS, {}).values()
    )


def _schema_slots(paths: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every media type object of the document (holding a ``schema``), with its name hint."""
    slots: list[tuple[dict[str, Any], str]] = []
    for item in paths.values():
        for op in _operations(item):
            base = op["operationId"][:1].upper() + op["operationId"][1:]
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                slots.append((media, f"{base}Request"))
            for status, resp in op["responses"].items():
                for media in (resp.get("content") or {}).values():
                    slots.append((media, f"{base}{status.capitalize()}Response"))
    return slots


def export_openapi(
    baseline: Baseline, *, version: str = "1.0.0", servers: list[str] | None = None
) -> dict[str, Any]:
    """An OpenAPI 3.1 document describing ``baseline`` (``servers``: URLs it is served at)."""
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for key in sorted(baseline.endpoints):
        data = baseline.endpoints[key]
        method, template = split_endpoint_key(key)
        template = str(data.get("path") or template)
        op_id = wanted = operation_id(method, template)
        n = 1
        while op_id in used:
            n += 1
            op_id = f"{wanted}_{n}"
        used.add(op_id)
        op = _operation(data, template, op_id)
        item = paths.setdefault(template, {})
        if method.lower() in _METHODS:
            item[method.lower()] = op
        else:  # OpenAPI 3.2's ``additionalOperations``, as an extension of 3.1
            item.setdefault(_EXTRA_METHODS, {})[method.upper()] = op
    slots = _schema_slots(paths)
    shared, schemas = share_schemas([(media["schema"], hint) for media, hint in slots])
    for (media, _), schema in zip(slots, shared, strict=True):
        media["schema"] = schema
    components: dict[str, Any] = {}
    if schemas:
        components["schemas"] = schemas
    if any("security" in op for item in paths.values() for op in _operations(item)):
        components["securitySchemes"] = {
            AUTH_SCHEME: {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "A credential in the Authorization header (recordings redact "
                "its value, so its scheme, e.g. Bearer, is not known).",
            }
        }
    urls = list(dict.fromkeys(server_url(u) for u in servers or []))
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": baseline.service or "driftdiff baseline",
            "version": version,
            "description": EXPORT_MARKER,
        },
        "servers": [{"url": u} for u in urls] or [{"url": "/"}],
        "paths": paths,
    }
    if components:
        doc["components"] = components
    return doc


#: the document description; also how ``export --out`` knows a file it may replace
EXPORT_MARKER = "Exported by driftdiff from a baseline learned from traffic."


def dumps_openapi(doc: dict[str, Any], path: str | Path | None = None) -> str:
    """JSON, or YAML when ``path`` ends in ``.yaml``/``.yml``."""
    if path is not None and Path(path).suffix.lower() in (".yaml", ".yml"):
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
