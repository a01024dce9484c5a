"""``DriftDiffWSGIMiddleware``: records exchanges of any WSGI app (Flask, Bottle, Pyramid...).

``wsgi.input`` is wrapped by a tee that hands the app every byte and keeps at most
``max_body`` of them; the response iterable is wrapped the same way and the exchange is
emitted from its ``close()``, which the server calls once the last byte went out (so streamed
responses are recorded whole, up to the cap). Flask's route comes from the request object
werkzeug leaves in ``environ["werkzeug.request"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from driftdiff_sdk._inbound import BodyCapture, InboundMiddleware, flask_route, new_context
from driftdiff_sdk._record import ENVIRON, environ_map
from driftdiff_sdk._recording import Recording
from driftdiff_sdk._routes import falcon_route
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange
from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER_ENVIRON
from driftdiff_sdk.recorder import count_error

__all__ = ["DriftDiffWSGIMiddleware", "TeeInput", "environ_headers"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TeeInput:
    """A ``wsgi.input`` stand-in that copies what the app reads into a capped buffer."""

    def __init__(self, stream: Any, capture: BodyCapture) -> None:
        self._stream = stream
        self._capture = capture

    def _keep(self, data: bytes) -> bytes:
        try:
            self._capture.add(data)
        except Exception:  # pragma: no cover - BodyCapture.add does not raise on bytes
            count_error()
        return data

    def read(self, *args: Any) -> bytes:
        return self._keep(self._stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._keep(self._stream.readline(*args))

    def read1(self, *args: Any) -> bytes:
        reader = getattr(self._stream, "read1", None) or self._stream.read
        return self._keep(reader(*args))

    def readinto(self, buffer: Any) -> int | None:
        # werkzeug's LimitedStream prefers readinto when the stream has it: tee that path too
        reader = getattr(self._stream, "readinto", None)
        if reader is None:
            data = self._stream.read(len(buffer))
            buffer[: len(data)] = data
            self._keep(data)
            return len(data)
        count: int | None = reader(buffer)
        if count:
            try:
                self._capture.add(memoryview(buffer)[:count])  # no copy past the cap
            except Exception:  # pragma: no cover
                count_error()
        return count

    def readlines(self, *args: Any) -> list[bytes]:
        lines: list[bytes] = self._stream.readlines(*args)
        for line in lines:
            self._keep(line)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def __getattr__(self, name: str) -> Any:  # close(), peek(), ... of the real stream
        return getattr(self._stream, name)


def environ_headers(environ: dict[str, Any]) -> dict[str, list[str]]:
    """The request headers of a WSGI environ, as a name → values map."""
    return environ_map(environ.items())


def _header_items(environ: dict[str, Any]) -> list[tuple[str, Any]]:
    """The environ's header entries as they are (``HTTP_*``, content type and length): the
    writer turns them into names (``_record.environ_map``), not the request."""
    return [
        (key, value)
        for key, value in environ.items()
        if key[:5] == "HTTP_" or key == "CONTENT_TYPE" or key == "CONTENT_LENGTH"
    ]


def _url(environ: dict[str, Any], path: str, query: str) -> str:
    host = (
        environ.get("HTTP_HOST")
        or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    )
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}"
    return f"{url}?{query}" if query else url


class DriftDiffWSGIMiddleware(InboundMiddleware):
    """WSGI middleware; keyword arguments are ``SDKConfig`` fields (over ``DRIFTDIFF_*``)."""

    def __init__(self, app: WSGIApp, **config: Any) -> None:
        self.app = app
        self._configure(**config)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self._replay:
            # taken out: the app sees the recorded request, not replay's tag
            ctx = new_context(True, environ.pop(EXCHANGE_HEADER_ENVIRON, None))
            return self._call_in(ctx, environ, start_response)
        if not self._record or not self._wanted(
            environ.get("REQUEST_METHOD") or "GET",
            (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "/"),
        ):
            return self.app(environ, start_response)
        try:
            environ = _Environ(environ)
            capture = _Capture(self, environ)
            environ["wsgi.input"] = TeeInput(environ.get("wsgi.input"), capture.req_body)
        except Exception:
            count_error()
            return self.app(environ, start_response)
        return capture.run(start_response)

    def _call_in(
        self, ctx: ExchangeContext, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        token = set_exchange(ctx)
        try:
            result = self.app(environ, start_response)
        finally:
            reset_exchange(token)
        return _ContextIterable(result, ctx, None)


class _Environ(dict):  # type: ignore[type-arg]
    """The environ, remembering the werkzeug/Flask request stored in it.

    Flask sets ``environ["werkzeug.request"]`` when the request starts and clears it when the
    request context pops, before the response is sent: keep the object to read ``url_rule``.
    """

    seen_request: Any = None

    def __setitem__(self, key: Any, value: Any) -> None:
        if key == "werkzeug.request" and value is not None:
            self.seen_request = value
        super().__setitem__(key, value)


class _Capture:
    """State of one recorded WSGI exchange."""

    def __init__(self, mw: DriftDiffWSGIMiddleware, environ: dict[str, Any]) -> None:
        self.mw = mw
        self.environ = environ
        self.recording = Recording(mw)
        self.ctx = self.recording.ctx
        self.req_body = BodyCapture(mw._cap)
        self.resp_body = BodyCapture(mw._cap)
        self.status: int | None = None
        self.resp_headers: list[tuple[str, str]] = []
        self.done = False

    def run(self, start_response: Callable[..., Any]) -> Any:
        def capture_start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            try:
                self.status = int(status.split(" ", 1)[0])
                self.resp_headers = list(headers)  # pairs: the writer maps them
            except Exception:
                count_error()
            return start_response(status, headers, *exc)

        try:
            with self.recording:
                result = self.mw.app(self.environ, capture_start)
        except BaseException:
            self.finish()
            raise
        return _ContextIterable(result, self.ctx, self)

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            self._emit()
        except Exception:
            count_error()

    def _emit(self) -> None:
        environ = self.environ
        path = (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "/")
        query = environ.get("QUERY_STRING") or ""
        self.recording.emit(
            route=_route(environ) or _falcon(self.mw.app, environ),
            method=environ.get("REQUEST_METHOD", "GET"),
            url=_url(environ, path, query),
            path=path,
            query=query,
            req_headers=(ENVIRON, _header_items(environ)),
            req_body=self.req_body,
            status=self.status,
            resp_headers=self.resp_headers,
            resp_body=self.resp_body,
        )


def _falcon(app: Any, environ: dict[str, Any]) -> str | None:
    """A wrapped Falcon app's template for the request (``_routes``)."""
    found = falcon_route(app, environ.get("PATH_INFO") or "/")
    return (environ.get("SCRIPT_NAME") or "") + found if found else None


def _route(environ: dict[str, Any]) -> str | None:
    request = environ.get("werkzeug.request") or getattr(environ, "seen_request", None)
    rule = getattr(request, "url_rule", None)
    text = getattr(rule, "rule", None)
    if isinstance(text, str):
        return (environ.get("SCRIPT_NAME") or "") + flask_route(text)
    return None


class _ContextIterable:
    """The app's response iterable, run inside the exchange's context, copied up to the cap."""

    def __init__(
        self, result: Iterable[bytes], ctx: ExchangeContext, capture: _Capture | None
    ) -> None:
        self._result = result
        self._iter: Iterator[bytes] | None = None
        self._ctx = ctx
        self._capture = capture

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        # generators run app code (and outbound calls) lazily: give them the exchange context
        token = set_exchange(self._ctx)
        try:
            if self._iter is None:
                self._iter = iter(self._result)
            chunk = next(self._iter)
        finally:
            reset_exchange(token)
        if self._capture is not None:
            try:
                self._capture.resp_body.add(chunk)
            except Exception:
                count_error()
        return chunk

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            if self._capture is not None:
                self._capture.finish()
