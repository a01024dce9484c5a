"""asyncpg: connections, pools, prepared statements, recorded and replayed as kind ``postgres``.

* **record**: ``Connection.execute``/``executemany``/``fetch``/``fetchrow``/``fetchval``/
  ``fetchmany`` and ``PreparedStatement.fetch``/``fetchrow``/``fetchval``/``fetchmany``/
  ``executemany`` are patched on the classes (a pool's methods go through them). Each call is
  recorded like a psycopg statement (``_pg_values``): ``{"command": {"sql", "params",
  "many"?}, "result": {"api", "columns", "rows", "rowcount", "status"}}``, ``api`` the method
  that ran (``fetchval`` records its one value as a one-cell row); a prepared statement's also
  hold its ``columns``, type oids (``types``) and ``status`` from ``get_attributes()``/
  ``get_statusmsg()``, which SQLAlchemy's async dialect reads before it fetches. Transaction control
  (``BEGIN``/``COMMIT``/savepoints) and the reset a pool runs on release are the driver's
  bookkeeping, not the app's statements: they are not recorded.
* **replay**: ``asyncpg.connect``/``asyncpg.create_pool`` return fakes (``_asyncpg_replay``)
  that never open a socket and answer each call from its recorded result.
"""

from __future__ import annotations

import time
from typing import Any

from driftdiff_sdk.context import ExchangeContext, instrumented_call
from driftdiff_sdk.outbound import active_exchange, recording
from driftdiff_sdk.outbound._pg_values import encode_value, postgres_call, row_values
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "record_result", "statement_shape", "uninstall"]

_originals: dict[tuple[str, str], Any] = {}

#: (method, takes a list of argument tuples) of ``Connection`` and ``PreparedStatement``
_CONNECTION_METHODS = {
    "execute": False,
    "executemany": True,
    "fetch": False,
    "fetchrow": False,
    "fetchval": False,
    "fetchmany": True,
}
_STATEMENT_METHODS = ("fetch", "fetchrow", "fetchval", "fetchmany", "executemany")


def record_result(api: str, out: Any) -> dict[str, Any]:
    """What one call returned, as the recorded ``result``."""
    result: dict[str, Any] = {"api": api}
    if api == "execute":
        result["status"] = out if isinstance(out, str) else None
    elif api == "fetchval":
        result["rows"] = [[encode_value(out)]]
    elif api in ("fetch", "fetchmany", "fetchrow"):
        records = [] if out is None else [out] if api == "fetchrow" else list(out)
        result["columns"] = list(records[0].keys()) if records else []
        result["rows"] = [row_values(r) for r in records]
        result["rowcount"] = len(records)
    return result


def statement_shape(statement: Any) -> dict[str, Any]:
    """A prepared statement's columns, their type oids and its status line: what replay's
    ``get_attributes``/``get_statusmsg`` answer (SQLAlchemy's dialect reads them)."""
    attributes = statement.get_attributes()
    return {
        "columns": [a.name for a in attributes],
        "types": [a.type.oid for a in attributes],
        "status": statement.get_statusmsg(),
    }


async def _run(
    ctx: ExchangeContext | None,
    call: dict[str, Any] | None,
    api: str,
    run: Any,
    statement: Any = None,
) -> Any:
    if ctx is None or call is None:
        return await run()
    with recording(ctx, call, "outbound postgres") as started:
        out = await run()
    try:
        call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
        call["result"] = record_result(api, out)
        if statement is not None:
            call["result"].update(statement_shape(statement))
        ctx.outbound.append(call)
    except Exception:
        count_error("outbound postgres")
    return out


def _connection_method(api: str, many: bool) -> Any:
    async def method(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        original = _originals[("Connection", api)]
        ctx = active_exchange()
        params = list(args[0]) if many and args else list(args)
        call = None if ctx is None else postgres_call(ctx, str(query), params, many)
        return await _run(ctx, call, api, lambda: original(self, query, *args, **kwargs))

    method.__name__ = api
    return method


def _statement_method(api: str) -> Any:
    many = api in ("fetchmany", "executemany")

    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        original = _originals[("PreparedStatement", api)]
        ctx = active_exchange()
        params = list(args[0]) if many and args else list(args)
        query = str(self.get_query())
        call = None if ctx is None else postgres_call(ctx, query, params, many)
        return await _run(ctx, call, api, lambda: original(self, *args, **kwargs), self)

    method.__name__ = api
    return method


def _bookkeeping(owner: str, name: str) -> Any:
    """A driver method whose statements are not the app's (run as an instrumented call)."""

    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with instrumented_call():
            return await _originals[(owner, name)](self, *args, **kwargs)

    method.__name__ = name
    return method


def _connect(*args: Any, **kwargs: Any) -> Any:
    from driftdiff_sdk.runtime import current_config

    if current_config().mode == "replay":
        from driftdiff_sdk.outbound._asyncpg_replay import connect

        return connect(*args, **kwargs)
    return _originals[("asyncpg", "connect")](*args, **kwargs)


def _create_pool(*args: Any, **kwargs: Any) -> Any:
    from driftdiff_sdk.runtime import current_config

    if current_config().mode == "replay":
        from driftdiff_sdk.outbound._asyncpg_replay import FakePool

        return FakePool(*args, **kwargs)
    return _originals[("asyncpg", "create_pool")](*args, **kwargs)


def _targets() -> list[tuple[Any, str, str, Any]]:
    import asyncpg
    import asyncpg.connection
    import asyncpg.pool
    import asyncpg.prepared_stmt
    import asyncpg.transaction

    conn, stmt = asyncpg.connection.Connection, asyncpg.prepared_stmt.PreparedStatement
    tx = asyncpg.transaction.Transaction
    out: list[tuple[Any, str, str, Any]] = [
        (conn, "Connection", api, _connection_method(api, many))
        for api, many in _CONNECTION_METHODS.items()
    ]
    out += [(stmt, "PreparedStatement", api, _statement_method(api)) for api in _STATEMENT_METHODS]
    out += [(conn, "Connection", "reset", _bookkeeping("Connection", "reset"))]
    out += [
        (tx, "Transaction", name, _bookkeeping("Transaction", name))
        for name in ("start", "commit", "rollback", "__aenter__", "__aexit__")
    ]
    out += [
        (asyncpg, "asyncpg", "connect", _connect),
        (asyncpg.connection, "asyncpg.connection", "connect", _connect),
        (asyncpg, "asyncpg", "create_pool", _create_pool),
        (asyncpg.pool, "asyncpg.pool", "create_pool", _create_pool),
    ]
    return out


def install() -> bool:
    """Patch asyncpg (``ImportError`` when it is not installed: the adapter is skipped)."""
    if not _originals:
        for owner, name, attr, wrapper in _targets():
            _originals[(name, attr)] = (
                owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
            )
            setattr(owner, attr, wrapper)
    return True


def uninstall() -> None:
    if _originals:
        for owner, name, attr, _ in _targets():
            setattr(owner, attr, _originals.pop((name, attr)))
