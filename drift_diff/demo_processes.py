"""Processes of ``driftdiff demo``: free ports, servers in their own process group, signals.

Each server the demo starts (upstream, shop v1) runs in a process group of its own, is polled
until its port answers (never a fixed sleep) and is stopped group and all, so nothing outlives
the demo, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from drift_diff.errors import DriftDiffError
from drift_diff.replay.service import start_process_group, stop_process_group

__all__ = ["DemoError", "ServiceProcess", "free_port", "port_is_open", "terminate_on_sigterm"]


class DemoError(DriftDiffError):
    """A step of the demo could not run (a process died, a port never answered)."""


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


class ServiceProcess:
    """A server started in its own process group, stopped (group and all) by :meth:`stop`.

    Output goes to a log file whose tail is quoted when the process dies early.
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        port: int,
        env: dict[str, str],
        cwd: Path,
        log_path: Path,
    ) -> None:
        self.name = name
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self._stopped = False
        try:
            self.proc, self._log = start_process_group(argv, env=env, cwd=cwd, log_path=log_path)
        except OSError as exc:
            raise DemoError(f"cannot start {name} ({shlex.join(argv)}): {exc}") from None

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, limit: int = 1500) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-limit:].strip()
        except OSError:
            return ""

    def wait_ready(self, deadline_s: float) -> None:
        """Poll until the port accepts connections (uvicorn binds after start-up completes)."""
        end = time.monotonic() + deadline_s
        delay = 0.02
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise DemoError(
                    f"{self.name} exited with code {self.proc.returncode} before it was ready:\n"
                    f"{self.log_tail()}"
                )
            if port_is_open(self.port):
                return
            time.sleep(delay)  # back-off between polls, bounded by the deadline
            delay = min(delay * 2, 0.2)
        raise DemoError(f"{self.name} did not listen on port {self.port} within {deadline_s:.0f}s")

    def stop(self, deadline_s: float = 10.0) -> None:
        """SIGINT the group (uvicorn shuts down gracefully, the SDK flushes), then SIGKILL.

        Idempotent: once stopped, the group id is never signalled again (it could be reused).
        """
        if self._stopped:
            return
        self._stopped = True
        try:
            stop_process_group(self.proc, deadline_s, first=signal.SIGINT)
        finally:
            self._log.close()


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``KeyboardInterrupt`` meanwhile, so clean-up runs as on Ctrl-C."""

    def _raise(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
