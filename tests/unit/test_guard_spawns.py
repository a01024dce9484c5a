"""The replay guard reports spawned processes, except the stdlib ``platform`` module's own
``uname -p`` (``platform.platform()``, which Sanic's start-up banner calls)."""

from __future__ import annotations

import platform
import subprocess
import sys

from driftdiff_sdk import guard


def test_platform_probe_is_not_reported_but_other_spawns_are() -> None:
    reports: list[str] = []
    guard.install(mock_addr=None, allow_ports=[], report=lambda kind, msg: reports.append(msg))
    try:
        platform._Processor.from_subprocess()  # type: ignore[attr-defined]
        assert reports == []
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    finally:
        guard.uninstall()
    assert len(reports) == 1
    assert reports[0].startswith("unpatched dependency: spawned a process (python")
