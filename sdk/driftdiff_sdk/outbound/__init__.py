"""Outbound HTTP instrumentation: one adapter module per client library.

Each adapter patches its library's single choke point (``requests.Session.send``,
``httpx.Client.send``/``AsyncClient.send``, ``urllib3`` connection pools, ``urllib.request``'s
HTTP handler, ``aiohttp.ClientSession._request``) and is skipped when the library is absent.
``install()`` imports no client library: it patches those already imported and arms an import
hook (``_lazy``) that patches the others right after the service imports them, so a service
pays start-up time and memory only for the libraries it uses.

* **record**: the call runs as usual; its request, response (or error) and duration are
  appended to the exchange being served (``context.current_exchange()``). Calls made outside an
  inbound exchange are not recorded: there is nothing to attach them to.
* **replay**: the same call dict goes to ``driftdiff_sdk.replay.lookup`` and the recorded answer
  becomes the library's native response object; the network is never touched.

A library built on another (requests on urllib3) is recorded once: the outer adapter marks the
context as "inside an instrumented call" and inner adapters pass straight through.
Response bodies are recorded when the client has read them anyway (the default for every
library); a streamed body the app reads itself is not consumed behind its back: the entry has
no body and ``truncated: true``.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from driftdiff_sdk._capture import BodyCapture, defer
from driftdiff_sdk.context import (
    ExchangeContext,
    current_exchange,
    inside_instrumented_call,
    instrumented_call,
)
from driftdiff_sdk.exchange import encode_body, headers_to_map, parse_query
from driftdiff_sdk.http_vocabulary import WIRE_ENCODING
from driftdiff_sdk.recorder import count_error

__all__ = [
    "ADAPTERS",
    "Patch",
    "active_exchange",
    "body_from_entry",
    "error_class_name",
    "error_text",
    "finish_call",
    "header_map",
    "headers_from_entry",
    "install",
    "installed",
    "max_body",
    "recording",
    "replay_http",
    "replay_lookup",
    "request_dict",
    "response_dict",
    "start_call",
    "uninstall",
]

ADAPTERS = (
    "requests_adapter",
    "httpx_adapter",
    "urllib3_adapter",
    "urllib_adapter",
    "aiohttp_adapter",
    "redis_adapter",  # kind "redis": redis-py commands and pipelines
    "psycopg_adapter",  # kind "postgres": psycopg2 statements
    "psycopg3_adapter",  # kind "postgres": psycopg 3 statements (sync and async)
    "asyncpg_adapter",  # kind "postgres": asyncpg calls (connections, pools, statements)
    "grpc_adapter",  # kind "grpc": grpcio unary-unary and unary-stream client calls
)

# The module whose import means the adapter has something to patch. An adapter is installed
# when its library is already imported, or right after the service imports it (the import
# hook in ``_lazy``): the SDK never imports a client library the service does not use.
TRIGGERS = {
    "requests_adapter": "requests",
    "httpx_adapter": "httpx",
    "urllib3_adapter": "urllib3",
    "urllib_adapter": "urllib.request",
    "aiohttp_adapter": "aiohttp",
    "redis_adapter": "redis",
    "psycopg_adapter": "psycopg2",
    "psycopg3_adapter": "psycopg",
    "asyncpg_adapter": "asyncpg",
    "grpc_adapter": "grpc",
}

_installed: dict[str, Any] = {}
_lock = threading.RLock()  # an adapter's install imports; the hook may re-enter


def install() -> list[str]:
    """Patch every client library already imported, and arm an import hook that patches the
    others when (if ever) the service imports them; idempotent. Returns the adapters active."""
    from driftdiff_sdk.outbound import _lazy

    with _lock:
        for name in ADAPTERS:
            if _imported(TRIGGERS[name]):
                _install_one(name)
        pending = {TRIGGERS[n]: n for n in ADAPTERS if n not in _installed}
        _lazy.arm(pending, _hooked)
        return sorted(_installed)


def _imported(module_name: str) -> bool:
    """Imported and done: a module another thread is still importing is left to the hook
    (patching it from here would wait for that import while holding ``_lock``)."""
    module = sys.modules.get(module_name)
    spec = getattr(module, "__spec__", None)
    return module is not None and not getattr(spec, "_initializing", False)


def _hooked(name: str) -> None:
    """The import hook's callback: ``name``'s library has just been imported."""
    with _lock:
        _install_one(name)


def _install_one(name: str) -> None:
    if name in _installed:
        return
    try:
        module = importlib.import_module(f"driftdiff_sdk.outbound.{name}")
        if module.install():
            _installed[name] = module
    except ImportError:
        return  # the library (or a part the adapter needs) is not installed: nothing to patch
    except Exception:
        count_error(f"outbound {name}")


def uninstall() -> None:
    from driftdiff_sdk.outbound import _lazy

    with _lock:
        _lazy.disarm()
        for name, module in list(_installed.items()):
            try:
                module.uninstall()
            except Exception:  # pragma: no cover
                count_error(f"outbound {name}")
            del _installed[name]


def installed() -> list[str]:
    return sorted(_installed)


def active_exchange() -> ExchangeContext | None:
    """The exchange to attach a call to, or ``None`` when this call should pass through."""
    if inside_instrumented_call():
        return None
    return current_exchange()


def max_body() -> int:
    from driftdiff_sdk.runtime import current_config

    return current_config().max_body


def _as_bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return None  # a file or generator: its bytes are the library's to send, not ours to read


def header_map(headers: Any) -> dict[str, list[str]]:
    """``headers_to_map`` of a mapping (its items), of ``(name, value)`` pairs or of ``None``."""
    return headers_to_map(headers.items() if hasattr(headers, "items") else headers or ())


def _body(message: dict[str, Any], data: bytes | None, ctype: str | None, unread: bool) -> None:
    """Recording: the raw bytes (up to the cap), encoded and redacted on the writer thread.
    Otherwise (replay looks calls up by their fields) the body fields themselves."""
    from driftdiff_sdk.runtime import current_config

    config = current_config()
    if config.mode != "record":
        message.update(encode_body(data, ctype, cap=config.max_body, truncated=unread))
        return
    capture = BodyCapture(config.max_body)
    if data:
        capture.add(data)
    if unread:
        capture.mark_unread()
    defer(message, capture, ctype)


def request_dict(method: str, url: str, headers: Any, body: Any) -> dict[str, Any]:
    parts = urlsplit(url)
    mapped = header_map(headers)
    data = _as_bytes(body)
    message = {
        "method": method.upper(),
        "url": url,
        "path": parts.path or "/",
        "query": parse_query(parts.query) if parts.query else {},
        "headers": mapped,
    }
    _body(message, data, mapped.get("content-type", [None])[0], body is not None and data is None)
    return message


def response_dict(
    status: int, headers: Any, body: bytes | None, *, unread: bool = False
) -> dict[str, Any]:
    mapped = header_map(headers)
    message = {"status": int(status), "headers": mapped}
    _body(message, body, mapped.get("content-type", [None])[0], unread)
    return message


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def start_call(
    ctx: ExchangeContext, method: str, url: str, headers: Any, body: Any
) -> dict[str, Any] | None:
    """The call dict with its sequence number (taken when the call starts: order of issue)."""
    try:
        return {
            "kind": "http",
            "seq": ctx.next_seq(),
            "request": request_dict(method, url, headers, body),
        }
    except Exception:
        count_error("outbound request")
        return None


def finish_call(
    ctx: ExchangeContext,
    call: dict[str, Any] | None,
    started: float,
    response: dict[str, Any] | None = None,
    error: BaseException | None = None,
    *,
    label: str = "outbound record",
) -> None:
    if call is None:
        return
    try:
        call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
        if error is not None:
            call["error"] = error_text(error)
        elif response is not None:
            call["response"] = response
        ctx.outbound.append(call)
    except Exception:  # pragma: no cover
        count_error(label)


class recording:  # lower case: used like a function, ``with recording(ctx, call) as started:``
    """Around the library's own call (any kind: HTTP, redis, postgres, sync or ``await``ed).

    ``as`` gives the perf-counter start; inside, the context is marked as an instrumented call
    (adapters of libraries underneath pass through); should the call raise, its error and
    duration are recorded on ``call`` (``finish_call``) before the exception propagates. On
    success, recording the result is the adapter's: it knows how to read its library's answer.
    """

    __slots__ = ("_call", "_ctx", "_inner", "_label", "started")

    def __init__(
        self, ctx: ExchangeContext, call: dict[str, Any] | None, label: str = "outbound record"
    ) -> None:
        self._ctx = ctx
        self._call = call
        self._label = label
        self._inner = instrumented_call()
        self.started = 0.0

    def __enter__(self) -> float:
        self.started = time.perf_counter()
        self._inner.__enter__()
        return self.started

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is not None:
                finish_call(self._ctx, self._call, self.started, error=exc, label=self._label)
        finally:
            self._inner.__exit__(exc_type, exc, tb)


class Patch:
    """One library attribute replaced by a wrapper, the adapter's whole install step.

    ``install``/``uninstall`` are idempotent (an adapter module exposes them as its own);
    ``original`` is the replaced attribute while installed, what the wrapper calls through to.
    """

    __slots__ = ("attr", "original", "owner", "wrapper")

    def __init__(self, owner: Any, attr: str, wrapper: Any) -> None:
        self.owner = owner
        self.attr = attr
        self.wrapper = wrapper
        self.original: Any = None

    def install(self) -> bool:
        if self.original is None:
            self.original = getattr(self.owner, self.attr)
            setattr(self.owner, self.attr, self.wrapper)
        return True

    def uninstall(self) -> None:
        if self.original is not None:
            setattr(self.owner, self.attr, self.original)
            self.original = None


def replay_lookup(call: dict[str, Any]) -> dict[str, Any]:
    """Ask the replay mock for ``call``'s recorded entry. ``MockNotFound`` propagates."""
    from driftdiff_sdk import replay

    return replay.lookup(call)


def replay_http(
    call: dict[str, Any], error: Callable[..., BaseException], *context: Any
) -> tuple[int, list[tuple[str, str]], bytes, dict[str, Any]]:
    """Replay one HTTP call: the recorded ``(status, headers, body, response entry)``, headers
    as ``headers_from_entry`` gives them. A recorded failure is raised as
    ``error(class_name, message, *context)``, the library's own exception for it."""
    entry = replay_lookup(call)
    if entry.get("error") is not None or not isinstance(entry.get("response"), dict):
        raise error(*error_class_name(entry), *context)
    recorded: dict[str, Any] = entry["response"]
    data = body_from_entry(recorded)
    return int(recorded.get("status", 200)), headers_from_entry(recorded, len(data)), data, recorded


def body_from_entry(response: dict[str, Any]) -> bytes:
    """The recorded body fields turned back into bytes."""
    if "body" in response:
        return json.dumps(response["body"], ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )
    if "body_text" in response:
        return str(response["body_text"]).encode("utf-8")
    if "body_b64" in response:
        return base64.b64decode(response["body_b64"])
    return b""


def headers_from_entry(response: dict[str, Any], body_len: int) -> list[tuple[str, str]]:
    """Recorded headers as pairs, with Content-Length matching the decoded body we return."""
    pairs: list[tuple[str, str]] = []
    for name, values in (response.get("headers") or {}).items():
        if name.lower() in WIRE_ENCODING:  # not the decoded body replay hands back
            continue
        for value in values if isinstance(values, list) else [values]:
            pairs.append((name, str(value)))
    pairs.append(("content-length", str(body_len)))
    return pairs


def error_class_name(entry: dict[str, Any]) -> tuple[str, str]:
    """``"ConnectError: boom"`` → ``("ConnectError", "boom")``."""
    text = str(entry.get("error") or "error")
    name, sep, message = text.partition(": ")
    return (name, message) if sep else ("", text)
