"""``--sandbox netns``: the service under test in a network namespace of its own (Linux).

``unshare --net`` (util-linux; with ``--user --map-root-user`` when not root) gives the service
a network stack with nothing but loopback, so nothing it runs — C extensions, ``ctypes``,
``curl`` in a subprocess, a spawned Python — can reach any address outside. Inside,
:mod:`drift_diff.replay.sandbox_init` (the namespace's first process, parent of the service):

* brings ``lo`` up and routes every IPv4/IPv6 address to it (``ip route add local …``), so a
  connection anywhere is refused at once instead of hanging, and every packet crosses ``lo``;
* watches ``lo`` with a packet socket and reports each TCP connection attempt and UDP datagram
  to an address other than the service's own ports to driftdiff's mock server by address
  (``replay-unpatched-dependency``), whatever language sent it;
* forwards the Unix socket :func:`target_socket` to the service's port inside the namespace:
  driftdiff sends its requests over that socket (``httpx`` ``uds=``), the port outside is
  never used.

The mock server is reached as before over its Unix socket (a path in the shared file system).
A network namespace does not isolate the file system: a service can still connect to a Unix
socket by path; the Python guard reports those it sees (docs/security.md says what is left).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from drift_diff.errors import ReplayError

__all__ = ["available", "target_socket", "transport", "wrap"]

_PROBE_TIMEOUT_S = 10.0


def target_socket(folder: Path) -> Path:
    """The Unix socket driftdiff's requests reach the sandboxed service through."""
    return folder / "target.sock"


def _unshare_argv() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        raise ReplayError(
            "--sandbox netns needs 'unshare' (util-linux) on PATH; it is not installed"
        )
    privileged = os.geteuid() == 0
    return [unshare, "--net"] if privileged else [unshare, "--user", "--map-root-user", "--net"]


def available() -> list[str]:
    """The ``unshare`` prefix that works here, or ``ReplayError`` saying why none does."""
    if not sys.platform.startswith("linux"):
        raise ReplayError(
            f"--sandbox netns needs Linux network namespaces (this is {sys.platform})"
        )
    ip = shutil.which("ip")
    if ip is None:
        raise ReplayError("--sandbox netns needs 'ip' (iproute2) on PATH; it is not installed")
    prefix = _unshare_argv()
    try:
        probe = subprocess.run(
            [*prefix, "--", ip, "link", "set", "lo", "up"],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReplayError(f"--sandbox netns cannot run here: {exc}") from None
    if probe.returncode != 0:
        why = " ".join(probe.stderr.split())[:200] or f"exit code {probe.returncode}"
        raise ReplayError(
            f"--sandbox netns cannot create a network namespace here ({why}); it needs root or "
            f"unprivileged user namespaces"
        )
    return prefix


def wrap(
    argv: list[str], *, folder: Path, port: int, allow_ports: set[int], mock_socket: str
) -> list[str]:
    """``argv`` run inside a new network namespace behind the in-namespace helper."""
    prefix = available()
    return [
        *prefix,
        "--",
        sys.executable,
        "-I",  # stdlib only: no site-packages, no PYTHON* variables, no script folder on the path
        str(Path(__file__).with_name("sandbox_init.py")),
        "--listen",
        str(target_socket(folder)),
        "--port",
        str(port),
        "--allow-ports",
        ",".join(str(p) for p in sorted(allow_ports)),
        "--report",
        mock_socket,
        "--",
        *argv,
    ]


def transport(folder: Path, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """The client transport that sends every request through :func:`target_socket`."""
    return httpx.AsyncHTTPTransport(uds=str(target_socket(folder)), limits=limits)
