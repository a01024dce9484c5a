"""Route templates recorded from Litestar, Falcon, Sanic (ASGI under uvicorn, Falcon's WSGI app
under werkzeug), Starlette mounts and FastAPI router prefixes, each a real server process
answering real HTTP."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import REPO, free_port, server_process, wait_for_lines

pytestmark = pytest.mark.integration

APPS = {
    "litestar": ("litestar", "tests.integration.apps.litestar_routes:litestar_app"),
    "falcon-asgi": ("falcon", "tests.integration.apps.falcon_routes:asgi_app"),
    "falcon-wsgi": ("falcon", ""),
    "sanic": ("sanic", "tests.integration.apps.sanic_routes:sanic_app"),
    "sanic-native": ("sanic", ""),
}


def _command(app: str, port: int) -> list[str]:
    if app in ("falcon-wsgi", "sanic-native"):  # their own __main__: werkzeug, Sanic's server
        module = "falcon_routes" if app == "falcon-wsgi" else "sanic_routes"
        return [sys.executable, "-m", f"tests.integration.apps.{module}", str(port)]
    target = APPS[app][1]
    return [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--log-level", "warning"]


def _exchanges(traces: Path, at_least: int) -> list[dict[str, object]]:
    # a count that cannot be reached is a failure, not a silent wait to the deadline
    wait_for_lines(traces, at_least, deadline_s=10)  # the SDK writes off the request path
    return [
        json.loads(line)
        for f in sorted(traces.glob("*.jsonl"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("app", sorted(APPS))
def test_route_templates_are_read_from_the_framework_router(app: str, tmp_path: Path) -> None:
    pytest.importorskip(APPS[app][0], reason=f"{APPS[app][0]} not installed")
    traces = tmp_path / "traces"
    port = free_port()
    env = {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_TRACES_DIR": str(traces),
        # the counts below include the readiness poll (/health, left out by default)
        "DRIFTDIFF_DEFAULT_EXCLUDES": "0",
    }
    with (
        server_process(_command(app, port), f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
    ):
        assert client.get("/notes/7").json() == {"id": 7}
        assert client.get("/users/ann/notes/3").json() == {"user": "ann", "id": 3}
        assert client.get("/nowhere").status_code == 404
        found = _exchanges(traces, at_least=4)
    routes = {str(ex["request"]["path"]): ex.get("route") for ex in found}  # type: ignore[index]
    assert routes["/notes/7"] == "/notes/{note_id}"
    assert routes["/users/ann/notes/3"] == "/users/{user}/notes/{note_id}"
    assert routes["/nowhere"] is None  # nothing matched: the path is not a template


MOUNTED = {
    "starlette": {
        "/api/notes/7": "/api/notes/{note_id}",
        "/api/v2/users/ann/notes/3": "/api/v2/users/{user}/notes/{note_id}",
        "/sub/things/box": "/sub/things/{thing}",
        "/static/app.css": None,  # a Mount of a plain ASGI app names no template
    },
    "fastapi": {
        "/api/notes/7": "/api/notes/{note_id}",
        "/v2/users/ann/notes/3": "/v2/users/{user}/notes/{note_id}",
        "/sub/things/notes/5": "/sub/things/notes/{note_id}",
        "/api/notes/not-a-number": "/api/notes/{note_id}",  # 422: still that route
    },
}


# FastAPI in the README's run; Starlette (the same Mount, without FastAPI's router) with the
# heavy tests, which CI runs too
@pytest.mark.parametrize(
    "framework",
    [pytest.param(f, marks=[pytest.mark.heavy] if f != "fastapi" else []) for f in sorted(MOUNTED)],
)
def test_mount_and_router_prefixes_are_part_of_the_template(framework: str, tmp_path: Path) -> None:
    pytest.importorskip(framework, reason=f"{framework} not installed")
    traces = tmp_path / "traces"
    port = free_port()
    target = f"tests.integration.apps.mounted_routes:{framework}_app"
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port)]
    env = {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_TRACES_DIR": str(traces),
        # the counts below include the readiness poll (/health, left out by default)
        "DRIFTDIFF_DEFAULT_EXCLUDES": "0",
    }
    expected = MOUNTED[framework]
    with (
        server_process(command, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
    ):
        statuses = {path: client.get(path).status_code for path in expected}
        found = _exchanges(traces, at_least=len(expected) + 1)
    assert statuses["/api/notes/7"] == 200
    routes = {str(ex["request"]["path"]): ex.get("route") for ex in found}  # type: ignore[index]
    assert {path: routes.get(path, "missing") for path in expected} == expected
