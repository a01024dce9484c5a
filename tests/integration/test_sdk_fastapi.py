"""SDK capture in a real FastAPI service under uvicorn, with a real upstream process."""

from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.apps.harness import (
    SECRET_HEADERS,
    assert_no_secrets,
    by_path,
    check_schema,
    read_traces,
    run_baseline,
    sdk_service,
    stop,
)

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
    ]


def test_fastapi_records_routes_outbound_and_redacts(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    with sdk_service(_uvicorn, traces) as (base, proc):
        with httpx.Client(base_url=base, timeout=30) as client:

            def user(i: int) -> dict[str, Any]:
                r = client.get(f"/users/{i}", params={"tag": f"t{i}"}, headers=SECRET_HEADERS)
                assert r.status_code == 200
                return r.json()  # type: ignore[no-any-return]

            with ThreadPoolExecutor(8) as pool:  # concurrent exchanges, each with 3 calls
                users = list(pool.map(user, range(12)))
                fanned = list(pool.map(lambda t: client.get(f"/fanout/f{t}").json(), range(4)))
            assert users[3]["item"]["tag"] == "t3" and users[3]["threaded"]["id"] == "t3"
            assert fanned[0]["tag"] == "f0"
            login = client.post(
                "/login", json={"username": "bob@example.com", "password": "hunter2hunter2"}
            )
            assert login.json()["card"] == "4111 1111 1111 1111"
            streamed = client.get("/stream")
            assert streamed.text == "".join(f"line {i}\n" for i in range(50))
            binary = bytes(range(256)) * 4 + b"\xff\xfe\x00not utf-8"
            echoed = client.post(
                "/echo-bytes", content=binary, headers={"content-type": "application/octet-stream"}
            )
            assert echoed.content == binary
            head = client.head("/health")
            assert head.status_code in (200, 405) and head.content == b""
            stats = client.get("/_stats").json()
        stop(proc)  # SIGTERM: uvicorn shuts down, the SDK flushes at exit
    assert stats["errors"] == 0 and stats["dropped"] == 0

    exchanges = read_traces(traces, at_least=20)
    check_schema(exchanges)
    assert_no_secrets(traces)

    for i in range(12):
        [ex] = by_path(exchanges, f"/users/{i}")
        assert ex["route"] == "/users/{user_id}"
        assert ex["service"] == "shop" and ex["source"] == "sdk"
        calls = ex["outbound"]
        assert sorted(c["seq"] for c in calls) == [0, 1, 2]
        # every outbound call belongs to this inbound request: they all carry its tag
        assert all(c["request"]["query"]["tag"] == [f"t{i}"] for c in calls), calls
        agents = {c["request"]["headers"].get("user-agent", ["?"])[0].split("/")[0] for c in calls}
        assert agents == {"python-httpx", "Python", "python-requests"}, agents
        assert all(c["response"]["status"] == 200 for c in calls)
        assert ex["request"]["headers"]["authorization"][0].startswith("Bearer ")
    for t in range(4):
        [ex] = by_path(exchanges, f"/fanout/f{t}")
        assert ex["route"] == "/fanout/{tag}"
        assert [c["request"]["query"]["tag"] for c in ex["outbound"]] == [[f"f{t}"]] * 3
        assert sorted(c["request"]["path"] for c in ex["outbound"]) == [
            "/items/0",
            "/items/1",
            "/items/2",
        ]

    [stream_ex] = by_path(exchanges, "/stream")
    assert stream_ex["response"]["body_text"] == streamed.text
    [bin_ex] = by_path(exchanges, "/echo-bytes")
    assert "body_b64" in bin_ex["request"] and "body_b64" in bin_ex["response"]
    [login_ex] = by_path(exchanges, "/login")
    assert login_ex["request"]["body"]["password"] != "hunter2hunter2"
    assert login_ex["response"]["headers"]["set-cookie"][0].startswith("session=")
    # /health (the readiness polls, the HEAD) is left out by default, before sampling
    assert not by_path(exchanges, "/health") and stats["excluded"] >= 2, stats
    names = [p.name for p in traces.iterdir()]
    assert all(n.startswith(f"shop-{proc.pid}-") or n.startswith("shop-") for n in names)
    run_baseline(traces, tmp_path)


def test_fastapi_100mb_upload_reaches_app_whole_and_trace_is_capped(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    block = os.urandom(1 << 20)
    expected = hashlib.sha256(block * 100).hexdigest()

    def body() -> Any:
        for _ in range(100):
            yield block

    with sdk_service(_uvicorn, traces, DRIFTDIFF_MAX_BODY="65536") as (base, _proc):
        r = httpx.post(
            f"{base}/upload",
            content=body(),
            timeout=120,
            headers={"content-type": "application/octet-stream"},
        )
        assert r.json() == {"sha256": expected, "size": 100 << 20}
        [ex] = read_traces(traces, where=lambda e: e["request"]["path"] == "/upload")
    assert ex["request"]["truncated"] is True
    import base64

    kept = base64.b64decode(ex["request"]["body_b64"])
    assert kept == block[:65536]
    # past cap + HOLD_BYTES the digest is computed as the body streams
    assert (ex["request"]["size"], ex["request"]["sha256"]) == (100 << 20, expected)
    assert ex["response"]["body"] == {"sha256": expected, "size": 100 << 20}


@pytest.mark.parametrize("writer", ["process", "thread"])
def test_a_body_just_past_the_cap_gets_its_digest_off_the_request_path(
    writer: str, tmp_path: Path
) -> None:
    """The tail past the cap is held and hashed later (the sender thread, or the writer
    thread): the recorded size and SHA-256 are still the whole body's."""
    traces = tmp_path / "traces"
    body = os.urandom(3 << 20)  # a 3 MiB tail past a 64 KiB cap: held, not hashed in line
    expected = hashlib.sha256(body).hexdigest()
    env = {"DRIFTDIFF_MAX_BODY": "65536", "DRIFTDIFF_WRITER": writer}
    with sdk_service(_uvicorn, traces, **env) as (base, _proc):
        r = httpx.post(
            f"{base}/echo-bytes",
            content=body,
            timeout=60,
            headers={"content-type": "application/octet-stream"},
        )
        assert r.content == body
        [ex] = read_traces(traces, where=lambda e: e["request"]["path"] == "/echo-bytes")
    for side in ("request", "response"):
        assert ex[side]["truncated"] is True
        assert (ex[side]["size"], ex[side]["sha256"]) == (len(body), expected)


def test_websocket_and_lifespan_pass_through_unrecorded(tmp_path: Path) -> None:
    import asyncio

    import driftdiff_sdk
    from driftdiff_sdk import runtime
    from driftdiff_sdk.asgi import DriftDiffMiddleware

    from tests.integration.apps.fastapi_app import api

    async def drive(
        app: Any, scope: dict[str, Any], incoming: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        queue = list(incoming)

        async def receive() -> dict[str, Any]:
            return queue.pop(0) if queue else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent

    base_scope = {
        "headers": [(b"host", b"test")],
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("1.2.3.4", 5),
    }
    traces = tmp_path / "traces"
    try:
        app = DriftDiffMiddleware(
            api, mode="record", traces_dir=str(traces), service="ws", default_excludes=False
        )
        lifespan = asyncio.run(
            drive(
                app,
                {"type": "lifespan", "asgi": {"version": "3.0"}},
                [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}],
            )
        )
        assert [m["type"] for m in lifespan] == [
            "lifespan.startup.complete",
            "lifespan.shutdown.complete",
        ]
        ws = asyncio.run(
            drive(
                app,
                {
                    **base_scope,
                    "type": "websocket",
                    "path": "/ws",
                    "scheme": "ws",
                    "subprotocols": [],
                },
                [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": "hello"}],
            )
        )
        assert [m["type"] for m in ws] == ["websocket.accept", "websocket.send", "websocket.close"]
        assert ws[1]["text"] == "echo:hello"
        http = asyncio.run(
            drive(
                app,
                {
                    **base_scope,
                    "type": "http",
                    "method": "GET",
                    "path": "/health",
                    "http_version": "1.1",
                },
                [{"type": "http.request", "body": b""}],
            )
        )
        assert http[0]["status"] == 200
        runtime.shutdown()  # flush
        exchanges = read_traces(traces)
        assert [e["request"]["path"] for e in exchanges] == ["/health"]
        assert exchanges[0]["route"] == "/health"
        assert driftdiff_sdk.stats()["errors"] == 0
    finally:
        runtime.shutdown()
