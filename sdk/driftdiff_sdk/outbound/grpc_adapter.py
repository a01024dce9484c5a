"""grpcio client: unary-unary and unary-stream calls recorded and replayed as kind ``grpc``.

* **record**: ``grpc.insecure_channel``/``grpc.secure_channel`` return the channel wrapped by a
  client interceptor (``grpc.intercept_channel``). Each call is recorded as ``{"kind": "grpc",
  "command": {"method": "/pkg.Service/Method", "type": "unary_unary" | "unary_stream",
  "request": {...}}, "result": {"code": "OK", "details": ..., "messages": [{...}],
  "trailing_metadata": {...}}}``, protobuf messages as JSON (``json_format.MessageToDict``,
  field names as in the .proto). A stream's messages are recorded as the app reads them.
  Request metadata is not recorded; redaction treats messages as JSON and trailing metadata
  as headers (``_share``).
* **replay**: the two factories return a fake channel (``_grpc_replay``) that never connects:
  each call is answered from the recording, responses rebuilt with the response class of the
  method's deserializer (``Reply.FromString``), a recorded failure raised as an
  ``grpc.RpcError`` with the recorded ``code()``/``details()``. Client-streaming calls are
  refused (``UNIMPLEMENTED``): they are not recorded.

Channels created with ``from grpc import insecure_channel`` before the SDK starts are not seen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound import active_exchange, recording
from driftdiff_sdk.recorder import count_error

__all__ = ["grpc_call", "install", "message_json", "uninstall"]

_originals: dict[str, Any] = {}


def message_json(message: Any) -> Any:
    """A protobuf message as JSON (anything else as its text, one way)."""
    try:
        from google.protobuf import json_format
        from google.protobuf.message import Message
    except ImportError:  # pragma: no cover - grpcio always brings protobuf along
        return {"$repr": repr(message)}
    if isinstance(message, Message):
        return json_format.MessageToDict(message, preserving_proto_field_name=True)
    return {"$repr": repr(message)}


def metadata_map(metadata: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in metadata or ():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        out.setdefault(str(key).lower(), []).append(text)
    return out


def grpc_call(ctx: ExchangeContext, method: Any, kind: str, request: Any) -> dict[str, Any] | None:
    try:
        name = method.decode("utf-8") if isinstance(method, bytes) else str(method)
        command = {"method": name, "type": kind, "request": message_json(request)}
        return {"kind": "grpc", "seq": ctx.next_seq(), "command": command}
    except Exception:
        count_error("outbound grpc")
        return None


def _status(outcome: Any) -> dict[str, Any]:
    code = outcome.code()
    return {
        "code": getattr(code, "name", str(code)),
        "details": outcome.details(),
        "trailing_metadata": metadata_map(outcome.trailing_metadata()),
    }


class _RecordedStream:
    """A server stream handed to the app; each message it reads is added to the recording."""

    def __init__(self, inner: Any, result: dict[str, Any]) -> None:
        self._inner = inner
        self._result = result

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            message = next(self._inner)
        except StopIteration:
            self._finish()
            raise
        except Exception:
            self._finish()
            raise
        try:
            self._result["messages"].append(message_json(message))
        except Exception:
            count_error("outbound grpc")
        return message

    def _finish(self) -> None:
        try:
            self._result.update(_status(self._inner))
        except Exception:
            count_error("outbound grpc")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _interceptor() -> Any:
    import grpc

    class Interceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
        def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
            ctx = active_exchange()
            call = None if ctx is None else grpc_call(ctx, details.method, "unary_unary", request)
            if ctx is None or call is None:
                return continuation(details, request)
            with recording(ctx, call, "outbound grpc") as started:
                outcome = continuation(details, request)
                failed = outcome.exception()  # waits for the answer
            try:
                result = _status(failed if failed is not None else outcome)
                result["messages"] = [] if failed is not None else [message_json(outcome.result())]
                call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
                call["result"] = result
                ctx.outbound.append(call)
            except Exception:
                count_error("outbound grpc")
            return outcome

        def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
            ctx = active_exchange()
            call = None if ctx is None else grpc_call(ctx, details.method, "unary_stream", request)
            if ctx is None or call is None:
                return continuation(details, request)
            with recording(ctx, call, "outbound grpc"):
                stream = continuation(details, request)
            result: dict[str, Any] = {"code": None, "messages": []}
            call["result"] = result
            ctx.outbound.append(call)  # filled in as the app reads the stream
            return _RecordedStream(stream, result)

    return Interceptor()


def _channel(factory: str) -> Any:
    def make(target: Any, *args: Any, **kwargs: Any) -> Any:
        from driftdiff_sdk.runtime import current_config

        if current_config().mode == "replay":
            from driftdiff_sdk.outbound._grpc_replay import FakeChannel

            return FakeChannel(target)
        import grpc

        channel = _originals[factory](target, *args, **kwargs)
        return grpc.intercept_channel(channel, _interceptor())

    make.__name__ = factory
    return make


def install() -> bool:
    """Patch grpcio (``ImportError`` when it is not installed: the adapter is skipped)."""
    import grpc

    if not _originals:
        for factory in ("insecure_channel", "secure_channel"):
            _originals[factory] = getattr(grpc, factory)
            setattr(grpc, factory, _channel(factory))
    return True


def uninstall() -> None:
    if _originals:
        import grpc

        for factory in ("insecure_channel", "secure_channel"):
            setattr(grpc, factory, _originals.pop(factory))
