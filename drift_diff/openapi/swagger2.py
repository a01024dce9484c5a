"""Swagger 2.0 -> OpenAPI 3.0, so a 2.0 document diffs like any other.

The conversion covers what a baseline can hold:

* ``definitions`` -> ``components/schemas``, ``securityDefinitions`` ->
  ``components/securitySchemes`` (``basic`` -> ``http``/``basic``; ``oauth2`` flows renamed),
  and every local ``$ref`` rewritten to match (``#/definitions/X`` ->
  ``#/components/schemas/X``); shared ``parameters``/``responses`` are placed inline;
* a ``body`` parameter -> ``requestBody`` with the operation's (or document's) ``consumes``
  media types (``application/json`` when neither says); ``formData`` parameters -> one
  ``requestBody`` object schema, ``multipart/form-data`` when a parameter is a ``file`` or
  ``consumes`` says so, else ``application/x-www-form-urlencoded``;
* other parameters: their type keywords move into ``schema``;
* a response ``schema`` -> ``content`` for each ``produces`` media type; response headers'
  type keywords move into ``schema``;
* ``x-nullable: true`` -> ``nullable: true``; ``type: file`` -> ``string``/``binary``;
* ``host``/``basePath``/``schemes`` -> ``servers`` (paths stay relative to them, as in 3.x).

Anything else (``swagger: "1.2"``, a missing ``swagger: "2.0"``) is refused by the importer
with one line naming the file.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_swagger2", "swagger2_to_openapi3"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
#: parameter keywords that describe its value (they move into ``schema``)
_VALUE_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
)
_REFS = {
    "#/definitions/": "#/components/schemas/",
    "#/securityDefinitions/": "#/components/securitySchemes/",
}
_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}


def is_swagger2(doc: Any) -> bool:
    return isinstance(doc, dict) and str(doc.get("swagger", "")).strip() == "2.0"


def _schema(node: Any) -> Any:
    """A 2.0 schema (or any subtree) with refs renamed, ``x-nullable`` and ``file`` mapped."""
    if isinstance(node, list):
        return [_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            for old, new in _REFS.items():
                if value.startswith(old):
                    value = new + value[len(old) :]
            out[key] = value
        elif key == "x-nullable":
            if value is True:
                out["nullable"] = True
        elif key == "type" and value == "file":
            out["type"], out["format"] = "string", "binary"
        elif key in ("enum", "default", "example"):
            out[key] = value
        else:
            out[key] = _schema(value)
    return out


def _local(doc: dict[str, Any], obj: Any, section: str) -> Any:
    """Follow a ``#/parameters/x`` or ``#/responses/x`` reference (shared objects of 2.0)."""
    seen: set[str] = set()
    prefix = f"#/{section}/"
    while isinstance(obj, dict) and str(obj.get("$ref", "")).startswith(prefix):
        name = obj["$ref"][len(prefix) :]
        if name in seen:
            return {}
        seen.add(name)
        obj = (doc.get(section) or {}).get(name, {})
    return obj


def _value_schema(p: dict[str, Any]) -> Any:
    return _schema({k: p[k] for k in _VALUE_KEYS if k in p})


def _media(op: dict[str, Any], doc: dict[str, Any], key: str) -> list[str]:
    types = op.get(key) if isinstance(op.get(key), list) else doc.get(key)
    return [str(t) for t in types] if isinstance(types, list) and types else ["application/json"]


def _request(op: dict[str, Any], doc: dict[str, Any], params: list[dict[str, Any]]) -> Any:
    body = next((p for p in params if p.get("in") == "body"), None)
    if body is not None:
        content = {
            mt: {"schema": _schema(body.get("schema", {}))} for mt in _media(op, doc, "consumes")
        }
        return {"required": body.get("required") is True, "content": content}
    form = [p for p in params if p.get("in") == "formData" and isinstance(p.get("name"), str)]
    if not form:
        return None
    consumes = _media(op, doc, "consumes")
    multipart = any(p.get("type") == "file" for p in form) or "multipart/form-data" in consumes
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p["name"]: _value_schema(p) for p in form},
    }
    required = sorted(p["name"] for p in form if p.get("required") is True)
    if required:
        schema["required"] = required
    mt = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
    return {"required": bool(required), "content": {mt: {"schema": schema}}}


def _parameter(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: p[k] for k in ("name", "in", "required", "description") if k in p}
    out["schema"] = _value_schema(p)
    return out


def _response(resp: Any, produces: list[str]) -> dict[str, Any]:
    if not isinstance(resp, dict):
        return {"description": ""}
    out: dict[str, Any] = {"description": str(resp.get("description", ""))}
    if "schema" in resp:
        out["content"] = {mt: {"schema": _schema(resp["schema"])} for mt in produces}
    headers = resp.get("headers")
    if isinstance(headers, dict):
        out["headers"] = {
            str(n): {"schema": _value_schema(h)} for n, h in headers.items() if isinstance(h, dict)
        }
    return out


def _operation(doc: dict[str, Any], item: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    raw = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for p in raw:
        p = _local(doc, p, "parameters")
        if isinstance(p, dict) and isinstance(p.get("in"), str):
            params[(p["in"], str(p.get("name")))] = p
    plain = list(params.values())
    out: dict[str, Any] = {
        k: op[k]
        for k in (
            "operationId",
            "summary",
            "description",
            "tags",
            "deprecated",
            "x-sunset",  # oasdiff's sunset extension: deprecation reads it
            "security",
        )
        if k in op
    }
    kept = [_parameter(p) for p in plain if p["in"] in ("path", "query", "header")]
    if kept:
        out["parameters"] = kept
    body = _request(op, doc, plain)
    if body is not None:
        out["requestBody"] = body
    produces = _media(op, doc, "produces")
    responses = op.get("responses")
    if not isinstance(responses, dict):
        responses = {}
    out["responses"] = {
        str(status): _response(_local(doc, resp, "responses"), produces)
        for status, resp in responses.items()
        if not str(status).startswith("x-")
    } or {"default": {"description": ""}}
    return out


def _security_scheme(s: Any) -> Any:
    if not isinstance(s, dict):
        return s
    if s.get("type") == "basic":
        return {"type": "http", "scheme": "basic"}
    if s.get("type") == "oauth2":
        flow = _FLOWS.get(str(s.get("flow")), "implicit")
        spec = {k: s[k] for k in ("authorizationUrl", "tokenUrl") if k in s}
        return {"type": "oauth2", "flows": {flow: {**spec, "scopes": s.get("scopes") or {}}}}
    return {k: v for k, v in s.items() if k in ("type", "name", "in", "description")}


def swagger2_to_openapi3(doc: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.0.3 document saying what the Swagger 2.0 ``doc`` says."""
    paths: dict[str, Any] = {}
    for template, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        paths[str(template)] = {
            m: _operation(doc, item, item[m]) for m in _METHODS if isinstance(item.get(m), dict)
        }
    out: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": doc.get("info")
        if isinstance(doc.get("info"), dict)
        else {"title": "", "version": ""},
        "paths": paths,
    }
    host = doc.get("host")
    if isinstance(host, str) and host:
        base = str(doc.get("basePath") or "").rstrip("/")
        schemes = doc.get("schemes")
        if not isinstance(schemes, list) or not schemes:
            schemes = ["https"]
        out["servers"] = [{"url": f"{s}://{host}{base}"} for s in schemes]
    if "security" in doc:
        out["security"] = doc["security"]
    components: dict[str, Any] = {}
    if isinstance(doc.get("definitions"), dict):
        components["schemas"] = {str(k): _schema(v) for k, v in doc["definitions"].items()}
    if isinstance(doc.get("securityDefinitions"), dict):
        components["securitySchemes"] = {
            str(k): _security_scheme(v) for k, v in doc["securityDefinitions"].items()
        }
    if components:
        out["components"] = components
    return out
