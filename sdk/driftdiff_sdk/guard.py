"""The replay guard: no connection, name lookup or spawn leaves the service unreported.

In replay mode (see :mod:`driftdiff_sdk.replay`) everything that would reach past the recording
is blocked and reported to driftdiff by address (``replay-unpatched-dependency``):

* connections (``socket.socket.connect``/``connect_ex``, and through a ``sys`` audit hook the
  C-level ``_socket.socket.connect``, ``sendto`` — UDP and TCP Fast Open — and ``sendmsg``)
  to anything but the mock server, the loopback ports driftdiff lists (the service's own) and
  the mock server's Unix socket: they raise :class:`UnpatchedDependency`. Loopback is *not*
  blanket-allowed: a stopped upstream on ``127.0.0.1`` must see no connection at all; other
  Unix sockets are dependencies too;
* name lookups (``getaddrinfo``, ``gethostbyname``, ``gethostbyaddr``) of anything but
  numbers, ``localhost`` and this host's own name: they raise ``socket.gaierror``;
* ``ctypes`` look-ups of the C socket functions (``connect``, ``sendto``, …): refused;
* process spawns (``subprocess``, ``os.system``, ``os.exec*``, ``os.posix_spawn``): reported,
  not blocked — what the child does is out of this guard's sight; the one exception is the
  stdlib ``platform`` module's own ``uname -p`` (``platform.platform()``), which is not reported.

Patching Python cannot stop C code that calls the C library itself (an extension module, a
child process): docs/security.md says so, and ``--sandbox netns`` (a network namespace around
the whole service) is what stops those. Stdlib only: this module runs inside the service.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys
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

#: C functions a ``ctypes`` caller could use to reach the network below the guard.
_C_NETWORK = frozenset(
    {"connect", "sendto", "sendmsg", "sendmmsg", "getaddrinfo", "gethostbyname", "gethostbyaddr"}
)
_SPAWNS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"})
_CONNECTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_LOOKUPS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"})
_WATCHED = _SPAWNS | _CONNECTS | _LOOKUPS | {"ctypes.dlsym"}


def _no_report(kind: str, message: str) -> None:
    del kind, message


class _Guard:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = False
        self.hooked = False
        self.mock_addr: tuple[str, int] | None = None
        self.mock_unix: str | None = None
        self.allow_ports: set[int] = set()
        self.report: Reporter = _no_report
        self.local = threading.local()


_guard = _Guard()


def install(
    *,
    mock_addr: tuple[str, int] | None,
    allow_ports: Iterable[int],
    report: Reporter,
    mock_unix: str | None = None,
) -> None:
    """Install the guard (idempotent; a second call updates what is allowed)."""
    with _guard.lock:
        _guard.mock_addr = mock_addr
        _guard.mock_unix = mock_unix
        _guard.allow_ports = {int(p) for p in allow_ports}
        _guard.report = report
        if not _guard.installed:
            socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
            socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
            _guard.installed = True
        if not _guard.hooked:  # an audit hook cannot be removed: it does nothing once uninstalled
            sys.addaudithook(_audit)
            _guard.hooked = True


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


# --- policy --------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _allowed(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", -1):
        return bool(_guard.mock_unix) and _unix_path(address) == _guard.mock_unix
    if not isinstance(address, tuple) or len(address) < 2:
        return True  # not an IP address (e.g. AF_NETLINK): not a network dependency
    host, port = str(address[0]), address[1]
    if _guard.mock_addr is not None and (host, port) == _guard.mock_addr:
        return True
    return _is_loopback(host) and port in _guard.allow_ports


def _unix_path(address: Any) -> str:
    if isinstance(address, bytes):
        return address.decode("utf-8", "replace")
    return os.fspath(address) if isinstance(address, (str, os.PathLike)) else str(address)


def _local_name(host: Any) -> bool:
    """Whether resolving ``host`` stays on this machine (numbers, localhost, our own name)."""
    if host is None or host in ("", b""):
        return True
    name = host.decode("idna", "replace") if isinstance(host, bytes) else str(host)
    name = name.strip("[]").rstrip(".").lower()
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
        return True
    except ValueError:
        pass
    own = socket.gethostname().lower()
    return name in ("localhost", own) or name.endswith(".localhost")


def _lookup_allowed(event: str, host: Any) -> bool:
    if event == "socket.gethostbyaddr":  # a reverse lookup of an address asks a DNS server
        try:
            return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
        except ValueError:
            pass
    return _local_name(host)


def _where(family: int, address: Any) -> str:
    if family == getattr(socket, "AF_UNIX", -1):
        path = _unix_path(address)
        return f"unix:{path.replace(chr(0), '@')}"
    if isinstance(address, tuple) and len(address) >= 2:
        host = str(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    return str(address)


# --- reporting -----------------------------------------------------------------------------------


def _tell(kind: str, message: str) -> None:
    """Report without the guard looking at the report's own connection."""
    _guard.local.busy = True
    try:
        _guard.report(kind, message)
    finally:
        _guard.local.busy = False


def _block(family: int, address: Any) -> UnpatchedDependency:
    message = f"unpatched dependency: connect to {_where(family, address)}"
    _tell("unpatched-dependency", message)
    return UnpatchedDependency(f"driftdiff replay blocked a connection: {message}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _allowed(self.family, address):
        raise _block(self.family, address)
    original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(self.family, address):
        _block(self.family, address)
        return errno.ECONNREFUSED
    return _original_connect_ex(self, address)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """``sys`` audit hook: sees socket calls made from C-level entry points and spawns too."""
    if event not in _WATCHED or not _guard.installed or getattr(_guard.local, "busy", False):
        return
    if event in _CONNECTS:
        sock, address = args[0], args[1]
        if address is not None and not _allowed(sock.family, address):
            raise _block(sock.family, address)
    elif event in _LOOKUPS:
        host = args[0]
        if not _lookup_allowed(event, host):
            shown = host.decode("utf-8", "replace") if isinstance(host, bytes) else str(host)
            _tell("unpatched-dependency", f"unpatched dependency: DNS lookup of {shown}")
            raise socket.gaierror(
                socket.EAI_NONAME, f"driftdiff replay blocked a DNS lookup of {shown}"
            )
    elif event == "ctypes.dlsym":
        name = args[1] if len(args) > 1 else ""
        if isinstance(name, str) and name in _C_NETWORK:
            _tell("unpatched-dependency", f"unpatched dependency: ctypes use of C {name}()")
            raise UnpatchedDependency(f"driftdiff replay blocked ctypes access to {name}()")
    elif not _platform_probe():
        program = _program(event, args)
        _tell(
            "unpatched-dependency",
            f"unpatched dependency: spawned a process ({program}); its connections are not "
            f"guarded (--sandbox netns stops them)",
        )


def _platform_probe() -> bool:
    """The stdlib's ``platform`` asking ``uname -p`` (``platform.platform()``/``processor()``;
    Sanic's start-up banner does): a fixed command with no network, not a dependency."""
    import platform

    probe = getattr(getattr(platform, "_Processor", None), "from_subprocess", None)
    code = getattr(probe, "__code__", None)
    frame: Any = sys._getframe(2)  # past this function and the audit hook
    for _ in range(16):  # from_subprocess -> check_output -> run -> Popen.__init__ -> audit
        if frame is None:
            return False
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def _program(event: str, args: tuple[Any, ...]) -> str:
    """The program's base name only: command lines may hold secrets."""
    if event == "os.system":
        raw: Any = args[0] if args else ""
    elif event == "subprocess.Popen":  # (executable, args, cwd, env)
        raw = args[0] if args and args[0] else (args[1] if len(args) > 1 else "")
    elif event == "os.spawn":  # (mode, path, args, env)
        raw = args[1] if len(args) > 1 else ""
    else:  # os.exec, os.posix_spawn: (path, args, env)
        raw = args[0] if args else ""
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else ""
    text = os.fsdecode(raw) if isinstance(raw, (bytes, str, os.PathLike)) else str(raw)
    words = text.split()
    return os.path.basename(words[0]) if words else "?"
