"""urllib3: patches ``HTTPConnectionPool.urlopen`` (``PoolManager`` and ``urllib3.request``
end there; HTTPS pools inherit it). Retries re-enter ``urlopen`` inside the outer call and are
not recorded twice; when requests is the caller, its adapter has already recorded the call.
"""

from __future__ import annotations

import io
import time
from typing import Any

import urllib3
from urllib3._collections import HTTPHeaderDict
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

from driftdiff_sdk.context import instrumented_call
from driftdiff_sdk.outbound import (
    active_exchange,
    body_from_entry,
    error_class_name,
    finish_call,
    headers_from_entry,
    replay_lookup,
    response_dict,
    start_call,
)
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "uninstall"]

_original: Any = None
_DEFAULT_PORTS = {"http": 80, "https": 443}


def install() -> bool:
    global _original
    if _original is None:
        _original = HTTPConnectionPool.urlopen
        HTTPConnectionPool.urlopen = _urlopen  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    global _original
    if _original is not None:
        HTTPConnectionPool.urlopen = _original  # type: ignore[method-assign]
        _original = None


def _absolute(pool: HTTPConnectionPool, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    host = pool.host or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = pool.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(pool.scheme) else f"{host}:{port}"
    return f"{pool.scheme}://{netloc}{url if url.startswith('/') else '/' + url}"


def _urlopen(self: HTTPConnectionPool, method: str, url: str, body: Any = None,
             headers: Any = None, *args: Any, **kwargs: Any) -> Any:
    ctx = active_exchange()
    if ctx is None:
        return _original(self, method, url, body, headers, *args, **kwargs)
    full_url = _absolute(self, url)
    call = start_call(ctx, method, full_url, headers or {}, body)
    if ctx.replay and call is not None:
        return _replayed(self, call, method, full_url, kwargs.get("preload_content", True))
    started = time.perf_counter()
    with instrumented_call():
        try:
            response = _original(self, method, url, body, headers, *args, **kwargs)
        except BaseException as exc:
            finish_call(ctx, call, started, error=exc)
            raise
    try:
        # preload_content=False leaves the body to the app: not read behind its back
        loaded = getattr(response, "_body", None) is not None
        data = response.data if loaded else None
        finish_call(ctx, call, started,
                    response_dict(response.status, response.headers.items(), data,
                                  unread=not loaded and method.upper() != "HEAD"))
    except Exception:
        count_error("outbound urllib3")
    return response


def _replayed(pool: HTTPConnectionPool, call: dict[str, Any], method: str, url: str,
              preload: bool) -> urllib3.HTTPResponse:
    entry = replay_lookup(call)
    if entry.get("error") is not None or not isinstance(entry.get("response"), dict):
        name, message = error_class_name(entry)
        reason: Exception
        if "Timeout" in name:
            reason = ReadTimeoutError(pool, url, message or name)
        elif "Protocol" in name or "Reset" in name:
            reason = ProtocolError(message or name)
        else:
            reason = NewConnectionError(pool, message or name)  # type: ignore[arg-type]
        raise MaxRetryError(pool, url, reason)
    recorded = entry["response"]
    data = body_from_entry(recorded)
    return urllib3.HTTPResponse(
        body=io.BytesIO(data),
        headers=HTTPHeaderDict(headers_from_entry(recorded, len(data))),
        status=int(recorded.get("status", 200)),
        preload_content=preload,
        decode_content=False,
        request_method=method,
        request_url=url,
    )
