"""Who holds a TCP port: Linux ``/proc`` read-outs, so a stale server is named, not tested.

``/proc/<pid>/net/tcp{,6}`` lists the sockets of that process's network namespace by inode
(listening ones with state ``0A``; a socket that is only bound is not listed there);
``/proc/<pid>/fd`` links name the inodes a process holds (``socket:[INODE]``); field 5 of
``/proc/<pid>/stat`` is its process group. Elsewhere (macOS, Windows) or where ``/proc`` is
not readable these functions return ``None`` and callers fall back to "the port answers" and
"the port can be bound" (see docs/security.md).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PortSocket", "describe_pid", "group_members", "port_sockets", "socket_owners"]

_PROC = Path("/proc")
_LISTEN = "0A"


@dataclass(frozen=True)
class PortSocket:
    address: str  # "127.0.0.1", "::", …
    port: int
    inode: int


def _address(hex_addr: str) -> str:
    raw = bytes.fromhex(hex_addr)
    if len(raw) == 4:
        return ".".join(str(b) for b in raw[::-1])
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]  # four host-order 32-bit words
    return str(ipaddress.IPv6Address(b"".join(words)))


def port_sockets(port: int, pid: int | str = "self") -> list[PortSocket] | None:
    """TCP sockets listening on ``port`` in the network namespace of ``pid``.

    ``None`` when ``/proc/<pid>/net/tcp`` cannot be read (not Linux, or no permission).
    """
    found: list[PortSocket] = []
    readable = False
    for name in ("tcp", "tcp6"):
        try:
            lines = (_PROC / str(pid) / "net" / name).read_text().splitlines()[1:]
        except OSError:
            continue
        readable = True
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            addr, _, hex_port = fields[1].rpartition(":")
            if fields[3] == _LISTEN and int(hex_port, 16) == port:
                found.append(PortSocket(_address(addr), port, int(fields[9])))
    return found if readable else None


def _pids() -> list[int]:
    try:
        return [int(p.name) for p in _PROC.iterdir() if p.name.isdigit()]
    except OSError:
        return []


def socket_owners(inodes: set[int]) -> dict[int, list[int]]:
    """inode → pids holding it (only processes whose ``fd`` folder is readable)."""
    wanted = {f"socket:[{i}]": i for i in inodes}
    owners: dict[int, list[int]] = {}
    for pid in _pids():
        with contextlib.suppress(OSError):
            for fd in os.scandir(_PROC / str(pid) / "fd"):
                with contextlib.suppress(OSError):
                    inode = wanted.get(os.readlink(fd.path))
                    if inode is not None and pid not in owners.setdefault(inode, []):
                        owners[inode].append(pid)
    return owners


def group_members(pgid: int) -> set[int]:
    """Pids whose process group is ``pgid`` (from ``/proc/<pid>/stat``)."""
    members: set[int] = set()
    for pid in _pids():
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (_PROC / str(pid) / "stat").read_text()
            # "pid (comm) state ppid pgrp …": comm may hold spaces or parentheses
            if int(stat.rpartition(")")[2].split()[2]) == pgid:
                members.add(pid)
    return members


def describe_pid(pid: int) -> str:
    """``pid 1234 (python3 -m http.server 8000)``, cut to 120 characters of command line."""
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return f"pid {pid}"
    command = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    command = "".join(ch if ch.isprintable() else "?" for ch in command)
    if len(command) > 120:
        command = command[:117] + "..."
    return f"pid {pid} ({command})" if command else f"pid {pid}"
