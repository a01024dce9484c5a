"""grpcio in replay: a channel that never connects, its calls answered from the recording."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from driftdiff_sdk.outbound import active_exchange, replay_lookup
from driftdiff_sdk.outbound.grpc_adapter import grpc_call

__all__ = ["FakeChannel", "ReplayRpcError"]

_STREAMING_REFUSED = "driftdiff replay does not answer client-streaming gRPC calls (not recorded)"


def _code(name: Any) -> Any:
    import grpc

    return getattr(grpc.StatusCode, str(name or "UNKNOWN"), grpc.StatusCode.UNKNOWN)


def _pairs(metadata: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(metadata, dict):
        return ()
    return tuple((k, str(v)) for k, values in metadata.items() for v in values or ())


class _Recorded:
    """What a recorded call answers about itself (``grpc.Call``), from its recorded result:
    shared by the error a failed call raises and the call object of ``with_call``/``future``."""

    _result: dict[str, Any]

    def code(self) -> Any:
        return _code(self._result.get("code"))

    def details(self) -> str | None:
        details = self._result.get("details")
        return None if details is None else str(details)

    def trailing_metadata(self) -> Any:
        return _pairs(self._result.get("trailing_metadata"))

    def initial_metadata(self) -> Any:
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> float | None:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: Any) -> bool:
        return False


def _error_base() -> type:
    import grpc

    class ReplayRpcError(_Recorded, grpc.RpcError, grpc.Call):  # type: ignore[misc]
        """A recorded gRPC failure: ``code()``, ``details()``, ``trailing_metadata()``."""

        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__(result.get("details"))
            self._result = result

        def __str__(self) -> str:
            return f"<ReplayRpcError {self._result.get('code')}: {self.details()}>"

    return ReplayRpcError


_ERROR: type | None = None


def ReplayRpcError(result: dict[str, Any]) -> BaseException:
    global _ERROR
    if _ERROR is None:
        _ERROR = _error_base()
    error: BaseException = _ERROR(result)
    return error


def _message(deserializer: Any, data: Any) -> Any:
    """A recorded JSON message as the class ``deserializer`` (``Reply.FromString``) builds."""
    cls = getattr(deserializer, "__self__", None)
    if not isinstance(cls, type):
        return data
    from google.protobuf import json_format

    return json_format.ParseDict(data, cls(), ignore_unknown_fields=True)


def _answer(method: str, kind: str, request: Any) -> dict[str, Any]:
    ctx = active_exchange()
    if ctx is None:
        return {"code": "UNAVAILABLE", "details": "driftdiff replay: no request is being replayed"}
    call = grpc_call(ctx, method, kind, request)
    entry = replay_lookup(call or {"kind": "grpc", "command": {"method": method}})
    result = entry.get("result")
    return result if isinstance(result, dict) else {"code": "UNKNOWN"}


class _Call(_Recorded):
    """The ``grpc.Call`` half of ``with_call``/``future``."""

    def __init__(self, result: dict[str, Any], response: Any = None) -> None:
        self._result = result
        self._response = response

    def cancelled(self) -> bool:
        return False

    def running(self) -> bool:
        return False

    def done(self) -> bool:
        return True

    def result(self, timeout: float | None = None) -> Any:
        if self._result.get("code") != "OK":
            raise ReplayRpcError(self._result)
        return self._response

    def exception(self, timeout: float | None = None) -> BaseException | None:
        return None if self._result.get("code") == "OK" else ReplayRpcError(self._result)

    def add_done_callback(self, fn: Callable[[Any], None]) -> None:
        fn(self)


class _UnaryUnary:
    def __init__(self, method: str, deserializer: Any) -> None:
        self._method = method
        self._deserializer = deserializer

    def _call(self, request: Any) -> _Call:
        result = _answer(self._method, "unary_unary", request)
        messages = result.get("messages") or []
        response = _message(self._deserializer, messages[0]) if messages else None
        return _Call(result, response)

    def __call__(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self._call(request).result()

    def with_call(self, request: Any, *args: Any, **kwargs: Any) -> tuple[Any, _Call]:
        call = self._call(request)
        return call.result(), call

    def future(self, request: Any, *args: Any, **kwargs: Any) -> _Call:
        return self._call(request)


class _Stream(_Call):
    """A server stream: the recorded messages, then the recorded status."""

    def __init__(self, result: dict[str, Any], messages: list[Any]) -> None:
        super().__init__(result)
        self._messages = iter(messages)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        message = next(self._messages, _Stream)
        if message is _Stream:
            if self._result.get("code") not in ("OK", None):
                raise ReplayRpcError(self._result)
            raise StopIteration
        return message


class _UnaryStream:
    def __init__(self, method: str, deserializer: Any) -> None:
        self._method = method
        self._deserializer = deserializer

    def __call__(self, request: Any, *args: Any, **kwargs: Any) -> _Stream:
        result = _answer(self._method, "unary_stream", request)
        messages = [_message(self._deserializer, m) for m in result.get("messages") or []]
        return _Stream(result, messages)


class _Refused:
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise ReplayRpcError({"code": "UNIMPLEMENTED", "details": _STREAMING_REFUSED})

    with_call = future = __call__


class FakeChannel:
    """What ``grpc.insecure_channel``/``secure_channel`` return in replay."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def unary_unary(
        self,
        method: str,
        request_serializer: Any = None,
        response_deserializer: Any = None,
        **kw: Any,
    ) -> _UnaryUnary:
        return _UnaryUnary(method, response_deserializer)

    def unary_stream(
        self,
        method: str,
        request_serializer: Any = None,
        response_deserializer: Any = None,
        **kw: Any,
    ) -> _UnaryStream:
        return _UnaryStream(method, response_deserializer)

    def stream_unary(self, *args: Any, **kwargs: Any) -> _Refused:
        return _Refused()

    def stream_stream(self, *args: Any, **kwargs: Any) -> _Refused:
        return _Refused()

    def subscribe(self, callback: Callable[[Any], None], try_to_connect: bool = False) -> None:
        import grpc

        callback(grpc.ChannelConnectivity.READY)

    def unsubscribe(self, callback: Any) -> None: ...
    def close(self) -> None: ...

    def __enter__(self) -> FakeChannel:
        return self

    def __exit__(self, *exc: object) -> None: ...
