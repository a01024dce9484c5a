"""One (base, current) endpoint pair per constraint rule (bounds, multipleOf, pattern) and per
``oneOf``/``anyOf`` branch rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Place = Callable[[str, str, Any], dict[str, Any]]

#: id word -> (keyword, upper bound?, the schema it constrains)
BOUNDS: dict[str, tuple[str, bool, dict[str, Any]]] = {
    "max-length": ("maxLength", True, {"type": "string"}),
    "min-length": ("minLength", False, {"type": "string"}),
    "max": ("maximum", True, {"type": "integer"}),
    "min": ("minimum", False, {"type": "integer"}),
    "max-items": ("maxItems", True, {"type": "array", "items": {"type": "string"}}),
    "min-items": ("minItems", False, {"type": "array", "items": {"type": "string"}}),
}
SIDES = (("request", ("body", "property", "parameter")), ("response", ("body", "property")))


def constraint_cases(place: Place) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    cases: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def pair(side: str, target: str, b: dict[str, Any], c: dict[str, Any]) -> Any:
        return place(side, target, b), place(side, target, c)

    for side, targets in SIDES:
        for target in targets:
            for name, (kw, _upper, plain) in BOUNDS.items():
                small, large = {**plain, kw: 5}, {**plain, kw: 10}
                for what, (b, c) in {
                    "set": (plain, small),
                    "unset": (small, plain),
                    "increased": (small, large),
                    "decreased": (large, small),
                }.items():
                    cases[f"{side}-{target}-{name}-{what}"] = pair(side, target, b, c)
            number = {"type": "number"}
            five, ten = {**number, "multipleOf": 5}, {**number, "multipleOf": 10}
            for what, (b, c) in {
                "set": (number, five),
                "unset": (five, number),
                "changed": (five, ten),
                "relaxed": (ten, five),
            }.items():
                cases[f"{side}-{target}-multiple-of-{what}"] = pair(side, target, b, c)
            text = {"type": "string"}
            a, z = {**text, "pattern": "^a"}, {**text, "pattern": "^z"}
            for what, (b, c) in {
                "added": (text, a),
                "removed": (a, text),
                "changed": (a, z),
            }.items():
                cases[f"{side}-{target}-pattern-{what}"] = pair(side, target, b, c)
    return cases


def branch_cases(place: Place) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """A union losing or gaining one branch the union view cannot tell apart (same type, a
    different title), so the branch rule is the only one that fires."""
    cases: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    one = {"type": "string", "title": "one"}
    two = {"type": "string", "title": "two"}
    for side, targets in SIDES:
        for target in targets:
            if target == "parameter":
                continue
            for key, word in (("oneOf", "one-of"), ("anyOf", "any-of")):
                both, single = {key: [one, two]}, {key: [one]}
                cases[f"{side}-{target}-{word}-removed"] = (
                    place(side, target, both),
                    place(side, target, single),
                )
                cases[f"{side}-{target}-{word}-added"] = (
                    place(side, target, single),
                    place(side, target, both),
                )
    return cases
