"""redis-py: patches ``Redis.execute_command`` (every command method goes there), the pipeline's
``execute`` and ``immediate_execute_command`` (WATCH-mode commands), sync and ``redis.asyncio``.

One entry per command the app issued: ``{"kind": "redis", "command": ["SET", "k", "1"],
"result": ...}``; a pipeline is one entry whose command is ``["MULTI" | "PIPELINE", [cmd],
...]`` and whose result is the list of per-command results. Arguments are recorded in their wire
form (``b"k"``, ``"k"`` → ``"k"``; ``1`` → ``"1"``), so what matches is what Redis would receive.

Result encoding (lossless; every JSON *object* in it is a tag, so plain values never collide):
``str``/``int``/``float``/``bool``/``None`` as themselves, ``list`` as a list, ``bytes`` as
``{"$bytes": "text"}`` when UTF-8 else ``{"$b64": "..."}``, ``{"$tuple": [...]}``,
``{"$set": [...]}``, ``{"$map": [[key, value], ...]}`` (keys may be bytes),
``{"$float": "inf"}`` for non-finite floats and ``{"$error": "ResponseError: ..."}`` for an error
inside a pipeline's results (``raise_on_error=False``).

Secrets: the arguments of ``AUTH`` and ``HELLO ... AUTH user pass`` are replaced by
``[REDACTED]`` before anything is recorded or sent to the replay mock. Connection set-up (the
``AUTH``/``HELLO``/``SELECT``/``CLIENT SETINFO`` redis-py sends on connect) is not a command the
app issued and is not recorded; in replay no connection is ever opened, and the explicit
connection-level commands below are answered without a server when issued outside an exchange.
"""

from __future__ import annotations

import base64
import math
import time
from typing import Any

from driftdiff_sdk.context import ExchangeContext, current_exchange
from driftdiff_sdk.outbound import active_exchange, error_class_name, recording, replay_lookup
from driftdiff_sdk.recorder import count_error

__all__ = ["decode_value", "encode_command", "encode_value", "install", "uninstall"]

REDACTED = "[REDACTED]"
#: Explicit connection-level commands answered locally in replay outside an exchange.
_SETUP_ANSWERS: dict[str, Any] = {
    "PING": True,
    "AUTH": True,
    "SELECT": True,
    "HELLO": {},
    "CLIENT SETNAME": True,
    "CLIENT SETINFO": True,
    "READONLY": True,
    "ECHO": None,
}

_originals: dict[tuple[type, str], Any] = {}
_LABEL = "outbound redis"


# --- encoding --------------------------------------------------------------------------------


def _wire(arg: Any) -> Any:
    if isinstance(arg, (bytes, bytearray, memoryview)):
        raw = bytes(arg)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return {"$b64": base64.b64encode(raw).decode("ascii")}
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return repr(arg)
    return str(arg)


def encode_command(args: tuple[Any, ...]) -> list[Any]:
    """Wire-form arguments, command name upper-cased, secrets redacted (see ``_redact``)."""
    out = [_wire(a) for a in args]
    if out and isinstance(out[0], str):
        out[0] = out[0].upper()
        _redact(out)
    return out


def _redact(out: list[Any]) -> None:
    """``AUTH`` args; ``HELLO``/``MIGRATE`` ``AUTH pw``/``AUTH2 user pw``; ``ACL SETUSER``
    ``>pw``/``#hash``; ``CONFIG SET requirepass|masterauth value``."""
    name = out[0]
    sub = out[1].upper() if len(out) > 1 and isinstance(out[1], str) else ""
    if name == "AUTH":
        out[1:] = [REDACTED] * (len(out) - 1)
    elif name in ("HELLO", "MIGRATE"):
        for i, arg in enumerate(out):
            word = arg.upper() if isinstance(arg, str) else ""
            if word in ("AUTH", "AUTH2") and i > 0:
                span = 2 if word == "AUTH2" or name == "HELLO" else 1
                out[i + 1 : i + 1 + span] = [REDACTED] * len(out[i + 1 : i + 1 + span])
    elif name == "ACL" and sub == "SETUSER":
        out[3:] = [
            f"{a[0]}{REDACTED}" if isinstance(a, str) and a[:1] in "><#!" and a[1:] else a
            for a in out[3:]
        ]
    elif name == "CONFIG" and sub == "SET":
        for i in range(2, len(out) - 1, 2):
            if str(out[i]).lower() in ("requirepass", "masterauth", "masteruser"):
                out[i + 1] = REDACTED


def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return {"$bytes": raw.decode("utf-8")}
        except UnicodeDecodeError:
            return {"$b64": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"$set": [encode_value(v) for v in value]}
    if isinstance(value, dict):
        return {"$map": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    if isinstance(value, BaseException):
        return {"$error": f"{type(value).__name__}: {value}"}
    return {"$repr": repr(value)}


def decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((tag, inner),) = value.items()
    if tag == "$bytes":
        return str(inner).encode("utf-8")
    if tag == "$b64":
        return base64.b64decode(str(inner))
    if tag == "$tuple":
        return tuple(decode_value(v) for v in inner)
    if tag == "$set":
        return {decode_value(v) for v in inner}
    if tag == "$map":
        return {_hashable(decode_value(k)): decode_value(v) for k, v in inner}
    if tag == "$float":
        return float(inner)
    if tag == "$error":
        return _exception(str(inner))
    return inner  # "$repr": the best we have is the text


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- record / replay ---------------------------------------------------------------------------


def _exception(text: str) -> Exception:
    import redis.exceptions as rexc

    name, message = error_class_name({"error": text})
    exc_type = getattr(rexc, name, None)
    if not (isinstance(exc_type, type) and issubclass(exc_type, rexc.RedisError)):
        exc_type = (
            rexc.ConnectionError if "onnect" in name or "imeout" in name else rexc.ResponseError
        )
    return exc_type(message or name)


def _start(ctx: ExchangeContext, command: list[Any]) -> dict[str, Any]:
    return {"kind": "redis", "seq": ctx.next_seq(), "command": command}


def _finish(ctx: ExchangeContext, call: dict[str, Any], started: float, result: Any) -> Any:
    """Record a command's result (its error is ``recording``'s); returns ``result``."""
    try:
        call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
        call["result"] = encode_value(result)
        ctx.outbound.append(call)
    except Exception:  # pragma: no cover
        count_error("outbound redis")
    return result


def _recorded(
    ctx: ExchangeContext, call: dict[str, Any], original: Any, /, *args: Any, **options: Any
) -> Any:
    with recording(ctx, call, _LABEL) as started:
        result = original(*args, **options)
    return _finish(ctx, call, started, result)


def _answer(call: dict[str, Any]) -> Any:
    entry = replay_lookup(call)
    if entry.get("error") is not None:
        raise _exception(str(entry["error"]))
    return decode_value(entry.get("result"))


def _setup_answer(command: list[Any]) -> tuple[bool, Any]:
    """In replay, outside an exchange: a local answer for connection-level commands."""
    if not command or not isinstance(command[0], str):
        return False, None
    name = command[0]
    if name in ("CLIENT", "CONFIG") and len(command) > 1 and isinstance(command[1], str):
        name = f"{name} {command[1].upper()}"
    if name not in _SETUP_ANSWERS:
        return False, None
    if name == "ECHO" and len(command) > 1:
        return True, command[1]
    return True, _SETUP_ANSWERS[name]


def _replaying_outside_exchange() -> bool:
    from driftdiff_sdk.runtime import current_config

    return current_exchange() is None and current_config().mode == "replay"


def _pipeline_command(pipe: Any) -> list[Any]:
    # redis.asyncio's flag is ``is_transaction`` (its ``transaction`` is the inherited method)
    transaction = pipe.is_transaction if hasattr(pipe, "is_transaction") else pipe.transaction
    head = "MULTI" if transaction or pipe.explicit_transaction else "PIPELINE"
    return [head, *(encode_command(tuple(args)) for args, _ in pipe.command_stack)]


def _track_watch(pipe: Any, command: list[Any]) -> None:
    name = command[0] if command else ""
    if name == "WATCH":
        pipe.watching = True
    elif name in ("DISCARD", "EXEC", "UNWATCH"):
        pipe.watching = False


def _outside_exchange(args: tuple[Any, ...]) -> tuple[bool, Any]:
    """``(True, answer)`` for a connection-level command in replay outside an exchange."""
    if _replaying_outside_exchange():
        return _setup_answer(encode_command(args))
    return False, None


def _replayed(client: Any, attr: str, call: dict[str, Any]) -> Any:
    result = _answer(call)
    if attr == "immediate_execute_command":
        _track_watch(client, call["command"])
    return result


def _sync_command(attr: str) -> Any:
    def wrapper(self: Any, *args: Any, **options: Any) -> Any:
        original = _originals[(_owner(self, attr), attr)]
        ctx = active_exchange()
        if ctx is None:
            handled, value = _outside_exchange(args)
            return value if handled else original(self, *args, **options)
        call = _start(ctx, encode_command(args))
        if ctx.replay:
            return _replayed(self, attr, call)
        return _recorded(ctx, call, original, self, *args, **options)

    return wrapper


def _async_command(attr: str) -> Any:
    async def wrapper(self: Any, *args: Any, **options: Any) -> Any:
        original = _originals[(_owner(self, attr), attr)]
        ctx = active_exchange()
        if ctx is None:
            handled, value = _outside_exchange(args)
            return value if handled else await original(self, *args, **options)
        call = _start(ctx, encode_command(args))
        if ctx.replay:
            return _replayed(self, attr, call)
        with recording(ctx, call, _LABEL) as started:
            result = await original(self, *args, **options)
        return _finish(ctx, call, started, result)

    return wrapper


def _sync_execute(self: Any, raise_on_error: bool = True) -> Any:
    original = _originals[(_owner(self, "execute"), "execute")]
    ctx = active_exchange()
    if ctx is None or not self.command_stack:
        return original(self, raise_on_error)
    call = _start(ctx, _pipeline_command(self))
    if ctx.replay:
        try:
            return _answer(call)
        finally:
            self.reset()
    return _recorded(ctx, call, original, self, raise_on_error)


async def _async_execute(self: Any, raise_on_error: bool = True) -> Any:
    original = _originals[(_owner(self, "execute"), "execute")]
    ctx = active_exchange()
    if ctx is None or not self.command_stack:
        return await original(self, raise_on_error)
    call = _start(ctx, _pipeline_command(self))
    if ctx.replay:
        try:
            return _answer(call)
        finally:
            await self.reset()
    with recording(ctx, call, _LABEL) as started:
        result = await original(self, raise_on_error)
    return _finish(ctx, call, started, result)


def _owner(obj: Any, attr: str) -> type:
    for klass in type(obj).__mro__:
        if (klass, attr) in _originals:
            return klass
    raise AttributeError(attr)  # pragma: no cover - only patched classes call the wrappers


def _targets() -> list[tuple[type, str, Any]]:
    import redis
    import redis.client

    targets: list[tuple[type, str, Any]] = [
        (redis.Redis, "execute_command", _sync_command("execute_command")),
        (
            redis.client.Pipeline,
            "immediate_execute_command",
            _sync_command("immediate_execute_command"),
        ),
        (redis.client.Pipeline, "execute", _sync_execute),
    ]
    try:
        import redis.asyncio.client as aclient
    except ImportError:  # pragma: no cover - redis-py without asyncio support
        return targets
    targets += [
        (aclient.Redis, "execute_command", _async_command("execute_command")),
        (
            aclient.Pipeline,
            "immediate_execute_command",
            _async_command("immediate_execute_command"),
        ),
        (aclient.Pipeline, "execute", _async_execute),
    ]
    return targets


def install() -> bool:
    """Patch redis-py (``ImportError`` when it is not installed: the adapter is skipped)."""
    if not _originals:
        for klass, attr, wrapper in _targets():
            _originals[(klass, attr)] = klass.__dict__[attr]
            setattr(klass, attr, wrapper)
    return True


def uninstall() -> None:
    for (klass, attr), original in list(_originals.items()):
        setattr(klass, attr, original)
    _originals.clear()
