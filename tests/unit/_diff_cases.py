"""Builders of tiny baselines, and one (base, current) pair per rule that must fire it."""

from __future__ import annotations

import copy
from typing import Any

from drift_diff.model import Baseline
from tests.unit._constraint_cases import branch_cases, constraint_cases
from tests.unit._lifecycle_cases import lifecycle_cases, parameter_cases, policy_cases

KEY = "GET /pets/{id}"
N = 100


def endpoint(**parts: Any) -> dict[str, Any]:
    ep: dict[str, Any] = {"method": "GET", "path": "/pets/{id}", "samples": N, "responses": {}}
    ep.update(parts)
    return ep


def content(schema: Any, samples: int = N, mt: str = "application/json") -> dict[str, Any]:
    return {mt: {"samples": samples, "schema": schema}}


def resp(schema: Any, status: str = "200", samples: int = N, **extra: Any) -> dict[str, Any]:
    return {status: {"samples": samples, "content": content(schema, samples), **extra}}


def obj(
    props: dict[str, Any], seen: dict[str, int] | None = None, total: int = N
) -> dict[str, Any]:
    """Object schema with x-seen presence stats (default: every property always present)."""
    seen = seen or {}
    properties = {k: {**v, "x-seen": [seen.get(k, total), total]} for k, v in props.items()}
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(k for k in props if seen.get(k, total) == total),
    }


def baseline(*endpoints: dict[str, Any]) -> Baseline:
    return Baseline("svc", {f"{e['method']} {e['path']}": copy.deepcopy(e) for e in endpoints})


def place(side: str, target: str, schema: Any) -> dict[str, Any]:
    """An endpoint with ``schema`` at a body root, a property, array items or a query parameter."""
    if target == "body":
        wrapped = schema
    elif target == "items":
        wrapped = {"type": "array", "items": schema}
    elif target == "parameter":
        return endpoint(
            query={
                "type": "object",
                "properties": {"p": {**schema, "x-seen": [N, N]}},
                "required": ["p"],
            },
            responses=resp({"type": "object"}),
        )
    else:
        wrapped = obj({"p": schema})
    if side == "request":
        return endpoint(
            request={"samples": N, "content": content(wrapped)}, responses=resp({"type": "object"})
        )
    return endpoint(responses=resp(wrapped))


S = {"type": "string"}


def _rule_cases() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    cases: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    ok = resp(obj({"id": S}))
    cases["endpoint-removed"] = (
        endpoint(responses=ok),
        {**endpoint(responses=ok), "path": "/other"},
    )
    cases["endpoint-added"] = ({**endpoint(responses=ok), "path": "/other"}, endpoint(responses=ok))
    two = {**resp(obj({"id": S})), **resp(obj({"id": S}), "404"), **resp(obj({"id": S}), "201")}
    cases["response-success-status-removed"] = (
        endpoint(responses=two),
        endpoint(responses={k: v for k, v in two.items() if k != "201"}),
    )
    cases["response-non-success-status-removed"] = (
        endpoint(responses=two),
        endpoint(responses={k: v for k, v in two.items() if k != "404"}),
    )
    cases["response-success-status-added"] = (
        cases["response-success-status-removed"][1],
        endpoint(responses=two),
    )
    cases["response-non-success-status-added"] = (
        cases["response-non-success-status-removed"][1],
        endpoint(responses=two),
    )
    xml = {"200": {"samples": N, "content": {**content(S), **content(S, mt="application/xml")}}}
    cases["response-media-type-removed"] = (endpoint(responses=xml), endpoint(responses=resp(S)))
    cases["response-media-type-added"] = (endpoint(responses=resp(S)), endpoint(responses=xml))
    rq = {"samples": N, "content": content(obj({"id": S}))}
    rq_xml = {
        "samples": N,
        "content": {**content(obj({"id": S})), **content(S, mt="application/xml")},
    }
    rq_opt = {"samples": 40, "content": content(obj({"id": S}), 40)}
    cases["request-body-media-type-removed"] = (
        endpoint(request=rq_xml, responses=ok),
        endpoint(request=rq, responses=ok),
    )
    cases["request-body-media-type-added"] = (
        endpoint(request=rq, responses=ok),
        endpoint(request=rq_xml, responses=ok),
    )
    cases["request-body-removed"] = (endpoint(request=rq, responses=ok), endpoint(responses=ok))
    cases["added-required-request-body"] = (
        endpoint(responses=ok),
        endpoint(request=rq, responses=ok),
    )
    cases["added-optional-request-body"] = (
        endpoint(responses=ok),
        endpoint(request=rq_opt, responses=ok),
    )
    cases["request-body-became-required"] = (
        endpoint(request=rq_opt, responses=ok),
        endpoint(request=rq, responses=ok),
    )
    cases["request-body-became-optional"] = (
        endpoint(request=rq, responses=ok),
        endpoint(request=rq_opt, responses=ok),
    )
    # presence of body properties
    always, sometimes, none = (
        obj({"id": S, "p": S}),
        obj({"id": S, "p": S}, {"p": 60}),
        obj({"id": S}),
    )
    for side in ("request", "response"):

        def at(schema: Any, side: str = side) -> dict[str, Any]:
            return place(side, "body", schema)

        if side == "response":
            cases["response-required-property-removed"] = (at(always), at(none))
            cases["response-optional-property-removed"] = (at(sometimes), at(none))
            cases["response-required-property-added"] = (at(none), at(always))
            cases["response-optional-property-added"] = (at(none), at(sometimes))
            cases["response-property-became-optional"] = (at(always), at(sometimes))
            cases["response-property-became-required"] = (at(sometimes), at(always))
        else:
            cases["request-property-removed"] = (at(always), at(none))
            cases["new-required-request-property"] = (at(none), at(always))
            cases["new-optional-request-property"] = (at(none), at(sometimes))
            cases["request-property-became-required"] = (at(sometimes), at(always))
            cases["request-property-became-optional"] = (at(always), at(sometimes))
    # parameters and response headers
    q_always = {
        "type": "object",
        "properties": {"id": {**S, "x-seen": [N, N]}, "p": {**S, "x-seen": [N, N]}},
        "required": ["id", "p"],
    }
    q_some = {
        "type": "object",
        "properties": {"id": {**S, "x-seen": [N, N]}, "p": {**S, "x-seen": [30, N]}},
        "required": ["id"],
    }
    q_none = {"type": "object", "properties": {"id": {**S, "x-seen": [N, N]}}, "required": ["id"]}
    cases["request-parameter-removed"] = (
        endpoint(query=q_always, responses=ok),
        endpoint(query=q_none, responses=ok),
    )
    cases["new-required-request-parameter"] = (
        endpoint(query=q_none, responses=ok),
        endpoint(query=q_always, responses=ok),
    )
    cases["new-optional-request-parameter"] = (
        endpoint(query=q_none, responses=ok),
        endpoint(query=q_some, responses=ok),
    )
    cases["request-parameter-became-required"] = (
        endpoint(query=q_some, responses=ok),
        endpoint(query=q_always, responses=ok),
    )
    cases["request-parameter-became-optional"] = (
        endpoint(query=q_always, responses=ok),
        endpoint(query=q_some, responses=ok),
    )

    def hdr(h: dict[str, Any]) -> dict[str, Any]:
        return endpoint(responses=resp(obj({"id": S}), headers=h))

    cases["required-response-header-removed"] = (hdr(q_always), hdr(q_none))
    cases["optional-response-header-removed"] = (hdr(q_some), hdr(q_none))
    cases["response-header-added"] = (hdr(q_none), hdr(q_some))
    cases["response-header-became-optional"] = (hdr(q_always), hdr(q_some))
    cases["response-header-became-required"] = (hdr(q_some), hdr(q_always))
    # types, nullability, enums, formats: generated over sides and targets
    shifts = {
        "changed": ({"type": "integer"}, {"type": "boolean"}),
        "widened": ({"type": "integer"}, {"type": "number"}),
        "narrowed": ({"type": "number"}, {"type": "integer"}),
    }
    for side, targets in (
        ("request", ("body", "property", "parameter", "items")),
        ("response", ("body", "property", "items")),
    ):
        for target in targets:
            name = "array-item" if target == "items" else target
            for shift, (b, c) in shifts.items():
                cases[f"{side}-{name}-type-{shift}"] = (
                    place(side, target, b),
                    place(side, target, c),
                )
    for side, targets in (
        ("request", ("body", "property", "parameter")),
        ("response", ("body", "property")),
    ):
        for target in targets:
            plain, nullable = (
                place(side, target, S),
                place(side, target, {"type": ["string", "null"]}),
            )
            cases[f"{side}-{target}-became-nullable"] = (plain, nullable)
            cases[f"{side}-{target}-became-not-nullable"] = (nullable, plain)
    e1, e2 = {**S, "enum": ["a"]}, {**S, "enum": ["a", "b"]}
    for target in ("body", "property", "parameter"):
        cases[f"request-{target}-became-enum"] = (
            place("request", target, S),
            place("request", target, e2),
        )
        cases[f"request-{target}-enum-value-removed"] = (
            place("request", target, e2),
            place("request", target, e1),
        )
        cases[f"request-{target}-enum-value-added"] = (
            place("request", target, e1),
            place("request", target, e2),
        )
    for target in ("body", "property"):
        cases[f"response-{target}-enum-value-added"] = (
            place("response", target, e1),
            place("response", target, e2),
        )
        cases[f"response-{target}-enum-value-removed"] = (
            place("response", target, e2),
            place("response", target, e1),
        )
    uuid, email = {**S, "format": "uuid"}, {**S, "format": "email"}
    cases["request-property-format-changed"] = (
        place("request", "property", uuid),
        place("request", "property", email),
    )
    cases["request-property-format-removed"] = (
        place("request", "property", uuid),
        place("request", "property", S),
    )
    cases["request-parameter-format-changed"] = (
        place("request", "parameter", S),
        place("request", "parameter", uuid),
    )
    cases["request-parameter-format-removed"] = (
        place("request", "parameter", uuid),
        place("request", "parameter", S),
    )
    cases["response-property-format-changed"] = (
        place("response", "property", {**S, "format": "date"}),
        place("response", "property", {**S, "format": "date-time"}),
    )
    cases["response-property-format-removed"] = (
        place("response", "property", uuid),
        place("response", "property", S),
    )
    cases["response-property-format-narrowed"] = (
        place("response", "property", {"type": "integer", "format": "int64"}),
        place("response", "property", {"type": "integer", "format": "int32"}),
    )
    cases["response-property-format-added"] = (
        place("response", "property", S),
        place("response", "property", uuid),
    )
    string_map = {"type": "object", "additionalProperties": S, "x-map": True}
    named = {"type": "object", "properties": {"en": S, "fr": S}}
    mixed = {"type": "object", "properties": {"en": S, "count": {"type": "integer"}}}
    cases["response-map-became-object"] = (
        place("response", "property", string_map),
        place("response", "property", named),
    )
    cases["response-map-became-object-retyped"] = (
        place("response", "property", string_map),
        place("response", "property", mixed),
    )
    cases["request-map-became-object"] = (
        place("request", "property", string_map),
        place("request", "property", named),
    )
    return cases


RULE_CASES = {
    **_rule_cases(),
    **constraint_cases(place),
    **branch_cases(place),
    **lifecycle_cases(endpoint(responses=resp(obj({"id": S})))),
    **parameter_cases(place),
}
#: rules that fire only under a configuration: (base, current, config)
POLICY_CASES = policy_cases(endpoint(responses=resp(obj({"id": S}))), place)


def _observed_cases() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Rules that fire only when the current side is traffic (``Semantics.OBSERVED``)."""
    ok = resp(obj({"id": S}))
    rare = {**ok, "201": {"samples": 1, "content": content(obj({"id": S}), 1)}}
    return {
        "endpoint-unobserved": (endpoint(responses=ok), {**endpoint(responses=ok), "path": "/x"}),
        "response-status-unobserved": (endpoint(responses=rare), endpoint(responses=ok)),
        "response-part-unobserved": (
            endpoint(responses=resp(obj({"id": S, "name": S}), samples=3)),
            endpoint(responses=resp(obj({"id": S}, total=3), samples=3)),
        ),
        "request-part-unobserved": (
            place("request", "property", S),
            place("request", "body", obj({})),
        ),
    }


OBSERVED_CASES = _observed_cases()
