"""OpenAPI 3.0/3.1 -> Baseline.

Validated with openapi-spec-validator first (an invalid document is an ``OpenAPIError`` with the
validator's message on one line, unless ``validate=False``). Local ``$ref`` are resolved;
a reference back into itself is cut with an ``{"x-cycle": "<ref>"}`` marker, so a recursive
schema (a tree node) never recurses forever. ``nullable: true`` (3.0) and ``type: [..., "null"]``
(3.1) both become a type list with ``"null"``; ``allOf`` is merged; ``anyOf``/``oneOf`` are kept
(the structural diff folds them into type unions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from drift_diff.errors import InputError, OpenAPIError
from drift_diff.jsonfile import MAX_YAML_NODES, expanded_nodes, parse_json, read_text
from drift_diff.model import BASELINE_FORMAT, Baseline, endpoint_key
from drift_diff.schema_keywords import SUB_LIST, SUB_MAP, SUB_ONE, type_names
from drift_diff.schemas import validation_error

__all__ = ["import_openapi", "load_document", "load_openapi", "validate_openapi"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_KEEP = (
    "format",
    "readOnly",
    "writeOnly",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
)
_MAX_DEPTH = 64
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}


def _string_keys(value: Any) -> Any:
    # YAML reads `200:` as an int key; JSON (and OpenAPI) keys are strings
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def load_document(path: str | Path) -> Any:
    """Parse a JSON or YAML file; malformed input is an ``InputError`` with line and column."""
    p = Path(path)
    text = read_text(p)
    if p.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return parse_json(text, p)
    try:
        doc = yaml.safe_load(text)
        if expanded_nodes(doc) > MAX_YAML_NODES:
            raise InputError(
                p, f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes (an alias bomb?)"
            )
        return _string_keys(doc)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else None
        raise InputError(
            p, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", position=pos
        ) from None
    except RecursionError:
        raise InputError(p, "YAML nested too deeply") from None


def validate_openapi(doc: Any, source: str = "<openapi>") -> None:
    """Raise ``OpenAPIError`` (one line, the validator's message) when ``doc`` is invalid."""
    from openapi_spec_validator import validate

    try:
        validate(doc)
    except RecursionError:
        raise OpenAPIError(f"{source}: invalid OpenAPI document: nested too deeply") from None
    except Exception as exc:  # the validator raises many unrelated types; all mean "invalid"
        message = (
            str(getattr(exc, "message", None) or exc).splitlines()[0][:300]
            if str(exc)
            else type(exc).__name__
        )
        path = "/".join(str(p) for p in getattr(exc, "absolute_path", []) or [])
        where = f" (at {path})" if path else ""
        raise OpenAPIError(f"{source}: invalid OpenAPI document: {message}{where}") from None


class _Resolver:
    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc = doc
        self.source = source

    def lookup(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise OpenAPIError(
                f"{self.source}: external $ref {ref!r} is not supported (bundle the document first)"
            )
        node: Any = self.doc
        for raw in ref[1:].lstrip("/").split("/") if ref != "#" else []:
            key = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise OpenAPIError(f"{self.source}: $ref {ref!r} points to nothing")
        return node

    def deref(self, obj: Any) -> Any:
        """Follow ``$ref`` chains of non-schema objects (parameters, responses, bodies)."""
        seen: set[str] = set()
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
            ref = obj["$ref"]
            if ref in seen:
                raise OpenAPIError(f"{self.source}: $ref cycle through {ref!r}")
            seen.add(ref)
            obj = self.lookup(ref)
        return obj

    def schema(self, s: Any, stack: tuple[str, ...] = (), depth: int = 0) -> Any:
        if isinstance(s, bool):
            return s
        if not isinstance(s, dict):
            return {}
        if depth > _MAX_DEPTH:
            return {"x-cycle": "max-depth"}
        ref = s.get("$ref")
        if isinstance(ref, str):
            if ref in stack:
                return {"x-cycle": ref}
            target = self.schema(self.lookup(ref), (*stack, ref), depth + 1)
            siblings = {k: v for k, v in s.items() if k != "$ref"}
            if not siblings or not isinstance(target, dict):
                return target
            return _merge(target, self.schema(siblings, stack, depth + 1))
        out: dict[str, Any] = {}
        names = type_names(s)
        if s.get("nullable") is True and names and "null" not in names:
            names.append("null")
        if names:
            out["type"] = names[0] if len(names) == 1 else sorted(set(names), key=names.index)
        for key in _KEEP:
            if key in s:
                out[key] = s[key]
        if "const" in s:
            out["enum"] = [s["const"]]
        if (
            isinstance(out.get("enum"), list)
            and s.get("nullable") is True
            and None not in out["enum"]
        ):
            out["enum"] = [*out["enum"], None]
        props = s.get("properties")
        if isinstance(props, dict):
            out["properties"] = {str(k): self.schema(v, stack, depth + 1) for k, v in props.items()}
        if isinstance(s.get("required"), list):
            out["required"] = sorted({str(r) for r in s["required"]})
        if "items" in s:
            out["items"] = self.schema(s["items"], stack, depth + 1)
        addl = s.get("additionalProperties")
        if isinstance(addl, (dict, bool)):
            out["additionalProperties"] = self.schema(addl, stack, depth + 1)
        for key in ("anyOf", "oneOf"):
            if isinstance(s.get(key), list):
                out[key] = [self.schema(b, stack, depth + 1) for b in s[key]]
        for key in ("not", *SUB_ONE):
            if isinstance(s.get(key), (dict, bool)):
                out[key] = self.schema(s[key], stack, depth + 1)
        for key in SUB_LIST:
            if isinstance(s.get(key), list):
                out[key] = [self.schema(b, stack, depth + 1) for b in s[key]]
        for key in SUB_MAP:
            if isinstance(s.get(key), dict):
                out[key] = {str(k): self.schema(v, stack, depth + 1) for k, v in s[key].items()}
        for branch in s.get("allOf") or []:
            out = _merge(out, self.schema(branch, stack, depth + 1))
        return out


def _merge(a: Any, b: Any) -> Any:
    """``allOf`` of two converted schemas as one schema (properties and required united)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a if isinstance(a, dict) else b
    if "x-cycle" in b and len(b) == 1:
        return a or b
    out = dict(a)
    for key, value in b.items():
        if key == "properties":
            props = dict(out.get("properties", {}))
            for name, sub in value.items():
                props[name] = _merge(props[name], sub) if name in props else sub
            out["properties"] = props
        elif key == "required":
            out["required"] = sorted(set(out.get("required", [])) | set(value))
        elif key == "type" and "type" in out:
            mine = set(out["type"] if isinstance(out["type"], list) else [out["type"]])
            theirs = set(value if isinstance(value, list) else [value])
            both = sorted(mine & theirs) or sorted(mine)
            out["type"] = both[0] if len(both) == 1 else both
        else:
            out.setdefault(key, value)
    return out


def _params_schema(entries: dict[str, tuple[Any, bool]]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: schema for name, (schema, _) in sorted(entries.items())},
        "required": sorted(name for name, (_, req) in entries.items() if req),
    }


def _content(r: _Resolver, content: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mt, media in (content or {}).items() if isinstance(content, dict) else []:
        media = r.deref(media) if isinstance(media, dict) else {}
        key = str(mt).split(";", 1)[0].strip().lower()
        out[key] = {"schema": r.schema(media.get("schema", {}))}
    return out


def _parameter_schema(r: _Resolver, p: dict[str, Any]) -> Any:
    if "schema" in p:
        return r.schema(p["schema"])
    content = _content(r, p.get("content"))
    return next(iter(content.values()))["schema"] if content else {}


def _operation(
    r: _Resolver, method: str, template: str, path_item: dict[str, Any], op: dict[str, Any]
) -> dict[str, Any]:
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for p in [*(path_item.get("parameters") or []), *(op.get("parameters") or [])]:
        p = r.deref(p)
        if isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("in"), str):
            params[(p["in"], p["name"])] = p
    groups: dict[str, dict[str, tuple[Any, bool]]] = {"path": {}, "query": {}, "header": {}}
    for (where, name), p in params.items():
        if where == "header":
            name = name.lower()
            if name in _IGNORED_HEADERS:
                continue
        if where in groups:
            groups[where][name] = (
                _parameter_schema(r, p),
                where == "path" or p.get("required") is True,
            )
    ep: dict[str, Any] = {"method": method.upper(), "path": template}
    for where, key in (("path", "path_params"), ("query", "query"), ("header", "headers")):
        if groups[where]:
            ep[key] = _params_schema(groups[where])
    body = r.deref(op.get("requestBody"))
    if isinstance(body, dict) and body.get("content"):
        ep["request"] = {
            "required": body.get("required") is True,
            "content": _content(r, body.get("content")),
        }
    responses: dict[str, Any] = {}
    for status, resp in (op.get("responses") or {}).items():
        status = str(status)
        if not (
            status == "default" or (len(status) == 3 and status.isdigit() and status[0] != "0")
        ):
            continue  # ranges such as 2XX have no place in a learned contract
        resp = r.deref(resp)
        if not isinstance(resp, dict):
            continue
        entry: dict[str, Any] = {}
        if resp.get("content"):
            entry["content"] = _content(r, resp["content"])
        headers = {}
        for name, h in (resp.get("headers") or {}).items():
            h = r.deref(h)
            if isinstance(h, dict) and str(name).lower() != "content-type":
                headers[str(name).lower()] = (_parameter_schema(r, h), h.get("required") is True)
        if headers:
            entry["headers"] = _params_schema(headers)
        responses[status] = entry
    ep["responses"] = responses
    return ep


def import_openapi(doc: Any, *, source: str = "<openapi>", validate: bool = True) -> Baseline:
    """Normalise an OpenAPI 3.0/3.1 document (already parsed) into a baseline."""
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise OpenAPIError(f"{source}: not an OpenAPI 3.x document (no 'openapi: 3.x' key)")
    if validate:
        validate_openapi(doc, source)
    r = _Resolver(doc, source)
    endpoints: dict[str, Any] = {}
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):  # reachable without validation (--lenient-openapi)
        raise OpenAPIError(f"{source}: 'paths' must be an object, not {type(paths).__name__}")
    for template, item in paths.items():
        item = r.deref(item)
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                endpoints[endpoint_key(method, str(template))] = _operation(
                    r, method, str(template), item, op
                )
    info = doc.get("info")
    service = str((info.get("title") if isinstance(info, dict) else None) or "openapi")
    sources: dict[str, Any] = {"openapi": 1}
    data = {
        "format": BASELINE_FORMAT,
        "service": service,
        "sources": sources,
        "endpoints": endpoints,
    }
    problem = validation_error("baseline", data)
    if problem:
        raise OpenAPIError(f"{source}: cannot normalise: {problem}")
    return Baseline(service=service, endpoints=endpoints, sources=sources)


def load_openapi(path: str | Path, *, validate: bool = True) -> Baseline:
    return import_openapi(load_document(path), source=str(path), validate=validate)
