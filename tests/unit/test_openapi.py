"""OpenAPI import (3.0/3.1, $ref cycles, allOf, nullable) and export (validated, round trip)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from drift_diff.baseline import save_baseline
from drift_diff.diff import diff_baselines
from drift_diff.diff.schema_view import view
from drift_diff.errors import InputError, OpenAPIError
from drift_diff.openapi import export_openapi, import_openapi, load_openapi
from drift_diff.schemas import validation_error
from tests.support import run_cli
from tests.unit._diff_cases import N, S, baseline, content, endpoint, obj, resp

DOC_30: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "paths": {
        "/pets/{petId}": {
            "parameters": [
                {
                    "name": "petId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                }
            ],
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "X-Trace",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    }
                },
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [
                                    {"$ref": "#/components/schemas/Base"},
                                    {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string", "nullable": True}
                                        },
                                        "required": ["name"],
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "ok"}},
            },
        }
    },
    "components": {
        "schemas": {
            "Base": {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
            },
            "Pet": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    "parent": {"$ref": "#/components/schemas/Pet"},
                },
            },
        }
    },
}


def test_import_30() -> None:
    b = import_openapi(DOC_30)
    assert validation_error("baseline", b.to_dict()) is None
    assert sorted(b.endpoints) == ["GET /pets/{petId}", "POST /pets/{petId}"]
    get = b.endpoints["GET /pets/{petId}"]
    assert get["path_params"]["properties"]["petId"]["format"] == "uuid"
    assert get["query"]["required"] == [] and get["headers"]["required"] == ["x-trace"]
    ref = {"x-ref": "#/components/schemas/Pet"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == ref
    pet = b.refs["#/components/schemas/Pet"]  # converted once; uses are reference nodes
    assert pet["properties"]["parent"] == ref
    assert pet["properties"]["tags"]["items"]["enum"] == ["a", "b"]
    body = b.endpoints["POST /pets/{petId}"]["request"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    # the named allOf part stays a reference; the diff's view folds both parts into one
    node = view(schema, resolve=b.refs.get)
    assert node.required == {"id", "name"} and node.properties["name"]["type"] == [
        "string",
        "null",
    ]


def test_nullable_30_equals_type_list_31() -> None:
    doc31 = json.loads(json.dumps(DOC_30).replace('"3.0.3"', '"3.1.0"'))
    doc31["paths"]["/pets/{petId}"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "allOf"
    ][1]["properties"]["name"] = {"type": ["string", "null"]}
    assert diff_baselines(import_openapi(DOC_30), import_openapi(doc31)).changes == []


def test_mutual_ref_cycle_terminates() -> None:
    doc = json.loads(json.dumps(DOC_30))
    doc["components"]["schemas"]["A"] = {
        "type": "object",
        "properties": {"b": {"$ref": "#/components/schemas/B"}},
    }
    doc["components"]["schemas"]["B"] = {
        "type": "object",
        "properties": {"a": {"$ref": "#/components/schemas/A"}},
    }
    doc["paths"]["/pets/{petId}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/A"}
    b = import_openapi(doc)
    schema = b.endpoints["GET /pets/{petId}"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert schema == {"x-ref": "#/components/schemas/A"}
    assert b.refs["#/components/schemas/B"]["properties"]["a"] == schema
    assert diff_baselines(b, b).changes == []
    # a change behind the cycle is found once, where the walk first meets it
    doc["components"]["schemas"]["B"]["properties"]["x"] = {"type": "string"}
    changes = diff_baselines(b, import_openapi(doc)).changes
    assert [(c.rule, c.location) for c in changes] == [
        ("response-optional-property-added", "response.200.body.b.x")
    ]


def test_invalid_document_gives_validator_message_on_one_line() -> None:
    bad = {"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {"/x": {"get": {}}}}
    with pytest.raises(OpenAPIError) as info:
        import_openapi(bad, source="bad.yaml")
    text = str(info.value)
    assert (
        text.startswith("bad.yaml: invalid OpenAPI document at #/paths/~1x/get: ")
        and "'responses' is a required property" in text
        and text.endswith("pass --lenient-openapi to diff it anyway (best effort)")
        and "\n" not in text
    )
    assert import_openapi(bad, validate=False).endpoints["GET /x"]["responses"] == {}


def test_not_openapi_and_malformed_yaml(tmp_path: Path) -> None:
    with pytest.raises(OpenAPIError, match="not an OpenAPI 3"):
        import_openapi({"info": {}})
    p = tmp_path / "broken.yaml"
    p.write_text("openapi: 3.0.0\npaths: [\n")
    with pytest.raises(InputError, match=r"broken.yaml:line \d+ column \d+: not valid YAML"):
        load_openapi(p)


def _learned() -> Any:
    get = endpoint(
        query={
            "type": "object",
            "properties": {"limit": {"type": "integer", "x-seen": [40, N]}},
            "required": [],
        },
        responses={
            **resp(
                obj(
                    {
                        "id": {**S, "format": "uuid"},
                        "tags": {"type": "array", "items": S},
                        "meta": {
                            "type": "object",
                            "x-map": True,
                            "additionalProperties": {"type": "number"},
                        },
                        "note": {"type": ["string", "null"], "x-values": ["a"]},
                    },
                    {"note": 50},
                )
            ),
            **resp(obj({"error": S}), "404"),
        },
    )
    post = {
        **endpoint(
            request={"samples": N, "content": content(obj({"name": S}))}, responses=resp(S, "201")
        ),
        "method": "POST",
        "path": "/pets",
    }
    return baseline(get, post)


def test_export_is_valid_openapi_31_and_round_trips() -> None:
    b = _learned()
    doc = export_openapi(b)
    validate(doc)
    text = json.dumps(doc)
    assert "x-seen" not in text and "x-values" not in text and "x-map" not in text
    back = import_openapi(doc)
    assert sorted(back.endpoints) == sorted(b.endpoints)
    for key, ep in b.endpoints.items():
        assert sorted(back.endpoints[key]["responses"]) == sorted(ep["responses"])
    # every property and type survives: no change except the statistics themselves
    assert [c for c in diff_baselines(b, back).changes if c.severity.value != "info"] == []
    assert diff_baselines(back, import_openapi(export_openapi(back))).changes == []


def test_export_cli_json_and_yaml(tmp_path: Path) -> None:
    src = tmp_path / "b.json"
    save_baseline(_learned(), src)
    res = run_cli("export", "openapi", str(src))
    assert res.code == 0, res.stderr
    validate(json.loads(res.stdout))
    out = tmp_path / "api.yaml"
    res = run_cli("export", "openapi", str(src), "--out", str(out))
    assert res.code == 0 and out.is_file()
    validate(yaml.safe_load(out.read_text()))
    res = run_cli("export", "openapi", str(tmp_path / "missing.json"))
    assert res.code == 2 and "no such file" in res.stderr and "Traceback" not in res.stderr
