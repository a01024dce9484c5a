"""``driftdiff generate pytest`` end to end: record through the proxy, generate, run the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import (
    REPO,
    free_port,
    run_cli,
    server_process,
    start_recorder,
    wait_until_ready,
)

pytestmark = pytest.mark.e2e

SERVICE = [sys.executable, "-m", "tests.e2e.apps.items"]


def _record(tmp_path: Path, port: int) -> Path:
    out = tmp_path / "traces"
    proxy_port = free_port()
    proc = start_recorder(
        f"http://127.0.0.1:{port}", proxy_port, out, "items", stdout=subprocess.DEVNULL
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{proxy_port}/", proc=proc)
        base = f"http://127.0.0.1:{proxy_port}"
        for i in range(1, 8):
            assert httpx.get(f"{base}/items/{i}").status_code == 200
        assert httpx.post(f"{base}/items", json={"name": "pen"}).status_code == 201
        assert httpx.get(f"{base}/missing/thing").status_code == 404
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=20)
    return out


def _run_generated(module: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=module.parent,
        env={**os.environ, "DRIFTDIFF_TARGET": f"http://127.0.0.1:{port}"},
    )


def test_generated_tests_pass_on_same_build_and_fail_on_changed_type(tmp_path: Path) -> None:
    port = free_port()
    with server_process([*SERVICE, str(port)], f"http://127.0.0.1:{port}/", cwd=REPO):
        traces = _record(tmp_path, port)
        module = tmp_path / "gen" / "test_contract.py"
        res = run_cli(
            "generate", "pytest", str(traces), "--out", str(module), "--per-endpoint", "2"
        )
        assert res.code == 0, res.stderr
        assert "wrote" in res.stderr and "cases" in res.stderr
        text = module.read_text()
        assert "GET /items/{item_id}" in text
        compile(text, str(module), "exec")
        same = _run_generated(module, port)
        assert same.returncode == 0, same.stdout[-3000:]
        assert "passed" in same.stdout

    changed_port = free_port()
    with server_process(
        [*SERVICE, str(changed_port)],
        f"http://127.0.0.1:{changed_port}/",
        env={"CHANGED": "1"},
        cwd=REPO,
    ):
        changed = _run_generated(module, changed_port)
    assert changed.returncode == 1
    assert (
        "ValidationError" in changed.stdout and "'9.50' is not of type 'number'" in changed.stdout
    )


def test_generate_rejects_non_python_out(tmp_path: Path) -> None:
    res = run_cli("generate", "pytest", str(tmp_path), "--out", str(tmp_path / "x.txt"))
    assert res.code == 2 and "Traceback" not in res.stderr
