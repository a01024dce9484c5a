"""SDK capture in a real Django service under gunicorn (forked workers) with a real upstream."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

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


def _gunicorn(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "tests.integration.apps.django_app:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "2",
        "--log-level",
        "warning",
    ]


def test_django_records_routes_outbound_and_redacts(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    block = os.urandom(1 << 20)
    with sdk_service(_gunicorn, traces, DRIFTDIFF_MAX_BODY="1024") as (base, proc):
        with httpx.Client(base_url=base, timeout=60) as client:
            for i in range(6):
                r = client.get(f"/users/{i}", params={"tag": f"t{i}"}, headers=SECRET_HEADERS)
                assert r.json()["item"]["tag"] == f"t{i}"
            assert client.get("/archive/2024/").json() == {"year": 2024}
            # the app streams 3 MB past DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB): the SDK must not
            # read request.body for it, or Django would refuse the upload
            up_r = client.post(
                "/upload", content=block * 3, headers={"content-type": "application/octet-stream"}
            )
            assert up_r.json() == {"sha256": hashlib.sha256(block * 3).hexdigest(), "size": 3 << 20}
            streamed = client.get("/stream")
            assert streamed.text == "".join(f"line {i}\n" for i in range(50))
            assert client.post("/login").status_code == 200
            assert client.head("/health").status_code == 200
        stop(proc)  # gunicorn: graceful worker shutdown on SIGTERM
    exchanges = read_traces(traces, at_least=10)
    assert not by_path(exchanges, "/health")  # left out by default (health checks)
    check_schema(exchanges)
    assert_no_secrets(traces)
    for i in range(6):
        [ex] = by_path(exchanges, f"/users/{i}")
        assert ex["route"] == "/users/{user_id}"
        [call] = ex["outbound"]
        assert call["request"]["query"]["tag"] == [f"t{i}"]
    [arch] = by_path(exchanges, "/archive/2024/")
    assert arch["route"] == "/archive/{year}/"
    [upload] = by_path(exchanges, "/upload")
    assert upload["request"]["truncated"] is True
    assert upload["response"]["body"]["size"] == 3 << 20
    [stream_ex] = by_path(exchanges, "/stream")
    assert stream_ex["response"]["body_text"] == streamed.text
    # two forked workers: each writes its own <service>-<pid>-<n>.jsonl
    assert all(p.name.startswith("shop-") and p.name.endswith("-0.jsonl") for p in traces.iterdir())
    run_baseline(traces, tmp_path)
