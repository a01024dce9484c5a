"""Export -> import round trip: an unedited export diffs silent against its baseline, and the
export is a usable document (operationId, servers, security, shared components)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from drift_diff.baseline import load_baseline
from drift_diff.contracts import DiffSide, SideKind, diff_sides, load_input
from drift_diff.errors import InputError, UsageError
from drift_diff.model import Baseline
from drift_diff.openapi import export_openapi, import_openapi
from drift_diff.openapi.exporter import operation_id, server_url
from tests.support import CONFORMANCE, REPO, run_cli

EXAMPLES = sorted((REPO / "baselines").glob("*.json"))
#: the largest file (3.7 MB, 665 requests: 5 s) with the heavy tests, which CI runs too
HARS = [
    pytest.param(p, marks=[pytest.mark.heavy] if p.stat().st_size > 2_000_000 else [], id=p.name)
    for p in sorted((CONFORMANCE / "har").glob("*.har"))
]


def _round_trip(b: Baseline) -> tuple[list[str], list[str]]:
    """Findings of baseline -> export and export -> baseline (rule and location)."""
    doc = export_openapi(b)
    validate(doc)
    side = DiffSide(b, SideKind.BASELINE)
    back = DiffSide(import_openapi(doc), SideKind.OPENAPI)
    return (
        [f"{c.rule} {c.location}" for c in diff_sides(side, back).changes],
        [f"{c.rule} {c.location}" for c in diff_sides(back, side).changes],
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_baseline_round_trips_silent(path: Path) -> None:
    assert _round_trip(load_baseline(path)) == ([], [])


def test_cli_round_trip_is_silent(tmp_path: Path) -> None:
    src = REPO / "baselines" / "shop.json"
    out = tmp_path / "shop.openapi.yaml"
    assert run_cli("export", "openapi", str(src), "-o", str(out)).code == 0
    res = run_cli("diff", str(src), str(out), "--fail-on", "info")
    assert res.code == 0, res.stdout
    assert "0 breaking, 0 warning, 0 info" in res.stdout


@pytest.mark.conformance
@pytest.mark.parametrize("path", HARS)
def test_baseline_learned_from_har_round_trips_silent(conformance_dir: Path, path: Path) -> None:
    try:
        side = load_input(path)
    except InputError:
        pytest.skip(f"{path.name} holds no API exchange (its own test covers the error)")
    assert _round_trip(side.baseline) == ([], [])


def test_credentials_are_security_not_parameters() -> None:
    doc = export_openapi(load_baseline(REPO / "baselines" / "shop.json"))
    names = {
        p["name"].lower()
        for item in doc["paths"].values()
        for op in item.values()
        for p in op.get("parameters", [])
    }
    assert not names & {"accept", "authorization", "content-type"}
    assert doc["components"]["securitySchemes"]["authorization"]["name"] == "Authorization"
    secured = {
        f"{m.upper()} {p}"
        for p, item in doc["paths"].items()
        for m, op in item.items()
        if op.get("security") == [{"authorization": []}]
    }
    assert secured == {"GET /orders/{order_id}", "GET /users/{user_id}/orders", "POST /orders"}


def test_optional_credential_reads_back_optional() -> None:
    b = load_baseline(REPO / "baselines" / "shop.json")
    ep = json.loads(json.dumps(b.endpoints["POST /orders"]))
    ep["headers"]["required"] = ["accept"]
    ep["headers"]["properties"]["authorization"]["x-seen"] = [3, 8]
    doc = export_openapi(Baseline(service="s", endpoints={"POST /orders": ep}))
    assert doc["paths"]["/orders"]["post"]["security"] == [{"authorization": []}, {}]
    headers = import_openapi(doc).endpoints["POST /orders"]["headers"]
    assert headers["properties"] == {"authorization": {"type": "string"}}
    assert headers["required"] == []


def test_operation_ids_unique_and_deterministic() -> None:
    assert operation_id("GET", "/orders/{order_id}") == "getOrdersByOrderId"
    assert operation_id("DELETE", "/") == "deleteRoot"
    eps = {
        "GET /a-b": {"responses": {}},
        "GET /a_b": {"responses": {}},
        "GET /a/b": {"responses": {}},
    }
    doc = export_openapi(Baseline(service="s", endpoints=eps))
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert sorted(ids) == ["getAB", "getAB_2", "getAB_3"]
    assert ids == [
        op["operationId"]
        for item in export_openapi(Baseline(service="s", endpoints=eps))["paths"].values()
        for op in item.values()
    ]


def test_servers_sanitised_and_default() -> None:
    b = Baseline(service="s", endpoints={"GET /x": {"responses": {}}})
    assert export_openapi(b)["servers"] == [{"url": "/"}]
    doc = export_openapi(
        b, servers=["https://user:secret@api.example.com:8443/v1/?token=abc#frag", "http://h"]
    )
    assert doc["servers"] == [{"url": "https://api.example.com:8443/v1"}, {"url": "http://h"}]
    assert "secret" not in json.dumps(doc) and "abc" not in json.dumps(doc)
    with pytest.raises(UsageError, match="http"):
        server_url("file:///etc/passwd")


def test_server_option_on_the_cli(tmp_path: Path) -> None:
    src = REPO / "baselines" / "shop.json"
    res = run_cli("export", "openapi", str(src), "--server", "https://shop.example/api")
    assert res.code == 0, res.stderr
    assert json.loads(res.stdout)["servers"] == [{"url": "https://shop.example/api"}]
    res = run_cli("export", "openapi", str(src), "--server", "ftp://x")
    assert res.code == 2 and "--server" in res.stderr and "Traceback" not in res.stderr


def test_identical_schemas_shared_once_with_stable_names() -> None:
    pet = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "owner": {"type": "object", "properties": {}}},
    }
    body = {"content": {"application/json": {"schema": pet}}}
    eps = {
        "GET /pets/{id}": {"responses": {"200": body}},
        "PUT /pets/{id}": {"request": {"content": body["content"]}, "responses": {"200": body}},
        "GET /owners": {"responses": {"200": {"content": {"text/plain": {"schema": {}}}}}},
    }
    doc = export_openapi(Baseline(service="s", endpoints=eps))
    validate(doc)
    assert list(doc["components"]["schemas"]) == ["GetPetsById200Response"]
    item = doc["paths"]["/pets/{id}"]
    ref = {"$ref": "#/components/schemas/GetPetsById200Response"}
    assert item["get"]["responses"]["200"]["content"]["application/json"]["schema"] == ref
    assert item["put"]["requestBody"]["content"]["application/json"]["schema"] == ref
    assert export_openapi(Baseline(service="s", endpoints=eps)) == doc
    assert _round_trip(Baseline(service="s", endpoints=eps)) == ([], [])


def test_unusual_method_kept_as_additional_operation() -> None:
    eps = {"PROPFIND /dav": {"responses": {"207": {}}}, "GET /dav": {"responses": {"200": {}}}}
    doc = export_openapi(Baseline(service="s", endpoints=eps))
    validate(doc)
    assert list(doc["paths"]["/dav"]["x-additionalOperations"]) == ["PROPFIND"]
    assert sorted(import_openapi(doc).endpoints) == ["GET /dav", "PROPFIND /dav"]
