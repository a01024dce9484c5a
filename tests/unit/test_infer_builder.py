"""The genson extension: formats, presence counts, nullability, mixed arrays, values, maps."""

from __future__ import annotations

from typing import Any

import pytest

from drift_diff.infer.builder import DriftSchemaBuilder, schema_of, wire_value
from drift_diff.infer.formats import string_format
from drift_diff.infer.strategies import MAP_MAX_KEYS, VALUES_CAP


def learn(*objects: Any) -> dict[str, Any]:
    builder = DriftSchemaBuilder()
    for obj in objects:
        builder.add_object(obj)
    return builder.to_schema()


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("0190f0a2-1c2b-7d3e-8f4a-5b6c7d8e9f00", "uuid"),
        ("00000000-0000-0000-0000-000000000000", "uuid"),
        ("2024-05-01T12:00:00Z", "date-time"),
        ("2024-05-01T12:00:00.123+02:00", "date-time"),
        ("2024-05-01", "date"),
        ("ada@example.com", "email"),
        ("https://api.example.com/v1?page=2", "uri"),
        ("192.168.0.1", "ipv4"),
        ("2001:db8::1", "ipv6"),
        ("hello", None),
        ("2024-13-01", None),
    ],
)
def test_string_formats(value: str, fmt: str | None) -> None:
    assert string_format(value) == fmt
    assert learn(value).get("format") == fmt


def test_format_is_dropped_on_the_first_counterexample_for_good() -> None:
    assert learn("2024-05-01", "2024-05-02")["format"] == "date"
    assert "format" not in learn("2024-05-01", "soon", "2024-05-02")
    merged = schema_of(learn("2024-05-01"), learn("soon"), learn("2024-05-03"))
    assert "format" not in merged


def test_presence_counts_and_required() -> None:
    schema = learn({"id": 1, "note": "a"}, {"id": 2}, {"id": 3, "note": None})
    assert schema["properties"]["id"]["x-seen"] == [3, 3]
    assert schema["properties"]["note"]["x-seen"] == [2, 3]
    assert schema["required"] == ["id"]


def test_nullability_is_a_type_list_not_any_of() -> None:
    schema = learn({"a": None}, {"a": {"b": "x"}})
    prop = schema["properties"]["a"]
    assert prop["type"] == ["null", "object"] and "anyOf" not in prop
    assert prop["properties"]["b"]["x-seen"] == [1, 1]


def test_arrays_of_mixed_objects_merge_into_one_object_schema() -> None:
    schema = learn([{"kind": "a", "x": 1}, {"kind": "b", "y": "s"}, {"kind": "a", "x": 2}])
    items = schema["items"]
    assert items["type"] == "object"
    assert items["properties"]["kind"]["x-seen"] == [3, 3]
    assert items["properties"]["x"]["x-seen"] == [2, 3]
    assert items["properties"]["y"]["x-seen"] == [1, 3]
    assert items["required"] == ["kind"]


def test_values_are_kept_sorted_while_few_then_dropped() -> None:
    assert learn("b", "a", "b")["x-values"] == ["a", "b"]
    assert "x-values" not in learn(*[f"v{i}" for i in range(VALUES_CAP + 1)])
    assert learn(True, False)["x-values"] == [False, True]
    assert learn(1, "a", True)["x-values"] == [True, 1, "a"]
    assert "x-values" not in learn(1.5)
    assert "x-values" not in learn("x" * 200)


def test_empty_objects_keep_their_count_for_later_merges() -> None:
    merged = schema_of(learn({}, {}), learn({"a": 1}))
    assert merged["properties"]["a"]["x-seen"] == [1, 3]


def test_id_keyed_objects_become_maps() -> None:
    schema = learn({"by_id": {"17": {"n": 1}, "42": {"n": 2, "m": True}}})
    by_id = schema["properties"]["by_id"]
    assert by_id["x-map"] is True and "properties" not in by_id
    assert by_id["additionalProperties"]["properties"]["n"]["x-seen"] == [2, 2]


def test_objects_with_too_many_keys_become_maps() -> None:
    wide = {f"k{i}x": i for i in range(MAP_MAX_KEYS + 1)}
    schema = learn(wide)
    assert schema["x-map"] is True
    assert schema["additionalProperties"]["type"] == "integer"


def test_map_decision_does_not_depend_on_order() -> None:
    a, b = {"name": {"x": 1}}, {"name": {"0190f0a2-1c2b-7d3e-8f4a-5b6c7d8e9f00": 2}}
    assert schema_of(learn(a), learn(b)) == schema_of(learn(b), learn(a)) == learn(a, b)


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), ("-3", -3), ("007", "007"), ("true", True), ("1.5", 1.5), ("abc", "abc")],
)
def test_wire_values_are_typed(text: str, value: Any) -> None:
    assert wire_value(text) == value and type(wire_value(text)) is type(value)
