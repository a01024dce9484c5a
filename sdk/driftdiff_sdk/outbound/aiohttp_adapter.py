"""aiohttp: patches ``ClientSession._request`` (``session.get``/``post``/``request`` and their
``async with`` forms all await it).

aiohttp returns before the body is read, and reading it here would drain ``resp.content`` for an
app that streams it. So the entry is appended as soon as the response head arrives and the body
is filled in when the app reads it through ``read()`` (``json()`` and ``text()`` call it): the
exchange is emitted after the handler returned, by which time the app has read what it wanted.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from driftdiff_sdk.outbound import (
    Patch,
    active_exchange,
    finish_call,
    header_map,
    recording,
    replay_http,
    response_dict,
    start_call,
)
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "uninstall"]


def _describe(
    session: aiohttp.ClientSession, method: str, str_or_url: Any, kwargs: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], Any]:
    build = getattr(session, "_build_url", None)
    url = build(str_or_url) if build is not None else URL(str(str_or_url))
    params = kwargs.get("params")
    if params:
        url = url.extend_query(params)
    headers = CIMultiDict(getattr(session, "_default_headers", None) or {})
    for name, value in CIMultiDict(kwargs.get("headers") or {}).items():
        headers[name] = value
    body: Any = kwargs.get("data")
    if kwargs.get("json") is not None:
        body = jsonlib.dumps(kwargs["json"]).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, dict):  # a form: aiohttp encodes it
        from urllib.parse import urlencode

        body = urlencode(body, doseq=True)
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return str(url), list(headers.items()), body


async def _request(self: aiohttp.ClientSession, method: str, str_or_url: Any, **kwargs: Any) -> Any:
    ctx = active_exchange()
    if ctx is None:
        return await _patch.original(self, method, str_or_url, **kwargs)
    call = None
    try:
        url, headers, body = _describe(self, method, str_or_url, kwargs)
        call = start_call(ctx, method, url, headers, body)
    except Exception:
        count_error("outbound aiohttp")
    if ctx.replay and call is not None:
        return _replayed(call, method)
    with recording(ctx, call) as started:
        response = await _patch.original(self, method, str_or_url, **kwargs)
    if call is not None:
        try:
            _attach(response, call, method)
            finish_call(ctx, call, started, call["response"])
        except Exception:
            count_error("outbound aiohttp")
    return response


_patch = Patch(aiohttp.ClientSession, "_request", _request)
install = _patch.install
uninstall = _patch.uninstall


def _attach(response: aiohttp.ClientResponse, call: dict[str, Any], method: str) -> None:
    status, headers = response.status, list(response.headers.items())
    sent = getattr(getattr(response, "request_info", None), "headers", None)
    if sent is not None:  # what went on the wire, aiohttp's own headers (Host, User-Agent) too
        call["request"]["headers"] = header_map(sent)
    call["response"] = response_dict(status, headers, None, unread=method.upper() != "HEAD")
    original_read = response.read

    async def read() -> bytes:
        data = await original_read()
        try:
            call["response"] = response_dict(status, headers, data)
        except Exception:
            count_error("outbound aiohttp")
        return data

    response.read = read  # type: ignore[method-assign]


class _ReplayStream:
    """The little of ``aiohttp.StreamReader`` apps use on ``resp.content``."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    async def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n < 0 else min(len(self._data), self._pos + n)
        chunk, self._pos = self._data[self._pos : end], end
        return chunk

    async def readany(self) -> bytes:
        return await self.read()

    async def readline(self) -> bytes:
        nl = self._data.find(b"\n", self._pos)
        return await self.read(-1 if nl < 0 else nl + 1 - self._pos)

    def at_eof(self) -> bool:
        return self._pos >= len(self._data)

    async def iter_chunked(self, n: int) -> Any:
        while not self.at_eof():
            yield await self.read(n)

    def __aiter__(self) -> Any:
        return self._lines()

    async def _lines(self) -> Any:
        while not self.at_eof():
            yield await self.readline()


class ReplayResponse:
    """A ``ClientResponse`` look-alike built from a recorded response (no connection)."""

    def __init__(
        self, method: str, url: str, status: int, headers: list[tuple[str, str]], data: bytes
    ) -> None:
        self.method = method
        self.url = URL(url)
        self.real_url = self.url
        self.status = status
        self.reason = _reason(status)
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self._body = data
        self.content = _ReplayStream(data)
        ctype = self.headers.get("Content-Type", "application/octet-stream")
        self.content_type = ctype.split(";", 1)[0].strip().lower()
        self.charset = _charset(ctype)
        self.history: tuple[Any, ...] = ()
        self.closed = False

    @property
    def ok(self) -> bool:
        return self.status < 400

    async def read(self) -> bytes:
        return self._body

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        return self._body.decode(encoding or self.charset or "utf-8", errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: Any = jsonlib.loads,
        content_type: str | None = "application/json",
    ) -> Any:
        return loads(await self.text(encoding)) if self._body.strip() else None

    def raise_for_status(self) -> None:
        if self.status >= 400:
            raise aiohttp.ClientResponseError(
                None,  # type: ignore[arg-type]
                (),
                status=self.status,
                message=self.reason,
                headers=self.headers,
            )

    def release(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True

    async def wait_for_close(self) -> None:
        self.closed = True

    async def __aenter__(self) -> ReplayResponse:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.release()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return None


def _error(name: str, message: str) -> BaseException:
    exc_type = getattr(aiohttp, name, None)
    if isinstance(exc_type, type) and issubclass(exc_type, aiohttp.ClientConnectionError):
        try:
            return exc_type(message)
        except TypeError:  # an exception type with a richer constructor
            pass
    return aiohttp.ClientConnectionError(message or name)


def _replayed(call: dict[str, Any], method: str) -> ReplayResponse:
    status, headers, data, _ = replay_http(call, _error)
    return ReplayResponse(method.upper(), call["request"]["url"], status, headers, data)
