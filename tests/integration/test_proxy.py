"""The recording proxy in front of a real upstream, as a real ``driftdiff record`` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from drift_diff.traffic.traces import iter_raw_exchanges
from tests.support import REPO, free_port, server_process, start_recorder, wait_until_ready

pytestmark = pytest.mark.integration

UPSTREAM = [sys.executable, "-m", "tests.integration.apps.users_api"]


def test_proxy_relays_unchanged_and_records_redacted(tmp_path: Path) -> None:
    up_port, proxy_port = free_port(), free_port()
    out = tmp_path / "traces"
    with server_process([*UPSTREAM, str(up_port)], f"http://127.0.0.1:{up_port}/", cwd=REPO):
        direct = httpx.get(f"http://127.0.0.1:{up_port}/users/7?verbose=1")
        proc = start_recorder(f"http://127.0.0.1:{up_port}", proxy_port, out, "users")
        try:
            wait_until_ready(f"http://127.0.0.1:{proxy_port}/", proc=proc)
            base = f"http://127.0.0.1:{proxy_port}"
            via = httpx.get(
                f"{base}/users/7?verbose=1",
                headers={"Authorization": "Bearer sk_live_abcdef123456"},
            )
            created = httpx.post(f"{base}/orders", json={"password": "hunter2-secret", "qty": 2})
            missing = httpx.get(f"{base}/nothing")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert via.status_code == 200 and via.content == direct.content
    assert created.status_code == 201 and created.json()["received"]["qty"] == 2
    assert missing.status_code == 404
    assert b"recorded" in err

    files = list(out.glob("*.jsonl"))
    raw = b"".join(f.read_bytes() for f in files)
    for secret in (b"sk_live_abcdef123456", b"hunter2-secret", b"jane.doe@corp.example"):
        assert secret not in raw
    exchanges = {
        (e["request"]["method"], e["request"]["path"]): e for e in iter_raw_exchanges([out])
    }
    # the readiness probe (GET /) is recorded too; the three requests are what we check
    got = exchanges[("GET", "/users/7")]
    assert got["source"] == "proxy" and got["response"]["status"] == 200
    assert got["request"].get("query") == {"verbose": ["1"]}
    assert got["response"]["body"]["name"] == "Jane" and "@" in got["response"]["body"]["email"]
    assert exchanges[("POST", "/orders")]["request"]["body"]["qty"] == 2
    assert exchanges[("GET", "/nothing")]["response"]["status"] == 404


def test_unreachable_target_gives_502_and_records_nothing(tmp_path: Path) -> None:
    dead, proxy_port = free_port(), free_port()
    out = tmp_path / "traces"
    proc = start_recorder(f"http://127.0.0.1:{dead}", proxy_port, out, "users")
    try:
        wait_until_ready(f"http://127.0.0.1:{proxy_port}/", proc=proc)
        resp = httpx.get(f"http://127.0.0.1:{proxy_port}/x")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert resp.status_code == 502
    assert b"failed to reach the target" in err
    assert not list(out.glob("*.jsonl")) or all(f.stat().st_size == 0 for f in out.glob("*.jsonl"))


def test_bad_target_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "drift_diff",
            "record",
            "--target",
            "ftp://x",
            "--listen",
            "127.0.0.1:0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "must be an http(s) URL" in proc.stderr and "Traceback" not in proc.stderr


def test_proxy_records_decoded_content_and_request_layout(tmp_path: Path) -> None:
    """httpbin (a real Flask app) behind the proxy: a gzip answer is recorded decoded (its
    Content-Encoding kept as a header fact) and a JSON request body with its layout."""
    pytest.importorskip("httpbin", reason="httpbin (the third-party upstream) not installed")
    up_port, proxy_port = free_port(), free_port()
    out = tmp_path / "traces"
    gunicorn = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{up_port}", "httpbin:app"]
    with server_process(gunicorn, f"http://127.0.0.1:{up_port}/get", cwd=REPO):
        proc = start_recorder(f"http://127.0.0.1:{up_port}", proxy_port, out, "httpbin")
        try:
            wait_until_ready(f"http://127.0.0.1:{proxy_port}/get", proc=proc)
            base = f"http://127.0.0.1:{proxy_port}"
            zipped = httpx.get(f"{base}/gzip", headers={"Accept-Encoding": "gzip"})
            posted = httpx.post(
                f"{base}/post",
                content=b'{"sku": "caf\\u00e9", "qty": 2}',
                headers={"Content-Type": "application/json"},
            )
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.communicate(timeout=20)
    assert zipped.json()["gzipped"] is True and posted.status_code == 200
    exchanges = {
        (e["request"]["method"], e["request"]["path"]): e for e in iter_raw_exchanges([out])
    }
    gz = exchanges[("GET", "/gzip")]["response"]
    assert gz["headers"]["content-encoding"] == ["gzip"]
    assert gz["body"]["gzipped"] is True  # content, not gzip bytes
    post = exchanges[("POST", "/post")]["request"]
    assert post["body"] == {"sku": "café", "qty": 2}
    assert post["body_layout"] == "spaced-ascii"
