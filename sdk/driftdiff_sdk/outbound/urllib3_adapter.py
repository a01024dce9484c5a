"""urllib3: patches ``HTTPConnectionPool.urlopen`` (``PoolManager`` and ``urllib3.request``
end there; HTTPS pools inherit it). Retries re-enter ``urlopen`` inside the outer call and are
not recorded twice; when requests is the caller, its adapter has already recorded the call.
"""

from __future__ import annotations

import io
from typing import Any

import urllib3
from urllib3._collections import HTTPHeaderDict
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

from driftdiff_sdk.outbound import (
    Patch,
    active_exchange,
    finish_call,
    recording,
    replay_http,
    response_dict,
    start_call,
)
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "uninstall"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _absolute(pool: HTTPConnectionPool, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    host = pool.host or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = pool.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(pool.scheme) else f"{host}:{port}"
    return f"{pool.scheme}://{netloc}{url if url.startswith('/') else '/' + url}"


def _urlopen(
    self: HTTPConnectionPool,
    method: str,
    url: str,
    body: Any = None,
    headers: Any = None,
    *args: Any,
    **kwargs: Any,
) -> Any:
    ctx = active_exchange()
    if ctx is None:
        return _patch.original(self, method, url, body, headers, *args, **kwargs)
    full_url = _absolute(self, url)
    call = start_call(ctx, method, full_url, headers or {}, body)
    if ctx.replay and call is not None:
        return _replayed(self, call, method, full_url, kwargs.get("preload_content", True))
    with recording(ctx, call) as started:
        response = _patch.original(self, method, url, body, headers, *args, **kwargs)
    try:
        # preload_content=False leaves the body to the app: not read behind its back
        loaded = getattr(response, "_body", None) is not None
        data = response.data if loaded else None
        finish_call(
            ctx,
            call,
            started,
            response_dict(
                response.status,
                response.headers.items(),
                data,
                unread=not loaded and method.upper() != "HEAD",
            ),
        )
    except Exception:
        count_error("outbound urllib3")
    return response


_patch = Patch(HTTPConnectionPool, "urlopen", _urlopen)
install = _patch.install
uninstall = _patch.uninstall


def _error(name: str, message: str, pool: HTTPConnectionPool, url: str) -> BaseException:
    reason: Exception
    if "Timeout" in name:
        reason = ReadTimeoutError(pool, url, message or name)
    elif "Protocol" in name or "Reset" in name:
        reason = ProtocolError(message or name)
    else:
        reason = NewConnectionError(pool, message or name)  # type: ignore[arg-type]
    return MaxRetryError(pool, url, reason)


def _replayed(
    pool: HTTPConnectionPool, call: dict[str, Any], method: str, url: str, preload: bool
) -> urllib3.HTTPResponse:
    status, headers, data, _ = replay_http(call, _error, pool, url)
    return urllib3.HTTPResponse(
        body=io.BytesIO(data),
        headers=HTTPHeaderDict(headers),
        status=status,
        preload_content=preload,
        decode_content=False,
        request_method=method,
        request_url=url,
    )
