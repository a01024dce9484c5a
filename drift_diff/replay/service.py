"""The service under test (``--start``): never a stale process, stopped group and all.

Before ``--start`` runs, the ``--target`` port must be free: a port that already answers (or
is bound) would be tested instead of the new build, so :func:`start_service` stops with a
``ReplayError`` naming the holder (pid and command line from ``/proc`` where readable). After
the target answers, :func:`wait_until_ready` checks that every socket listening on the target
port belongs to the process group that ``--start`` started (Linux; elsewhere the pre-check is
all there is). The process itself is a :class:`~drift_diff.processes.ServiceProcess` (its own
process group, stopped as a whole; SIGTERM/SIGINT/SIGHUP stop it too while
:func:`~drift_diff.processes.interrupt_on_signals` is active). With ``sandbox="netns"`` it runs
in a network namespace of its own (:mod:`drift_diff.replay.sandbox`).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from drift_diff.errors import ReplayError, UsageError
from drift_diff.port_owner import describe_pid, group_members, port_sockets, socket_owners
from drift_diff.processes import (
    ServiceProcess,
    apoll_until,
    describe_exit,
    port_is_bound,
    port_is_open,
)
from drift_diff.replay import sandbox as netns

__all__ = [
    "SANDBOXES",
    "ServiceProcess",
    "check_port_free",
    "describe_exit",
    "start_service",
    "wait_until_ready",
]

#: Values of ``--sandbox``.
SANDBOXES = ("none", "netns")


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _holders(port: int, inodes: set[int]) -> str:
    owners = socket_owners(inodes)
    pids = sorted({pid for pids in owners.values() for pid in pids})
    return ", ".join(describe_pid(pid) for pid in pids)


def check_port_free(target: str) -> None:
    """``ReplayError`` naming what holds the target port if anything answers or is bound there."""
    host, port = _host_port(target)
    sockets = port_sockets(port) if _is_local(host) else None
    if sockets:
        where = ", ".join(sorted({f"{s.address}:{s.port}" for s in sockets}))
        holder = _holders(port, {s.inode for s in sockets}) or "a process driftdiff cannot see"
        raise ReplayError(
            f"--target port {port} is already in use by {holder} on {where}; stop it or choose "
            f"a free port (--start would otherwise test that process, not the new build)"
        )
    if port_is_bound(port, host):
        raise ReplayError(
            f"--target port {port} is already bound by another process on {host}; stop it or "
            f"choose a free port (the service started by --start could not take it)"
        )
    if port_is_open(port, host):
        raise ReplayError(
            f"--target {host}:{port} already answers before --start ran; stop what listens "
            f"there or choose a free port (--start would otherwise test it, not the new build)"
        )


def verify_listener(service: ServiceProcess, target: str) -> None:
    """``ReplayError`` unless the started process group is what listens on the target port.

    Reads the service's own network namespace (``/proc/<leader>/net/tcp{,6}``); skipped where
    ``/proc`` is not available and for a target that is not on this machine.
    """
    host, port = _host_port(target)
    if not _is_local(host):
        return
    sockets = port_sockets(port, service.pid)
    if sockets is None:
        return
    listening = {s.inode for s in sockets}
    if not listening:
        raise ReplayError(
            f"the target {host}:{port} answered, but no process started by --start listens on "
            f"port {port} (is --target the port the service binds?)"
        )
    members = group_members(service.pid)
    owners = socket_owners(listening)
    strangers = {pid for inode in listening for pid in owners.get(inode, []) if pid not in members}
    unowned = [inode for inode in listening if not owners.get(inode)]
    if strangers or unowned:
        holder = ", ".join(describe_pid(pid) for pid in sorted(strangers)) or (
            "a process driftdiff cannot see"
        )
        raise ReplayError(
            f"port {port} is served by {holder}, not by the process group --start started; "
            f"stop it and run again"
        )


def start_service(
    command: str,
    *,
    target: str,
    env: dict[str, str],
    log_path: Path,
    cwd: str | None,
    sandbox: str | None = None,
    sandbox_dir: Path | None = None,
    allow_ports: set[int] | frozenset[int] = frozenset(),
) -> ServiceProcess:
    """Check the target port is free, then start ``sh -c COMMAND`` in its own process group.

    With ``sandbox="netns"`` the service runs in a new network namespace and is reached over
    the Unix socket :func:`drift_diff.replay.sandbox.target_socket` of ``sandbox_dir``; the
    port outside is then irrelevant and not checked.
    """
    argv = ["/bin/sh", "-c", command]
    if sandbox in (None, "none"):
        check_port_free(target)
    elif sandbox == "netns":
        if sandbox_dir is None:
            raise UsageError("--sandbox netns needs a working folder")
        _, port = _host_port(target)
        argv = netns.wrap(
            argv,
            folder=sandbox_dir,
            port=port,
            allow_ports={port, *allow_ports},
            mock_socket=env.get("DRIFTDIFF_MOCK_SOCKET", ""),
        )
        env = {k: v for k, v in env.items() if k != "DRIFTDIFF_MOCK_ADDR"}  # not reachable
    else:
        raise UsageError(f"--sandbox must be one of {', '.join(SANDBOXES)}, got {sandbox!r}")
    try:
        return ServiceProcess(argv, env=env, log_path=log_path, cwd=cwd)
    except OSError as exc:
        raise ReplayError(f"cannot start service {command!r}: {exc.strerror or exc}") from None


async def wait_until_ready(
    client: httpx.AsyncClient, url: str, *, deadline_s: float, service: ServiceProcess | None = None
) -> None:
    """Poll ``url`` until it answers with any HTTP status; ``ReplayError`` after the deadline
    or when the service dies first. A started service must then own the listening socket."""
    last = ["no answer"]

    async def answers() -> bool:
        try:
            await client.get(url, timeout=2.0)
        except httpx.HTTPError as exc:
            last[0] = str(exc) or type(exc).__name__
            return False
        return True

    def failed(message: str) -> ReplayError:
        if "not ready after" in message:
            return ReplayError(f"{message} ({last[0]})")
        tail = service.log_tail() if service is not None else ""
        return ReplayError(message + (f" (last output: {tail})" if tail else ""))

    await apoll_until(
        answers,
        deadline_s=deadline_s,
        exited=service.exited if service is not None else lambda: None,
        what=f"target {url}",
        error=failed,
    )
    if service is not None:
        verify_listener(service, url)
