"""Form bodies learned as objects of fields; null-only fields as "type unknown, nullable"."""

from __future__ import annotations

from typing import Any

from drift_diff.diff import diff_baselines
from drift_diff.infer import infer_baseline
from tests.unit.infer_support import exchange
from tests.unit.test_merge import assert_mergeable, form_body

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def _post(kind: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    raw = exchange("POST", "/upload", body={"ok": True})
    raw["request"].update(form_body(kind, fields))
    return raw


def _schema(traffic: list[dict[str, Any]], media: str) -> dict[str, Any]:
    endpoint = infer_baseline(traffic).endpoints["POST /upload"]
    schema: dict[str, Any] = endpoint["request"]["content"][media]["schema"]
    return schema


def test_urlencoded_fields_are_typed_properties() -> None:
    traffic = [_post("urlencoded", [("qty", "2"), ("tag", "a"), ("tag", "b")])] * 2
    traffic.append(_post("urlencoded", [("qty", "5"), ("note", "hi")]))
    schema = _schema(traffic, URLENCODED)
    props = schema["properties"]
    assert props["qty"]["type"] == "integer" and props["qty"]["x-seen"] == [3, 3]
    assert props["tag"] == {
        "type": "array",
        "items": {"type": "string", "x-values": ["a", "b"]},
        "x-seen": [2, 3],
    }
    assert props["note"]["x-seen"] == [1, 3]
    assert schema["required"] == ["qty"]


def test_multipart_file_parts_are_binary_strings() -> None:
    traffic = [_post("multipart", [("a", "1"), ("file", "\x00\x01")]) for _ in range(3)]
    props = _schema(traffic, MULTIPART)["properties"]
    assert props["file"] == {"type": "string", "format": "binary", "x-seen": [3, 3]}
    assert props["a"]["type"] == "integer"


def test_a_form_field_change_is_visible_in_the_diff() -> None:
    before = [_post("multipart", [("a", "1"), ("file", "x")]) for _ in range(3)]
    after = [_post("multipart", [("a", "one"), ("b", "1"), ("file", "x")]) for _ in range(3)]
    changes = diff_baselines(infer_baseline(before), infer_baseline(after)).changes
    assert {(c.rule, c.location) for c in changes} == {
        ("request-property-type-changed", "request.body.a"),
        ("new-required-request-property", "request.body.b"),
    }


def test_an_undecodable_form_is_an_opaque_string() -> None:
    raw = exchange("POST", "/upload", body={"ok": True})
    raw["request"].update(content_type=MULTIPART, body_b64="bm90IGEgZm9ybQ==")  # no boundary
    assert _schema([raw], MULTIPART) == {"type": "string"}


def test_forms_merge_exactly() -> None:
    traffic = [
        _post("urlencoded", [("a", "1")]),
        _post("multipart", [("file", "x"), ("a", "")]),
        _post("multipart", [("file", "y")]),
        _post("urlencoded", [("a", "x"), ("a", "1")]),
    ]
    for cut1 in range(len(traffic) + 1):
        for cut2 in range(cut1, len(traffic) + 1):
            assert_mergeable(traffic, cut1, cut2)


def test_null_only_then_a_concrete_type_is_not_a_change() -> None:
    def learned(value: Any, *, request: bool) -> Any:
        raw = exchange("POST", "/p", body={"v": None if request else value})
        if request:
            raw["request"].update(body={"v": value}, content_type="application/json")
        return infer_baseline([raw, raw])

    for request in (True, False):
        base = learned(None, request=request)
        for later in ("text", 3):
            assert diff_baselines(base, learned(later, request=request)).changes == []
        # and the reverse (a concrete type now only null) is still reported
        back = diff_baselines(learned("text", request=request), base).changes
        assert [c.rule for c in back] == [
            f"{'request' if request else 'response'}-property-became-nullable"
        ]
