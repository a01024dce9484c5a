"""``oneOf``/``anyOf`` branches (issue 12.3): what the union view hides is found per branch.

The fixture of each branch rule fires it alone; OpenAPI documents show a field made required
inside one branch of a request body (the recall miss of issue 12), a named branch removed, and
a branch's type changed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from drift_diff.diff import diff_baselines
from drift_diff.diff.registry import RULES
from drift_diff.openapi import import_openapi
from tests.unit._constraint_cases import branch_cases
from tests.unit._diff_cases import baseline, place

CASES = branch_cases(place)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_branch_rule_fires_alone(rule_id: str) -> None:
    base, current = CASES[rule_id]
    changes = diff_baselines(baseline(base), baseline(current)).changes
    assert [c.rule for c in changes] == [rule_id]
    assert changes[0].severity is RULES[rule_id].severity


def _doc(union: list[dict[str, Any]], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pay": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"oneOf": union}}},
                    },
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": schemas},
    }


CARD = {"type": "object", "properties": {"number": {"type": "string"}, "cvc": {"type": "string"}}}
BANK = {"type": "object", "properties": {"account": {"type": "string"}}, "required": ["account"]}
REFS = [{"$ref": "#/components/schemas/Card"}, {"$ref": "#/components/schemas/Bank"}]


def _rules(base: dict[str, Any], current: dict[str, Any]) -> list[tuple[str, str]]:
    changes = diff_baselines(import_openapi(base), import_openapi(current)).changes
    return sorted((c.rule, c.location) for c in changes)


def test_a_field_made_required_in_one_branch_is_breaking() -> None:
    base = _doc(REFS, {"Card": CARD, "Bank": BANK})
    current = copy.deepcopy(base)
    current["components"]["schemas"]["Card"]["required"] = ["cvc"]
    assert _rules(base, current) == [
        ("request-property-became-required", "request.body(oneOf/0).cvc")
    ]


def test_a_new_required_field_in_one_branch_is_breaking() -> None:
    base = _doc(REFS, {"Card": CARD, "Bank": BANK})
    current = copy.deepcopy(base)
    card = current["components"]["schemas"]["Card"]
    card["properties"]["expiry"] = {"type": "string"}
    card["required"] = ["expiry"]
    assert _rules(base, current) == [
        ("new-optional-request-property", "request.body.expiry"),  # the union view
        ("new-required-request-property", "request.body(oneOf/0).expiry"),  # the branch
    ]


def test_a_named_branch_removed() -> None:
    base = _doc(REFS, {"Card": CARD, "Bank": BANK})
    current = _doc(REFS[:1], {"Card": CARD, "Bank": BANK})
    assert _rules(base, current) == [
        ("request-body-one-of-removed", "request.body(oneOf/1)"),
        ("request-property-removed", "request.body.account"),
    ]


def test_a_branch_type_changed() -> None:
    base = _doc([{"type": "string"}, {"type": "object"}], {})
    current = _doc([{"type": "integer"}, {"type": "object"}], {})
    assert _rules(base, current) == [("request-body-type-changed", "request.body")]
