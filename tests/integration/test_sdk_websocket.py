"""A real websocket through uvicorn with the SDK recording: passed through, never recorded."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.apps.harness import read_traces, sdk_service, stop

websockets = pytest.importorskip("websockets", reason="websockets is not installed")

pytestmark = pytest.mark.integration


def _uvicorn(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "tests.integration.apps.fastapi_app:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--ws",
        "websockets",
    ]


async def _echo(url: str, messages: list[str]) -> list[str]:
    replies = []
    for text in messages:
        async with websockets.connect(url) as ws:
            await ws.send(text)
            replies.append(await ws.recv())
    return replies


def test_websocket_passes_through_a_recording_service_and_is_not_recorded(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    with sdk_service(_uvicorn, traces) as (base, proc):
        ws_url = base.replace("http://", "ws://") + "/ws"
        replies = asyncio.run(_echo(ws_url, ["hello", "émoji ✓", "x" * 70_000]))
        # an HTTP request after the websockets proves the service still records normally
        assert httpx.get(f"{base}/users/1", timeout=30).status_code == 200
        exchanges = read_traces(traces, where=lambda e: e["request"]["path"] == "/users/1")
        stop(proc, signal.SIGINT)
    assert replies == ["echo:hello", "echo:émoji ✓", "echo:" + "x" * 70_000]
    all_exchanges = read_traces(traces)
    assert exchanges and not [e for e in all_exchanges if e["request"]["path"] == "/ws"]
