"""Replay isolation through the real CLI: a real service tries every way out to live listeners.

``tests/e2e/apps/escape_service.py`` runs under ``driftdiff replay --start`` (real process, real
SDK replay mode) and, per recorded request, tries one route to its own live listener on
loopback outside (TCP listeners count accepted connections, a UDP socket counts datagrams, a
Unix socket counts connections). With the default pure-Python guard the Python-level routes
are blocked and reported; with ``--sandbox netns`` nothing gets through and every attempt is
reported by address.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift_diff.errors import ReplayError
from drift_diff.processes import free_port
from drift_diff.replay import sandbox
from tests.e2e.apps.escape_service import ROUTES
from tests.e2e.apps.harness import ConnectionCounter, findings
from tests.support import REPO, CliResult, run_cli

pytestmark = pytest.mark.e2e

#: Routes plain Python patching (socket methods and the sys audit hook) blocks.
PYTHON_LEVEL = [
    "python-connect",
    "connect-ex",
    "c-level-connect",
    "fast-open-sendto",
    "udp-sendto",
    "udp-sendmsg",
    "unix-socket",
    "dns-lookup",
    "ctypes-connect",
]
TCP_ROUTES = [
    "python-connect",
    "connect-ex",
    "c-level-connect",
    "fast-open-sendto",
    "spawned-python",
    "ctypes-connect",
]


def _sandbox_reason() -> str | None:
    try:
        sandbox.available()
    except ReplayError as exc:
        return str(exc)
    return None


class Listeners:
    """Live listeners outside the service, one TCP port per route, one UDP, one Unix socket."""

    def __init__(self, folder: Path) -> None:
        self.tcp = {route: ConnectionCounter(free_port()) for route in TCP_ROUTES}
        self.ports = {route: int(c.sock.getsockname()[1]) for route, c in self.tcp.items()}
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.udp_port = self.udp.getsockname()[1]
        self.unix_path = str(folder / "live.sock")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        self.unix.listen(8)
        self.unix.setblocking(False)

    def env(self) -> str:
        pairs = [f"ESCAPE_TCP_{r.upper().replace('-', '_')}={c.sock.getsockname()[1]}"
                 for r, c in self.tcp.items()]  # fmt: skip
        pairs += [f"ESCAPE_UDP={self.udp_port}", f"ESCAPE_UNIX={self.unix_path}"]
        return " ".join(pairs)

    def port(self, route: str) -> int:
        return self.ports[route]

    def reached(self) -> dict[str, int]:
        """What got through, per listener (every counter must stay at 0 when isolated)."""
        counts = {route: counter.close() for route, counter in self.tcp.items()}
        counts["udp"] = self._drain_udp()
        counts["unix"] = self._drain_unix()
        return counts

    def _drain_udp(self) -> int:
        got = 0
        with contextlib.suppress(BlockingIOError):
            while self.udp.recv(64):
                got += 1
        self.udp.close()
        return got

    def _drain_unix(self) -> int:
        got = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                self.unix.accept()[0].close()
                got += 1
        self.unix.close()
        return got


@pytest.fixture
def listeners(tmp_path: Path) -> Iterator[Listeners]:
    live = Listeners(tmp_path)
    try:
        yield live
    finally:
        for counter in live.tcp.values():
            counter.close()


def _traces(folder: Path, routes: list[str]) -> Path:
    path = folder / "escape.jsonl"
    lines = [
        {
            "format": "driftdiff.exchange/1",
            "id": f"ex-{route}",
            "service": "escape",
            "recorded_at": f"2026-01-01T00:00:{i:02d}Z",
            "duration_ms": 1.0,
            "outbound": [],
            "request": {"method": "GET", "path": f"/escape/{route}", "headers": {}, "query": {}},
            "response": {
                "status": 200,
                "headers": {"content-type": ["application/json"]},
                "body": {"route": route, "outcome": "sent"},
            },
        }
        for i, route in enumerate(routes)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _replay(folder: Path, live: Listeners, routes: list[str], *extra: str) -> CliResult:
    port = free_port()
    start = f"{live.env()} exec {sys.executable} -m tests.e2e.apps.escape_service {port}"
    return run_cli(
        "replay",
        str(_traces(folder, routes)),
        "--target",
        f"http://127.0.0.1:{port}",
        "--start",
        start,
        "--ready",
        "/health",
        "--concurrency",
        "1",
        "--format",
        "json",
        *extra,
        cwd=REPO,
    )


def _reports(result: CliResult) -> list[str]:
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    return [
        f"{c['evidence']} {c['message']}"
        for c in changes
        if c["rule"] == "replay-unpatched-dependency"
    ]


def _reported(reports: list[str], needle: str) -> bool:
    return any(needle in report for report in reports)


def test_default_guard_blocks_and_reports_python_level_routes(
    tmp_path: Path, listeners: Listeners
) -> None:
    result = _replay(tmp_path, listeners, PYTHON_LEVEL)
    reached = listeners.reached()
    assert result.code == 0, result.stderr
    assert reached == dict.fromkeys(reached, 0), reached  # nothing got through
    reports = _reports(result)
    for route in ("python-connect", "connect-ex", "c-level-connect", "fast-open-sendto"):
        assert _reported(reports, f"connect to 127.0.0.1:{listeners.port(route)}"), route
    assert _reported(reports, f"connect to 127.0.0.1:{listeners.udp_port}")  # sendto, sendmsg
    assert _reported(reports, f"connect to unix:{listeners.unix_path}"), reports
    assert _reported(reports, "DNS lookup of escape.driftdiff.invalid"), reports
    assert _reported(reports, "ctypes use of C connect()"), reports


def test_default_guard_reports_a_spawned_process(tmp_path: Path, listeners: Listeners) -> None:
    result = _replay(tmp_path, listeners, ["spawned-python"])
    listeners.reached()
    assert result.code == 0, result.stderr
    exe = Path(sys.executable).name
    assert _reported(_reports(result), f"spawned a process ({exe})"), _reports(result)


def test_sandbox_stops_every_route_and_reports_each_by_address(
    tmp_path: Path, listeners: Listeners
) -> None:
    reason = _sandbox_reason()
    if reason:
        pytest.skip(reason)
    routes = [r for r in ROUTES if r != "unix-socket"]  # a path: not a network, see security.md
    result = _replay(tmp_path, listeners, routes, "--sandbox", "netns")
    reached = listeners.reached()
    assert result.code == 0, result.stderr
    assert reached == dict.fromkeys(reached, 0), reached  # nothing got out of the namespace
    reports = _reports(result)
    for route in TCP_ROUTES:  # by address, whether the guard or the namespace saw it
        if route != "ctypes-connect":  # the guard refuses ctypes first (next test: without it)
            assert _reported(reports, f"connect to 127.0.0.1:{listeners.port(route)}"), route
    spawned = "sandbox stopped a TCP connection: connect to 127.0.0.1:"
    assert _reported(reports, spawned + str(listeners.port("spawned-python"))), reports
    assert _reported(reports, f"connect to 127.0.0.1:{listeners.udp_port}"), reports
    assert _reported(reports, "ctypes use of C connect()"), reports
    assert _reported(reports, "DNS lookup of escape.driftdiff.invalid"), reports


def test_sandbox_catches_what_the_python_guard_cannot(tmp_path: Path, listeners: Listeners) -> None:
    """With the Python guard off, the namespace alone stops and reports C-level traffic."""
    reason = _sandbox_reason()
    if reason:
        pytest.skip(reason)
    port = listeners.port("ctypes-connect")
    start = (
        f"DRIFTDIFF_SOCKET_GUARD=0 {listeners.env()} exec {sys.executable} "
        f"-m tests.e2e.apps.escape_service"
    )
    target = free_port()
    result = run_cli(
        "replay",
        str(_traces(tmp_path, ["ctypes-connect", "udp-sendto"])),
        "--target",
        f"http://127.0.0.1:{target}",
        "--start",
        f"{start} {target}",
        "--ready",
        "/health",
        "--sandbox",
        "netns",
        "--format",
        "json",
        cwd=REPO,
    )
    reached = listeners.reached()
    assert result.code == 0, result.stderr
    assert reached == dict.fromkeys(reached, 0), reached
    reports = _reports(result)
    assert _reported(reports, f"sandbox stopped a TCP connection: connect to 127.0.0.1:{port}")
    udp = f"sandbox stopped a UDP connection: connect to 127.0.0.1:{listeners.udp_port}"
    assert _reported(reports, udp), reports


def test_sandbox_needs_start(tmp_path: Path) -> None:
    result = run_cli(
        "replay",
        str(_traces(tmp_path, ["dns-lookup"])),
        "--target",
        f"http://127.0.0.1:{free_port()}",
        "--sandbox",
        "netns",
    )
    assert result.code == 2
    assert result.stderr.strip() == (
        "driftdiff: error: --sandbox needs --start (driftdiff sandboxes the service it starts)"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux message")
def test_sandbox_that_cannot_run_is_one_line_exit_2(tmp_path: Path) -> None:
    """Without iproute2 on PATH the sandbox refuses to start; it never falls back silently."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("sh", "unshare"):
        found = shutil.which(name)
        if found:
            (tools / name).symlink_to(found)
    result = run_cli(
        "replay",
        str(_traces(tmp_path, ["dns-lookup"])),
        "--target",
        f"http://127.0.0.1:{free_port()}",
        "--start",
        "exit 0",
        "--sandbox",
        "netns",
        env={"PATH": str(tools)},
    )
    assert result.code == 2
    assert result.stderr.strip() == (
        "driftdiff: error: --sandbox netns needs 'ip' (iproute2) on PATH; it is not installed"
    )
