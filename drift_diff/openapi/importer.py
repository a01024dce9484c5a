"""OpenAPI 3.0/3.1 (and Swagger 2.0, converted by ``swagger2.py``) -> Baseline.

Validated with openapi-spec-validator first (``validation.py``: an invalid document is an
``OpenAPIError`` naming the JSON path and the reason, unless ``validate=False``). ``$ref`` is
followed only where ``refs.py`` allows (local by default). Every named schema is converted
once, into ``Baseline.refs``; where a schema uses one, the endpoint holds a reference node
``{"x-ref": "<file>#<pointer>"}`` that the diff resolves lazily, so import is linear in the
document's size whatever its ``$ref`` graph (recursive, or Stripe's expandable fields that make
every resource reachable from every other). ``nullable: true`` (3.0) and
``type: [..., "null"]`` (3.1) both become a type list with ``"null"``; inline ``allOf`` parts
are merged (named parts stay references); ``anyOf``/``oneOf`` are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from driftdiff_sdk.limits import MAX_DEPTH

from drift_diff.deprecation import SUNSET_EXTENSION, parse_sunset, sunset_day
from drift_diff.errors import InputError, OpenAPIError, quoted
from drift_diff.jsonfile import MAX_YAML_NODES, expanded_nodes, parse_json, read_text
from drift_diff.model import Baseline, endpoint_key
from drift_diff.openapi.headers import SPEC_IGNORED_HEADERS, security_parameters
from drift_diff.openapi.refs import RefSource
from drift_diff.openapi.swagger2 import is_swagger2, swagger2_to_openapi3
from drift_diff.openapi.validation import validate_openapi
from drift_diff.schema_keywords import (
    BOUND_KEYWORDS,
    REF_KEY,
    SUB_LIST,
    SUB_MAP,
    SUB_ONE,
    type_names,
)
from drift_diff.traffic.urls import as_source, source_name

__all__ = ["import_openapi", "load_document", "load_openapi", "validate_openapi"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_KEEP = ("format", "readOnly", "writeOnly", "enum", "pattern", *BOUND_KEYWORDS)
#: keywords beside a ``$ref`` that say nothing about the values (3.1 allows siblings)
_REF_IGNORED = frozenset({"$ref", "description", "summary", "title", "example", "examples"})


def _string_keys(value: Any) -> Any:
    # YAML reads `200:` as an int key; JSON (and OpenAPI) keys are strings
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def load_document(path: str | Path) -> Any:
    """Parse a JSON or YAML file (local, ``REV:path`` or a store URL); malformed input is an
    ``InputError`` with line and column."""
    p = as_source(path)
    text = read_text(p)
    if source_name(p).lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
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


class _Converter:
    """Schemas of one document set: every named schema converted once, refs kept as nodes."""

    def __init__(self, refs: RefSource, *, strict: bool = True) -> None:
        self.refs = refs
        #: refuse what the validator cannot see either (an ``x-sunset`` that is not a date)
        self.strict = strict
        #: canonical ref -> converted schema (``Baseline.refs``)
        self.table: dict[str, Any] = {}
        self._pending: list[str] = []

    def deref(self, obj: Any, ctx: str = "") -> tuple[Any, str]:
        """Follow ``$ref`` chains of non-schema objects (parameters, responses, bodies)."""
        seen: set[str] = set()
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
            canonical = self.refs.canonical(obj["$ref"], ctx)
            if canonical in seen:
                raise OpenAPIError(f"{self.refs.source}: $ref cycle through {quoted(obj['$ref'])}")
            seen.add(canonical)
            obj, ctx = self.refs.lookup(canonical), canonical.partition("#")[0]
        return obj, ctx

    def reference(self, ref: str, ctx: str) -> dict[str, Any]:
        canonical = self.refs.canonical(ref, ctx)
        if canonical not in self.table:
            self.table[canonical] = None  # reserved: converted by ``drain``, once
            self._pending.append(canonical)
        return {REF_KEY: canonical}

    def drain(self) -> dict[str, Any]:
        """Convert every named schema reached so far (and those they reach), iteratively."""
        while self._pending:
            canonical = self._pending.pop()
            target = self.refs.lookup(canonical)
            self.table[canonical] = self.schema(target, canonical.partition("#")[0])
        return self.table

    def schema(self, s: Any, ctx: str = "", depth: int = 0) -> Any:
        if isinstance(s, bool):
            return s
        if not isinstance(s, dict):
            return {}
        if depth > MAX_DEPTH:
            return {"x-cycle": "max-depth"}
        ref = s.get("$ref")
        if isinstance(ref, str):
            marker = self.reference(ref, ctx)
            siblings = {k: v for k, v in s.items() if k not in _REF_IGNORED}
            rest = self.schema(siblings, ctx, depth + 1) if siblings else {}
            return {"allOf": [marker, rest]} if rest else marker
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
            out["properties"] = {str(k): self.schema(v, ctx, depth + 1) for k, v in props.items()}
        if isinstance(s.get("required"), list):
            out["required"] = sorted({str(r) for r in s["required"]})
        if "items" in s:
            out["items"] = self.schema(s["items"], ctx, depth + 1)
        addl = s.get("additionalProperties")
        if isinstance(addl, (dict, bool)):
            out["additionalProperties"] = self.schema(addl, ctx, depth + 1)
        for key in ("anyOf", "oneOf"):
            if isinstance(s.get(key), list):
                out[key] = [self.schema(b, ctx, depth + 1) for b in s[key]]
        for key in ("not", *SUB_ONE):
            if isinstance(s.get(key), (dict, bool)):
                out[key] = self.schema(s[key], ctx, depth + 1)
        for key in SUB_LIST:
            if isinstance(s.get(key), list):
                out[key] = [self.schema(b, ctx, depth + 1) for b in s[key]]
        for key in SUB_MAP:
            if isinstance(s.get(key), dict):
                out[key] = {str(k): self.schema(v, ctx, depth + 1) for k, v in s[key].items()}
        named: list[Any] = []
        for branch in s.get("allOf") or []:
            sub = self.schema(branch, ctx, depth + 1)
            if isinstance(sub, dict) and REF_KEY in sub:
                named.append(sub)  # a named part stays a reference: the diff resolves it
            else:
                out = _merge(out, sub)
        if named:
            out = {"allOf": [*named, out]} if out else {"allOf": named}
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


def _content(r: _Converter, content: Any, ctx: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mt, media in (content or {}).items() if isinstance(content, dict) else []:
        media, mctx = r.deref(media, ctx) if isinstance(media, dict) else ({}, ctx)
        key = str(mt).split(";", 1)[0].strip().lower()
        schema = media.get("schema", {}) if isinstance(media, dict) else {}
        out[key] = {"schema": r.schema(schema, mctx)}
    return out


def _parameter_schema(r: _Converter, p: dict[str, Any], ctx: str) -> Any:
    if "schema" in p:
        return r.schema(p["schema"], ctx)
    content = _content(r, p.get("content"), ctx)
    return next(iter(content.values()))["schema"] if content else {}


def _operation(
    r: _Converter,
    method: str,
    template: str,
    path_item: dict[str, Any],
    op: dict[str, Any],
    ctx: str,
    security: tuple[Any, Any] = (None, None),
) -> dict[str, Any]:
    params: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for raw in [*(path_item.get("parameters") or []), *(op.get("parameters") or [])]:
        p, pctx = r.deref(raw, ctx)
        if isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("in"), str):
            params[(p["in"], p["name"])] = (p, pctx)
    groups: dict[str, dict[str, tuple[Any, bool]]] = {"path": {}, "query": {}, "header": {}}
    for (where, name), (p, pctx) in params.items():
        if where == "header":
            name = name.lower()
            if name in SPEC_IGNORED_HEADERS:
                continue
        if where in groups:
            schema = _parameter_schema(r, p, pctx)
            if where != "path" and p.get("deprecated") is True:
                # JSON Schema's own ``deprecated``, with the sunset beside it
                dep = _deprecation(r, p, f"paths/{template}/{method}/parameters/{name}")
                mark = {"deprecated": True, **({SUNSET_EXTENSION: dep["sunset"]} if dep else {})}
                schema = {**schema, **mark} if REF_KEY not in schema else {"allOf": [schema, mark]}
            groups[where][name] = (schema, where == "path" or p.get("required") is True)
    requirements = op["security"] if "security" in op else security[0]
    for (where, name), required in security_parameters(requirements, security[1]).items():
        groups[where].setdefault(name, ({"type": "string"}, required))
    ep: dict[str, Any] = {"method": method.upper(), "path": template}
    for where, key in (("path", "path_params"), ("query", "query"), ("header", "headers")):
        if groups[where]:
            ep[key] = _params_schema(groups[where])
    body, bctx = r.deref(op.get("requestBody"), ctx)
    if isinstance(body, dict) and body.get("content"):
        ep["request"] = {
            "required": body.get("required") is True,
            "content": _content(r, body.get("content"), bctx),
        }
    responses: dict[str, Any] = {}
    for status, raw_resp in (op.get("responses") or {}).items():
        status = str(status)
        if not (
            status == "default" or (len(status) == 3 and status.isdigit() and status[0] != "0")
        ):
            continue  # ranges such as 2XX have no place in a learned contract
        resp, rctx = r.deref(raw_resp, ctx)
        if not isinstance(resp, dict):
            continue
        entry: dict[str, Any] = {}
        if resp.get("content"):
            entry["content"] = _content(r, resp["content"], rctx)
        headers = {}
        for name, raw_h in (resp.get("headers") or {}).items():
            h, hctx = r.deref(raw_h, rctx)
            if isinstance(h, dict) and str(name).lower() != "content-type":
                headers[str(name).lower()] = (
                    _parameter_schema(r, h, hctx),
                    h.get("required") is True,
                )
        if headers:
            entry["headers"] = _params_schema(headers)
        responses[status] = entry
    ep["responses"] = responses
    if op.get("deprecated") is True:
        ep["deprecation"] = _deprecation(r, op, f"paths/{template}/{method}")
    return ep


def _deprecation(r: _Converter, op: dict[str, Any], where: str) -> dict[str, Any]:
    """``deprecated: true`` with oasdiff's ``x-sunset`` (read only on a deprecated operation or
    parameter, as oasdiff does); an ``x-sunset`` that is not a date is refused, or dropped when
    lenient."""
    if SUNSET_EXTENSION not in op:
        return {}
    day = parse_sunset(op[SUNSET_EXTENSION])
    if day is None and r.strict:
        raise OpenAPIError(
            f"{r.refs.source}: {where}/{SUNSET_EXTENSION}: {quoted(op[SUNSET_EXTENSION])} "
            "is not a date (YYYY-MM-DD or an RFC 3339 date-time)"
        )
    return {"sunset": sunset_day(day)} if day is not None else {}


def _item_operations(item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A path item's operations: the fixed methods, then OpenAPI 3.2's
    ``additionalOperations`` (``x-additionalOperations`` in a 3.1 export)."""
    ops = [(m, item[m]) for m in _METHODS if isinstance(item.get(m), dict)]
    for key in ("additionalOperations", "x-additionalOperations"):
        extra = item.get(key)
        if isinstance(extra, dict):
            ops += [(str(m), op) for m, op in extra.items() if isinstance(op, dict)]
    return ops


def _deref_map(r: _Converter, objects: Any) -> dict[str, Any]:
    if not isinstance(objects, dict):
        return {}
    return {str(k): r.deref(v)[0] for k, v in objects.items()}


def import_openapi(
    doc: Any,
    *,
    source: str = "<openapi>",
    validate: bool = True,
    folder: Path | None = None,
    allow_file_refs: bool = False,
) -> Baseline:
    """Normalise an OpenAPI 3.0/3.1 document (already parsed) into a baseline.

    ``folder`` is the document's folder: with ``allow_file_refs`` relative file references
    under it are followed; otherwise only local ``#/...`` references are (see ``refs.py``).
    """
    strict = validate  # a converted Swagger 2.0 document was validated as written
    if isinstance(doc, dict) and "swagger" in doc and "openapi" not in doc:
        if not is_swagger2(doc):
            raise OpenAPIError(
                f"{source}: Swagger {quoted(doc.get('swagger'), limit=20)} is not supported "
                "(Swagger 2.0 and OpenAPI 3.x are)"
            )
        if validate:  # the document as written, so errors point into it
            validate_openapi(doc, source, RefSource(doc, source, folder=folder))
        doc, validate = swagger2_to_openapi3(doc), False
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise OpenAPIError(f"{source}: not an OpenAPI 3.x document (no 'openapi: 3.x' key)")
    refs = RefSource(doc, source, folder=folder, allow_file_refs=allow_file_refs)
    if validate:
        validate_openapi(doc, source, refs)
    else:
        refs.check_all()
    r = _Converter(refs, strict=strict)
    endpoints: dict[str, Any] = {}
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):  # reachable without validation (--lenient-openapi)
        raise OpenAPIError(f"{source}: 'paths' must be an object, not {type(paths).__name__}")
    components = doc.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    security = (doc.get("security"), _deref_map(r, schemes))
    for template, raw_item in paths.items():
        item, ictx = r.deref(raw_item)
        if not isinstance(item, dict):
            continue
        for method, op in _item_operations(item):
            endpoints[endpoint_key(method, str(template))] = _operation(
                r, method, str(template), item, op, ictx, security
            )
    table = r.drain()
    info = doc.get("info")
    service = str((info.get("title") if isinstance(info, dict) else None) or "openapi")
    # no baseline-schema validation here: every shape above is built by this module (schema
    # nodes are any object), so it cannot fail on input, and on a 4 MB document it cost
    # seconds; tests/unit/test_openapi.py validates imported baselines instead
    return Baseline(service=service, endpoints=endpoints, sources={"openapi": 1}, refs=table)


def load_openapi(
    path: str | Path, *, validate: bool = True, allow_file_refs: bool = False
) -> Baseline:
    p = Path(path)
    return import_openapi(
        load_document(p),
        source=str(path),
        validate=validate,
        folder=p.parent,
        allow_file_refs=allow_file_refs,
    )
