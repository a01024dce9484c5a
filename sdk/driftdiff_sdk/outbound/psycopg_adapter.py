"""psycopg2: patches ``psycopg2.connect``.

* **record**: connections get a connection subclass whose ``cursor()`` hands out a subclass of
  the requested cursor class (``cursor_factory`` included: ``RealDictCursor`` keeps working).
  ``execute``/``executemany`` record ``{"kind": "postgres", "command": {"sql": ..., "params":
  [...]}, "result": {"columns": [...], "types": [oid, ...], "rows": [[...]], "rowcount": n,
  "status": "SELECT 1"}}``. Rows are read with ``fetchall()`` and the cursor is scrolled back, so
  the app still fetches everything itself. Named (server-side) cursors are recorded when
  declared, their rows as the app fetches them (``_pg_server_cursors``).
* **replay**: ``connect()`` returns a ``FakeConnection`` (``_psycopg_replay``) that never opens
  a socket; its cursors send each statement to the replay mock and serve ``fetchone``/
  ``fetchmany``/``fetchall``/iteration/``rowcount``/``description``/``statusmessage`` from the
  recorded answer (rows as tuples, dicts for ``RealDictCursor``, named tuples, ``DictRow``). A
  recorded error is raised as the same ``psycopg2.errors`` class. Statements outside an inbound
  exchange (schema set-up at start-up) get an empty result: nothing was recorded for them.

Values (params and cells) use the tagged JSON encoding every Postgres driver shares
(``_pg_values``). SQL built with ``psycopg2.sql`` is rendered
without a connection so record and replay produce the same text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound import active_exchange, recording
from driftdiff_sdk.outbound._pg_server_cursors import declared, fetched
from driftdiff_sdk.outbound._pg_values import decode_value, encode_value, postgres_call, row_values
from driftdiff_sdk.recorder import count_error

__all__ = ["decode_value", "encode_value", "install", "sql_text", "start_call", "uninstall"]

_originals: dict[str, Any] = {}
_classes: dict[type, type] = {}


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


# --- record ----------------------------------------------------------------------------------


def start_call(ctx: ExchangeContext, query: Any, vars: Any, many: bool) -> dict[str, Any] | None:
    try:
        text = sql_text(query)
    except Exception:
        count_error("outbound postgres")
        return None
    return postgres_call(ctx, text, vars, many)


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
            result["rows"] = [row_values(r) for r in rows]
        call["result"] = result
        ctx.outbound.append(call)
    except Exception:
        count_error("outbound postgres")


def _run(cursor: Any, method: Any, query: Any, vars: Any, many: bool) -> Any:
    ctx = active_exchange()
    call = None if ctx is None else start_call(ctx, query, vars, many)
    if ctx is None or call is None:
        return method(query, vars)
    with recording(ctx, call, "outbound postgres") as started:
        out = method(query, vars)
    if cursor.name is None:
        _finish(ctx, call, started, cursor)
    else:  # a named (server-side) cursor: its rows as the app fetches them
        declared(ctx, call, started, cursor)
    return out


def _fetching(found: Any) -> dict[str, Any]:
    """The fetch methods of a recording cursor class (rows of named cursors recorded)."""

    def fetchone(self: Any) -> Any:
        row = super(found, self).fetchone()
        if row is not None:
            fetched(self, [row])
        return row

    def fetchmany(self: Any, size: int | None = None) -> Any:
        parent: Any = super(found, self)
        rows = parent.fetchmany() if size is None else parent.fetchmany(size)
        fetched(self, rows)
        return rows

    def fetchall(self: Any) -> Any:
        rows = super(found, self).fetchall()
        fetched(self, rows)
        return rows

    def __iter__(self: Any) -> Iterator[Any]:
        parent: Any = super(found, self)  # its __iter__ is the cursor itself: use __next__
        while True:
            try:
                row = parent.__next__()
            except StopIteration:
                return
            fetched(self, [row])
            yield row

    return {
        "fetchone": fetchone,
        "fetchmany": fetchmany,
        "fetchall": fetchall,
        "__iter__": __iter__,
    }


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
        for name, method in _fetching(found).items():
            setattr(found, name, method)
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


def _register_type(obj: Any, scope: Any = None) -> Any:
    """``psycopg2.extensions.register_type``, which accepts only its C connection and cursor:
    on a replay connection (SQLAlchemy registers UUID, JSON and hstore casters on connect) it
    is a no-op, values coming back already typed from the recording."""
    from driftdiff_sdk.outbound._psycopg_replay import FakeConnection, FakeCursor

    if isinstance(scope, (FakeConnection, FakeCursor)):
        return None
    return _originals["register_type"](obj, scope)


def install() -> bool:
    """Patch psycopg2 (``ImportError`` when it is not installed: the adapter is skipped)."""
    import psycopg2
    import psycopg2.extensions

    if not _originals:
        _originals["connect"] = psycopg2.connect
        psycopg2.connect = _connect
        _originals["register_type"] = psycopg2.extensions.register_type
        psycopg2.extensions.register_type = _register_type
    return True


def uninstall() -> None:
    if _originals:
        import psycopg2
        import psycopg2.extensions

        psycopg2.connect = _originals.pop("connect")
        psycopg2.extensions.register_type = _originals.pop("register_type")
