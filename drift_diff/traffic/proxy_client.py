"""One client connection of the recording proxy: h11's state machine, time-outs and errors.

``ClientConnection`` reads requests one after another through h11 (malformed framing never
reaches our code), applies the idle time-out to every read and write and a total deadline to
each request, and hands each request to its ``RecordingProxy`` to forward and record. The
helpers below answer errors, drain a closing socket and refuse connections over the limit.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import h11
from driftdiff_sdk.exchange import (
    utc_now_iso,
)

from drift_diff.traffic.proxy_headers import forward_response_headers

if TYPE_CHECKING:
    from drift_diff.traffic.proxy import RecordingProxy

__all__ = [
    "MAX_HEADER_BYTES",
    "MAX_REQUEST_BODY",
    "ClientConnection",
    "Closed",
    "drop_pool",
    "first_header",
    "linger",
    "refuse",
    "send_error",
]

#: largest request line + header block accepted (h11 answers 431 past it)
MAX_HEADER_BYTES = 64 * 1024
#: largest request body read (413 past it); requests are read whole before forwarding
MAX_REQUEST_BODY = 64 * 1024 * 1024
_READ = 65536


class Closed(Exception):
    """The client connection is finished (closed, timed out, or unusable)."""


class ClientConnection:
    """The h11 state machine of one client connection and its requests, one after another."""

    def __init__(
        self, proxy: RecordingProxy, sock: socket.socket, pool: list[http.client.HTTPConnection]
    ) -> None:
        self.proxy = proxy
        self.sock = sock
        self.pool = pool
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        self.deadline = float("inf")
        self.answered_error = False

    # -- socket I/O with the idle time-out and the request deadline ----------------------------

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request deadline passed")
        self.sock.settimeout(min(self.proxy.idle_timeout, left))

    def _send(self, event: Any) -> None:
        data = self.h11.send(event)
        if data:
            try:
                self._arm()
                self.sock.sendall(data)
            except OSError:  # timed out or gone: the client is not reading
                raise Closed() from None

    def _next_event(self) -> Any:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            self._arm()
            self.h11.receive_data(self.sock.recv(_READ))

    # -- the request loop -----------------------------------------------------------------------

    def run(self) -> None:
        while True:
            self.deadline = float("inf")
            try:
                request = self._read_request()
            except TimeoutError:
                self.proxy.stats.timeouts += 1
                self._fail(408, "request timed out")
                return
            except h11.RemoteProtocolError as exc:
                self.proxy.stats.bad_requests += 1
                self._fail(exc.error_status_hint, str(exc))
                return
            except _BodyTooLarge:
                self.proxy.stats.bad_requests += 1
                self._fail(413, f"request body over {MAX_REQUEST_BODY} bytes")
                return
            except OSError:
                return
            if request is None:
                return
            self._exchange(*request)
            if self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
                return
            self.h11.start_next_cycle()

    def _read_request(self) -> tuple[h11.Request, bytes, float, str] | None:
        event = self._next_event()  # idle between requests: the idle time-out only
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise h11.RemoteProtocolError("expected a request", error_status_hint=400)
        started = time.perf_counter()
        self.deadline = time.monotonic() + self.proxy.request_timeout
        recorded_at = utc_now_iso()
        if self.h11.they_are_waiting_for_100_continue:
            self._send(h11.InformationalResponse(status_code=100, headers=[]))
        chunks: list[bytes] = []
        size = 0
        while True:
            part = self._next_event()
            if isinstance(part, h11.Data):
                size += len(part.data)
                if size > MAX_REQUEST_BODY:
                    raise _BodyTooLarge()
                chunks.append(bytes(part.data))
            elif isinstance(part, h11.EndOfMessage):
                return event, b"".join(chunks), started, recorded_at
            else:  # ConnectionClosed in the middle of a body
                raise h11.RemoteProtocolError("closed mid-request", error_status_hint=400)

    def _exchange(
        self, request: h11.Request, body: bytes, started: float, recorded_at: str
    ) -> None:
        method = request.method.decode("ascii", "replace")
        path_qs = request.target.decode("ascii", "replace")
        req_headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw_items()
        ]
        self.deadline = float("inf")  # relaying the answer: the idle time-out only (SSE)
        try:
            resp = self.proxy.open_upstream(method, path_qs, req_headers, body, self.pool)
        except (OSError, http.client.HTTPException) as exc:
            self.proxy.stats.upstream_errors += 1
            self._fail(502, f"driftdiff proxy: target unreachable ({exc})")
            return
        resp_headers = list(resp.getheaders())
        headers = forward_response_headers(resp_headers, status=resp.status, method=method)
        try:
            self._send(h11.Response(status_code=resp.status, headers=headers, reason=resp.reason))
        except h11.LocalProtocolError:  # headers h11 will not send (e.g. conflicting lengths)
            self.proxy.stats.upstream_errors += 1
            self._fail(502, "driftdiff proxy: the target's response headers are invalid")
            return
        kept = bytearray()
        wanted = self.proxy.recorded(method, path_qs)
        limit = self.proxy.max_body + 1 if wanted else 0
        try:
            while True:
                data = resp.read1(_READ) if method != "HEAD" else b""
                if not data:
                    if resp.length:  # closed before the announced length
                        raise http.client.IncompleteRead(bytes(kept), resp.length)
                    break
                if len(kept) < limit:
                    kept += data[: limit - len(kept)]
                self._send(h11.Data(data=data))
        except (OSError, http.client.HTTPException, h11.LocalProtocolError):
            # the target broke off mid-body (or sent more than it announced): the client's
            # answer is cut, the connection closed, and nothing recorded
            self.proxy.stats.upstream_errors += 1
            drop_pool(self.pool)
            raise Closed() from None
        # read1 does not close a response whose announced length is used up; left open, the
        # kept-alive connection refuses the next request (ResponseNotReady), which was then
        # sent again on a fresh connection: a POST or DELETE reached the target twice
        resp.close()
        if resp.will_close:
            drop_pool(self.pool)
        if not wanted:
            self._send(h11.EndOfMessage())
            return
        self.proxy.record(
            method=method,
            path_qs=path_qs,
            req_headers=req_headers,
            req_body=body,
            status=resp.status,
            resp_headers=resp_headers,
            resp_body=bytes(kept),
            started=started,
            recorded_at=recorded_at,
        )
        self._send(h11.EndOfMessage())  # after recording: a client that saw the end finds it

    def _fail(self, status: int, message: str) -> None:
        """Answer with an error when a response can still be sent; the connection then closes."""
        if self.h11.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return  # a response was started: cutting the connection is all that is left
        # written directly: h11 will not answer a request it never saw complete (a 408 or 431
        # before the header block ended), and the connection closes after this anyway
        send_error(self.sock, status, message, self.proxy.idle_timeout)
        self.answered_error = True


class _BodyTooLarge(Exception):
    pass


def send_error(sock: socket.socket, status: int, message: str, timeout: float) -> None:
    body = (message.replace("\r", " ").replace("\n", " ") + "\n").encode("utf-8", "replace")
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.settimeout(timeout)
        sock.sendall(head.encode("ascii") + body)


def linger(sock: socket.socket, limit: int = 1 << 20) -> None:
    """Close our side and drain what the client still sends (a second at most): closing with
    unread data resets the connection, which can destroy the error answer before it is read."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(1.0)
        end = time.monotonic() + 1.0
        drained = 0
        while drained < limit and time.monotonic() < end:
            chunk = sock.recv(_READ)
            if not chunk:
                break
            drained += len(chunk)


def refuse(sock: socket.socket) -> None:
    """A 503 to a connection over the limit, without reading its request (an accept-loop
    thread must not wait on the client, so no lingering: the answer may be lost to a reset)."""
    send_error(sock, 503, "driftdiff proxy: too many connections", 0.2)
    with contextlib.suppress(OSError):
        sock.close()


def drop_pool(pool: list[http.client.HTTPConnection]) -> None:
    for conn in pool:
        conn.close()
    pool.clear()


def first_header(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None
