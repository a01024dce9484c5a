"""Helpers for the SDK integration tests: the upstream process, reading and checking traces."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema

from drift_diff.processes import poll_until
from drift_diff.traffic.traces import ReadStats, iter_raw_exchanges
from tests.support import REPO, free_port, run_cli, server_process

SCHEMA = json.loads((REPO / "schemas" / "exchange.schema.json").read_text())

#: planted in requests and responses; none may reach a trace file
SECRETS = [
    b"sekrit-token-XYZ123456",
    b"sess-SECRETCOOKIE-998877",
    b"jane.doe@example.com",
    b"owner@example.com",
    b"bob@example.com",
    b"4111 1111 1111 1111",
    b"4111111111111111",
    b"hunter2hunter2",
    b"tok_live_abcdef123456",
]
SECRET_HEADERS = {
    "Authorization": "Bearer sekrit-token-XYZ123456",
    "Cookie": "session=sess-SECRETCOOKIE-998877",
}


@contextlib.contextmanager
def upstream() -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "tests.integration.apps.upstream", str(port)]
    with server_process(cmd, f"http://127.0.0.1:{port}/health", cwd=REPO):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def sdk_service(
    command: Callable[[int], list[str]], traces: Path, **extra_env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The app ``command(port)`` recording into ``traces`` (SDK on), calling a real upstream.

    Yields the app's base URL and its process; both processes are stopped on the way out.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        upstream() as up,
        server_process(
            command(port), f"{base}/health", cwd=REPO, env=sdk_env(traces, up, **extra_env)
        ) as proc,
    ):
        yield base, proc


def sdk_env(traces: Path, upstream_url: str, **extra: str) -> dict[str, str]:
    return {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_SERVICE": "shop",
        "DRIFTDIFF_TRACES_DIR": str(traces),
        "UPSTREAM": upstream_url,
        "PYTHONPATH": str(REPO),
        **extra,
    }


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a server the way an orchestrator does, and wait (its atexit flush runs)."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)  # a ceiling, not a wait: a loaded CI machine flushes slowly


def read_traces(
    traces: Path, *, at_least: int = 1, deadline_s: float = 15.0, where: Any = None
) -> list[dict[str, Any]]:
    """Poll the traces folder until ``at_least`` matching exchanges are on disk."""
    found: list[dict[str, Any]] = []

    def enough() -> bool:
        if not (traces.is_dir() and any(traces.glob("*.jsonl"))):
            return False
        stats = ReadStats()
        found[:] = [e for e in iter_raw_exchanges([traces], stats) if where is None or where(e)]
        return len(found) >= at_least and stats.partial_lines == 0

    def short(message: str) -> AssertionError:
        return AssertionError(f"only {len(found)} complete exchanges in {traces}: {message}")

    poll_until(enough, deadline_s=deadline_s, what=f"{at_least} exchanges", error=short)
    return found


def check_schema(exchanges: list[dict[str, Any]]) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for exchange in exchanges:
        errors = sorted(validator.iter_errors(exchange), key=str)
        assert not errors, f"{exchange.get('request', {}).get('path')}: {errors[0]}"


def assert_no_secrets(traces: Path) -> None:
    files = list(traces.glob("*.jsonl"))
    assert files
    for file in files:
        raw = file.read_bytes()
        for secret in SECRETS:
            assert secret not in raw, f"{secret!r} leaked into {file.name}"


def by_path(exchanges: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [e for e in exchanges if e["request"]["path"] == path]


def run_baseline(traces: Path, out_dir: Path, expect: str = "GET /users/{user_id}") -> None:
    """``driftdiff baseline`` over the traces; the route templates become its endpoints."""
    if not (REPO / "drift_diff" / "cli" / "baseline.py").exists():
        return  # the inference command is not there yet
    out = out_dir / "baseline.json"
    result = run_cli("baseline", str(traces), "--out", str(out))
    assert result.code == 0, result.stderr
    endpoints = json.loads(out.read_text())["endpoints"]
    assert expect in endpoints, sorted(endpoints)
