"""The one process/readiness helper and the /proc port read-outs, on real processes and sockets."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import pytest

from drift_diff.port_owner import describe_pid, group_members, port_sockets, socket_owners
from drift_diff.processes import (
    ServiceProcess,
    free_port,
    poll_until,
    port_is_bound,
    port_is_open,
)

LINUX = pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads /proc (Linux)")


def test_poll_until_returns_when_ready_and_names_a_dead_process(tmp_path: Path) -> None:
    calls = iter([False, False, True])
    poll_until(lambda: next(calls), deadline_s=5)
    service = ServiceProcess(
        ["/bin/sh", "-c", "echo bye; exit 3"], env=dict(os.environ), log_path=tmp_path / "log"
    )
    try:
        with pytest.raises(RuntimeError, match=r"^service exited with code 3 before it was ready$"):
            poll_until(
                lambda: False, deadline_s=30, exited=service.exited, what="it", error=RuntimeError
            )
        assert service.log_tail() == "bye"
    finally:
        service.stop()


def test_poll_until_deadline_message() -> None:
    with pytest.raises(TimeoutError, match=r"^the thing not ready after 0\.05s$"):
        poll_until(lambda: False, deadline_s=0.05, what="the thing")


def test_stop_takes_the_whole_group(tmp_path: Path) -> None:
    service = ServiceProcess(
        ["/bin/sh", "-c", "sleep 300 & sleep 300 & wait"],
        env=dict(os.environ),
        log_path=tmp_path / "log",
    )
    poll_until(lambda: len(group_members(service.pid)) >= 3, deadline_s=10)
    service.stop(grace_s=5)
    poll_until(lambda: not _alive_members(service.pid), deadline_s=10, what="group gone")
    assert service.exit_code == -signal.SIGTERM


def _alive_members(pgid: int) -> set[int]:
    alive = set()
    for pid in group_members(pgid):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@LINUX
def test_port_sockets_name_this_process_as_the_holder() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        assert port_sockets(port) == []  # only bound: not listed, but a bind probe sees it
        assert port_is_bound(port) and not port_is_open(port)
        listener.listen(1)
        found = port_sockets(port)
        assert found is not None and len(found) == 1
        assert found[0].address == "127.0.0.1"
        assert socket_owners({found[0].inode}) == {found[0].inode: [os.getpid()]}
        assert port_is_open(port)
    assert port_sockets(port) == []
    assert not port_is_open(port) and not port_is_bound(port)


@LINUX
def test_port_sockets_read_ipv6_addresses() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    with socket.socket(socket.AF_INET6) as listener:
        try:
            listener.bind(("::1", 0))
        except OSError as exc:
            pytest.skip(f"no ::1 here: {exc}")
        listener.listen(1)
        found = port_sockets(listener.getsockname()[1])
        assert found is not None and [s.address for s in found] == ["::1"]


@LINUX
def test_describe_pid_shows_the_command_line() -> None:
    text = describe_pid(os.getpid())
    prefix = f"pid {os.getpid()} ("
    assert text.startswith(prefix) and text.endswith(")"), text
    program = text[len(prefix) :].split(" ", 1)[0]  # as this process was started: maybe relative
    if "/" not in program:  # found on PATH
        program = shutil.which(program) or program
    assert os.path.samefile(program, sys.executable), text
    assert port_sockets(free_port(), pid=2**22 + 1) is None  # no such process: unreadable
