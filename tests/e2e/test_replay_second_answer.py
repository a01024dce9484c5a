"""Values a build varies on every answer, for reasons no field name shows, are not reported
when the build is replayed against its own recording: replay asks such a safe request a second
time and forgives what the two live answers disagree on (``replay/second_answer.py``). A stable
value that changed is still reported, and a field that went missing is still breaking, however
random its value was.

The service (``apps/noisy_values.py``) runs under uvicorn as a real process; ``driftdiff
record`` records it as a real proxy process; ``driftdiff check`` starts each build itself.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.apps.harness import findings
from tests.support import REPO, CliResult, free_port, run_cli, start_recorder, wait_until_ready

pytestmark = pytest.mark.e2e

#: Each path once: a request recorded twice would show its noise from the recording alone.
TRAFFIC = ["/sample", "/stable", "/health"]


def _app(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "tests.e2e.apps.noisy_values:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


@dataclass
class Recording:
    folder: Path
    traces: Path
    baseline: Path

    def check(self, variant: str = "") -> CliResult:
        port = free_port()
        start = f"NOISY_VARIANT={variant} exec {shlex.join(_app(port))}"
        return run_cli(
            "check",
            str(self.traces),
            "--baseline",
            str(self.baseline),
            "--target",
            f"http://127.0.0.1:{port}",
            "--start",
            start,
            "--ready",
            "/health",
            "--format",
            "json",
            "--fail-on",
            "info",
            cwd=REPO,
        )


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    folder = tmp_path_factory.mktemp("noisy")
    rec = Recording(folder, folder / "traces", folder / "baseline.json")
    up_port, proxy_port = free_port(), free_port()
    service = subprocess.Popen(
        _app(up_port),
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = None
    try:
        proxy = start_recorder(f"http://127.0.0.1:{up_port}", proxy_port, rec.traces, "noisy")
        wait_until_ready(f"http://127.0.0.1:{up_port}/health", proc=service)
        wait_until_ready(f"http://127.0.0.1:{proxy_port}/health", proc=proxy)
        with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", timeout=10) as client:
            assert [client.get(p).status_code for p in TRAFFIC if p != "/health"] == [200, 200]
    finally:
        for proc in (p for p in (proxy, service) if p is not None):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.communicate(timeout=20)
    result = run_cli("baseline", str(rec.traces), "--out", str(rec.baseline), cwd=REPO)
    assert result.code == 0, result.stderr
    return rec


def _found(result: CliResult) -> list[tuple[Any, ...]]:
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    return sorted((c["severity"], c["rule"], c["endpoint"], c["location"]) for c in changes)


def test_own_build_is_silent(recording: Recording) -> None:
    result = recording.check()
    assert _found(result) == [], result.stderr
    assert result.code == 0


def test_a_stable_value_that_changed_is_still_reported(recording: Recording) -> None:
    result = recording.check("greeting")
    assert _found(result) == [
        ("warning", "replay-value-changed", "GET /stable", "response.body.greeting")
    ], result.stderr
    assert result.code == 1


def test_a_missing_random_field_is_still_breaking(recording: Recording) -> None:
    result = recording.check("no-pick")
    found = _found(result)
    # (the replay's own finding, replay-field-missing, is evidence of the baseline's)
    assert ("breaking", "response-required-property-removed", "GET /sample") in {
        f[:3] for f in found if f[3].endswith(".pick")
    }, found
    assert all(f[0] != "warning" for f in found), found  # picks[] forgiven as before
    assert result.code == 1
