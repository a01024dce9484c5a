"""The replay socket guard: no outbound connection leaves the service unless driftdiff allows it.

In replay mode (see :mod:`driftdiff_sdk.replay`) every connection that no instrumentation
covered (a database driver, a raw socket) is blocked with :class:`UnpatchedDependency` and
reported to driftdiff by address ("unpatched dependency: connect to 10.0.0.5:5432"). Allowed:
Unix sockets, the mock server's own TCP address, and loopback ports driftdiff lists (the
service's own port). Loopback is *not* blanket-allowed: a stopped upstream on ``127.0.0.1``
must see no connection at all.

This guard patches Python's ``socket`` module, so it only sees what goes through it; see
docs/security.md for what it cannot stop and for the network-namespace sandbox that can.
Stdlib only: this module runs inside the service.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["UnpatchedDependency", "install", "is_installed", "original_connect", "uninstall"]


class UnpatchedDependency(ConnectionRefusedError):
    """A connection that no instrumentation covered, blocked by the replay socket guard."""


#: ``socket.socket.connect`` as it was before the guard: the SDK's own mock connection uses it.
original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex

Reporter = Callable[[str, str], None]


def _no_report(kind: str, message: str) -> None:
    del kind, message


class _Guard:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = False
        self.mock_addr: tuple[str, int] | None = None
        self.allow_ports: set[int] = set()
        self.report: Reporter = _no_report


_guard = _Guard()


def install(
    *,
    mock_addr: tuple[str, int] | None,
    allow_ports: Iterable[int],
    report: Reporter,
) -> None:
    """Install the guard (idempotent; a second call updates what is allowed)."""
    with _guard.lock:
        _guard.mock_addr = mock_addr
        _guard.allow_ports = {int(p) for p in allow_ports}
        _guard.report = report
        if not _guard.installed:
            socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
            socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
            _guard.installed = True


def uninstall() -> None:
    """Restore the unguarded ``socket`` functions (used by tests)."""
    with _guard.lock:
        if _guard.installed:
            socket.socket.connect = original_connect  # type: ignore[method-assign]
            socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
            _guard.installed = False
        _guard.report = _no_report


def is_installed() -> bool:
    return _guard.installed


def _allowed(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", -1):
        return True
    if not isinstance(address, tuple) or len(address) < 2:
        return True  # not an IP address (e.g. AF_NETLINK): not a network dependency
    host, port = str(address[0]), address[1]
    if _guard.mock_addr is not None and (host, port) == _guard.mock_addr:
        return True
    try:
        loopback = ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return loopback and port in _guard.allow_ports


def _block(address: Any) -> UnpatchedDependency:
    where = (
        f"{address[0]}:{address[1]}"
        if isinstance(address, tuple) and len(address) >= 2
        else str(address)
    )
    message = f"unpatched dependency: connect to {where}"
    _guard.report("unpatched-dependency", message)
    return UnpatchedDependency(f"driftdiff replay blocked a connection: {message}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _allowed(self.family, address):
        raise _block(address)
    original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(self.family, address):
        _block(address)
        return errno.ECONNREFUSED
    return _original_connect_ex(self, address)
