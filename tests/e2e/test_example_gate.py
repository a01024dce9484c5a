"""The example's gate through the CLI: v1 against its own recording is clean, v2 fails.

This is the promise users judge us on: replaying a build against its own recording reports
nothing (no breaking change, no warning), and the upgraded build fails the gate. The recording
is made here, in this environment (``driftdiff demo --write-traces``): the committed traces were
recorded with other library versions, and a dependency that rewords an error message is a real
value change that replay rightly reports.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.support import REPO, free_port, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shop")
    res = run_cli(
        "demo",
        "--write-traces",
        str(folder / "traces"),
        "--write-baseline",
        str(folder / "shop.json"),
        cwd=REPO,
    )
    assert res.code == 0, res.stderr
    return folder


def _check(recorded: Path, version: str, *gate: str) -> tuple[int, dict[str, object], str]:
    port = free_port()
    start = shlex.join(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{version}.app:app",
            "--app-dir",
            "examples",
            "--port",
            str(port),
        ]
    )
    res = run_cli(
        "check",
        "--baseline",
        str(recorded / "shop.json"),
        str(recorded / "traces"),
        "--target",
        f"http://127.0.0.1:{port}",
        "--start",
        start,
        "--format",
        "json",
        *gate,
        cwd=REPO,
    )
    assert "Traceback" not in res.stderr
    return res.code, json.loads(res.stdout), res.stderr


def test_v1_against_its_own_recording_reports_nothing(recorded: Path) -> None:
    code, report, stderr = _check(recorded, "shop_v1", "--fail-on", "warning")
    assert code == 0, stderr
    assert report["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert report["changes"] == []
    assert "35 pass" in stderr


def test_v2_fails_the_gate_on_breaking_changes(recorded: Path) -> None:
    code, report, _ = _check(recorded, "shop_v2", "--fail-on-breaking")
    assert code == 1
    summary = report["summary"]
    assert isinstance(summary, dict) and summary["breaking"] >= 4
    rules = {c["rule"] for c in report["changes"]}  # type: ignore[union-attr]
    assert {
        "response-required-property-removed",
        "response-property-type-changed",
        "response-success-status-removed",
    } <= rules
