"""SIGTERM loses no recorded exchange: real servers, stopped right after their last response.

The request path only queues; the sender thread hands the queue to the writer process in
batches (every 64 KiB, 256 exchanges or 0.1 s), so when an orchestrator's SIGTERM arrives the
last exchanges are usually still in the host's queue. uvicorn runs the ASGI lifespan shutdown
(the middleware flushes there) and exits through atexit; gunicorn's sync and gthread workers
exit through atexit after their graceful stop. Each run's traces must then hold every exchange,
once, complete and redacted.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.apps.harness import SECRETS, read_traces, sdk_env, stop, upstream
from tests.support import REPO, free_port, server_process

pytestmark = pytest.mark.integration

N = 60
SECRET = "pw-" + "s3cret-shutdown"


def _command(server: str, port: int) -> list[str]:
    bind = ["-b", f"127.0.0.1:{port}"]
    if server == "uvicorn":
        app = "tests.integration.apps.fastapi_app:app"
        return [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "error"]
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", "1", *bind]
    if server == "gunicorn-gthread":
        gunicorn += ["-k", "gthread", "--threads", "4"]
    return [*gunicorn, "tests.integration.apps.flask_app:app"]


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn-sync", "gunicorn-gthread"])
def test_sigterm_after_n_requests_keeps_all_n(server: str, tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        upstream() as up,
        server_process(
            _command(server, port), f"{base}/health", cwd=REPO, env=sdk_env(traces, up)
        ) as proc,
    ):
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(N):
                body = f'{{"n": {i}, "password": "{SECRET}"}}'.encode()
                r = client.post(
                    "/echo-bytes", content=body, headers={"content-type": "application/json"}
                )
                assert r.status_code == 200 and r.content == body
        stop(proc, signal.SIGTERM)  # at once: the last batch is still queued in the host
        assert proc.returncode is not None
    echoed = read_traces(
        traces, at_least=N, deadline_s=30, where=lambda e: e["request"]["path"] == "/echo-bytes"
    )
    assert len(echoed) == N  # every one, once
    assert sorted(e["response"]["body"]["n"] for e in echoed) == list(range(N))
    text = "".join(f.read_text() for f in traces.glob("*.jsonl"))
    assert SECRET not in text and not any(s.decode() in text for s in SECRETS)


@pytest.mark.parametrize("writer", ["process", "thread"])
def test_the_lifespan_shutdown_writes_what_is_queued(
    writer: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """In-process (with the real writer process, or the thread writer): when the app's
    lifespan shutdown is done, every recorded exchange is on disk before the server hears of
    it (no close, no atexit)."""
    from driftdiff_sdk import _active_recorder, runtime
    from driftdiff_sdk.asgi import DriftDiffMiddleware

    traces = tmp_path / "traces"
    monkeypatch.setenv("DRIFTDIFF_TRACES_DIR", str(traces))
    monkeypatch.setenv("DRIFTDIFF_DEFAULT_EXCLUDES", "0")
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def serve() -> None:
        mw = DriftDiffMiddleware(app, mode="record", service="shut", writer=writer)
        if writer == "process":  # the writer process started with the app
            assert (rec := _active_recorder.current()) is not None and rec.process

        async def nothing() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def ignore(message: Any) -> None:
            return None

        for i in range(N):
            scope = {"type": "http", "method": "GET", "path": f"/n/{i}", "headers": []}
            await mw(scope, nothing, ignore)
        # usually all still queued in the host here (the sender wakes every 0.1 s or 64 KiB)

        events = iter(["lifespan.startup", "lifespan.shutdown"])

        async def lifespan_receive() -> dict[str, Any]:
            return {"type": next(events)}

        async def lifespan_send(message: Any) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                lines = [x for f in traces.glob("*.jsonl") for x in f.read_text().splitlines()]
                seen.extend(lines)

        await mw({"type": "lifespan"}, lifespan_receive, lifespan_send)

    try:
        asyncio.run(serve())
    finally:
        runtime.shutdown()
    assert sorted(json.loads(line)["request"]["path"] for line in seen) == sorted(
        f"/n/{i}" for i in range(N)
    )
