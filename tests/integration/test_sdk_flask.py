"""SDK capture in a real Flask service (werkzeug server process) with a real upstream."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
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


def _flask(port: int) -> list[str]:
    return [sys.executable, "-m", "tests.integration.apps.flask_app", str(port)]


def test_flask_records_routes_outbound_and_redacts(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    with sdk_service(_flask, traces) as (base, proc):
        with httpx.Client(base_url=base, timeout=30) as client:

            def user(i: int) -> dict[str, Any]:
                r = client.get(f"/users/{i}", params={"tag": f"t{i}"}, headers=SECRET_HEADERS)
                assert r.status_code == 200, r.text
                return r.json()  # type: ignore[no-any-return]

            with ThreadPoolExecutor(6) as pool:
                users = list(pool.map(user, range(10)))
            assert users[4]["b"]["received"] == {"user": 4} and users[4]["c"]["id"] == "u4"
            assert client.get("/orders/A-1/lines/3").json() == {"order": "A-1", "line": 3}
            login = client.post(
                "/login", json={"username": "bob@example.com", "password": "hunter2hunter2"}
            )
            assert login.status_code == 200
            streamed = client.get("/stream")
            assert streamed.text == "".join(f"line {i}\n" for i in range(50))
            binary = b"\x00\xff\xfe" + bytes(range(256)) * 8
            echoed = client.post(
                "/echo-bytes", content=binary, headers={"content-type": "application/octet-stream"}
            )
            assert echoed.content == binary
            head = client.head("/users/1")
            assert head.status_code == 200 and head.content == b""
            stats = client.get("/_stats").json()
        # an exchange is finished after its response is sent: wait until the last one (HEAD)
        # is on disk before stopping, or a stop racing the handler thread could drop it
        read_traces(traces, where=lambda e: e["request"]["method"] == "HEAD")
        stop(proc, signal.SIGINT)  # werkzeug exits cleanly on SIGINT; atexit flushes
    assert stats["errors"] == 0 and stats["dropped"] == 0

    exchanges = read_traces(traces, at_least=16)
    check_schema(exchanges)
    assert_no_secrets(traces)
    for i in range(10):
        [ex] = [e for e in by_path(exchanges, f"/users/{i}") if e["request"]["method"] == "GET"]
        assert ex["route"] == "/users/{user_id}"
        calls = sorted(ex["outbound"], key=lambda c: c["seq"])
        assert [c["seq"] for c in calls] == [0, 1, 2]
        # requests sits on urllib3: recorded once, by the requests adapter
        assert [c["request"]["path"] for c in calls] == [f"/items/{i}", "/echo", f"/items/u{i}"]
        assert all(c["request"]["query"]["tag"] == [f"t{i}"] for c in calls)
        assert calls[1]["request"]["body"] == {"user": i}
        assert all(isinstance(c["response"]["body"], dict) for c in calls)
    [line] = by_path(exchanges, "/orders/A-1/lines/3")
    assert line["route"] == "/orders/{order_id}/lines/{line}"
    [stream_ex] = by_path(exchanges, "/stream")
    assert stream_ex["response"]["body_text"] == streamed.text
    [bin_ex] = by_path(exchanges, "/echo-bytes")
    assert base64.b64decode(bin_ex["request"]["body_b64"]) == binary
    heads = [e for e in by_path(exchanges, "/users/1") if e["request"]["method"] == "HEAD"]
    assert len(heads) == 1 and heads[0]["response"]["status"] == 200
    run_baseline(traces, tmp_path)


def test_flask_100mb_upload_reaches_app_whole_and_trace_is_capped(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    block = os.urandom(1 << 20)
    expected = hashlib.sha256(block * 100).hexdigest()
    with sdk_service(_flask, traces, DRIFTDIFF_MAX_BODY="4096") as (base, _proc):
        r = httpx.post(
            f"{base}/upload",
            content=block * 100,
            timeout=120,
            headers={"content-type": "application/octet-stream"},
        )
        assert r.json() == {"sha256": expected, "size": 100 << 20}
        [ex] = read_traces(traces, where=lambda e: e["request"]["path"] == "/upload")
    assert ex["request"]["truncated"] is True
    assert base64.b64decode(ex["request"]["body_b64"]) == block[:4096]
