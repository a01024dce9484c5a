"""psycopg2: patches ``psycopg2.connect``.

* **record**: connections get a connection subclass whose ``cursor()`` hands out a subclass of
  the requested cursor class (``cursor_factory`` included: ``RealDictCursor`` keeps working).
  ``execute``/``executemany`` record ``{"kind": "postgres", "command": {"sql": ..., "params":
  [...]}, "result": {"columns": [...], "types": [oid, ...], "rows": [[...]], "rowcount": n,
  "status": "SELECT 1"}}``. Rows are read with ``fetchall()`` and the cursor is scrolled back, so
  the app still fetches everything itself. Named (server-side) cursors are not recorded.
* **replay**: ``connect()`` returns a ``FakeConnection`` (``_psycopg_replay``) that never opens
  a socket; its cursors send each statement to the replay mock and serve ``fetchone``/
  ``fetchmany``/``fetchall``/iteration/``rowcount``/``description``/``statusmessage`` from the
  recorded answer (rows as tuples, dicts for ``RealDictCursor``, named tuples, ``DictRow``). A
  recorded error is raised as the same ``psycopg2.errors`` class. Statements outside an inbound
  exchange (schema set-up at start-up) get an empty result: nothing was recorded for them.

Values (params and cells) use a tagged JSON encoding; every JSON object in it is a tag:
``{"$decimal": "1.50"}``, ``{"$datetime": iso}``, ``{"$date": iso}``, ``{"$time": iso}``,
``{"$timedelta": [days, seconds, microseconds]}``, ``{"$uuid": "..."}``, ``{"$b64": "..."}``
(bytea), ``{"$json": value}`` (json/jsonb objects), ``{"$tuple": [...]}``, ``{"$float": "nan"}``,
``{"$repr": "..."}`` (anything else, one way). SQL built with ``psycopg2.sql`` is rendered
without a connection so record and replay produce the same text.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import time
import uuid
from decimal import Decimal
from typing import Any

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound import active_exchange, recording
from driftdiff_sdk.recorder import count_error

__all__ = ["decode_value", "encode_value", "install", "sql_text", "start_call", "uninstall"]

_originals: dict[str, Any] = {}
_classes: dict[type, type] = {}


# --- encoding --------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v) for v in value]}
    if isinstance(value, dict):
        return {"$json": value}
    adapted = getattr(value, "adapted", None)  # psycopg2.extras.Json
    if type(value).__name__ == "Json" and adapted is not None:
        return {"$json": adapted}
    return {"$repr": str(value)}


_DECODERS: dict[str, Any] = {
    "$decimal": Decimal,
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$timedelta": lambda v: dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "$uuid": uuid.UUID,
    "$b64": lambda v: memoryview(base64.b64decode(v)),
    "$json": lambda v: v,
    "$float": float,
    "$repr": lambda v: v,
}


def decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$tuple":
            return tuple(decode_value(v) for v in inner)
        decoder = _DECODERS.get(tag)
        if decoder is not None:
            return decoder(inner)
    return value


def _params(vars: Any) -> Any:
    if vars is None:
        return None
    if isinstance(vars, dict):
        return {str(k): encode_value(v) for k, v in vars.items()}
    return [encode_value(v) for v in vars]


def sql_text(query: Any) -> str:
    """The statement as text; ``psycopg2.sql`` objects rendered without a connection."""
    if isinstance(query, str):
        return query
    if isinstance(query, (bytes, bytearray, memoryview)):
        return bytes(query).decode("utf-8", "replace")
    from psycopg2 import sql

    if isinstance(query, sql.Composed):
        return "".join(sql_text(part) for part in query.seq)
    if isinstance(query, sql.SQL):
        return str(query.string)
    if isinstance(query, sql.Identifier):
        return ".".join('"' + s.replace('"', '""') + '"' for s in query.strings)
    if isinstance(query, sql.Placeholder):
        return f"%({query.name})s" if query.name else "%s"
    if isinstance(query, sql.Literal):
        return quote(query.wrapped)
    return str(query)


def quote(value: Any) -> str:
    from psycopg2.extensions import adapt

    try:
        quoted = adapt(value).getquoted()
    except Exception:
        return repr(value)
    return quoted.decode("utf-8", "replace") if isinstance(quoted, bytes) else str(quoted)


def _row_values(row: Any) -> list[Any]:
    if isinstance(row, dict):
        return [encode_value(v) for v in row.values()]
    return [encode_value(v) for v in row]


# --- record ----------------------------------------------------------------------------------


def start_call(ctx: ExchangeContext, query: Any, vars: Any, many: bool) -> dict[str, Any] | None:
    try:
        command: dict[str, Any] = {"sql": sql_text(query)}
        if many:
            command["params"] = [_params(v) for v in vars]
            command["many"] = True
        else:
            command["params"] = _params(vars)
        return {"kind": "postgres", "seq": ctx.next_seq(), "command": command}
    except Exception:
        count_error("outbound postgres")
        return None


def _finish(ctx: ExchangeContext, call: dict[str, Any], started: float, cursor: Any) -> None:
    """Record a statement's result (its error is ``recording``'s)."""
    try:
        call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
        result: dict[str, Any] = {"rowcount": cursor.rowcount, "status": cursor.statusmessage}
        if cursor.description is not None:
            rows = cursor.fetchall()
            if rows:  # the app fetches the same rows itself (scroll(0) fails when empty)
                cursor.scroll(0, mode="absolute")
            result["columns"] = [d.name for d in cursor.description]
            result["types"] = [d.type_code for d in cursor.description]
            result["rows"] = [_row_values(r) for r in rows]
        call["result"] = result
        ctx.outbound.append(call)
    except Exception:
        count_error("outbound postgres")


def _run(cursor: Any, method: Any, query: Any, vars: Any, many: bool) -> Any:
    ctx = active_exchange()
    call = None if ctx is None or cursor.name is not None else start_call(ctx, query, vars, many)
    if ctx is None or call is None:
        return method(query, vars)
    with recording(ctx, call, "outbound postgres") as started:
        out = method(query, vars)
    _finish(ctx, call, started, cursor)
    return out


def _recording_class(base: type) -> type:
    found = _classes.get(base)
    if found is None:

        def execute(self: Any, query: Any, vars: Any = None) -> Any:
            return _run(self, super(found, self).execute, query, vars, False)  # type: ignore[arg-type]

        def executemany(self: Any, query: Any, vars_list: Any) -> Any:
            vars_list = list(vars_list)
            return _run(self, super(found, self).executemany, query, vars_list, True)  # type: ignore[arg-type]

        found = type(
            f"DriftDiff{base.__name__}", (base,), {"execute": execute, "executemany": executemany}
        )
        _classes[base] = found
    return found


def _recording_connection(base: type) -> type:
    found = _classes.get(base)
    if found is None:

        def cursor(self: Any, *args: Any, **kwargs: Any) -> Any:
            from psycopg2.extensions import cursor as plain

            if len(args) > 1:
                kwargs["cursor_factory"], args = args[1], args[:1]
            factory = kwargs.get("cursor_factory") or self.cursor_factory or plain
            kwargs["cursor_factory"] = _recording_class(factory)
            return super(found, self).cursor(*args, **kwargs)  # type: ignore[arg-type]

        found = type(f"DriftDiff{base.__name__}", (base,), {"cursor": cursor})
        _classes[base] = found
    return found


# --- install ---------------------------------------------------------------------------------


def _connect(
    dsn: Any = None, connection_factory: Any = None, cursor_factory: Any = None, **kwargs: Any
) -> Any:
    from driftdiff_sdk.runtime import current_config

    if current_config().mode == "replay":
        from driftdiff_sdk.outbound._psycopg_replay import FakeConnection

        return FakeConnection(str(dsn or ""), cursor_factory)
    import psycopg2.extensions

    base = connection_factory or psycopg2.extensions.connection
    return _originals["connect"](
        dsn, connection_factory=_recording_connection(base), cursor_factory=cursor_factory, **kwargs
    )


def install() -> bool:
    """Patch psycopg2 (``ImportError`` when it is not installed: the adapter is skipped)."""
    import psycopg2

    if not _originals:
        _originals["connect"] = psycopg2.connect
        psycopg2.connect = _connect
    return True


def uninstall() -> None:
    if _originals:
        import psycopg2

        psycopg2.connect = _originals.pop("connect")
