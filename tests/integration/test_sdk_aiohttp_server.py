"""The aiohttp server middleware under aiohttp's own runner (a real process, real HTTP): route
templates from aiohttp's router, bodies, raised HTTP exceptions and failures as recorded."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from driftdiff_sdk.outbound import body_from_entry

from tests.integration.test_sdk_routes_more import _exchanges
from tests.support import REPO, free_port, server_process

pytestmark = pytest.mark.integration


def test_aiohttp_server_records_route_templates_and_bodies(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp", reason="aiohttp not installed")
    traces = tmp_path / "traces"
    port = free_port()
    command = [sys.executable, "-m", "tests.integration.apps.aiohttp_routes", str(port)]
    env = {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_TRACES_DIR": str(traces),
        # the counts below include the readiness poll (/health, left out by default)
        "DRIFTDIFF_DEFAULT_EXCLUDES": "0",
    }
    with (
        server_process(command, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
    ):
        assert client.get("/notes/7?full=1").json() == {"id": 7}
        assert client.get("/notes/404").status_code == 404
        created = client.post("/notes", json={"title": "hello"})
        assert created.status_code == 201
        assert client.get("/v1/users/ann/notes/3").json() == {"user": "ann", "id": 3}
        assert client.get("/nowhere").status_code == 404
        assert client.get("/broken").status_code == 500
        found = _exchanges(traces, at_least=7)
    by_path = {(ex["request"]["method"], ex["request"]["path"]): ex for ex in found}  # type: ignore[index]
    routes = {key: ex.get("route") for key, ex in by_path.items()}
    assert routes[("GET", "/notes/7")] == "/notes/{note_id}"  # the \d+ pattern dropped
    assert routes[("GET", "/v1/users/ann/notes/3")] == "/v1/users/{user}/notes/{note_id}"
    assert routes[("POST", "/notes")] == "/notes"
    assert routes[("GET", "/nowhere")] is None  # nothing matched: the path is not a template

    seven = by_path[("GET", "/notes/7")]
    assert seven["request"]["query"] == {"full": ["1"]}
    assert seven["response"]["status"] == 200
    assert seven["response"]["body"] == {"id": 7}
    post = by_path[("POST", "/notes")]
    assert post["request"]["body"] == {"title": "hello"}
    assert post["response"]["body"] == {"id": 1, "title": "hello"}
    missing = by_path[("GET", "/notes/404")]
    assert missing["route"] == "/notes/{note_id}"
    assert missing["response"]["status"] == 404
    broken = by_path[("GET", "/broken")]
    assert broken["response"]["status"] == 500
    assert "RuntimeError: boom" in broken["meta"]["error"]


def test_aiohttp_server_records_streamed_request_and_response_bodies(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp", reason="aiohttp not installed")
    traces = tmp_path / "traces"
    port = free_port()
    command = [sys.executable, "-m", "tests.integration.apps.aiohttp_routes", str(port)]
    env = {"DRIFTDIFF_MODE": "record", "DRIFTDIFF_TRACES_DIR": str(traces)}
    document = {"title": "streamed", "tags": ["a", "b"], "text": "x" * 100}

    def chunked() -> Iterator[bytes]:  # no length: sent with Transfer-Encoding: chunked
        data = json.dumps(document).encode()
        for i in range(0, len(data), 10):
            yield data[i : i + 10]

    with (
        server_process(command, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
    ):
        size = len(json.dumps(document))
        sent = client.post(
            "/upload", content=chunked(), headers={"content-type": "application/json"}
        )
        assert sent.json() == {"bytes": size}
        assert sent.request.headers["transfer-encoding"] == "chunked"
        peeked = client.post("/peek", content=b"first\nsecond\n" * 50)
        assert peeked.json() == {"first": "first"}
        exported = client.get("/export")
        assert exported.headers["transfer-encoding"] == "chunked"
        assert exported.text.count("\n") == 4
        assert client.get("/events").json() == {"items": [1, 2, 3]}
        found = _exchanges(traces, at_least=4)
    by_path = {ex["request"]["path"]: ex for ex in found}  # type: ignore[index]
    assert set(by_path) == {"/upload", "/peek", "/export", "/events"}  # /health: left out

    upload = by_path["/upload"]
    assert upload["request"]["body"] == document
    assert upload["request"]["truncated"] is False
    assert by_path["/peek"]["request"]["truncated"] is True  # read in part: cannot replay
    export = by_path["/export"]
    assert export["response"]["truncated"] is False
    assert body_from_entry(export["response"]) == exported.content
    assert [call["kind"] for call in export["outbound"]] == ["http"]  # not mixed into the body
    events = by_path["/events"]
    assert events["response"]["body"] == {"items": [1, 2, 3]}
    assert events["response"]["truncated"] is False
