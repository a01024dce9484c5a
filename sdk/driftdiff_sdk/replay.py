"""Replay mode inside the service: recorded answers for outbound calls, behind a socket guard.

With ``DRIFTDIFF_MODE=replay`` the SDK calls :func:`activate` once at start-up. From then on:

* every instrumented outbound call (requests, httpx, urllib3, urllib, aiohttp adapters) builds
  its call dict exactly as when recording and asks :func:`lookup` for the recorded entry of the
  exchange being replayed; driftdiff's mock server answers over a Unix socket
  (``DRIFTDIFF_MOCK_SOCKET``; ``DRIFTDIFF_MOCK_ADDR=127.0.0.1:PORT`` as a TCP fallback) with
  newline-delimited JSON. No recorded answer raises :class:`MockNotFound`, never a live call;
* the **socket guard** (:mod:`driftdiff_sdk.guard`) blocks every other outbound connection
  with :class:`UnpatchedDependency` and reports it here. Allowed: Unix sockets, the mock
  server's own address, and loopback ports listed in ``DRIFTDIFF_ALLOW_PORTS`` (driftdiff
  lists the service's own port);
* inside each replayed request the wall clock reads the recorded time
  (:mod:`driftdiff_sdk.replay_clock`, asked of the mock server with :func:`recorded_clock`) and
  JWT decoders accept the recorded claims without signature or expiry checks
  (:mod:`driftdiff_sdk.replay_jwt`); :func:`prepare_request` keeps both patched as modules load.

Stdlib only: this module runs inside the service. Wire protocol (one JSON object per line)::

    → {"op": "lookup", "exchange": ID, "call": {...}}
    ← {"ok": true, "entry": {...}}  |  {"ok": false, "error": "mock-not-found", "message": ...}
    → {"op": "report", "exchange": ID, "kind": "unpatched-dependency", "message": ...}
    ← {"ok": true}
    → {"op": "clock", "exchange": ID}
    ← {"ok": true, "clock": "recorded", "recorded_at": "2026-01-02T03:04:05.678Z"}
      | {"ok": true, "clock": "live"}
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
from typing import Any

from driftdiff_sdk import guard, replay_clock, replay_jwt
from driftdiff_sdk.guard import UnpatchedDependency
from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER

__all__ = [
    "EXCHANGE_HEADER",
    "MockNotFound",
    "MockServerUnavailable",
    "UnpatchedDependency",
    "activate",
    "deactivate",
    "is_active",
    "lookup",
    "prepare_request",
    "recorded_clock",
    "report",
]


_TIMEOUT_S = 5.0
_MAX_LINE = 64 * 1024 * 1024


class MockNotFound(Exception):
    """No recorded answer for this outbound call (the message explains the closest candidates)."""


class MockServerUnavailable(MockNotFound):
    """The replay mock server could not be reached (so no recorded answer can be given)."""


_state_lock = threading.Lock()
_local = threading.local()


class _Settings:
    def __init__(self) -> None:
        self.unix_path: str | None = None
        self.tcp_addr: tuple[str, int] | None = None
        self.allow_ports: set[int] = set()
        self.active = False


_settings = _Settings()


def _parse_addr(text: str) -> tuple[str, int] | None:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit():
        return None
    return (host.strip("[]") or "127.0.0.1", int(port))


def _parse_ports(text: str) -> set[int]:
    return {int(p) for p in text.replace(";", ",").split(",") if p.strip().isdigit()}


def activate(config: Any = None) -> None:
    """Turn replay mode on (idempotent): read the mock server address and install the guard.

    ``config`` may carry ``mock_socket``, ``mock_addr`` and ``allow_ports`` attributes; the
    environment (``DRIFTDIFF_MOCK_SOCKET``, ``DRIFTDIFF_MOCK_ADDR``, ``DRIFTDIFF_ALLOW_PORTS``)
    fills what it does not set. ``DRIFTDIFF_SOCKET_GUARD=0`` leaves sockets alone.
    """
    with _state_lock:
        unix = getattr(config, "mock_socket", None) or os.environ.get("DRIFTDIFF_MOCK_SOCKET")
        addr = getattr(config, "mock_addr", None) or os.environ.get("DRIFTDIFF_MOCK_ADDR")
        ports = getattr(config, "allow_ports", None)
        _settings.unix_path = unix or None
        _settings.tcp_addr = _parse_addr(addr) if addr else None
        _settings.allow_ports = (
            {int(p) for p in ports}
            if ports
            else _parse_ports(os.environ.get("DRIFTDIFF_ALLOW_PORTS", ""))
        )
        _settings.active = True
        if os.environ.get("DRIFTDIFF_SOCKET_GUARD", "1") != "0":
            guard.install(
                mock_addr=_settings.tcp_addr,
                mock_unix=_settings.unix_path,
                allow_ports=_settings.allow_ports,
                report=report,
            )
    _local.__dict__.pop("conn", None)
    replay_clock.install()
    replay_jwt.install()


_modules_seen = 0


def prepare_request() -> None:
    """Before each replayed request: patch clocks and JWT decoders in modules imported since
    the previous one (a length check when nothing was imported)."""
    global _modules_seen
    if _settings.active and len(sys.modules) != _modules_seen:
        _modules_seen = len(sys.modules)
        replay_clock.patch_new_modules()
        replay_jwt.install()


def deactivate() -> None:
    """Remove the socket guard and forget the mock server (used by tests)."""
    with _state_lock:
        guard.uninstall()
        _settings.active = False
    replay_clock.uninstall()
    replay_jwt.uninstall()
    _close_conn()


def is_active() -> bool:
    return _settings.active


# --- the exchange being replayed -------------------------------------------------------------


def _current_exchange_id() -> str | None:
    """The id of the inbound exchange being served (the middleware reads it from the header)."""
    try:
        from driftdiff_sdk.context import current_exchange

        ctx = current_exchange()
    except Exception:
        return None
    found = getattr(ctx, "id", None)
    return found if isinstance(found, str) and found else None


# --- talking to the mock server ----------------------------------------------------------------


class _Conn:
    def __init__(self) -> None:
        if _settings.unix_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(_TIMEOUT_S)
            guard.original_connect(sock, _settings.unix_path)
        elif _settings.tcp_addr:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(_TIMEOUT_S)
            guard.original_connect(sock, _settings.tcp_addr)
        else:
            raise MockServerUnavailable(
                "driftdiff replay: no mock server configured "
                "(DRIFTDIFF_MOCK_SOCKET or DRIFTDIFF_MOCK_ADDR)"
            )
        self.sock = sock
        self.file = sock.makefile("rb")

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"
        self.sock.sendall(data)
        line = self.file.readline(_MAX_LINE)
        if not line.endswith(b"\n"):
            raise OSError("mock server closed the connection")
        reply = json.loads(line)
        if not isinstance(reply, dict):
            raise OSError("mock server sent a malformed reply")
        return reply

    def close(self) -> None:
        try:
            self.file.close()
        finally:
            self.sock.close()


def _close_conn() -> None:
    conn = _local.__dict__.pop("conn", None)
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


def _request(message: dict[str, Any]) -> dict[str, Any]:
    """Send one message on this thread's persistent connection (reconnect once on failure)."""
    for attempt in (1, 2):
        conn = _local.__dict__.get("conn")
        try:
            if conn is None:
                conn = _local.conn = _Conn()
            return conn.call(message)
        except MockServerUnavailable:
            raise
        except (OSError, ValueError) as exc:
            _close_conn()
            if attempt == 2:
                raise MockServerUnavailable(
                    f"driftdiff replay: mock server unreachable ({exc})"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _describe(call: dict[str, Any]) -> str:
    req = call.get("request") or {}
    if call.get("kind", "http") == "http":
        return f"{req.get('method', '?')} {req.get('url') or req.get('path', '?')}"
    return f"{call.get('kind')} {call.get('command')!r}"


def lookup(call: dict[str, Any]) -> dict[str, Any]:
    """The recorded outbound entry answering ``call`` for the exchange being replayed.

    Returns the entry (``"response"`` in the exchange format, or an ``"error"`` string the
    adapter re-raises); raises :class:`MockNotFound` with driftdiff's explanation otherwise.
    """
    exchange = call.get("exchange_id") or _current_exchange_id()
    if not exchange:
        raise MockNotFound(
            f"driftdiff replay: no recorded {_describe(call)}: the inbound request carries no "
            f"{EXCHANGE_HEADER} header"
        )
    reply = _request({"op": "lookup", "exchange": exchange, "call": call})
    entry = reply.get("entry")
    if reply.get("ok") and isinstance(entry, dict):
        return entry
    raise MockNotFound(str(reply.get("message") or f"no recorded {_describe(call)}"))


def recorded_clock(exchange_id: str) -> str | None:
    """The recorded arrival time (ISO 8601) of ``exchange_id`` when the replay runs on the
    recorded clock; ``None`` for the live clock or when the mock server cannot say."""
    try:
        reply = _request({"op": "clock", "exchange": exchange_id})
    except MockNotFound:
        return None
    found = reply.get("recorded_at")
    if reply.get("ok") and reply.get("clock") == "recorded" and isinstance(found, str):
        return found
    return None


def report(kind: str, message: str) -> None:
    """Tell driftdiff about a problem found inside the service (best effort, never raises)."""
    with contextlib.suppress(Exception):
        _request(
            {"op": "report", "exchange": _current_exchange_id(), "kind": kind, "message": message}
        )
