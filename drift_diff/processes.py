"""Processes driftdiff starts: one process-group helper and one readiness poll for everything.

Replay's ``--start``, the demo and the test suite's servers all start a process the same way:
in a new session (its own process group, so a shell's children, a reloader and its workers are
all in it), output to a log file, polled for readiness against a deadline (never a fixed
sleep: the pause grows from 20 ms to 250 ms and never passes the deadline), and stopped as a
group (``first`` signal, then SIGKILL after a grace period). While :func:`interrupt_on_signals`
is active, SIGTERM, SIGINT and SIGHUP stop every live group at once and then unwind as Ctrl-C
does, so no service is left running, reparented to init, holding its port.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "ServiceProcess",
    "apoll_until",
    "describe_exit",
    "free_port",
    "interrupt_on_signals",
    "poll_until",
    "port_is_bound",
    "port_is_open",
]

#: Signals that stop driftdiff (and, through :func:`interrupt_on_signals`, its services).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

#: Polls back off from 20 ms to 100 ms: a service is seen ready at most 0.1 s after it is
#: (0.25 s before), and a poll is a refused connect or a process check.
_FIRST_DELAY_S = 0.02
_MAX_DELAY_S = 0.1


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tcp_sockets(host: str, port: int) -> Iterator[tuple[socket.socket, Any]]:
    """A fresh TCP socket per address of ``host:port`` (none when the name does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return
    for family, kind, proto, _, addr in infos:
        with socket.socket(family, kind, proto) as sock:
            yield sock, addr


def port_is_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port`` right now."""
    for sock, addr in _tcp_sockets(host, port):
        sock.settimeout(timeout)
        if sock.connect_ex(addr) == 0:
            return True
    return False


def port_is_bound(port: int, host: str = "127.0.0.1") -> bool:
    """Whether binding ``host:port`` fails because a socket holds it (even one not listening).

    With ``SO_REUSEADDR`` as servers set it, so a connection in TIME_WAIT from an earlier run
    does not count.
    """
    for sock, addr in _tcp_sockets(host, port):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
    return False


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"service was killed by {name}"
    return f"service exited with code {code}"


def _pauses(deadline_s: float) -> Iterator[float]:
    """Pauses between polls (growing, never past the deadline); ends when the deadline passes."""
    end = time.monotonic() + deadline_s
    delay = _FIRST_DELAY_S
    while (remaining := end - time.monotonic()) > 0:
        yield min(delay, remaining)
        delay = min(delay * 2, _MAX_DELAY_S)


def _failure(gone: str | None, what: str, deadline_s: float) -> str:
    return f"{gone} before {what} was ready" if gone else f"{what} not ready after {deadline_s:g}s"


def poll_until(
    ready: Callable[[], bool],
    *,
    deadline_s: float,
    exited: Callable[[], str | None] = lambda: None,
    what: str = "the service",
    error: Callable[[str], Exception] = TimeoutError,
) -> None:
    """Call ``ready`` until it returns true; ``error(message)`` when ``exited`` says the
    process died (its description) or after ``deadline_s`` seconds."""
    for pause in _pauses(deadline_s):
        gone = exited()
        if gone is not None:
            raise error(_failure(gone, what, deadline_s))
        if ready():
            return
        time.sleep(pause)  # back-off between polls, bounded by the deadline
    gone = exited()
    if gone is None and ready():
        return
    raise error(_failure(gone, what, deadline_s))


async def apoll_until(
    ready: Callable[[], Awaitable[bool]],
    *,
    deadline_s: float,
    exited: Callable[[], str | None] = lambda: None,
    what: str = "the service",
    error: Callable[[str], Exception] = TimeoutError,
) -> None:
    """:func:`poll_until` for an event loop (``ready`` is awaited)."""
    for pause in _pauses(deadline_s):
        gone = exited()
        if gone is not None:
            raise error(_failure(gone, what, deadline_s))
        if await ready():
            return
        await asyncio.sleep(pause)  # back-off between polls, bounded by the deadline
    gone = exited()
    if gone is None and await ready():
        return
    raise error(_failure(gone, what, deadline_s))


# --- process groups ------------------------------------------------------------------------------

_live_lock = threading.RLock()  # re-entrant: the signal handler runs on the main thread
_live: dict[int, ServiceProcess] = {}


class _Deferred:
    """A stop signal that arrived while a group was being started (before it was registered):
    handled right after registration, so no group can slip between start and bookkeeping."""

    starting = 0
    signum: int | None = None


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class ServiceProcess:
    """``argv`` in a new session (its own process group), output to ``log_path``.

    ``OSError`` when it cannot start. :meth:`stop` sends ``stop_signal`` to the whole group,
    waits up to ``grace_s``, then SIGKILLs what is left; once stopped, the group id is never
    signalled again (it could be reused).
    """

    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        log_path: Path,
        cwd: str | os.PathLike[str] | None = None,
        name: str = "service",
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.argv = argv
        self.name = name
        self.log_path = log_path
        self.stop_signal = stop_signal
        self._log: IO[bytes] = open(log_path, "wb")  # noqa: SIM115 - closed by stop()
        self.exit_code: int | None = None
        self._stopped = False
        counted = _main_thread()
        _Deferred.starting += counted
        try:
            self.proc = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            with _live_lock:
                _live[self.proc.pid] = self
        except OSError:
            self._log.close()
            raise
        finally:
            _Deferred.starting -= counted
            if counted and not _Deferred.starting and _Deferred.signum is not None:
                signum, _Deferred.signum = _Deferred.signum, None
                _stop_live_groups(signum, None)

    @property
    def pid(self) -> int:
        """The leader's pid, which is also the process group id."""
        return self.proc.pid

    def poll(self) -> int | None:
        if self.exit_code is None:
            self.exit_code = self.proc.poll()
        return self.exit_code

    def exited(self) -> str | None:
        """How the leader ended ("service exited with code 3"), or None while it runs."""
        if self.poll() is None:
            return None
        return describe_exit(self.exit_code or 0)

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code if the leader ends within ``timeout`` seconds (else None)."""
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

    def signal_group(self, sig: signal.Signals) -> None:
        if not self._stopped:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def stop(self, grace_s: float = 5.0) -> None:
        """``stop_signal`` to the whole group, then SIGKILL what is left after ``grace_s``.

        Children may outlive the leader (a shell, a reloader's workers): the group goes anyway.
        """
        if self._stopped:
            return
        self.signal_group(self.stop_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace_s)
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace_s)
        self._stopped = True
        with _live_lock:
            _live.pop(self.proc.pid, None)
        self.poll()
        self._log.close()


def _stop_live_groups(signum: int, frame: Any) -> None:
    """Signal handler: SIGTERM every live group now, then unwind as Ctrl-C does."""
    del frame
    if _Deferred.starting:
        _Deferred.signum = signum
        return
    with _live_lock:
        live = list(_live.values())
    for service in live:
        service.signal_group(signal.SIGTERM)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """Meanwhile SIGTERM/SIGINT/SIGHUP stop every live service group, then raise
    ``KeyboardInterrupt`` so clean-up runs; on the way out, any group started meanwhile that is
    still running is stopped (a no-op outside the main thread)."""
    if not _main_thread():
        yield
        return
    with _live_lock:
        before = set(_live)
    previous = {sig: signal.signal(sig, _stop_live_groups) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        with _live_lock:  # a group started meanwhile whose owner never got to stop it
            left = [service for pid, service in _live.items() if pid not in before]
        for service in left:
            service.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
