"""The service under test as a process: started in its own process group, stopped as a group.

``start_new_session=True`` puts the shell and everything it starts (a reloader, workers) in one
process group, so stopping sends SIGTERM to the whole group, waits, then SIGKILLs it: no orphan
keeps a port or a database file after the run, even when the run fails or is interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

import httpx

from drift_diff.errors import ReplayError

__all__ = [
    "ServiceProcess",
    "describe_exit",
    "start_process_group",
    "stop_process_group",
    "wait_until_ready",
]


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"service was killed by {name}"
    return f"service exited with code {code}"


def start_process_group(
    argv: list[str], *, env: dict[str, str], cwd: str | os.PathLike[str] | None, log_path: Path
) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """``argv`` in a new session (its own process group), output to ``log_path``.

    Returns the process and the open log, which the caller closes after stopping the group.
    ``OSError`` when it cannot start (the log is closed then).
    """
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the caller, closed after the stop
    try:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError:
        log.close()
        raise
    return proc, log


def stop_process_group(
    proc: subprocess.Popen[bytes], grace_s: float, first: signal.Signals = signal.SIGTERM
) -> None:
    """Send ``first`` to the whole group, then SIGKILL what is left after ``grace_s`` seconds.

    Children may outlive the leader (a shell, a reloader's workers): the group goes in any case.
    """
    pgid = proc.pid
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, first)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)


class ServiceProcess:
    """``sh -c CMD`` in a new session, output to ``log_path``."""

    def __init__(
        self, command: str, *, env: dict[str, str], log_path: Path, cwd: str | None = None
    ) -> None:
        self.command = command
        self.log_path = log_path
        try:
            self.proc, self._log = start_process_group(
                ["/bin/sh", "-c", command], env=env, cwd=cwd, log_path=log_path
            )
        except OSError as exc:
            raise ReplayError(f"cannot start service {command!r}: {exc.strerror or exc}") from None
        self.exit_code: int | None = None
        self._stopped = False

    def poll(self) -> int | None:
        if self.exit_code is None:
            self.exit_code = self.proc.poll()
        return self.exit_code

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code if the service ends within ``timeout`` seconds (else None)."""
        if self.poll() is not None:
            return self.exit_code
        try:
            self.exit_code = await asyncio.to_thread(self.proc.wait, timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.exit_code

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_bytes()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""
        kept = [line.strip() for line in text.splitlines() if line.strip()]
        return " | ".join(kept[-lines:])

    def stop(self, grace_s: float = 5.0) -> None:
        """SIGTERM the whole group, then SIGKILL what is left after ``grace_s`` seconds."""
        if self._stopped:
            return
        self._stopped = True
        stop_process_group(self.proc, grace_s)
        self.poll()
        self._log.close()


async def wait_until_ready(
    client: httpx.AsyncClient, url: str, *, deadline_s: float, service: ServiceProcess | None = None
) -> None:
    """Poll ``url`` until it answers with any HTTP status; ``ReplayError`` after the deadline.

    The pause between polls grows from 20 ms to 250 ms and never goes past the deadline.
    """
    end = time.monotonic() + deadline_s
    delay = 0.02
    last = "no answer"
    while True:
        if service is not None and service.poll() is not None:
            tail = service.log_tail()
            raise ReplayError(
                f"{describe_exit(service.exit_code or 0)} before {url} answered"
                + (f" (last output: {tail})" if tail else "")
            )
        try:
            await client.get(url, timeout=max(0.1, min(2.0, end - time.monotonic())))
            return
        except httpx.HTTPError as exc:
            last = str(exc) or type(exc).__name__
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise ReplayError(f"target {url} not ready after {deadline_s:g}s ({last})")
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.25)
