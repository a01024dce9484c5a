"""A stdlib HTTP service that tries every way out of replay it can, one per ``/escape/<route>``.

``python -m tests.e2e.apps.escape_service PORT`` (with ``DRIFTDIFF_MODE=replay`` from driftdiff,
it turns the SDK's replay mode on at start, as a framework middleware would). Each route aims
at its own live listener outside, named by ``ESCAPE_TCP_<ROUTE>`` / ``ESCAPE_UDP`` /
``ESCAPE_UNIX`` environment variables, and answers ``{"route": ..., "outcome": ...}`` with the
exception name or ``"sent"``. ``/slow`` answers after ``SLOW_S`` seconds (default 120);
``PIDFILE`` receives the pid and process group at start.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from driftdiff_sdk import replay
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange


def _tcp(route: str) -> tuple[str, int]:
    return ("127.0.0.1", int(os.environ[f"ESCAPE_TCP_{route.upper().replace('-', '_')}"]))


def python_connect() -> None:
    socket.create_connection(_tcp("python-connect"), timeout=2).close()


def connect_ex() -> None:
    with socket.socket() as s:
        s.settimeout(2)
        code = s.connect_ex(_tcp("connect-ex"))
        if code:
            raise ConnectionRefusedError(code, os.strerror(code))


def c_level_connect() -> None:
    import _socket

    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        s.settimeout(2)
        _socket.socket.connect(s, _tcp("c-level-connect"))
    finally:
        s.close()


def fast_open_sendto() -> None:
    with socket.socket() as s:
        s.settimeout(2)
        s.sendto(b"GET / HTTP/1.0\r\n\r\n", socket.MSG_FASTOPEN, _tcp("fast-open-sendto"))


def udp_sendto() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"udp-sendto", ("127.0.0.1", int(os.environ["ESCAPE_UDP"])))


def udp_sendmsg() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendmsg([b"udp-sendmsg"], [], 0, ("127.0.0.1", int(os.environ["ESCAPE_UDP"])))


def unix_socket() -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(os.environ["ESCAPE_UNIX"])


def dns_lookup() -> None:
    socket.getaddrinfo("escape.driftdiff.invalid", 443)


def spawned_python() -> None:
    code = f"import socket; socket.create_connection({_tcp('spawned-python')!r}, timeout=2).close()"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=10, capture_output=True)


def ctypes_connect() -> None:
    host, port = _tcp("ctypes-connect")
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "socket")
    try:
        address = bytes(
            bytearray(socket.AF_INET.to_bytes(2, sys.byteorder))
            + port.to_bytes(2, "big")
            + socket.inet_aton(host)
            + bytes(8)
        )
        if libc.connect(fd, address, len(address)) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    finally:
        libc.close(fd)


ROUTES: dict[str, Callable[[], None]] = {
    "python-connect": python_connect,
    "connect-ex": connect_ex,
    "c-level-connect": c_level_connect,
    "fast-open-sendto": fast_open_sendto,
    "udp-sendto": udp_sendto,
    "udp-sendmsg": udp_sendmsg,
    "unix-socket": unix_socket,
    "dns-lookup": dns_lookup,
    "spawned-python": spawned_python,
    "ctypes-connect": ctypes_connect,
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        token = set_exchange(
            ExchangeContext(self.headers.get(replay.EXCHANGE_HEADER) or "", replay=True)
        )
        try:
            self._answer()
        finally:
            reset_exchange(token)

    def _answer(self) -> None:
        route = self.path.removeprefix("/escape/")
        if self.path == "/slow":
            import time

            time.sleep(float(os.environ.get("SLOW_S", "120")))  # a request still in flight
            payload: dict[str, str] = {"route": "slow", "outcome": "done"}
        elif route in ROUTES:
            try:
                ROUTES[route]()
                payload = {"route": route, "outcome": "sent"}
            except Exception as exc:  # the outcome is the point: which way out was stopped
                payload = {"route": route, "outcome": type(exc).__name__}
        else:
            payload = {"route": "health", "outcome": "ok"}
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


def main() -> None:
    if pidfile := os.environ.get("PIDFILE"):
        with open(pidfile, "w") as out:
            out.write(f"{os.getpid()} {os.getpgid(0)}\n")
    if os.environ.get("DRIFTDIFF_MODE") == "replay":
        replay.activate()
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()


if __name__ == "__main__":
    main()
