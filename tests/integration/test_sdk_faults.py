"""The SDK never breaks the host: injected faults, real servers, byte-for-byte comparisons.

Each faulty run is compared with the same service run with ``DRIFTDIFF_MODE=off``: statuses,
headers (but ``date``) and bodies must be identical, and ``driftdiff_sdk.stats()`` (served by
the app at ``/_stats``) must show the fault was counted, not raised.
"""

from __future__ import annotations

import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from drift_diff.processes import poll_until
from tests.integration.apps.harness import read_traces, sdk_env, stop, upstream
from tests.support import REPO, free_port, server_process

pytestmark = pytest.mark.integration

BINARY = b"\x89PNG\r\n\x1a\n\xff\xfe\x00" + bytes(range(256)) * 16


def _servers(kind: str, port: int) -> list[str]:
    if kind == "fastapi":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.integration.apps.fastapi_app:app",
            "--port",
            str(port),
            "--log-level",
            "critical",
        ]
    return [sys.executable, "-m", "tests.integration.apps.flask_app", str(port)]


def _traffic(base: str) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """The same requests every time; what the client saw, minus volatile headers."""
    seen = []
    with httpx.Client(base_url=base, timeout=60) as client:
        responses = [
            client.get("/users/3", params={"tag": "x"}),
            client.post(
                "/echo-bytes", content=BINARY, headers={"content-type": "application/octet-stream"}
            ),
            client.post(
                "/echo-bytes",
                content="caf\xe9 \u2603".encode("latin-1", "replace"),
                headers={"content-type": "text/plain; charset=utf-8"},
            ),
            client.get("/stream"),
            client.head("/health"),
            client.post("/login", json={"username": "bob@example.com", "password": "pw"}),
        ]
        for r in responses:
            headers = sorted((k, v) for k, v in r.headers.multi_items() if k != "date")
            seen.append((r.status_code, headers, r.content))
    return seen


def _settled_stats(base: str, *, enabled: bool) -> dict[str, int]:
    """The app's SDK counters once the writer has handled the 6 exchanges (deadline 10 s)."""
    stats: dict[str, int] = {}

    def settled() -> bool:
        stats.update(httpx.get(f"{base}/_stats").json())
        return not enabled or stats["recorded"] + stats["errors"] + stats["dropped"] >= 6

    with suppress(TimeoutError):  # after the deadline the test judges what it has
        poll_until(settled, deadline_s=10)
    return stats


def _run(kind: str, env: dict[str, str], sig: int) -> tuple[list[Any], dict[str, int]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server_process(_servers(kind, port), f"{base}/health", cwd=REPO, env=env) as proc:
        seen = _traffic(base)
        stats = _settled_stats(base, enabled=env.get("DRIFTDIFF_MODE") == "record")
        stop(proc, sig)
    return seen, stats


# every fault on Flask and one on FastAPI in the README's run; the other FastAPI faults (3 s
# each: two uvicorn processes) with the heavy tests, which CI runs too
@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("unwritable-folder", "fastapi"),
        ("unwritable-folder", "flask"),
        ("serializer", "flask"),
        ("redactor", "flask"),
        pytest.param("serializer", "fastapi", marks=pytest.mark.heavy),
        pytest.param("redactor", "fastapi", marks=pytest.mark.heavy),
    ],
)
def test_faults_are_counted_and_responses_unchanged(kind: str, fault: str, tmp_path: Path) -> None:
    sig = signal.SIGTERM if kind == "fastapi" else signal.SIGINT
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the traces folder should be")
    traces = blocker / "traces" if fault == "unwritable-folder" else tmp_path / "traces"
    with upstream() as up:
        plain, _ = _run(kind, {**sdk_env(tmp_path / "off", up), "DRIFTDIFF_MODE": "off"}, sig)
        env = sdk_env(traces, up, DRIFTDIFF_DEFAULT_EXCLUDES="0")  # /health is traffic here
        if fault != "unwritable-folder":
            env["APP_FAULT"] = fault
        faulty, stats = _run(kind, env, sig)
    assert faulty == plain  # byte for byte, status and headers too
    assert stats["errors"] >= 6 and stats["recorded"] == 0, stats
    assert not (tmp_path / "off").exists()
    written = list(traces.glob("*.jsonl")) if traces.is_dir() else []
    assert all(f.stat().st_size == 0 for f in written)  # nothing, and never unredacted data


def test_full_queue_drops_without_slowing_requests(tmp_path: Path) -> None:
    """A writer 50 ms per line behind a 2-slot queue: requests must not wait for it.

    Each request carries 64 KiB, so that the writer's pipe (1 MiB where Linux allows) and its
    read fill up whatever the threads' timing, and the queue behind them must drop."""
    traces = tmp_path / "traces"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        upstream() as up,
        server_process(
            _servers("fastapi", port),
            f"{base}/health",
            cwd=REPO,
            env=sdk_env(
                traces,
                up,
                APP_FAULT="slow-writer",
                DRIFTDIFF_QUEUE_SIZE="2",
                DRIFTDIFF_DEFAULT_EXCLUDES="0",  # /health is the traffic here
            ),
        ) as proc,
    ):
        with httpx.Client(base_url=base, timeout=30) as client:

            def get(_: int) -> int:
                body = b"x" * 65536
                r = client.post("/echo-bytes", content=body)
                return r.status_code if r.content == body else -1

            with ThreadPoolExecutor(4) as pool:
                statuses = list(pool.map(get, range(120)))
            stats = client.get("/_stats").json()
        stop(proc)
    assert statuses == [200] * 120
    # Drops prove the request path never waited on the full queue: a blocking put would have
    # slowed requests to the writer's pace and dropped nothing. (Latency itself is measured in
    # bench/bench_capture.py, not asserted against the clock here.)
    assert stats["dropped"] > 0, stats
    assert stats["errors"] == 0
    written = read_traces(traces)
    assert 0 < len(written) < 120


def test_invalid_configuration_warns_and_falls_back(tmp_path: Path) -> None:
    from driftdiff_sdk.config import load_config

    cfg = load_config(
        {
            "DRIFTDIFF_MODE": "recrod",
            "DRIFTDIFF_SAMPLE_RATE": "2",
            "DRIFTDIFF_MAX_BODY": "lots",
            "DRIFTDIFF_QUEUE_SIZE": "-5",
        }
    )
    assert cfg.mode == "off" and cfg.sample_rate == 1.0
    assert cfg.max_body == 1024 * 1024 and cfg.queue_size > 0
    cfg = load_config(
        {"DRIFTDIFF_MODE": "RECORD", "DRIFTDIFF_SAMPLE_RATE": "0.25"}, service="svc", max_body="10"
    )
    assert (cfg.mode, cfg.sample_rate, cfg.service, cfg.max_body) == ("record", 0.25, "svc", 10)


def test_writer_rotates_by_size_and_writes_whole_lines(tmp_path: Path) -> None:
    from driftdiff_sdk.config import SDKConfig
    from driftdiff_sdk.exchange import EXCHANGE_FORMAT
    from driftdiff_sdk.recorder import Recorder

    recorder = Recorder(
        SDKConfig(mode="record", service="rot svc", traces_dir=str(tmp_path), rotate_bytes=2000)
    )
    for i in range(60):
        recorder.submit(
            {
                "format": EXCHANGE_FORMAT,
                "id": f"e{i}",
                "source": "sdk",
                "request": {"method": "GET", "path": f"/n/{i}"},
                "response": {"status": 200, "body": {"n": i, "pad": "x" * 50}},
            }
        )
    recorder.close()
    recorder.submit({"id": "late"})  # after close: dropped, never raised
    files = sorted(tmp_path.glob("*.jsonl"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert len(files) > 3
    assert all(f.name.startswith(f"rot_svc-{os.getpid()}-") for f in files)
    assert all(f.stat().st_size <= 2000 for f in files)
    ids = [e["id"] for e in read_traces(tmp_path, at_least=60)]
    assert sorted(ids, key=lambda s: int(s[1:])) == [f"e{i}" for i in range(60)]
