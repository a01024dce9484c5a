"""A recording reverse proxy: capture the traffic of a service written in any language.

``RecordingProxy`` listens on a local address, forwards every request to the target service,
relays the answer, and records each request/response as an exchange (``source: "proxy"``)
through the SDK's recorder — the same redaction and writer as in-process capture, so secrets
are removed before anything is queued. Outbound calls of the service are not visible from
outside, so proxy exchanges have none; use the SDK where replay needs mocks.

The client side speaks HTTP/1.1 through h11 (a well-kept, pure-Python parser), so malformed
framing never reaches our code: a header block past ``MAX_HEADER_BYTES`` is a 431, an unknown
``Transfer-Encoding`` a 501, conflicting lengths a 400. Every client connection has an idle
time-out (each read and write) and each request a total deadline, so half-sent requests are
closed (408) instead of holding a thread; at most ``max_connections`` are served at once and
the rest get a 503. A request body is read whole up to ``MAX_REQUEST_BODY`` (413 past it);
the response body is relayed as it arrives (Server-Sent Events reach the client event by event,
a large download is never held in memory) while the recording keeps its first ``max_body``
bytes. Headers follow ``drift_diff.traffic.proxy_headers`` (hop-by-hop rules; HEAD, 204 and 304
untouched). Failures to reach the target become a 502 and are counted, not recorded — they are
not the service's answer. Nothing is printed per connection: the counts are in ``stats``.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import h11
from driftdiff_sdk.config import SDKConfig
from driftdiff_sdk.exchange import (
    EXCHANGE_FORMAT,
    decoded_content,
    encode_body,
    headers_to_map,
    new_exchange_id,
    parse_query,
    utc_now_iso,
)
from driftdiff_sdk.recorder import Recorder

from drift_diff.errors import UsageError
from drift_diff.traffic.proxy_headers import forward_request_headers, forward_response_headers

__all__ = ["MAX_HEADER_BYTES", "MAX_REQUEST_BODY", "ProxyStats", "RecordingProxy"]

#: largest request line + header block accepted (h11 answers 431 past it)
MAX_HEADER_BYTES = 64 * 1024
#: largest request body read (413 past it); requests are read whole before forwarding
MAX_REQUEST_BODY = 64 * 1024 * 1024
_READ = 65536


@dataclass
class ProxyStats:
    recorded: int = 0
    upstream_errors: int = 0
    bad_requests: int = 0
    timeouts: int = 0
    refused: int = 0
    internal_errors: int = 0


class _Closed(Exception):
    """The client connection is finished (closed, timed out, or unusable)."""


class RecordingProxy:
    """Forward ``listen`` → ``target`` and record every exchange into ``out_dir``."""

    def __init__(
        self,
        target: str,
        *,
        out_dir: str,
        service: str,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body: int = 1 << 20,
        redact: bool = True,
        timeout: float = 30.0,
        idle_timeout: float = 30.0,
        request_timeout: float = 300.0,
        max_connections: int = 64,
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--target must be an http(s) URL, got {target!r}")
        self.target = parts
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_body = max_body
        self.stats = ProxyStats()
        from driftdiff_sdk.redact import RedactionConfig

        config = SDKConfig(
            mode="record",
            service=service,
            traces_dir=out_dir,
            max_body=max_body,
            queue_size=100_000,
            redaction=RedactionConfig(enabled=redact),
        )
        self.recorder = Recorder(config)
        self.service = service
        self._slots = threading.BoundedSemaphore(max_connections)
        self._stop = threading.Event()
        self._clients: dict[socket.socket, threading.Thread] = {}
        self._lock = threading.Lock()
        try:
            self._listener = socket.create_server((host, port), backlog=128)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self._listener.settimeout(0.2)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listener.getsockname()[:2]
        return str(host), int(port)

    def serve_forever(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue  # e.g. too many open files: the client sees a reset, we keep serving
            if not self._slots.acquire(blocking=False):
                self.stats.refused += 1
                _refuse(sock)
                continue
            thread = threading.Thread(target=self._serve_client, args=(sock,), daemon=True)
            with self._lock:
                self._clients[sock] = thread
            thread.start()

    def close(self, grace: float = 5.0) -> None:
        """Stop accepting, let exchanges in flight finish (``grace`` seconds at most: idle
        connections are woken at once), then flush the recorder."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            clients = dict(self._clients)
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)
        end = time.monotonic() + grace
        for thread in clients.values():
            thread.join(max(0.0, end - time.monotonic()))
        self.recorder.close()

    # -- one client connection ----------------------------------------------------------------

    def _serve_client(self, sock: socket.socket) -> None:
        upstream: list[http.client.HTTPConnection] = []
        client = _Client(self, sock, upstream)
        try:
            client.run()
        except _Closed:
            pass
        except Exception:  # one broken connection must not print a traceback or stop others
            self.stats.internal_errors += 1
            if os.environ.get("DRIFTDIFF_DEBUG"):
                traceback.print_exc()
        finally:
            _drop(upstream)
            if client.answered_error:
                _linger(sock)
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self._clients.pop(sock, None)
            self._slots.release()

    # -- forwarding ---------------------------------------------------------------------------

    def open_upstream(
        self,
        method: str,
        path_qs: str,
        headers: list[tuple[str, str]],
        body: bytes,
        pool: list[http.client.HTTPConnection],
    ) -> http.client.HTTPResponse:
        """Send the request upstream (on the client connection's kept-alive upstream connection
        when there is one, retried once on a fresh one) and return the response, body unread."""
        out_headers = forward_request_headers(headers, self.target.netloc)
        for attempt in (1, 2):
            if not pool:
                cls = (
                    http.client.HTTPSConnection
                    if self.target.scheme == "https"
                    else http.client.HTTPConnection
                )
                pool.append(cls(self.target.hostname or "", self.target.port, timeout=self.timeout))
            conn = pool[0]
            try:
                conn.putrequest(method, path_qs, skip_host=True, skip_accept_encoding=True)
                for k, v in out_headers:
                    conn.putheader(k, v)
                if body or method in ("POST", "PUT", "PATCH"):
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body or None)
                return conn.getresponse()
            except (OSError, http.client.HTTPException):
                _drop(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def record(
        self,
        *,
        method: str,
        path_qs: str,
        req_headers: list[tuple[str, str]],
        req_body: bytes,
        status: int,
        resp_headers: list[tuple[str, str]],
        resp_body: bytes,
        started: float,
        recorded_at: str,
    ) -> None:
        parts = urlsplit(path_qs)
        req_map = headers_to_map(req_headers)
        resp_map = headers_to_map(resp_headers)
        base = f"{self.target.scheme}://{self.target.netloc}"
        request: dict[str, Any] = {
            "method": method,
            "url": base + path_qs,
            "path": parts.path or "/",
            "query": parse_query(parts.query),
            "headers": req_map,
            **encode_body(
                req_body, _first(req_map, "content-type"), cap=self.max_body, layout=True
            ),
        }
        # bodies are stored decoded (the header stays, a fact); decoding is size-bounded
        content = decoded_content(resp_body, ",".join(resp_map.get("content-encoding") or []))
        response: dict[str, Any] = {
            "status": status,
            "headers": resp_map,
            **encode_body(content, _first(resp_map, "content-type"), cap=self.max_body),
        }
        self.recorder.submit(
            {
                "format": EXCHANGE_FORMAT,
                "id": new_exchange_id(),
                "service": self.service,
                "source": "proxy",
                "recorded_at": recorded_at,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "route": None,
                "request": request,
                "response": response,
                "outbound": [],
            }
        )
        self.stats.recorded += 1


class _Client:
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
                raise _Closed() from None

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
        limit = self.proxy.max_body + 1
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
            _drop(self.pool)
            raise _Closed() from None
        # read1 does not close a response whose announced length is used up; left open, the
        # kept-alive connection refuses the next request (ResponseNotReady), which was then
        # sent again on a fresh connection: a POST or DELETE reached the target twice
        resp.close()
        if resp.will_close:
            _drop(self.pool)
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
        _send_error(self.sock, status, message, self.proxy.idle_timeout)
        self.answered_error = True


class _BodyTooLarge(Exception):
    pass


def _send_error(sock: socket.socket, status: int, message: str, timeout: float) -> None:
    body = (message.replace("\r", " ").replace("\n", " ") + "\n").encode("utf-8", "replace")
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.settimeout(timeout)
        sock.sendall(head.encode("ascii") + body)


def _linger(sock: socket.socket, limit: int = 1 << 20) -> None:
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


def _refuse(sock: socket.socket) -> None:
    """A 503 to a connection over the limit, without reading its request (an accept-loop
    thread must not wait on the client, so no lingering: the answer may be lost to a reset)."""
    _send_error(sock, 503, "driftdiff proxy: too many connections", 0.2)
    with contextlib.suppress(OSError):
        sock.close()


def _drop(pool: list[http.client.HTTPConnection]) -> None:
    for conn in pool:
        conn.close()
    pool.clear()


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None
