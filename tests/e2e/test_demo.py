"""``driftdiff demo`` through the real CLI: the story ends with v2's breaking changes, fast,
and leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import run_cli

pytestmark = pytest.mark.e2e

STARTED = re.compile(r"\(pid (\d+), port (\d+)\)")
V2_PORT = re.compile(r"shop v2 on \S+ \(port (\d+)\)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state, ppid, pgrp, ...
            members.append(int(stat.parent.name))
    return members


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Demo:
    code: int
    stderr: str
    report: dict[str, Any]


@pytest.fixture(scope="module")
def demo() -> Demo:
    result = run_cli("demo", "--format", "json", "-o", "-", timeout=120)  # '-': stdout
    assert result.code == 0, result.stderr + result.stdout
    return Demo(result.code, result.stderr, json.loads(result.stdout))


def _found(report: dict[str, Any], rule: str, endpoint: str, location: str) -> dict[str, Any]:
    for change in report["changes"]:
        if (change["rule"], change["endpoint"], change["location"]) == (rule, endpoint, location):
            return change  # type: ignore[no-any-return]
    raise AssertionError(f"{rule} at {endpoint} {location} not reported")


def test_demo_narrates_each_step(demo: Demo) -> None:
    for step in ("1/6", "2/6", "3/6", "4/6", "5/6", "6/6"):
        assert step in demo.stderr
    assert "Traceback" not in demo.stderr


# (rule, endpoint, location, severity) for each change v2 makes
V2_CHANGES = [
    # a removed response field
    (
        "response-required-property-removed",
        "GET /products/{product_id}",
        "response.200.body.description",
        "breaking",
    ),
    (
        "response-required-property-removed",
        "GET /products",
        "response.200.body.items[].description",
        "breaking",
    ),
    # a changed type: price number -> string
    (
        "response-property-type-changed",
        "GET /products/{product_id}",
        "response.200.body.price",
        "breaking",
    ),
    (
        "response-property-type-changed",
        "GET /products",
        "response.200.body.items[].price",
        "breaking",
    ),
    # a new required request field: recorded orders now get 422 instead of 201
    ("response-success-status-removed", "POST /orders", "response.201", "breaking"),
    # a removed endpoint: recorded requests now get 404 instead of 200
    ("response-success-status-removed", "GET /users/{user_id}/orders", "response.200", "breaking"),
    # an added response field is not breaking
    (
        "response-required-property-added",
        "GET /products/{product_id}",
        "response.200.body.currency",
        "info",
    ),
]


@pytest.mark.parametrize(
    "endpoint, status, replay_says",
    [
        ("POST /orders", "201", "status 201 became 422"),
        ("GET /users/{user_id}/orders", "200", "status 200 became 404"),
    ],
)
def test_replayed_status_change_is_one_finding_with_both_evidences(
    demo: Demo, endpoint: str, status: str, replay_says: str
) -> None:
    change = _found(demo.report, "response-success-status-removed", endpoint, f"response.{status}")
    assert f"replay-status-changed: {replay_says}" in change["evidence"]
    assert not [
        c
        for c in demo.report["changes"]
        if c["rule"] == "replay-status-changed" and c["endpoint"] == endpoint
    ]


@pytest.mark.parametrize("rule, endpoint, location, severity", V2_CHANGES)
def test_report_names_each_v2_change(
    demo: Demo, rule: str, endpoint: str, location: str, severity: str
) -> None:
    assert _found(demo.report, rule, endpoint, location)["severity"] == severity


def test_replay_reached_no_network(demo: Demo) -> None:
    """The upstream was stopped: every outbound call of v2 was answered from the recording."""
    rules = {c["rule"] for c in demo.report["changes"]}
    assert not rules & {
        "replay-mock-not-found",
        "replay-unpatched-dependency",
        "replay-request-failed",
    }
    assert demo.report["summary"]["breaking"] >= len([c for c in V2_CHANGES if c[3] == "breaking"])


@pytest.mark.heavy
def test_demo_writes_its_report_with_o_and_fails_on_any_case(tmp_path: Path) -> None:
    """The report goes to ``-o FILE`` (stdout stays empty) and ``--fail-on Warning`` turns v2's
    findings into exit 1, like every command that reports (issue 16)."""
    report = tmp_path / "report.json"
    result = run_cli("demo", "-f", "json", "-o", str(report), "--fail-on", "Warning", timeout=120)
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    assert json.loads(report.read_text("utf-8"))["summary"]["breaking"] > 0
    assert f"report written to {report}" in result.stderr


def test_demo_refuses_bad_options_before_starting_anything(tmp_path: Path) -> None:
    fail_on = run_cli("demo", "--fail-on", "fatal")
    assert fail_on.code == 2 and "fatal" in fail_on.stderr
    baseline = tmp_path / "shop.json"
    baseline.write_text('{"format": "driftdiff.baseline/1", "endpoints": {}}', "utf-8")
    refused = run_cli("demo", "-o", str(baseline))
    assert refused.code == 2 and "--force" in refused.stderr
    assert not STARTED.search(refused.stderr)  # nothing was started


def test_no_process_is_left_behind(demo: Demo) -> None:
    started = [(int(pid), int(port)) for pid, port in STARTED.findall(demo.stderr)]
    assert len(started) == 2, demo.stderr  # the upstream and shop v1; v2 is the check's
    ports = [port for _, port in started] + [int(p) for p in V2_PORT.findall(demo.stderr)]
    assert len(ports) == 3, demo.stderr
    for pid, _ in started:
        assert not _alive(pid), f"pid {pid} still alive"
        assert not _group_members(pid), f"process group {pid} still has members"
    for port in ports:
        assert not _listening(port), f"port {port} still listening"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_demo_stops_what_it_started(sig: signal.Signals) -> None:
    """Ctrl-C (or a CI runner's SIGTERM) while v1 records: every started process is stopped."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "drift_diff", "demo"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stderr is not None
    seen = ""
    try:
        for line in proc.stderr:  # the demo narrates line by line; it reaches step 2 in seconds
            seen += line
            if line.startswith("2/6"):
                proc.send_signal(sig)
                break
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    seen += rest
    assert proc.returncode != 0, seen
    assert "Traceback" not in seen
    started = [(int(pid), int(port)) for pid, port in STARTED.findall(seen)]
    assert len(started) == 2, seen
    for pid, port in started:
        assert not _alive(pid), f"pid {pid} still alive"
        assert not _group_members(pid), f"process group {pid} still has members"
        assert not _listening(port), f"port {port} still listening"
