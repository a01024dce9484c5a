"""The writer process (``_writer_pipe``/``_writer_proc``) under real servers.

Parsing, redaction and serialisation run in a child process of each worker: forked workers
(gunicorn) each start their own; killing it never changes what the host answers; the host
counts what it lost, starts a new one, and the traces it writes are complete and redacted.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from drift_diff.processes import poll_until
from tests.integration.apps.harness import read_traces, sdk_env, stop, upstream
from tests.support import REPO, free_port, server_process

pytestmark = pytest.mark.integration

SECRETS = ("pw-s3cret-value", "tok_live_abcdef123456", "4111 1111 1111 1111")


def _children(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux ``/proc``)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(c) for c in text)
    return found


def _writer_of(pid: int) -> int:
    """The writer process of the worker ``pid`` (its child running ``_writer_proc``)."""
    for child in _children(pid):
        cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if b"driftdiff_sdk._writer_proc" in cmd:
            return child
    return 0


def _no_secret_in(traces: Path) -> None:
    text = "".join(f.read_text() for f in traces.glob("*.jsonl"))
    assert text and not any(s in text for s in SECRETS)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_a_killed_writer_process_changes_no_response(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "uvicorn", "tests.integration.apps.fastapi_app:app"]
    cmd += ["--port", str(port), "--log-level", "critical"]
    with (
        upstream() as up,
        server_process(cmd, f"{base}/health", cwd=REPO, env=sdk_env(traces, up)) as proc,
    ):
        with httpx.Client(base_url=base, timeout=30) as client:

            def login() -> tuple[int, bytes]:
                r = client.post("/login", json={"username": "bob", "password": SECRETS[0]})
                return r.status_code, r.content

            before = login()
            poll_until(lambda: _writer_of(proc.pid) != 0, deadline_s=20, what="a writer process")
            first = _writer_of(proc.pid)
            assert client.get("/_stats").json()["writer_process"] == 1
            os.kill(first, signal.SIGKILL)
            answers = [login() for _ in range(20)]
            assert answers == [before] * 20  # byte for byte, while the writer is gone
            # the host notices, counts, and starts a new writer (back-off 1 s)
            poll_until(
                lambda: client.get("/_stats").json()["writer_restarts"] >= 1,
                deadline_s=30,
                what="a new writer process",
            )
            assert _writer_of(proc.pid) not in (0, first)
            stats = client.get("/_stats").json()
            recorded = stats["recorded"]
            assert stats["dropped"] >= 1 and stats["errors"] == 0, stats
            assert login() == before
            poll_until(
                lambda: client.get("/_stats").json()["recorded"] > recorded,
                deadline_s=30,
                what="the new writer to record",
            )
        stop(proc)
    logins = read_traces(traces, where=lambda e: e["request"]["path"] == "/login")
    assert logins and all(e["response"]["status"] == 200 for e in logins)
    _no_secret_in(traces)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_each_forked_gunicorn_worker_has_its_own_writer(tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "gunicorn", "--preload", "-w", "2", "-k", "gthread"]
    cmd += ["--threads", "2", "-b", f"127.0.0.1:{port}", "tests.integration.apps.flask_app:app"]
    with (
        upstream() as up,
        server_process(cmd, f"{base}/health", cwd=REPO, env=sdk_env(traces, up)) as proc,
    ):
        workers = set()

        def both_busy() -> bool:
            # fresh connections, several at once: both workers take some
            with ThreadPoolExecutor(8) as pool:
                list(
                    pool.map(
                        lambda _: httpx.post(
                            f"{base}/login", json={"username": "bob", "password": SECRETS[0]}
                        ),
                        range(16),
                    )
                )
            # the master's children but its own writer (--preload: it built the app)
            workers.update(_children(proc.pid) - {_writer_of(proc.pid)})
            writers = {w: _writer_of(w) for w in workers}
            return len(workers) == 2 and all(writers.values())

        poll_until(both_busy, deadline_s=60, what="two workers, each with a writer process")
        writers = {_writer_of(w) for w in workers}
        assert len(writers) == 2 and not writers & workers  # one writer each, not the worker
        # the master (--preload) built the app, so it started a writer then; it stays idle
        assert _writer_of(proc.pid) not in writers
        stop(proc)
    pids = {f.name.rsplit("-", 2)[1] for f in traces.glob("*.jsonl")}
    assert pids == {str(w) for w in workers}  # each worker's traces are its own files
    exchanges = read_traces(traces, at_least=2)
    assert all(e["request"]["path"] in ("/login", "/health") for e in exchanges)
    for e in exchanges:
        json.dumps(e)  # complete lines
    _no_secret_in(traces)


def test_a_writer_process_that_cannot_start_leaves_a_thread_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No interpreter to start the writer with: the app is served and recorded all the same,
    by the thread writer, and the fallback is counted."""
    import asyncio
    from typing import Any

    import driftdiff_sdk
    from driftdiff_sdk import runtime
    from driftdiff_sdk.asgi import DriftDiffMiddleware

    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    monkeypatch.setenv("DRIFTDIFF_DEFAULT_EXCLUDES", "0")
    traces = tmp_path / "traces"
    driftdiff_sdk.recorder.reset_stats()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"password": "' + b"x" * 9 + b'"}'})

    async def serve() -> dict[str, int]:
        mw = DriftDiffMiddleware(app, mode="record", service="fb", traces_dir=str(traces))

        async def nothing() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def ignore(message: Any) -> None:
            return None

        for i in range(5):
            await mw(
                {"type": "http", "method": "GET", "path": f"/f/{i}", "headers": []}, nothing, ignore
            )
        driftdiff_sdk.flush()
        return driftdiff_sdk.stats()

    try:
        stats = asyncio.run(serve())
    finally:
        runtime.shutdown()
    assert stats["writer_fallbacks"] == 1 and stats["writer_process"] == 0, stats
    assert stats["recorded"] == 5 and stats["errors"] == 0, stats
    lines = [json.loads(x) for f in traces.glob("*.jsonl") for x in f.read_text().splitlines()]
    assert sorted(e["request"]["path"] for e in lines) == [f"/f/{i}" for i in range(5)]
