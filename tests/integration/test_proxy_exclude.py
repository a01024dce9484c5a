"""``driftdiff record --exclude`` / ``--no-default-excludes`` / config ``exclude:``, as a real
proxy process in front of a real upstream: excluded requests are relayed, not recorded."""

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
REQUESTS = [("GET", "/healthz"), ("GET", "/users/7"), ("GET", "/users/8"), ("POST", "/orders")]


def _record_through(tmp_path: Path, *extra: str) -> tuple[set[tuple[str, str]], str, list[int]]:
    up_port, proxy_port = free_port(), free_port()
    out = tmp_path / "traces"
    with server_process([*UPSTREAM, str(up_port)], f"http://127.0.0.1:{up_port}/users/1"):
        proc = start_recorder(f"http://127.0.0.1:{up_port}", proxy_port, out, "users", extra=extra)
        try:
            wait_until_ready(f"http://127.0.0.1:{proxy_port}/users/0", proc=proc)
            with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", timeout=30) as client:
                statuses = [
                    client.request(m, p, json={"qty": 1} if m == "POST" else None).status_code
                    for m, p in REQUESTS
                ]
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    recorded = {(e["request"]["method"], e["request"]["path"]) for e in iter_raw_exchanges([out])}
    return recorded, err.decode(), statuses


def test_excluded_requests_are_relayed_not_recorded(tmp_path: Path) -> None:
    config = tmp_path / "driftdiff.yaml"
    config.write_text("exclude:\n  - GET /users/8\n")
    recorded, err, statuses = _record_through(
        tmp_path, "--exclude", "POST /orders", "--config", str(config)
    )
    assert statuses == [404, 200, 200, 201]  # every answer reached the client
    assert recorded == {("GET", "/users/0"), ("GET", "/users/7")}  # + the readiness poll
    assert "recorded 2 exchanges" in err and "3 requests not recorded" in err


def test_no_default_excludes_records_health_checks(tmp_path: Path) -> None:
    recorded, _, _ = _record_through(tmp_path, "--no-default-excludes")
    assert ("GET", "/healthz") in recorded and ("POST", "/orders") in recorded


def test_bad_pattern_is_one_line_exit_2(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "drift_diff", "record", "--target", "http://127.0.0.1:9"]
    proc = subprocess.run(
        [*argv, "--listen", "127.0.0.1:0", "--exclude", "/a/**b"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "'**' must be a whole path segment" in proc.stderr
