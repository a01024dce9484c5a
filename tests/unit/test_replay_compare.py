"""Noise-aware comparison of a recorded response with the live one."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from driftdiff_sdk.kinds import value_kind

from drift_diff.model import Severity
from drift_diff.replay.aggregate import aggregate_changes
from drift_diff.replay.compare import CompareContext, compare_exchange
from drift_diff.replay.noise import NoiseModel
from drift_diff.replay.paths import PathMatcher, format_location


def exchange(
    body: Any = None,
    *,
    status: int = 200,
    ct: str = "application/json",
    xid: str = "e1",
    path: str = "/orders/1",
    route: str | None = "/orders/{id}",
    query: dict[str, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    response: dict[str, Any] = {"status": status, "headers": {}, "content_type": ct, **extra}
    if body is not None:
        response["body"] = body
    return {
        "id": xid,
        "route": route,
        "request": {
            "method": "GET",
            "path": path,
            "query": query or {},
            "url": f"http://api.example:8000{path}",
            "headers": {},
        },
        "response": response,
    }


def rules(changes: list[Any]) -> list[tuple[str, str, str]]:
    return [(c.rule, c.severity.value, c.location) for c in changes]


def test_identical_responses_give_nothing() -> None:
    body = {"id": 1, "items": [{"sku": "a"}]}
    assert compare_exchange(exchange(body), exchange(body)) == []


def test_missing_field_type_change_value_change_and_added_field() -> None:
    before = {"id": 1, "total": 10, "name": "a", "gone": True}
    after = {"id": 1, "total": "10", "name": "b", "new": 1}
    changes = compare_exchange(exchange(before), exchange(after))
    assert sorted(rules(changes)) == [
        ("replay-field-added", "info", "response.body.new"),
        ("replay-field-missing", "breaking", "response.body.gone"),
        ("replay-type-changed", "breaking", "response.body.total"),
        ("replay-value-changed", "warning", "response.body.name"),
    ]
    value = next(c for c in changes if c.rule == "replay-value-changed")
    assert (value.before, value.after) == ("a", "b")
    assert value.endpoint == "GET /orders/{id}" and value.evidence == "exchange e1"


def test_numbers_compare_as_numbers() -> None:
    assert compare_exchange(exchange({"n": 1}), exchange({"n": 1.0})) == []


def test_status_class_change_is_breaking_and_same_class_a_warning() -> None:
    broken = compare_exchange(exchange({"a": 1}), exchange({"error": "x"}, status=500))
    assert rules(broken) == [("replay-status-changed", "breaking", "response.status")]
    assert (broken[0].before, broken[0].after) == (200, 500)
    created = compare_exchange(exchange({"a": 1}), exchange({"a": 1}, status=201))
    assert rules(created) == [("replay-status-changed", "warning", "response.status")]


def test_content_type_change_is_breaking() -> None:
    changes = compare_exchange(exchange({"a": 1}), exchange(ct="text/html", body_text="<p>"))
    assert rules(changes) == [("replay-content-type-changed", "breaking", "response.content_type")]


def test_charset_parameter_is_not_a_content_type_change() -> None:
    live = exchange({"a": 1}, ct="application/json; charset=utf-8")
    assert compare_exchange(exchange({"a": 1}), live) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("6f1c3a0e-58a1-4a43-9f57-2b0b2f1e3a10", "0b7e2f44-9c39-4c1f-8f0e-7f1d6a5b4c3d"),
        ("2024-05-01T10:00:00Z", "2025-01-02T03:04:05.123456+02:00"),
        ("2024-05-01", "2025-12-31"),
        (1714557600, 1735790645),
        (1714557600123, 1735790645999),
        ("eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln", "eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiIyIn0.eHl6"),
    ],
)
def test_dynamic_values_compare_by_kind(a: Any, b: Any) -> None:
    assert value_kind(a) == value_kind(b) is not None
    assert compare_exchange(exchange({"v": a}), exchange({"v": b})) == []


def test_dynamic_value_of_another_kind_is_reported() -> None:
    changes = compare_exchange(
        exchange({"v": "6f1c3a0e-58a1-4a43-9f57-2b0b2f1e3a10"}), exchange({"v": "2024-05-01"})
    )
    assert rules(changes) == [("replay-value-changed", "warning", "response.body.v")]


def test_small_numbers_are_not_epochs() -> None:
    assert value_kind(42) is None and value_kind(True) is None
    changes = compare_exchange(exchange({"qty": 2}), exchange({"qty": 3}))
    assert rules(changes) == [("replay-value-changed", "warning", "response.body.qty")]


def test_ignore_patterns_are_exact_paths_with_wildcards() -> None:
    before = {"items": [{"id": 1, "idempotency_key": "k1"}], "meta": {"etag": "a"}}
    after = {"items": [{"id": 2, "idempotency_key": "k2"}], "meta": {"etag": "b"}}
    ctx = CompareContext(ignore=PathMatcher(["items[*].id", "response.body.meta"]))
    changes = compare_exchange(exchange(before), exchange(after), ctx)
    # items[*].id never hides items[*].idempotency_key (no substring matching)
    assert rules(changes) == [
        ("replay-value-changed", "warning", "response.body.items[0].idempotency_key")
    ]


def test_path_matcher_wildcards() -> None:
    m = PathMatcher(["$.a.*.c", "x[*]", "**.token"])
    assert m.matches("response.body.a.b.c")
    assert not m.matches("response.body.a.b.cd")
    assert m.matches("response.body.x[3].y")
    assert not m.matches("response.body.x.y")
    assert m.matches("response.body.deep[0].token")
    assert format_location("response.body", ["a b", 0, "c"]) == 'response.body["a b"][0].c'
    assert PathMatcher(['response.body["a b"]']).matches('response.body["a b"][0].c')


def test_noise_learned_from_repeated_recordings() -> None:
    first = exchange({"id": 1, "served_by": "pod-a", "stock": 3}, xid="r1")
    second = exchange({"id": 1, "served_by": "pod-b", "stock": 3}, xid="r2")
    noise = NoiseModel.learn([first, second])
    assert noise.paths("GET /orders/{id}") == ["response.body.served_by"]
    live = exchange({"id": 1, "served_by": "pod-c", "stock": 4})
    changes = compare_exchange(first, live, CompareContext(noise=noise))
    assert rules(changes) == [("replay-value-changed", "warning", "response.body.stock")]
    # a noisy value may vary, but it may not disappear or change type
    gone = compare_exchange(first, exchange({"id": 1, "stock": 3}), CompareContext(noise=noise))
    assert rules(gone) == [("replay-field-missing", "breaking", "response.body.served_by")]


def test_noise_generalises_indices_and_applies_per_endpoint() -> None:
    a = exchange({"items": [{"at": "x1", "n": 1}]}, xid="a")
    b = exchange({"items": [{"at": "x2", "n": 1}]}, xid="b")
    noise = NoiseModel.learn([a, b])
    other = exchange({"items": [{"at": "p", "n": 1}, {"at": "q", "n": 1}]}, path="/orders/2")
    live = exchange({"items": [{"at": "r", "n": 1}, {"at": "s", "n": 2}]}, path="/orders/2")
    changes = compare_exchange(other, live, CompareContext(noise=noise))
    assert rules(changes) == [("replay-value-changed", "warning", "response.body.items[1].n")]


def test_different_requests_teach_no_noise() -> None:
    a = exchange({"v": 1}, query={"page": ["1"]})
    b = exchange({"v": 2}, query={"page": ["2"]})
    assert len(NoiseModel.learn([a, b])) == 0


def test_recorded_origin_is_rewritten_to_the_target() -> None:
    recorded = exchange({"next_url": "http://api.example:8000/orders?page=2"})
    live = exchange({"next_url": "http://127.0.0.1:9999/orders?page=2"})
    ctx = CompareContext(target_origin="http://127.0.0.1:9999")
    assert compare_exchange(recorded, live, ctx) == []
    assert compare_exchange(recorded, live) != []


def test_redirect_location_is_compared_after_rewriting() -> None:
    recorded = exchange(status=302, ct="", headers={"location": ["http://api.example:8000/x"]})
    live = exchange(status=302, ct="", headers={"location": ["http://t:1/x"]})
    assert compare_exchange(recorded, live, CompareContext(target_origin="http://t:1")) == []
    moved = exchange(status=302, ct="", headers={"location": ["http://t:1/y"]})
    changes = compare_exchange(recorded, moved, CompareContext(target_origin="http://t:1"))
    assert rules(changes) == [("replay-value-changed", "warning", "response.headers.location")]


def test_text_and_binary_bodies() -> None:
    text = compare_exchange(
        exchange(ct="text/plain", body_text="hello"), exchange(ct="text/plain", body_text="hullo")
    )
    assert rules(text) == [("replay-value-changed", "warning", "response.body")]
    png = "image/png"
    same = base64.b64encode(b"\x89PNG\x00\x01").decode()
    other = base64.b64encode(b"\x89PNG\x00\x02").decode()
    assert compare_exchange(exchange(ct=png, body_b64=same), exchange(ct=png, body_b64=same)) == []
    changes = compare_exchange(exchange(ct=png, body_b64=same), exchange(ct=png, body_b64=other))
    assert rules(changes) == [("replay-value-changed", "warning", "response.body")]
    assert str(changes[0].before).startswith("sha256:")


def test_json_that_became_text_is_a_type_change() -> None:
    changes = compare_exchange(exchange({"a": 1}), exchange(body_text="{oops"))
    assert rules(changes) == [("replay-type-changed", "breaking", "response.body")]


def test_body_that_disappeared_is_missing() -> None:
    changes = compare_exchange(exchange({"a": 1}), exchange())
    assert rules(changes) == [("replay-field-missing", "breaking", "response.body")]


def test_null_to_value_is_a_warning_value_to_null_breaking() -> None:
    relaxed = compare_exchange(exchange({"a": None}), exchange({"a": "x"}))
    assert rules(relaxed) == [("replay-value-changed", "warning", "response.body.a")]
    nulled = compare_exchange(exchange({"a": "x"}), exchange({"a": None}))
    assert rules(nulled) == [("replay-type-changed", "breaking", "response.body.a")]


def test_array_items_removed_are_reported_per_item() -> None:
    changes = compare_exchange(exchange({"xs": [1, 2, 3]}), exchange({"xs": [1, 3]}))
    assert rules(changes) == [("replay-value-changed", "warning", "response.body.xs[1]")]


def test_aggregation_counts_exchanges() -> None:
    a = compare_exchange(exchange({"a": 1}, xid="x1"), exchange({}))
    b = compare_exchange(exchange({"a": 1}, xid="x2"), exchange({}))
    merged = aggregate_changes(a + b)
    assert len(merged) == 1
    assert merged[0].evidence == "exchange x1; 2 occurrence(s) in 2 exchange(s)"
    assert merged[0].severity is Severity.BREAKING


def test_aggregation_folds_array_indices_into_one_finding() -> None:
    recorded = exchange({"items": [{"price": 1.5}, {"price": 2.5}, {"price": 3.5}]}, xid="x1")
    live = exchange({"items": [{"price": "1.5"}, {"price": "2.5"}, {"price": "3.5"}]})
    changes = compare_exchange(recorded, live)
    assert len(changes) == 3
    merged = aggregate_changes(changes)
    assert [(c.rule, c.location) for c in merged] == [
        ("replay-type-changed", "response.body.items[].price")
    ]
    assert "3 occurrence(s) in 1 exchange(s)" in merged[0].evidence


def test_aggregation_folds_map_keys_that_are_ids_into_one_finding() -> None:
    """A map keyed by id (datasette's ``?_shape=object``): one finding, not one per row; a
    quoted key that is a name stays apart."""
    uid = "9b2e1c4d-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
    recorded = exchange(
        {"1": {"price": 1}, "2": {"price": 2}, uid: {"price": 3}, "a b": {"price": 4}}
    )
    live = exchange({"1": {}, "2": {}, uid: {}, "a b": {}})
    merged = aggregate_changes(compare_exchange(recorded, live))
    assert [(c.rule, c.location) for c in merged] == [
        ("replay-field-missing", 'response.body["a b"].price'),
        ("replay-field-missing", "response.body{}.price"),
    ]
    assert "3 occurrence(s) in 1 exchange(s)" in merged[1].evidence


def test_a_client_error_that_became_a_success_is_not_breaking() -> None:
    changes = compare_exchange(exchange({"e": 1}, status=404), exchange({"id": 1}, status=200))
    assert rules(changes) == [("replay-status-changed", "info", "response.status")]
    changes = compare_exchange(exchange({"id": 1}, status=200), exchange({"e": 1}, status=404))
    assert rules(changes) == [("replay-status-changed", "breaking", "response.status")]


def test_a_recorded_header_missing_from_the_replay_is_breaking() -> None:
    rec = exchange([{"id": 1}])
    rec["response"]["headers"] = {
        "x-total-count": ["1"],
        "link": ["<x>; rel=next"],
        "date": ["Sun, 06 Dec 2026 03:55:20 GMT"],
        "content-length": ["10"],
        "etag": ['W/"a"'],
        "set-cookie": ["s=1"],
    }
    live = exchange([{"id": 1}])
    live["response"]["headers"] = {"link": ["<x>; rel=next"]}
    assert rules(compare_exchange(rec, live)) == [
        ("replay-header-missing", "breaking", "response.headers.x-total-count")
    ]


def test_array_items_that_change_type_are_one_breaking_finding() -> None:
    before = {"tags": ["a", "b"]}
    after = {"tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    assert rules(compare_exchange(exchange(before), exchange(after))) == [
        ("replay-type-changed", "breaking", "response.body.tags[]")
    ]


def test_an_array_that_came_back_empty_names_the_query() -> None:
    before = [{"id": 1, "comments": [{"id": 1}, {"id": 2}]}]
    after = [{"id": 1, "comments": []}]
    query = {"_embed": ["comments"]}
    changes = compare_exchange(exchange(before, query=query), exchange(after, query=query))
    assert rules(changes) == [("replay-array-emptied", "warning", "response.body[0].comments")]
    assert "?_embed=comments" in changes[0].message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"meta": {"query_ms": 3}}, {"meta": {"query_ms": 41}}),
        ({"took": 12, "elapsed": "0.5s"}, {"took": 7, "elapsed": "1.25s"}),
        ({"email": "user-1a2b3c4d@redacted.invalid"}, {"email": "jane@corp.example"}),
    ],
)
def test_timings_and_redaction_placeholders_compare_by_kind(before: Any, after: Any) -> None:
    assert compare_exchange(exchange(before), exchange(after)) == []


def test_a_timing_field_still_keeps_its_presence_and_type() -> None:
    changes = compare_exchange(exchange({"query_ms": 3, "took": 4}), exchange({"took": "4"}))
    assert sorted(rules(changes)) == [
        ("replay-field-missing", "breaking", "response.body.query_ms"),
        ("replay-type-changed", "breaking", "response.body.took"),
    ]


def test_a_header_the_same_request_sometimes_lacked_is_noise() -> None:
    first = exchange([{"id": 1}], xid="a", headers={"x-total-count": ["1"], "x-page": ["1"]})
    again = exchange([{"id": 1}], xid="b", headers={"x-page": ["1"]})
    live = exchange([{"id": 1}], headers={})
    ctx = CompareContext(noise=NoiseModel.learn([first, again]))
    assert rules(compare_exchange(first, live, ctx)) == [
        ("replay-header-missing", "breaking", "response.headers.x-page")
    ]


def test_cdn_and_negotiated_headers_are_not_contract() -> None:
    names = ["via", "x-cache", "server-timing", "content-encoding", "etag", "cf-ray", "date"]
    rec = exchange({"a": 1}, headers={n: ["x"] for n in names})
    assert compare_exchange(rec, exchange({"a": 1})) == []


def test_items_that_came_and_went_do_not_excuse_a_field_inside_them() -> None:
    # the same request recorded before and after a new post: the list grew (noise), but the
    # field each item carried in this request is still evidence
    q = {"_embed": ["comments"]}
    one = [{"id": 1, "comments": [{"id": 1}]}]
    first = exchange(one, xid="a", query=q)
    again = exchange([*one, {"id": 2, "comments": []}], xid="b", query=q)
    ctx = CompareContext(noise=NoiseModel.learn([first, again]))
    live = exchange([{"id": 1}], query=q)
    assert rules(compare_exchange(first, live, ctx)) == [
        ("replay-field-missing", "breaking", "response.body[0].comments")
    ]
    longer = exchange([*one, {"id": 3, "comments": []}], query=q)
    assert compare_exchange(first, longer, ctx) == []  # more items: the noise it learned


def test_values_under_secret_names_compare_by_presence_and_type_only() -> None:
    """A recording holds a placeholder under ``password``/``api_key``/``credentials``, never the
    value: the build's own value there is no change; its absence or another type still is."""
    from driftdiff_sdk.redact import Redactor

    body = {"api_key": "k3y-live-value", "pin": 1234, "credentials": {"v": "x"}, "name": "a"}
    recorded = Redactor().redact_exchange(exchange(body))
    assert recorded["response"]["body"]["api_key"] != body["api_key"]  # masked, format kept
    assert compare_exchange(recorded, exchange(body)) == []
    changed = {**body, "pin": "1234", "name": "b"}
    del changed["api_key"]
    assert rules(compare_exchange(recorded, exchange(changed))) == [
        ("replay-field-missing", "breaking", "response.body.api_key"),
        ("replay-value-changed", "warning", "response.body.name"),
        ("replay-type-changed", "breaking", "response.body.pin"),
    ]
