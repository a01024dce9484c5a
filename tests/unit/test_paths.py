"""Path templating: shapes, words and versions kept, naming, the cardinality pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.cli import main
from drift_diff.infer import infer_baseline
from drift_diff.infer.paths import (
    FOLD_MIN_VALUES,
    parse_template,
    plan_folds,
    render,
    route_segments,
    shape_segments,
    template_path,
    user_template,
)
from drift_diff.traffic.traces import write_exchanges
from tests.unit.infer_support import exchange


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/users/42", "/users/{user_id}"),
        ("/users/0190f0a2-1c2b-7d3e-8f4a-5b6c7d8e9f00", "/users/{user_id}"),  # UUID v7
        ("/users/00000000-0000-0000-0000-000000000000", "/users/{user_id}"),  # nil UUID
        ("/users/6ba7b810-9dad-11d1-80b4-00c04fd430c8", "/users/{user_id}"),  # v1
        ("/items/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/items/{item_id}"),  # ULID
        ("/blobs/5f2b7c9e1a3d4e6f8a0b1c2d", "/blobs/{blob_id}"),  # Mongo ObjectId (hex)
        ("/tokens/sk_live_4eC39HqLyjWDarjtT1zdp7dc", "/tokens/{token_id}"),  # mixed token
        ("/reports/2024-01-31", "/reports/{report_id}"),  # date as a value
        ("/people/ada@example.com", "/people/{people_id}"),
        ("/orders/17/items/3", "/orders/{order_id}/items/{item_id}"),
        ("/categories/9", "/categories/{category_id}"),
        ("/addresses/9", "/addresses/{address_id}"),
        ("/status/200", "/status/{status_id}"),
    ],
)
def test_ids_of_every_shape_become_named_parameters(path: str, template: str) -> None:
    assert template_path(path) == template


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users",
        "/v2.1/query-params",
        "/2024-01-01/charges",
        "/api/2024-01-01/charges",
        "/users/me",
        "/health",
        "/static/app.min.js",
        "/api/status/200methods/get",
    ],
)
def test_words_versions_and_api_dates_stay_literal(path: str) -> None:
    assert template_path(path) == path


def test_names_are_deduplicated_and_fall_back_to_id() -> None:
    assert template_path("/a/1/2") == "/a/{a_id}/{id}"
    assert template_path("/1/2") == "/{id}/{id_2}"


def test_route_templates_are_used_and_normalised() -> None:
    assert template_path("/o/5", route="/o/{order_id}") == "/o/{order_id}"
    assert template_path("/o/5", route="/o/<int:oid>") == "/o/{oid}"
    assert template_path("/o/5", route="/o/:oid") == "/o/{oid}"


def test_render_and_parse_round_trip() -> None:
    for segs in (shape_segments("/users/1/posts/2"), route_segments("/u/{uid}/p/{post_id}")):
        assert parse_template(render(segs)) == segs


def test_cardinality_folds_many_id_like_literals_and_keeps_words() -> None:
    keys = [("GET", ("api", f"{200 + i}methods", "get")) for i in range(FOLD_MIN_VALUES)]
    keys.append(("GET", ("api", "methods", "get")))
    plan = plan_folds(keys, {})
    assert len(plan) == FOLD_MIN_VALUES
    new, literals = plan[keys[0]]
    assert render(new[1]) == "/api/{api_id}/get" and literals == {1: "200methods"}
    assert ("GET", ("api", "methods", "get")) not in plan


def test_few_id_like_literals_stay_literal() -> None:
    keys = [("GET", ("files", f"f{i}")) for i in range(FOLD_MIN_VALUES - 1)]
    assert plan_folds(keys, {}) == {}


def test_folded_position_keeps_absorbing_new_literals() -> None:
    folded = ("GET", ("files", "{}"))
    plan = plan_folds([folded, ("GET", ("files", "x9"))], {folded: frozenset({1})})
    assert plan[("GET", ("files", "x9"))][0] == folded


def test_folding_in_a_baseline_records_values_and_marker() -> None:
    exchanges = [exchange("GET", f"/api/status/{200 + i}methods/get") for i in range(8)]
    baseline = infer_baseline(exchanges)
    assert list(baseline.endpoints) == ["GET /api/status/{status_id}/get"]
    param = baseline.endpoints["GET /api/status/{status_id}/get"]["path_params"]["properties"]
    assert param["status_id"]["x-folded"] is True
    assert param["status_id"]["x-seen"] == [8, 8]
    assert param["status_id"]["x-values"] == sorted(f"{200 + i}methods" for i in range(8))


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/blog/posts/1.json", "/blog/posts/{post_id}.json"),
        ("/posts/1.json/comments/2.xml", "/posts/{post_id}.json/comments/{comment_id}.xml"),
        ("/files/index.html", "/files/index.html"),  # a word with an extension stays
        ("/json/GetNavigationMenu2", "/json/GetNavigationMenu2"),  # a name with a number
        ("/api/v2.1/items", "/api/v2.1/items"),
    ],
)
def test_ids_with_an_extension_and_names_with_a_number(path: str, template: str) -> None:
    assert template_path(path) == template
    assert render(parse_template(template)) == template


def test_an_id_with_an_extension_keeps_its_value_without_the_extension() -> None:
    baseline = infer_baseline([exchange("GET", f"/blog/posts/{i}.json") for i in (1, 2)])
    (key,) = baseline.endpoints
    assert key == "GET /blog/posts/{post_id}.json"
    schema = baseline.endpoints[key]["path_params"]["properties"]["post_id"]
    assert schema["type"] == "integer"


def test_user_templates_override_inference() -> None:
    rows = [
        exchange("GET", "/json/GetNavigationMenu2"),
        exchange("GET", "/json/GetFooter"),
        exchange("GET", "/users/42"),
        exchange("GET", "/users/me"),
    ]
    templates = ["/json/{method}", "/users/{id}", "/users/me"]
    assert sorted(infer_baseline(rows, templates=templates).endpoints) == [
        "GET /json/{method}",
        "GET /users/me",
        "GET /users/{id}",
    ]
    assert user_template("/users/7", templates) == "/users/{id}"
    assert user_template("/users/7/x", templates) is None


def test_config_paths_and_an_openapi_document_drive_baseline_build(tmp_path: Path) -> None:
    write_exchanges(
        tmp_path / "t.jsonl",
        [
            exchange("GET", "/json/GetNavigationMenu2"),
            exchange("GET", "/shop/cart-2024"),
            exchange("GET", "/blog/posts/1.json"),
        ],
    )
    (tmp_path / "api.yaml").write_text("openapi: 3.0.3\npaths:\n  /shop/{cart}: {}\n")
    (tmp_path / "driftdiff.yaml").write_text("paths:\n  - /json/{method}\n  - openapi: api.yaml\n")
    out = tmp_path / "b.json"
    argv = ["baseline", str(tmp_path / "t.jsonl"), "--out", str(out)]
    assert main([*argv, "--config", str(tmp_path / "driftdiff.yaml")]) == 0
    assert sorted(json.loads(out.read_text())["endpoints"]) == [
        "GET /blog/posts/{post_id}.json",
        "GET /json/{method}",
        "GET /shop/{cart}",
    ]
    (tmp_path / "driftdiff.yaml").write_text("paths:\n  - openapi: missing.yaml\n")
    assert main([*argv, "--force", "--config", str(tmp_path / "driftdiff.yaml")]) == 2
