"""A recording reverse proxy: capture the traffic of a service written in any language.

``RecordingProxy`` listens on a local address, forwards every request to the target service,
relays the answer unchanged, and records each request/response as an exchange
(``source: "proxy"``) through the SDK's recorder — the same redaction and writer as in-process
capture, so secrets are removed before anything is queued. Outbound calls of the service are not
visible from outside, so proxy exchanges have none; use the SDK where replay needs mocks.

Bodies are buffered (not streamed): the proxy is for recording sessions, not production load.
Failures to reach the target become a 502 to the client and are counted, not recorded — they are
not the service's answer.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
    utc_now_iso,
)
from driftdiff_sdk.recorder import Recorder

from drift_diff.errors import UsageError

__all__ = ["ProxyStats", "RecordingProxy"]

#: Hop-by-hop headers (RFC 9110 §7.6.1) are connection-specific: never forwarded.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-connection",
    }
)


@dataclass
class ProxyStats:
    recorded: int = 0
    upstream_errors: int = 0


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
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--target must be an http(s) URL, got {target!r}")
        self.target = parts
        self.timeout = timeout
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
        self._local = threading.local()
        handler = _make_handler(self)
        try:
            self.server = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.server.daemon_threads = True

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.recorder.close()

    # -- forwarding ---------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            cls = (
                http.client.HTTPSConnection
                if self.target.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = cls(self.target.hostname or "", self.target.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def forward(
        self, method: str, path_qs: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        out_headers = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
        out_headers = [(k, v) for k, v in out_headers if k.lower() != "host"]
        out_headers.append(("Host", self.target.netloc))
        for attempt in (1, 2):  # a kept-alive connection the target closed is retried once
            conn = self._connection()
            try:
                conn.putrequest(method, path_qs, skip_host=True, skip_accept_encoding=True)
                for k, v in out_headers:
                    if k.lower() != "content-length":
                        conn.putheader(k, v)
                if body or method in ("POST", "PUT", "PATCH"):
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body or None)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp.reason, list(resp.getheaders()), data
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
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


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        chunks: list[bytes] = []
        while True:
            size_line = handler.rfile.readline(65537)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline(3)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def _make_handler(proxy: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the summary line at the end is the proxy's output

        def _handle(self) -> None:
            started = time.perf_counter()
            recorded_at = utc_now_iso()
            try:
                body = _read_body(self)
            except ValueError:
                self.send_error(400, "malformed chunked body")
                return
            req_headers = list(self.headers.items())
            try:
                status, reason, resp_headers, data = proxy.forward(
                    self.command, self.path, req_headers, body
                )
            except (OSError, http.client.HTTPException) as exc:
                proxy.stats.upstream_errors += 1
                self.send_error(502, f"driftdiff proxy: target unreachable ({exc})")
                return
            self.send_response_only(status, reason)
            for k, v in resp_headers:
                if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            proxy.record(
                method=self.command,
                path_qs=self.path,
                req_headers=req_headers,
                req_body=body,
                status=status,
                resp_headers=resp_headers,
                resp_body=data,
                started=started,
                recorded_at=recorded_at,
            )

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler
