"""The structural diff and the engine: matching, locations, combinators, cycles, evidence."""

from __future__ import annotations

import datetime as dt

from drift_diff.config import Config
from drift_diff.diff import diff_baselines
from drift_diff.diff.facts import Presence
from drift_diff.diff.schema_view import view
from drift_diff.diff.structural import match_key, structural_diff
from drift_diff.model import Severity
from tests.unit._diff_cases import N, S, baseline, endpoint, obj, resp


def test_endpoints_match_regardless_of_param_names() -> None:
    assert match_key("GET /pets/{id}") == match_key("GET /pets/{petId}")
    a = endpoint(responses=resp(obj({"id": S})))
    b = {**a, "path": "/pets/{petId}"}
    assert diff_baselines(baseline(a), baseline(b)).changes == []


def test_self_diff_is_empty() -> None:
    ep = endpoint(
        query=obj({"limit": {"type": "integer"}}),
        responses=resp(obj({"id": S, "tags": {"type": "array", "items": S}})),
    )
    assert list(structural_diff(baseline(ep), baseline(ep))) == []


def test_locations_of_nested_items_and_maps() -> None:
    base = endpoint(
        request={
            "samples": N,
            "content": {
                "application/json": {
                    "samples": N,
                    "schema": obj(
                        {"items": {"type": "array", "items": obj({"qty": {"type": "integer"}})}}
                    ),
                }
            },
        },
        responses=resp(obj({"tags": {"type": "object", "x-map": True, "additionalProperties": S}})),
    )
    cur = endpoint(
        request={
            "samples": N,
            "content": {
                "application/json": {
                    "samples": N,
                    "schema": obj({"items": {"type": "array", "items": obj({"qty": S})}}),
                }
            },
        },
        responses=resp(
            obj(
                {
                    "tags": {
                        "type": "object",
                        "x-map": True,
                        "additionalProperties": {"type": "integer"},
                    }
                }
            )
        ),
    )
    got = {(c.rule, c.location) for c in diff_baselines(baseline(base), baseline(cur)).changes}
    assert ("request-property-type-changed", "request.body.items[].qty") in got
    assert ("response-property-type-changed", "response.200.body.tags{}") in got


def test_evidence_from_presence_stats() -> None:
    base = endpoint(
        samples=5000,
        responses={
            "200": {
                "samples": 5000,
                "content": {
                    "application/json": {
                        "samples": 5000,
                        "schema": obj({"id": S, "name": S}, total=5000),
                    }
                },
            }
        },
    )
    cur = endpoint(
        samples=212,
        responses={
            "200": {
                "samples": 212,
                "content": {
                    "application/json": {"samples": 212, "schema": obj({"id": S}, total=212)}
                },
            }
        },
    )
    change = diff_baselines(baseline(base), baseline(cur)).changes[0]
    assert change.rule == "response-required-property-removed"
    assert change.evidence == "present in 5,000 of 5,000 responses; now in 0 of 212"


def test_declared_evidence_without_stats() -> None:
    base = endpoint(responses=resp({"type": "object", "properties": {"id": S}, "required": ["id"]}))
    cur = endpoint(responses=resp({"type": "object", "properties": {"id": S}}))
    change = diff_baselines(baseline(base), baseline(cur)).changes[0]
    assert change.rule == "response-property-became-optional"
    assert change.evidence == "declared required; now declared optional"


def test_allof_anyof_not_and_boolean_schemas() -> None:
    node = view(
        {
            "allOf": [
                {"type": "object", "properties": {"a": S}, "required": ["a"]},
                {"properties": {"b": S}, "required": ["b"]},
            ]
        }
    )
    assert (
        node.types == {"object"}
        and set(node.properties) == {"a", "b"}
        and node.required == {"a", "b"}
    )
    union = view({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})
    assert union.types == {"string", "integer"} and union.nullable
    assert view(True).types == frozenset() and view(False).types == {"never"}
    one = view({"oneOf": [obj({"a": S, "b": S}), obj({"a": S})]})
    assert one.required == {"a"}
    base = endpoint(responses=resp({"anyOf": [S, {"type": "integer"}]}))
    cur = endpoint(responses=resp({"anyOf": [S, {"type": "integer"}, {"type": "boolean"}]}))
    assert [c.rule for c in diff_baselines(baseline(base), baseline(cur)).changes] == [
        "response-body-type-widened"
    ]


def test_cycle_markers_terminate_and_compare_by_name() -> None:
    node = {"type": "object", "properties": {"child": {"x-cycle": "#/components/schemas/Node"}}}
    ep = endpoint(responses=resp(node))
    assert list(structural_diff(baseline(ep), baseline(ep))) == []
    other = endpoint(
        responses=resp({"type": "object", "properties": {"child": {"x-cycle": "#/x/Other"}}})
    )
    assert [c.rule for c in diff_baselines(baseline(ep), baseline(other)).changes] == [
        "response-property-type-changed"
    ]


def test_deeply_nested_schema_is_bounded() -> None:
    deep: dict = S
    for _ in range(500):
        deep = {"type": "object", "properties": {"x": deep}}
    from drift_diff.model import Baseline

    ep = endpoint(responses=resp(deep))
    other = endpoint(responses=resp({"type": "object", "properties": {"x": deep, "y": S}}))
    result = diff_baselines(
        Baseline("s", {"GET /pets/{id}": ep}), Baseline("s", {"GET /pets/{id}": other})
    )
    assert [c.rule for c in result.changes] == ["response-optional-property-added"]


def test_learned_values_need_enough_samples() -> None:
    few = endpoint(
        responses={
            "200": {
                "samples": 5,
                "content": {
                    "application/json": {
                        "samples": 5,
                        "schema": obj({"status": {**S, "x-values": ["a", "b"]}}, total=5),
                    }
                },
            }
        }
    )
    few_cur = endpoint(
        responses={
            "200": {
                "samples": 5,
                "content": {
                    "application/json": {
                        "samples": 5,
                        "schema": obj({"status": {**S, "x-values": ["a", "b", "c"]}}, total=5),
                    }
                },
            }
        }
    )
    assert diff_baselines(baseline(few), baseline(few_cur)).changes == []
    many = endpoint(responses=resp(obj({"status": {**S, "x-values": ["a", "b"]}})))
    many_cur = endpoint(responses=resp(obj({"status": {**S, "x-values": ["a", "b", "c"]}})))
    changes = diff_baselines(baseline(many), baseline(many_cur)).changes
    assert [(c.rule, c.severity) for c in changes] == [
        ("response-property-enum-value-added", Severity.WARNING)
    ]
    # never "became enum" from learned values on the request side
    req = endpoint(
        request={
            "samples": N,
            "content": {"application/json": {"samples": N, "schema": obj({"s": S})}},
        },
        responses=resp(S),
    )
    req_cur = endpoint(
        request={
            "samples": N,
            "content": {
                "application/json": {"samples": N, "schema": obj({"s": {**S, "x-values": ["a"]}})}
            },
        },
        responses=resp(S),
    )
    assert diff_baselines(baseline(req), baseline(req_cur)).changes == []


def test_changes_are_sorted_and_config_applies() -> None:
    base = endpoint(responses=resp(obj({"a": S, "b": S, "c": S}, {"c": 10})))
    cur = endpoint(responses=resp(obj({"a": {"type": "integer"}, "d": S})))
    result = diff_baselines(baseline(base), baseline(cur))
    ranks = [c.severity.rank for c in result.changes]
    assert ranks == sorted(ranks, reverse=True)
    cfg = Config.from_dict(
        {
            "severity": {"response-optional-property-removed": "breaking"},
            "ignore": [
                {
                    "rule": "response-required-property-removed",
                    "location": "response.*.body.b",
                    "reason": "renamed",
                }
            ],
        }
    )
    judged = diff_baselines(baseline(base), baseline(cur), config=cfg, today=dt.date(2025, 1, 1))
    rules = {c.rule: c.severity for c in judged.changes}
    assert rules["response-optional-property-removed"] is Severity.BREAKING
    assert "response-required-property-removed" not in rules and len(judged.ignored) == 1


def test_presence_always() -> None:
    assert Presence(False, 5, 5).always and not Presence(False, 4, 5).always
    assert Presence(True).always and Presence(True).declared
