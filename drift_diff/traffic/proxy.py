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
not the service's answer. Requests an ``exclude`` pattern (``driftdiff_sdk.scope``; health
checks, metrics and static files by default) are forwarded and relayed like any other but not
recorded: their response body is not even kept, and they are counted as ``excluded``. Nothing is
printed per connection: the counts are in ``stats``.
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
from typing import Any
from urllib.parse import urlsplit

from driftdiff_sdk.config import SDKConfig
from driftdiff_sdk.exchange import (
    EXCHANGE_FORMAT,
    decoded_content,
    encode_body,
    headers_to_map,
    new_exchange_id,
    parse_query,
)
from driftdiff_sdk.recorder import Recorder
from driftdiff_sdk.scope import Excluder

from drift_diff.errors import UsageError, quoted
from drift_diff.traffic.proxy_client import (
    MAX_HEADER_BYTES,
    MAX_REQUEST_BODY,
    ClientConnection,
    Closed,
    drop_pool,
    first_header,
    linger,
    refuse,
)
from drift_diff.traffic.proxy_headers import forward_request_headers

__all__ = ["MAX_HEADER_BYTES", "MAX_REQUEST_BODY", "ProxyStats", "RecordingProxy"]


@dataclass
class ProxyStats:
    recorded: int = 0
    excluded: int = 0
    upstream_errors: int = 0
    bad_requests: int = 0
    timeouts: int = 0
    refused: int = 0
    internal_errors: int = 0


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
        excluder: Excluder | None = None,
    ) -> None:
        """``excluder``: what is not recorded (default: ``Excluder()``, the default patterns)."""
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--target must be an http(s) URL, got {quoted(target)}")
        self.target = parts
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_body = max_body
        self.stats = ProxyStats()
        self.excluder = excluder if excluder is not None else Excluder()
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
                refuse(sock)
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
        client = ClientConnection(self, sock, upstream)
        try:
            client.run()
        except Closed:
            pass
        except Exception:  # one broken connection must not print a traceback or stop others
            self.stats.internal_errors += 1
            if os.environ.get("DRIFTDIFF_DEBUG"):
                traceback.print_exc()
        finally:
            drop_pool(upstream)
            if client.answered_error:
                linger(sock)
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
                drop_pool(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def recorded(self, method: str, path_qs: str) -> bool:
        """Will this request be recorded? False (and counted) when a pattern excludes it."""
        if self.excluder and self.excluder.excludes(method, urlsplit(path_qs).path or "/"):
            self.stats.excluded += 1
            return False
        return True

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
                req_body, first_header(req_map, "content-type"), cap=self.max_body, layout=True
            ),
        }
        # bodies are stored decoded (the header stays, a fact); decoding is size-bounded
        content = decoded_content(resp_body, ",".join(resp_map.get("content-encoding") or []))
        response: dict[str, Any] = {
            "status": status,
            "headers": resp_map,
            **encode_body(content, first_header(resp_map, "content-type"), cap=self.max_body),
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
