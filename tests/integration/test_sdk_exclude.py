"""SDK ``exclude`` patterns in real services: left out before sampling, counted in ``stats()``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.apps.harness import read_traces, sdk_service, stop

pytestmark = pytest.mark.integration


def _uvicorn(port: int) -> list[str]:
    app = "tests.integration.apps.fastapi_app:app"
    return [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]


def _flask(port: int) -> list[str]:
    return [sys.executable, "-m", "tests.integration.apps.flask_app", str(port)]


def test_uvicorn_leaves_out_defaults_and_env_patterns(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    # ';' separates patterns: one may hold a comma and a space ("GET,HEAD /fanout/**")
    env = {"DRIFTDIFF_EXCLUDE": "POST /login; GET,HEAD /fanout/**"}
    with sdk_service(_uvicorn, traces, **env) as (base, proc):
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/health").status_code == 200
            assert client.post("/login", json={"username": "a", "password": "b"}).is_success
            assert client.get("/fanout/f0").status_code == 200
            assert client.get("/users/1", params={"tag": "t"}).status_code == 200
            stats = client.get("/_stats").json()
        read_traces(traces, where=lambda e: e["request"]["path"] == "/_stats")
        stop(proc)
    recorded = sorted(e["request"]["path"] for e in read_traces(traces, at_least=2))
    assert recorded == ["/_stats", "/users/1"]
    # the readiness polls, /health, /login and /fanout: excluded, never sampled
    assert stats["excluded"] >= 4 and stats["sampled"] == 2 and stats["not_sampled"] == 0, stats


def test_flask_keeps_defaults_when_disabled(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    env = {"DRIFTDIFF_DEFAULT_EXCLUDES": "0", "DRIFTDIFF_EXCLUDE": "/orders/{id}/lines/*"}
    with sdk_service(_flask, traces, **env) as (base, proc):
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/orders/A-1/lines/3").status_code == 200
            assert client.get("/users/1", params={"tag": "t"}).status_code == 200
            assert client.get("/health").status_code == 200
            stats = client.get("/_stats").json()
        read_traces(traces, where=lambda e: e["request"]["path"] == "/_stats")
        stop(proc, signal.SIGINT)
    paths = {e["request"]["path"] for e in read_traces(traces, at_least=3)}
    assert {"/health", "/users/1", "/_stats"} <= paths and "/orders/A-1/lines/3" not in paths
    assert stats["excluded"] == 1, stats
