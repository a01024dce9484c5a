"""Shared test helpers: free ports, readiness polling with a deadline, running the CLI and the
recording proxy, server processes."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from drift_diff.processes import free_port, poll_until

__all__ = [
    "CONFORMANCE",
    "REPO",
    "CliResult",
    "free_port",
    "run_cli",
    "server_process",
    "start_recorder",
    "trace_lines",
    "wait_for_lines",
    "wait_until_ready",
]

REPO = Path(__file__).resolve().parent.parent
CONFORMANCE = REPO.parent / "shared" / "conformance"


def wait_until_ready(
    url: str, *, deadline_s: float = 20.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``url`` until it answers (any status) or the deadline passes (the product's poll)."""
    last: list[Exception] = []

    def answers() -> bool:
        try:
            httpx.get(url, timeout=1.0)
        except httpx.HTTPError as exc:
            last[:] = [exc]
            return False
        return True

    def exited() -> str | None:
        if proc is None or proc.poll() is None:
            return None
        return f"process exited with {proc.returncode}"

    def failed(message: str) -> Exception:
        if "not ready after" in message:
            return TimeoutError(f"{message}: {last[0] if last else 'no answer'}")
        return RuntimeError(message)

    poll_until(answers, deadline_s=deadline_s, exited=exited, what=url, error=failed)


def trace_lines(folder: Path) -> int:
    """Lines in ``folder``'s ``*.jsonl`` files (0 before the folder exists)."""
    if not folder.is_dir():
        return 0
    return sum(f.read_bytes().count(b"\n") for f in folder.glob("*.jsonl"))


def wait_for_lines(folder: Path, at_least: int, *, deadline_s: float = 15.0) -> None:
    """Until ``at_least`` trace lines are in ``folder`` (the SDK writes off the request path);
    ``TimeoutError`` naming how many there are after ``deadline_s``."""
    try:
        poll_until(lambda: trace_lines(folder) >= at_least, deadline_s=deadline_s)
    except TimeoutError:
        raise TimeoutError(
            f"{trace_lines(folder)} of {at_least} exchanges written to {folder}"
        ) from None


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    process: bool = False,
    stdin: bytes = b"",
) -> CliResult:
    """Run ``driftdiff ARGS`` and capture its exit code, stdout and stderr.

    In-process through ``drift_diff.cli.main`` by default (the same code path as the console
    script, minus interpreter start-up); ``process=True`` runs a real subprocess for tests where
    the process boundary itself is under test (signals, what the interpreter prints on exit).
    ``stdin`` is what the command reads from standard input (empty by default).
    """
    # COLUMNS: help wraps at 78 whatever it says; report tables use it (200: no wrapping)
    full_env = {"NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    if process:
        proc = subprocess.run(
            [sys.executable, "-m", "drift_diff", *args],
            cwd=cwd,
            env={**os.environ, **full_env},
            capture_output=True,
            input=stdin,
            timeout=timeout,
        )
        return CliResult(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )
    return _run_cli_in_process(list(args), cwd=cwd, env=full_env, stdin=stdin)


def _text_stream() -> io.TextIOWrapper:
    # A text stream with a ``.buffer``, as click expects of sys.stdout for binary output.
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", newline="")


def _drain(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8", "replace")


def _run_cli_in_process(
    args: list[str], *, cwd: Path | None, env: dict[str, str], stdin: bytes
) -> CliResult:
    from drift_diff.cli import main

    saved_env = {name: os.environ.get(name) for name in env}
    saved_cwd = os.getcwd()
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    out, err = _text_stream(), _text_stream()
    try:
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        sys.stdout, sys.stderr = out, err
        code = main(args)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return CliResult(code, _drain(out), _drain(err))


def start_recorder(
    target: str,
    listen_port: int,
    out: Path,
    service: str,
    *,
    stdout: int = subprocess.PIPE,
    extra: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """``driftdiff record`` in front of ``target`` as a real process in its own group.

    stderr is piped (the tests read its summary); stop it with SIGTERM to the group.
    """
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drift_diff",
            "record",
            "--target",
            target,
            "--listen",
            f"127.0.0.1:{listen_port}",
            "--out",
            str(out),
            "--service",
            service,
            *extra,
        ],
        stdout=stdout,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@contextlib.contextmanager
def server_process(
    cmd: list[str],
    ready_url: str,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    deadline_s: float = 30.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a real server process in its own process group, wait for it, stop it on exit."""
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        try:
            wait_until_ready(ready_url, deadline_s=deadline_s, proc=proc)
        except Exception:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise RuntimeError(
                f"server {cmd} failed: {err.decode(errors='replace')[-2000:]}"
            ) from None
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
