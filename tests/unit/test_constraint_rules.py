"""Constraint rules (issue 12.2): each fires alone on its fixture, in the right direction.

Every case changes exactly one keyword at one place; the set of rules that fire must be exactly
the one rule (no type, format or property rule joins in). Exclusive bounds, unions with a
``null`` branch and real OpenAPI documents (path parameter patterns) are covered too.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from drift_diff.diff import diff_baselines
from drift_diff.diff.registry import RULES
from drift_diff.model import Severity
from drift_diff.openapi import import_openapi
from tests.unit._constraint_cases import constraint_cases
from tests.unit._diff_cases import baseline, place

CASES = constraint_cases(place)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_constraint_rule_fires_alone(rule_id: str) -> None:
    base, current = CASES[rule_id]
    changes = diff_baselines(baseline(base), baseline(current)).changes
    assert [c.rule for c in changes] == [rule_id]
    assert changes[0].severity is RULES[rule_id].severity


def test_directions() -> None:
    sev = {r: RULES[r].severity for r in CASES}
    assert sev["request-property-max-length-decreased"] is Severity.BREAKING
    assert sev["request-property-max-length-increased"] is Severity.INFO
    assert sev["request-parameter-min-increased"] is Severity.BREAKING
    assert sev["request-body-pattern-added"] is Severity.BREAKING
    assert sev["response-property-max-length-increased"] is Severity.WARNING
    assert sev["response-property-max-length-decreased"] is Severity.INFO
    assert sev["response-property-min-items-decreased"] is Severity.WARNING
    assert sev["response-body-pattern-changed"] is Severity.WARNING
    assert sev["request-property-multiple-of-relaxed"] is Severity.INFO


def _doc(param: dict[str, Any], prop: dict[str, Any], version: str = "3.0.3") -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": param}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {"Pet": {"type": "object", "properties": {"tag": prop}, "required": ["tag"]}}
        },
    }


def _rules(base: dict[str, Any], current: dict[str, Any]) -> list[tuple[str, str]]:
    changes = diff_baselines(import_openapi(base), import_openapi(current)).changes
    return sorted((c.rule, c.location) for c in changes)


def test_path_parameter_and_response_pattern_changes_in_documents() -> None:
    # the two misses of issue 12's recall measurement: a path-parameter pattern, a response one
    base = _doc({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^x"})
    current = copy.deepcopy(base)
    current["paths"]["/pets/{id}"]["get"]["parameters"][0]["schema"]["pattern"] = "^[a-z0-9]+$"
    current["components"]["schemas"]["Pet"]["properties"]["tag"]["pattern"] = "^y"
    assert _rules(base, current) == [
        ("request-parameter-pattern-changed", "request.path.id"),
        ("response-property-pattern-changed", "response.200.body.tag"),
    ]


def test_exclusive_bounds_30_and_31() -> None:
    inclusive = {"type": "integer", "maximum": 10}
    base = _doc({"type": "integer", **inclusive}, {"type": "integer", "minimum": 0})
    current = _doc(
        {"type": "integer", "maximum": 10, "exclusiveMaximum": True},
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
    )
    assert _rules(base, current) == [
        ("request-parameter-max-decreased", "request.path.id"),
        ("response-property-min-increased", "response.200.body.tag"),
    ]
    # 3.1: exclusiveMaximum is a number of its own; "< 10" -> "<= 11" is looser
    b31 = _doc({"type": "integer", "exclusiveMaximum": 10}, {"type": "integer"}, "3.1.0")
    c31 = _doc({"type": "integer", "maximum": 11}, {"type": "integer"}, "3.1.0")
    assert _rules(b31, c31) == [("request-parameter-max-increased", "request.path.id")]


def test_a_null_branch_keeps_the_bound_of_the_other() -> None:
    def nullable(limit: int) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "maxLength": limit}, {"type": "null"}]}

    base, current = (
        _doc({"type": "string"}, nullable(10), "3.1.0"),
        _doc({"type": "string"}, nullable(20), "3.1.0"),
    )
    assert _rules(base, current) == [
        ("response-property-max-length-increased", "response.200.body.tag")
    ]
