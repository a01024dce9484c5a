"""Swagger 2.0 is converted on import: it reads as the OpenAPI 3 document saying the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift_diff.diff import diff_baselines
from drift_diff.errors import OpenAPIError
from drift_diff.openapi import import_openapi
from drift_diff.openapi.swagger2 import swagger2_to_openapi3
from tests.support import run_cli

SWAGGER: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "pets", "version": "1"},
    "host": "pets.example",
    "basePath": "/v1",
    "schemes": ["https"],
    "produces": ["application/json"],
    "securityDefinitions": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
    "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer", "maximum": 50}},
    "paths": {
        "/pets": {
            "get": {
                "security": [{"key": []}],
                "parameters": [{"$ref": "#/parameters/limit"}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                        "headers": {"X-Total": {"type": "integer"}},
                    }
                },
            },
            "post": {
                "consumes": ["application/json"],
                "parameters": [
                    {
                        "name": "pet",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Pet"},
                    }
                ],
                "responses": {
                    "201": {"description": "made", "schema": {"$ref": "#/definitions/Pet"}}
                },
            },
        },
        "/pets/{id}/photo": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
            "put": {
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "file", "in": "formData", "type": "file", "required": True},
                    {"name": "caption", "in": "formData", "type": "string"},
                ],
                "responses": {"204": {"description": "stored"}},
            },
        },
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "tag": {"type": "string", "x-nullable": True},
            },
        }
    },
}

PET = {"$ref": "#/components/schemas/Pet"}
OPENAPI3: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "tag": {"type": "string", "nullable": True},
                },
            }
        },
    },
    "paths": {
        "/pets": {
            "get": {
                "security": [{"key": []}],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Total": {"schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {"schema": {"type": "array", "items": PET}}
                        },
                    }
                },
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": PET}},
                },
                "responses": {
                    "201": {"description": "made", "content": {"application/json": {"schema": PET}}}
                },
            },
        },
        "/pets/{id}/photo": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "put": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "caption": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "stored"}},
            },
        },
    },
}


def test_converted_document_reads_as_its_openapi3_twin() -> None:
    converted = swagger2_to_openapi3(SWAGGER)
    assert converted["servers"] == [{"url": "https://pets.example/v1"}]
    ours, twin = import_openapi(SWAGGER), import_openapi(OPENAPI3)
    assert sorted(ours.endpoints) == ["GET /pets", "POST /pets", "PUT /pets/{id}/photo"]
    assert ours.endpoints["GET /pets"]["headers"]["required"] == ["x-key"]
    assert diff_baselines(ours, twin).changes == []
    assert diff_baselines(twin, ours).changes == []


def test_a_change_in_the_swagger_document_is_found() -> None:
    changed = json.loads(json.dumps(SWAGGER))
    del changed["definitions"]["Pet"]["properties"]["tag"]["x-nullable"]
    rules = {
        c.rule for c in diff_baselines(import_openapi(SWAGGER), import_openapi(changed)).changes
    }
    assert rules == {
        "response-property-became-not-nullable",
        "request-property-became-not-nullable",
    }


def test_cli_diffs_swagger_against_openapi3(tmp_path: Path) -> None:
    old, new = tmp_path / "swagger.json", tmp_path / "openapi.json"
    old.write_text(json.dumps(SWAGGER))
    new.write_text(json.dumps(OPENAPI3))
    res = run_cli("diff", str(old), str(new), "--fail-on", "info")
    assert res.code == 0, res.stdout + res.stderr
    assert "0 breaking, 0 warning, 0 info" in res.stdout


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"swagger": "1.2", "apis": []}, 'Swagger "1.2" is not supported'),
        ({"swagger": "2.0", "info": {"title": "t", "version": "1"}}, "invalid OpenAPI document"),
    ],
)
def test_unsupported_or_invalid_swagger_is_one_line_naming_the_file(
    tmp_path: Path, doc: dict[str, Any], reason: str
) -> None:
    src = tmp_path / "api.json"
    src.write_text(json.dumps(doc))
    with pytest.raises(OpenAPIError, match=reason):
        import_openapi(doc, source=str(src))
    res = run_cli("diff", str(src), str(src))
    assert res.code == 2
    line = res.stderr.strip()
    assert "\n" not in line and "api.json" in line and reason in line and "Traceback" not in line
