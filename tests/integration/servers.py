"""Real Redis and Postgres servers for tests: started as processes on free ports in temp dirs.

``redis_server()`` / ``postgres_server()`` are context managers yielding a :class:`Server`
(``port``, ``url``, ``stop()``); readiness is polled with a deadline, never slept for. The
tests that need them skip with a one-line reason when the binaries are absent (CI installs
them: ``apt-get install -y redis-server postgresql``). ``initdb`` refuses to run as root, so as
root the server runs as the ``postgres`` user (``Popen(user=...)``) in a directory it owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from drift_diff.processes import free_port, poll_until

__all__ = ["Server", "postgres_bin", "postgres_server", "redis_server", "require"]


def postgres_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        path = Path(candidate)
        if (path / "initdb").is_file() and (path / "postgres").is_file():
            return path
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("postgres") else None


def require(name: str) -> None:
    """Skip the calling test (module) when a server binary is missing."""
    if name == "redis" and shutil.which("redis-server") is None:
        pytest.skip(
            "redis-server not installed (apt-get install -y redis-server)", allow_module_level=True
        )
    if name == "postgres" and postgres_bin() is None:
        pytest.skip(
            "postgres not installed (apt-get install -y postgresql)", allow_module_level=True
        )
    if name == "postgres" and os.geteuid() == 0 and _pg_user() is None:
        pytest.skip("running as root without a 'postgres' user for initdb", allow_module_level=True)


def _pg_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    workdir: Path
    url: str = ""
    _log: Path = field(default_factory=Path)
    stop_signal: int = signal.SIGTERM

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self._log.read_text(errors="replace")[-2000:]
        return ""


def _poll(ready: Callable[[], bool], server: Server, deadline_s: float = 30.0) -> None:
    """The product's readiness poll (``drift_diff.processes.poll_until``) on a test server."""

    def exited() -> str | None:
        code = server.proc.poll()
        return None if code is None else f"{server.name} exited with {code}"

    def failed(message: str) -> Exception:
        server.stop()
        return RuntimeError(f"{message} (port {server.port}): {server.log()}")

    poll_until(ready, deadline_s=deadline_s, exited=exited, what=server.name, error=failed)


def _redis_pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server() -> Iterator[Server]:
    require("redis")
    workdir = Path(tempfile.mkdtemp(prefix="driftdiff-redis-"))
    port = free_port()
    log = workdir / "redis.log"
    cmd = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--logfile",
        str(log),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server("redis", port, proc, workdir, f"redis://127.0.0.1:{port}/0", log)
    try:
        _poll(lambda: _redis_pong(port), server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _as_postgres() -> dict[str, Any]:
    """Popen arguments that drop root (initdb and postgres refuse to run as root)."""
    if os.geteuid() != 0:
        return {}
    user = _pg_user()
    assert user is not None
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _pg_ready(bindir: Path, port: int, sockdir: Path) -> bool:
    result = subprocess.run(
        [
            str(bindir / "pg_isready"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-t",
            "1",
        ],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


@contextlib.contextmanager
def postgres_server() -> Iterator[Server]:
    require("postgres")
    bindir = postgres_bin()
    assert bindir is not None
    workdir = Path(tempfile.mkdtemp(prefix="driftdiff-pg-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        user = _pg_user()
        assert user is not None
        os.chown(workdir, user.pw_uid, user.pw_gid)
    init = subprocess.run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        capture_output=True,
        check=False,
        cwd=workdir,
        **_as_postgres(),
    )
    if init.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.decode(errors='replace')[-2000:]}")
    port = free_port()
    log = workdir / "postgres.log"
    cmd = [
        str(bindir / "postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-k",
        str(workdir),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, cwd=workdir, **_as_postgres()
        )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Server("postgres", port, proc, workdir, url, log, signal.SIGINT)  # fast shutdown
    try:
        _poll(lambda: _pg_ready(bindir, port, workdir), server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
