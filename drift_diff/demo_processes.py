"""Processes of ``driftdiff demo``: the shared process-group helper, with the demo's error.

Each server the demo starts (upstream, shop v1) is a :class:`drift_diff.processes.ServiceProcess`
(its own process group, stopped with SIGINT so uvicorn shuts down gracefully and the SDK
flushes, then SIGKILL), polled until its port answers (never a fixed sleep), so nothing
outlives the demo, also on Ctrl-C, SIGTERM or SIGHUP.
"""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

from drift_diff.errors import DriftDiffError
from drift_diff.processes import ServiceProcess, poll_until, port_is_open

__all__ = ["DemoError", "start_server"]


class DemoError(DriftDiffError):
    """A step of the demo could not run (a process died, a port never answered)."""


def start_server(
    name: str,
    argv: list[str],
    *,
    port: int,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    deadline_s: float,
    on_start: list[ServiceProcess],
) -> ServiceProcess:
    """Start ``argv`` on a free ``port`` and wait until the port accepts connections.

    The started process is appended to ``on_start`` before the wait, so the caller stops it
    even when it never gets ready.
    """
    if port_is_open(port):
        raise DemoError(f"cannot start {name}: port {port} is already in use")
    try:
        server = ServiceProcess(
            argv, env=env, cwd=cwd, log_path=log_path, name=name, stop_signal=signal.SIGINT
        )
    except OSError as exc:
        raise DemoError(f"cannot start {name} ({shlex.join(argv)}): {exc}") from None
    on_start.append(server)

    def failed(message: str) -> DemoError:
        tail = server.log_tail(lines=8)
        return DemoError(f"{message}" + (f":\n{tail}" if tail else ""))

    poll_until(
        lambda: port_is_open(port),
        deadline_s=deadline_s,
        exited=server.exited,
        what=f"{name} on port {port}",
        error=failed,
    )
    return server
