"""``driftdiff record`` against hostile clients and HTTP edge cases, as real processes.

A real upstream (``apps/edge_upstream``) behind a real ``driftdiff record``; clients are raw
sockets where the attack is in the framing, httpx elsewhere. Every case ends with the proxy
still answering and no traceback on its stderr.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from drift_diff.processes import poll_until
from drift_diff.traffic.traces import iter_raw_exchanges
from tests.support import REPO, free_port, server_process, start_recorder, wait_until_ready

pytestmark = pytest.mark.integration

UPSTREAM = [sys.executable, "-m", "tests.integration.apps.edge_upstream"]


@dataclass
class Proxy:
    base: str
    port: int
    proc: subprocess.Popen[bytes]
    out: Path
    stderr: bytes = b""


@pytest.fixture(scope="module")
def upstream() -> Iterator[int]:
    port = free_port()
    with server_process([*UPSTREAM, str(port)], f"http://127.0.0.1:{port}/", cwd=REPO):
        yield port


def _start(upstream: int, out: Path, *extra: str) -> Proxy:
    port = free_port()
    proc = start_recorder(f"http://127.0.0.1:{upstream}", port, out, "edge", extra=extra)
    wait_until_ready(f"http://127.0.0.1:{port}/", proc=proc)
    return Proxy(f"http://127.0.0.1:{port}", port, proc, out)


def _stop(proxy: Proxy) -> None:
    os.killpg(proxy.proc.pid, signal.SIGTERM)
    _, proxy.stderr = proxy.proc.communicate(timeout=30)
    assert proxy.proc.returncode == 0, proxy.stderr
    assert b"Traceback" not in proxy.stderr and b"Error" not in proxy.stderr, proxy.stderr
    assert b"internal error" not in proxy.stderr, proxy.stderr


@pytest.fixture
def proxy(upstream: int, tmp_path: Path) -> Iterator[Proxy]:
    running = _start(upstream, tmp_path / "traces")
    yield running
    _stop(running)


def _raw(port: int, data: bytes, *, half_close: bool = True) -> bytes:
    """Send ``data`` on a fresh connection and read the answer until the proxy closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_hostile_framing_gets_clean_4xx_5xx(proxy: Proxy) -> None:
    huge_chunk = (
        b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\nabc"
    )
    assert _raw(proxy.port, huge_chunk).startswith(b"HTTP/1.1 400 ")
    xchunked = b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"
    assert _raw(proxy.port, xchunked, half_close=False).startswith(b"HTTP/1.1 501 ")
    big_header = b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    assert _raw(proxy.port, big_header).startswith(b"HTTP/1.1 431 ")
    two_lengths = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
    assert _raw(proxy.port, two_lengths).startswith(b"HTTP/1.1 400 ")
    assert httpx.get(f"{proxy.base}/").status_code == 200  # still serving


def test_hop_by_hop_headers_are_not_forwarded(proxy: Proxy) -> None:
    got = httpx.get(
        f"{proxy.base}/headers",
        headers={
            "Connection": "keep-alive, X-Hop-Secret",
            "X-Hop-Secret": "per-connection",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "X-End-To-End": "kept",
        },
    ).json()
    assert got["x-end-to-end"] == "kept"
    for name in ("x-hop-secret", "keep-alive", "te"):
        assert name not in got, got


def test_head_204_304_are_relayed_untouched(proxy: Proxy) -> None:
    head = httpx.head(f"{proxy.base}/item")
    assert head.status_code == 200 and head.headers["content-length"] == "1234"
    empty = httpx.get(f"{proxy.base}/empty")
    assert empty.status_code == 204 and "content-length" not in empty.headers
    cached = httpx.get(f"{proxy.base}/cached")
    assert cached.status_code == 304 and "content-length" not in cached.headers
    assert cached.headers["etag"] == '"v1"'


def test_sse_events_arrive_as_they_are_sent_and_large_bodies_stream(
    upstream: int, tmp_path: Path
) -> None:
    proxy = _start(upstream, tmp_path / "traces")
    with httpx.stream("GET", f"{proxy.base}/events", timeout=20) as resp:
        lines = resp.iter_lines()
        # the upstream holds the stream open until released: the first event must come first
        assert next(lines) == "data: 1"
        assert httpx.post(f"{proxy.base}/release").status_code == 200
        rest = [line for line in lines if line]
    assert rest == ["data: 2"]
    big = httpx.get(f"{proxy.base}/big", timeout=60)
    assert big.status_code == 200 and len(big.content) == 5 * 1024 * 1024
    _stop(proxy)
    recorded = {e["request"]["path"]: e for e in iter_raw_exchanges([proxy.out])}
    assert recorded["/big"]["response"].get("truncated") is True  # a capped copy (1 MiB)
    assert "data: 1" in (recorded["/events"]["response"].get("body_text") or "")


def test_half_sent_requests_do_not_pin_threads(upstream: int, tmp_path: Path) -> None:
    proxy = _start(
        upstream,
        tmp_path / "traces",
        "--idle-timeout",
        "1",
        "--max-connections",
        "16",
    )
    sockets = []
    try:
        for i in range(300):
            sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
            sock.sendall(b"GET /slow/%d HTTP/1.1\r\nHost: a\r\nX-Partial: " % i)
            sockets.append(sock)
        threads = _threads(proxy.proc.pid)
        assert threads <= 16 + 8, threads  # the limit plus the proxy's own few
        # every half-sent request is answered (408 after the idle time-out, or 503 over the
        # limit) and closed; then the proxy serves a whole request again
        answers = []
        for sock in sockets:
            answers.append(_read_all(sock))
        assert all(a.startswith((b"HTTP/1.1 408 ", b"HTTP/1.1 503 ")) or not a for a in answers)
        assert any(a.startswith(b"HTTP/1.1 408 ") for a in answers)
        assert _eventually_ok(f"{proxy.base}/")
        assert _threads(proxy.proc.pid) <= 16 + 8
    finally:
        for sock in sockets:
            sock.close()
        _stop(proxy)
    assert b"connections timed out" in proxy.stderr


def _read_all(sock: socket.socket) -> bytes:
    """What the proxy answered before closing; a refused connection may see only a reset."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text("utf-8")
    return int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])


def _eventually_ok(url: str, deadline_s: float = 20.0) -> bool:
    def ok() -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        poll_until(ok, deadline_s=deadline_s, what=url)
    except TimeoutError:
        return False
    return True


def test_numeric_options_are_validated(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "drift_diff", "record", "--target", "http://127.0.0.1:9"),
            *("--out", str(tmp_path), "--idle-timeout", "nan"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--idle-timeout" in done.stderr, done.stderr
    assert json.dumps(done.stderr).count("Traceback") == 0
