"""``driftdiff generate pytest`` end to end: record through the proxy, generate, run the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from tests.support import free_port, run_cli, server_process, wait_until_ready

pytestmark = pytest.mark.e2e

SERVICE = textwrap.dedent(
    """
    import json, os, sys, uuid
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    CHANGED = os.environ.get("CHANGED") == "1"

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def _send(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def do_GET(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[0] == "items" and len(parts) == 2:
                item = {"id": int(parts[1]), "ref": str(uuid.uuid4()), "price": 9.5}
                if CHANGED:
                    item["price"] = "9.50"
                self._send(200, item)
            else:
                self._send(404, {"error": "not found"})
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self._send(201, {"id": 99, "name": body["name"]})

    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


def _record(tmp_path: Path, port: int) -> Path:
    out = tmp_path / "traces"
    proxy_port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drift_diff",
            "record",
            "--target",
            f"http://127.0.0.1:{port}",
            "--listen",
            f"127.0.0.1:{proxy_port}",
            "--out",
            str(out),
            "--service",
            "items",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
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
    script = tmp_path / "service.py"
    script.write_text(SERVICE)
    port = free_port()
    with server_process([sys.executable, str(script), str(port)], f"http://127.0.0.1:{port}/"):
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
        [sys.executable, str(script), str(changed_port)],
        f"http://127.0.0.1:{changed_port}/",
        env={"CHANGED": "1"},
    ):
        changed = _run_generated(module, changed_port)
    assert changed.returncode == 1
    assert (
        "ValidationError" in changed.stdout and "'9.50' is not of type 'number'" in changed.stdout
    )


def test_generate_rejects_non_python_out(tmp_path: Path) -> None:
    res = run_cli("generate", "pytest", str(tmp_path), "--out", str(tmp_path / "x.txt"))
    assert res.code == 2 and "Traceback" not in res.stderr
