"""psycopg 3 (``psycopg``): sync and async cursors, recorded and replayed as kind ``postgres``.

* **record**: ``Cursor.execute``/``executemany`` and ``AsyncCursor.execute``/``executemany`` are
  patched on the classes (every client-side cursor and ``Connection.execute``).
  A statement is recorded exactly as psycopg2's (``psycopg_adapter``), with the values encoding
  of ``_pg_values``: ``{"command": {"sql", "params", "many"?}, "result": {"columns", "types",
  "rows", "rowcount", "status"}}``. Rows are read as tuples with ``fetchall()`` and the cursor is
  scrolled back, so the app still fetches everything itself with its own row factory.
  Server-side (named) cursors are recorded when declared, their rows as the app fetches them
  (``_pg_server_cursors``); ``COPY`` is not recorded; ``executemany(returning=True)``
  keeps its row count and status, not its rows.
* **replay**: ``Connection.connect``/``AsyncConnection.connect`` (``psycopg.connect``) return a
  fake connection (``_psycopg3_replay``) that never opens a socket; ``TypeInfo.fetch`` (which
  SQLAlchemy's dialect calls on connect) accepts it and sends its catalog query through it.
"""

from __future__ import annotations

import time
from typing import Any

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound import active_exchange, recording
from driftdiff_sdk.outbound._pg_server_cursors import declared, fetched
from driftdiff_sdk.outbound._pg_values import postgres_call, row_values
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "sql_text", "start_call", "uninstall"]

_originals: dict[tuple[Any, str], Any] = {}


def sql_text(query: Any) -> str:
    """The statement as text; ``psycopg.sql`` objects rendered without a connection (the same
    text in record and replay)."""
    if isinstance(query, str):
        return query
    if isinstance(query, (bytes, bytearray, memoryview)):
        return bytes(query).decode("utf-8", "replace")
    return str(query.as_string(None))


def start_call(ctx: ExchangeContext, query: Any, params: Any, many: bool) -> dict[str, Any] | None:
    try:
        text = sql_text(query)
    except Exception:
        count_error("outbound postgres")
        return None
    return postgres_call(ctx, text, params, many)


def _result(cursor: Any, rows: list[Any] | None) -> dict[str, Any]:
    result: dict[str, Any] = {"rowcount": cursor.rowcount, "status": cursor.statusmessage}
    if rows is not None and cursor.description is not None:
        result["columns"] = [d.name for d in cursor.description]
        result["types"] = [d.type_code for d in cursor.description]
        result["rows"] = [row_values(r) for r in rows]
    return result


def _store(ctx: ExchangeContext, call: dict[str, Any], started: float, result: Any) -> None:
    call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
    call["result"] = result
    ctx.outbound.append(call)


def _read_rows(cursor: Any) -> list[Any] | None:
    """All rows as tuples, the cursor left where it was (its own row factory restored)."""
    if cursor.description is None:
        return None
    from psycopg.rows import tuple_row

    factory, position = cursor.row_factory, cursor.rownumber
    cursor.row_factory = tuple_row
    try:
        rows: list[Any] = cursor.fetchall()
        if rows:
            cursor.scroll(position or 0, mode="absolute")
    finally:
        cursor.row_factory = factory
    return rows


async def _read_rows_async(cursor: Any) -> list[Any] | None:
    if cursor.description is None:
        return None
    from psycopg.rows import tuple_row

    factory, position = cursor.row_factory, cursor.rownumber
    cursor.row_factory = tuple_row
    try:
        rows: list[Any] = await cursor.fetchall()
        if rows:
            await cursor.scroll(position or 0, mode="absolute")
    finally:
        cursor.row_factory = factory
    return rows


def _execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
    original = _originals[("Cursor", "execute")]
    ctx = active_exchange()
    call = None if ctx is None else start_call(ctx, query, params, False)
    if ctx is None or call is None:
        return original(self, query, params, **kwargs)
    with recording(ctx, call, "outbound postgres") as started:
        out = original(self, query, params, **kwargs)
    try:
        _store(ctx, call, started, _result(self, _read_rows(self)))
    except Exception:
        count_error("outbound postgres")
    return out


def _executemany(self: Any, query: Any, params_seq: Any, **kwargs: Any) -> Any:
    original = _originals[("Cursor", "executemany")]
    ctx = active_exchange()
    params_seq = list(params_seq)
    call = None if ctx is None else start_call(ctx, query, params_seq, True)
    if ctx is None or call is None:
        return original(self, query, params_seq, **kwargs)
    with recording(ctx, call, "outbound postgres") as started:
        out = original(self, query, params_seq, **kwargs)
    try:
        _store(ctx, call, started, _result(self, None))
    except Exception:
        count_error("outbound postgres")
    return out


async def _execute_async(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
    original = _originals[("AsyncCursor", "execute")]
    ctx = active_exchange()
    call = None if ctx is None else start_call(ctx, query, params, False)
    if ctx is None or call is None:
        return await original(self, query, params, **kwargs)
    with recording(ctx, call, "outbound postgres") as started:
        out = await original(self, query, params, **kwargs)
    try:
        _store(ctx, call, started, _result(self, await _read_rows_async(self)))
    except Exception:
        count_error("outbound postgres")
    return out


async def _executemany_async(self: Any, query: Any, params_seq: Any, **kwargs: Any) -> Any:
    original = _originals[("AsyncCursor", "executemany")]
    ctx = active_exchange()
    params_seq = list(params_seq)
    call = None if ctx is None else start_call(ctx, query, params_seq, True)
    if ctx is None or call is None:
        return await original(self, query, params_seq, **kwargs)
    with recording(ctx, call, "outbound postgres") as started:
        out = await original(self, query, params_seq, **kwargs)
    try:
        _store(ctx, call, started, _result(self, None))
    except Exception:
        count_error("outbound postgres")
    return out


def _declare_gen(self: Any, query: Any, params: Any = None, binary: Any = None) -> Any:
    """``ServerCursorMixin._declare_gen`` (``ServerCursor``/``AsyncServerCursor.execute``)."""
    original = _originals[("ServerCursorMixin", "_declare_gen")]
    ctx = active_exchange()
    call = None if ctx is None else start_call(ctx, query, params, False)
    if ctx is None or call is None:
        return (yield from original(self, query, params, binary))
    with recording(ctx, call, "outbound postgres") as started:
        out = yield from original(self, query, params, binary)
    declared(ctx, call, started, self)
    return out


def _fetch_gen(self: Any, num: Any) -> Any:
    """``ServerCursorMixin._fetch_gen``: every fetch of a server-side cursor, sync or async."""
    rows = yield from _originals[("ServerCursorMixin", "_fetch_gen")](self, num)
    fetched(self, rows)
    return rows


def _connect(cls: Any, /, conninfo: str = "", **kwargs: Any) -> Any:
    from driftdiff_sdk.runtime import current_config

    if current_config().mode == "replay":
        from driftdiff_sdk.outbound._psycopg3_replay import FakeConnection

        return FakeConnection(conninfo, **kwargs)
    return _originals[("Connection", "connect")].__get__(None, cls)(conninfo, **kwargs)


async def _connect_async(cls: Any, /, conninfo: str = "", **kwargs: Any) -> Any:
    from driftdiff_sdk.runtime import current_config

    if current_config().mode == "replay":
        from driftdiff_sdk.outbound._psycopg3_replay import AsyncFakeConnection

        return AsyncFakeConnection(conninfo, **kwargs)
    return await _originals[("AsyncConnection", "connect")].__get__(None, cls)(conninfo, **kwargs)


def _type_info(cls: Any, conn: Any, name: Any) -> Any:
    """``TypeInfo.fetch`` (and its subclasses') on a replay connection: psycopg's own catalog
    query sent through the replay cursor, so inside an exchange it is answered from the
    recording (where the real query was recorded like any other) and at start-up (SQLAlchemy's
    hstore check) it finds no type. A coroutine on an async connection, as psycopg's is."""
    import psycopg
    from psycopg import sql
    from psycopg.rows import dict_row

    from driftdiff_sdk.outbound._psycopg3_replay import AsyncFakeConnection

    if isinstance(name, sql.Composable):
        name = name.as_string(None)
    query = cls._get_info_query(conn)
    if isinstance(conn, AsyncFakeConnection):

        async def fetch_async() -> Any:
            cursor = conn.cursor(row_factory=dict_row)
            try:
                await cursor.execute(query, {"name": name})
            except psycopg.errors.UndefinedObject:
                return None
            return cls._from_records(name, await cursor.fetchall())

        return fetch_async()
    cursor = conn.cursor(row_factory=dict_row)
    try:
        cursor.execute(query, {"name": name})
    except psycopg.errors.UndefinedObject:
        return None
    return cls._from_records(name, cursor.fetchall())


def _type_info_fetch(cls: Any, conn: Any, name: Any) -> Any:
    """``TypeInfo.fetch``, which accepts only psycopg's own connection classes: on a replay
    connection its query goes through the replay cursor (``_type_info``)."""
    from driftdiff_sdk.outbound._psycopg3_replay import ReplayConnection

    if isinstance(conn, ReplayConnection):
        return _type_info(cls, conn, name)
    return _originals[("TypeInfo", "fetch")].__get__(None, cls)(conn, name)


def _targets() -> list[tuple[Any, str, str, Any]]:
    import psycopg
    from psycopg._server_cursor_base import ServerCursorMixin
    from psycopg.types import TypeInfo

    return [
        (ServerCursorMixin, "ServerCursorMixin", "_declare_gen", _declare_gen),
        (ServerCursorMixin, "ServerCursorMixin", "_fetch_gen", _fetch_gen),
        (TypeInfo, "TypeInfo", "fetch", classmethod(_type_info_fetch)),
        (psycopg.Cursor, "Cursor", "execute", _execute),
        (psycopg.Cursor, "Cursor", "executemany", _executemany),
        (psycopg.AsyncCursor, "AsyncCursor", "execute", _execute_async),
        (psycopg.AsyncCursor, "AsyncCursor", "executemany", _executemany_async),
        (psycopg.Connection, "Connection", "connect", classmethod(_connect)),
        (psycopg.AsyncConnection, "AsyncConnection", "connect", classmethod(_connect_async)),
    ]


def install() -> bool:
    """Patch psycopg 3 (``ImportError`` when it is not installed: the adapter is skipped)."""
    import psycopg

    if not _originals:
        for owner, name, attr, wrapper in _targets():
            _originals[(name, attr)] = owner.__dict__[attr]
            setattr(owner, attr, wrapper)
        _originals[("psycopg", "connect")] = psycopg.connect
        psycopg.connect = psycopg.Connection.connect  # the module's alias of the classmethod
    return True


def uninstall() -> None:
    if _originals:
        import psycopg

        for owner, name, attr, _ in _targets():
            setattr(owner, attr, _originals.pop((name, attr)))
        psycopg.connect = _originals.pop(("psycopg", "connect"))
