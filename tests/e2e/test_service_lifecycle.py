"""No false greens, no orphans: the ``--start`` service through the real CLI and real processes.

* a stale server already on the ``--target`` port → exit 2, one line naming its pid and command;
* a process outside the started group answering on the target port → exit 2, named;
* SIGTERM, SIGINT or SIGHUP to a running ``check`` → no process of the service's group is left
  (polled in ``/proc`` with a deadline).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from drift_diff.cli import main
from drift_diff.errors import ReplayError
from drift_diff.processes import free_port, poll_until, port_is_open
from drift_diff.replay import sandbox
from tests.support import REPO, run_cli, server_process

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
]


def _recording(folder: Path) -> tuple[Path, Path]:
    """Traces of one slow request (the service takes its time: the run is still going on)."""
    traces = folder / "traces.jsonl"
    exchange = {
        "format": "driftdiff.exchange/1",
        "id": "ex-slow",
        "service": "escape",
        "recorded_at": "2026-01-01T00:00:00Z",
        "duration_ms": 1.0,
        "outbound": [],
        "request": {"method": "GET", "path": "/slow", "headers": {}, "query": {}},
        "response": {
            "status": 200,
            "headers": {"content-type": ["application/json"]},
            "body": {"route": "slow", "outcome": "done"},
        },
    }
    traces.write_text(json.dumps(exchange) + "\n")
    baseline = folder / "baseline.json"
    assert main(["baseline", str(traces), "--out", str(baseline)]) == 0
    return traces, baseline


def _service(port: int, pidfile: Path) -> str:
    """A shell with a second process in its group (``sleep``) before the service itself."""
    return (
        f"sleep 300 & PIDFILE={pidfile} exec {sys.executable} "
        f"-m tests.e2e.apps.escape_service {port}"
    )


def _check_argv(folder: Path, port: int, start: str) -> list[str]:
    """``driftdiff check`` of the one-request recording against ``port``, started by ``start``."""
    traces, baseline = _recording(folder)
    return [
        "check",
        str(traces),
        "--baseline",
        str(baseline),
        "--target",
        f"http://127.0.0.1:{port}",
        "--start",
        start,
        "--ready",
        "/health",
    ]


def _live_members(pgid: int) -> list[int]:
    """Processes (not zombies) whose process group is ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            after = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if after[0] != "Z" and int(after[2]) == pgid:
            members.append(int(entry.name))
    return members


def test_stale_process_on_target_port_is_named_and_exit_2(tmp_path: Path) -> None:
    port = free_port()
    stale = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with server_process(stale, f"http://127.0.0.1:{port}/", cwd=tmp_path) as old:
        result = run_cli(*_check_argv(tmp_path, port, _service(port, tmp_path / "pid")), cwd=REPO)
        assert result.code == 2, result.stdout + result.stderr
        line = result.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert f"--target port {port} is already in use by pid {old.pid} (" in line
        assert f"-m http.server {port}" in line
        assert not (tmp_path / "pid").exists()  # --start never ran


def test_listener_outside_the_started_group_is_refused(tmp_path: Path) -> None:
    """``--start`` detaches a server into another session: it answers, but it is not ours."""
    port = free_port()
    pidfile = tmp_path / "detached.pid"
    detached = (
        f"setsid sh -c 'echo $$ > {pidfile}; exec {sys.executable} -m http.server {port} "
        f"--bind 127.0.0.1' >/dev/null 2>&1 & exec sleep 300"
    )
    try:
        result = run_cli(*_check_argv(tmp_path, port, detached), cwd=REPO)
        stray = int(pidfile.read_text())
        assert result.code == 2, result.stdout + result.stderr
        line = result.stderr.strip()
        assert "\n" not in line
        assert f"port {port} is served by pid {stray} (" in line
        assert "not by the process group --start started" in line
    finally:
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGKILL)


def _signal_during_check(folder: Path, sig: signal.Signals, *extra: str) -> tuple[int, bytes]:
    """Run ``check`` (a slow request in flight), send it ``sig``; its exit code and stderr once
    the service's whole process group is gone (polled in /proc with a deadline)."""
    port = free_port()
    pidfile = folder / "service.pid"
    check = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drift_diff",
            *_check_argv(folder, port, _service(port, pidfile)),
            "--timeout",
            "120",
            *extra,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # the test's own safety net: never signal pytest's group
    )
    pgid = 0
    try:

        def service_up() -> bool:
            return pidfile.exists() and len(pidfile.read_text().split()) == 2

        poll_until(service_up, deadline_s=30, what="the service under check")
        pgid = int(pidfile.read_text().split()[1])
        poll_until(lambda: len(_live_members(pgid)) >= 2, deadline_s=10, what="both processes")
        check.send_signal(sig)
        _, err = check.communicate(timeout=60)
        poll_until(lambda: not _live_members(pgid), deadline_s=20, what="group gone")
        assert not port_is_open(port)
        return check.returncode, err
    finally:
        if check.poll() is None:
            os.killpg(check.pid, signal.SIGKILL)
            check.wait(10)
        if pgid and _live_members(pgid):
            os.killpg(pgid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_to_check_stops_the_whole_service_group(tmp_path: Path, sig: signal.Signals) -> None:
    code, err = _signal_during_check(tmp_path, sig)
    assert code == 130, err  # interrupted, as on Ctrl-C
    assert b"Traceback" not in err


def test_sandboxed_service_goes_even_when_check_is_killed(tmp_path: Path) -> None:
    """SIGKILL cannot be handled; the sandbox's first process sees driftdiff vanish."""
    try:
        sandbox.available()
    except ReplayError as exc:
        pytest.skip(str(exc))
    code, _ = _signal_during_check(tmp_path, signal.SIGKILL, "--sandbox", "netns")
    assert code == -signal.SIGKILL


def test_port_bound_but_not_listening_is_refused(tmp_path: Path) -> None:
    """A socket that holds the port without listening (nothing answers) still stops the run."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        result = run_cli(*_check_argv(tmp_path, port, _service(port, tmp_path / "pid")), cwd=REPO)
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"driftdiff: error: --target port {port} is already bound by another process on "
        f"127.0.0.1; stop it or choose a free port (the service started by --start could not "
        f"take it)"
    )
    assert not (tmp_path / "pid").exists()
