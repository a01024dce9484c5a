"""First process inside the replay sandbox's network namespace (see ``sandbox.py``).

Run as a script (``python -I sandbox_init.py --listen SOCK --port N --allow-ports N,M
--report MOCK_SOCK -- ARGV…``), stdlib only. It sets up loopback, starts ``ARGV`` (the service,
in the same process group), forwards connections on ``SOCK`` to ``127.0.0.1:N`` inside the
namespace, and reports every TCP connection attempt or UDP datagram seen on ``lo`` that is not
for an allowed port to the mock server, by address. It exits as the service exits (same code,
or the same signal), and takes its process group down when driftdiff itself disappears
(even by SIGKILL, which no handler in driftdiff can see).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading

_ETH_P_ALL = 0x0003
_PACKET_OUTGOING = 4
_TCP, _UDP = 6, 17
_SYN, _ACK = 0x02, 0x10
_CHUNK = 65536


def _setup_loopback() -> None:
    """``lo`` up, and every address routed to it: a connection anywhere is refused at once."""
    ip = shutil.which("ip") or "ip"
    for argv in (
        [ip, "link", "set", "lo", "up"],
        [ip, "route", "add", "local", "0.0.0.0/0", "dev", "lo"],
        [ip, "-6", "route", "add", "local", "::/0", "dev", "lo"],
    ):
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


class _Reporter:
    """Sends ``report`` messages to driftdiff's mock server over its Unix socket."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock: socket.socket | None = None
        self.seen: set[tuple[str, str, int]] = set()

    def connection(self, proto: str, host: str, port: int) -> None:
        key = (proto, host, port)
        if key in self.seen:
            return
        self.seen.add(key)
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        message = f"sandbox stopped a {proto.upper()} connection: connect to {where}"
        self._send({"op": "report", "exchange": None, "kind": "unpatched-dependency",
                    "message": message})  # fmt: skip

    def _send(self, payload: dict[str, object]) -> None:
        if not self.path:
            sys.stderr.write(f"driftdiff sandbox: {payload['message']}\n")
            return
        for _ in (1, 2):
            try:
                if self.sock is None:
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.settimeout(5.0)
                    self.sock.connect(self.path)
                self.sock.sendall(json.dumps(payload).encode() + b"\n")
                self.sock.recv(_CHUNK)  # {"ok": true}
                return
            except OSError:
                with contextlib.suppress(OSError):
                    if self.sock is not None:
                        self.sock.close()
                self.sock = None
        sys.stderr.write(f"driftdiff sandbox: could not report: {payload['message']}\n")


def _parse(frame: bytes) -> tuple[str, str, int] | None:
    """(proto, destination, port) of a TCP SYN or a UDP datagram in an Ethernet frame on lo."""
    if len(frame) < 14:
        return None
    ether = struct.unpack("!H", frame[12:14])[0]
    packet = frame[14:]
    if ether == 0x0800 and len(packet) >= 20:
        header = (packet[0] & 0x0F) * 4
        proto, dest = packet[9], str(ipaddress.IPv4Address(packet[16:20]))
    elif ether == 0x86DD and len(packet) >= 40:
        header, proto, dest = 40, packet[6], str(ipaddress.IPv6Address(packet[24:40]))
    else:
        return None
    segment = packet[header:]
    if proto == _TCP and len(segment) >= 14:
        flags = segment[13]
        if flags & _SYN and not flags & _ACK:
            return "tcp", dest, struct.unpack("!H", segment[2:4])[0]
    elif proto == _UDP and len(segment) >= 8:
        return "udp", dest, struct.unpack("!H", segment[2:4])[0]
    return None


def _allowed(proto: str, dest: str, port: int, allow_ports: set[int]) -> bool:
    return proto == "tcp" and port in allow_ports and ipaddress.ip_address(dest).is_loopback


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(_CHUNK):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def _bridge(client: socket.socket, port: int) -> None:
    try:
        upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
    back.start()
    _pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def _forward(listener: socket.socket, port: int) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=_bridge, args=(client, port), daemon=True).start()


def _exit_like(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if code >= 0 else 128 - code)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="driftdiff-sandbox")
    parser.add_argument("--listen", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--allow-ports", default="")
    parser.add_argument("--report", default="")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    allow = {int(p) for p in args.allow_ports.split(",") if p.strip().isdigit()}
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: stopping.set())

    _setup_loopback()
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
    sniffer.bind(("lo", 0))
    reporter = _Reporter(args.report)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(args.listen)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(args.listen)
    listener.listen(128)
    threading.Thread(target=_forward, args=(listener, args.port), daemon=True).start()
    service = subprocess.Popen(command)

    def drain(timeout: float) -> None:
        while select.select([sniffer], [], [], timeout)[0]:
            frame, address = sniffer.recvfrom(_CHUNK)
            timeout = 0.0
            if address[2] != _PACKET_OUTGOING:
                continue
            found = _parse(frame)
            if found is not None and not _allowed(*found, allow):
                reporter.connection(*found)

    parent = os.getppid()
    while service.poll() is None and not stopping.is_set():
        drain(0.2)
        if os.getppid() != parent:  # driftdiff is gone, even by SIGKILL: the group goes too
            os.killpg(0, signal.SIGTERM)
    drain(0.0)  # what the service sent just before it ended
    if service.poll() is None:  # stopped by a signal: the service got it too (same group)
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.wait(timeout=10)
    if service.poll() is None:
        os.killpg(0, signal.SIGKILL)
    listener.close()
    _exit_like(service.wait())


if __name__ == "__main__":
    main(sys.argv[1:])
