"""asyncpg in replay: connections, pools and prepared statements that never open a socket.

``connect()``/``FakePool`` are what ``asyncpg.connect``/``asyncpg.create_pool`` return in replay
mode. ``execute``/``executemany``/``fetch``/``fetchrow``/``fetchval``/``fetchmany`` (on the
connection, the pool or a prepared statement) send the call to the replay mock and return its
recorded result: rows as ``ReplayRecord`` (indexable by position and name, ``keys``/``values``/
``items``/``get``, ``dict(record)``); a recorded error is raised as the same
``asyncpg.exceptions`` class. A prepared statement's ``get_attributes()`` (columns and type oids,
which SQLAlchemy's async dialect reads before fetching) comes from a ``describe`` lookup the mock
answers with a recorded call of the same SQL. Transactions are accepted and do nothing: the
statements inside them are answered one by one. Calls outside an inbound exchange (schema set-up
at start-up, a dialect's server checks) get what ``_pg_values.startup_result`` answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Iterator
from typing import Any

from driftdiff_sdk.outbound import active_exchange, replay_lookup
from driftdiff_sdk.outbound._pg_values import (
    COPY_REFUSED,
    decode_value,
    is_copy,
    postgres_call,
    recorded_result,
    startup_result,
)

__all__ = ["FakeConnection", "FakePool", "FakePreparedStatement", "ReplayRecord", "connect"]


class ReplayRecord:
    """An ``asyncpg.Record`` rebuilt from the recording."""

    __slots__ = ("_columns", "_index", "_values")

    def __init__(self, columns: list[str], values: list[Any]) -> None:
        self._columns = tuple(columns)
        self._index: dict[str, int] = {}
        for i, name in enumerate(columns):
            self._index.setdefault(name, i)  # a repeated name reads its first column
        self._values = tuple(values)

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._index else default

    def keys(self) -> Iterator[str]:
        return iter(self._columns)

    def values(self) -> Iterator[Any]:
        return iter(self._values)

    def items(self) -> Iterator[tuple[str, Any]]:
        return zip(self._columns, self._values, strict=False)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReplayRecord):
            return self._values == other._values
        return isinstance(other, tuple) and self._values == other

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return "<Record " + " ".join(f"{k}={v!r}" for k, v in self.items()) + ">"


def _error(name: str, message: str) -> BaseException:
    import asyncpg
    import asyncpg.exceptions

    exc_type = getattr(asyncpg.exceptions, name, None) or getattr(asyncpg, name, None)
    if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
        exc_type = asyncpg.PostgresError
    return exc_type(message or name)


def _answer(query: str, args: Any, many: bool) -> dict[str, Any]:
    """The recorded result of one call; outside an exchange (start-up statements, a dialect's
    server checks) what ``startup_result`` answers."""
    if is_copy(query):
        _refuse_copy()
    ctx = active_exchange()
    if ctx is None:
        return startup_result(query)
    params = list(args[0]) if many and args else list(args)
    return recorded_result(postgres_call(ctx, query, params, many), query, _error)


def _refuse_copy(*args: Any, **kwargs: Any) -> Any:
    import asyncpg

    raise asyncpg.exceptions.FeatureNotSupportedError(COPY_REFUSED)


def _shape(query: str) -> dict[str, Any]:
    """A statement's recorded columns and type oids, asked before it runs: the mock answers a
    ``describe`` lookup with a recorded call of the same SQL and leaves it unused."""
    if active_exchange() is None:
        return startup_result(query)
    entry = replay_lookup({"kind": "postgres", "command": {"sql": query, "describe": True}})
    result = entry.get("result")
    return result if isinstance(result, dict) else {}


def _attributes(result: dict[str, Any]) -> tuple[Any, ...]:
    from asyncpg.types import Attribute, Type

    columns = [str(c) for c in result.get("columns") or []]
    types = list(result.get("types") or [None] * len(columns))
    return tuple(
        Attribute(name, Type(oid, "", "scalar", "pg_catalog"))
        for name, oid in zip(columns, types, strict=False)
    )


def _records(result: dict[str, Any]) -> list[ReplayRecord]:
    if not result:
        return []
    columns = [str(c) for c in result.get("columns") or []]
    rows = result.get("rows") or []
    return [ReplayRecord(columns, [decode_value(c, bytes) for c in row]) for row in rows]


def _value(result: dict[str, Any], column: int) -> Any:
    if not result or not result.get("rows"):
        return None
    row = result["rows"][0]
    index = 0 if result.get("api") == "fetchval" else column
    return decode_value(row[index], bytes) if index < len(row) else None


class _Queries:
    """The query methods a connection and a pool share."""

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        return str(_answer(str(query), args, False).get("status") or "")

    async def executemany(self, command: str, args: Any, *, timeout: float | None = None) -> None:
        _answer(str(command), (list(args),), True)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[ReplayRecord]:
        return _records(_answer(str(query), args, False))

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> ReplayRecord | None:
        records = _records(_answer(str(query), args, False))
        return records[0] if records else None

    async def fetchval(
        self, query: str, *args: Any, column: int = 0, timeout: float | None = None
    ) -> Any:
        return _value(_answer(str(query), args, False), column)

    async def fetchmany(self, query: str, args: Any, **kwargs: Any) -> list[ReplayRecord]:
        return _records(_answer(str(query), (list(args),), True))

    async def copy_from_query(self, *args: Any, **kwargs: Any) -> str:
        return str(_refuse_copy())

    copy_from_table = copy_to_table = copy_records_to_table = copy_from_query


class FakeTransaction:
    """``connection.transaction()``: accepted, does nothing."""

    async def start(self) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...

    async def __aenter__(self) -> FakeTransaction:
        return self

    async def __aexit__(self, *exc: object) -> None: ...


class FakePreparedStatement:
    """``await connection.prepare(query)``: each call answered from the recording."""

    def __init__(self, query: str) -> None:
        self._query = query
        self._shape: tuple[Any, ...] | None = None
        self._status: str | None = None

    def get_query(self) -> str:
        return self._query

    def get_parameters(self) -> tuple[Any, ...]:
        return ()

    def get_attributes(self) -> tuple[Any, ...]:
        """The columns (name, type oid) recorded for this SQL; a statement never recorded is
        reported by the mock like any unrecorded call."""
        if self._shape is None:
            self._shape = _attributes(_shape(self._query))
        return self._shape

    def get_statusmsg(self) -> str | None:
        return self._status

    def _run(self, args: Any, many: bool) -> dict[str, Any]:
        result = _answer(self._query, (list(args),) if many else args, many)
        status = result.get("status")
        if status is None and "rows" in result:
            status = f"SELECT {len(result['rows'])}"
        self._status = None if status is None else str(status)
        return result

    async def fetch(self, *args: Any, timeout: float | None = None) -> list[ReplayRecord]:
        return _records(self._run(args, False))

    async def fetchrow(self, *args: Any, timeout: float | None = None) -> ReplayRecord | None:
        records = _records(self._run(args, False))
        return records[0] if records else None

    async def fetchval(self, *args: Any, column: int = 0, timeout: float | None = None) -> Any:
        return _value(self._run(args, False), column)

    async def fetchmany(self, args: Any, *, timeout: float | None = None) -> list[ReplayRecord]:
        return _records(self._run(args, True))

    async def executemany(self, args: Any, *, timeout: float | None = None) -> None:
        self._run(args, True)


class FakeConnection(_Queries):
    """What ``asyncpg.connect`` gives in replay: no socket, calls answered by the mock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._closed = False

    async def prepare(self, query: str, **kwargs: Any) -> FakePreparedStatement:
        return FakePreparedStatement(str(query))

    def transaction(self, **kwargs: Any) -> FakeTransaction:
        return FakeTransaction()

    def is_in_transaction(self) -> bool:
        return False

    def is_closed(self) -> bool:
        return self._closed

    def get_server_version(self) -> Any:
        from asyncpg.types import ServerVersion

        return ServerVersion(15, 0, 0, "final", 0)

    async def set_type_codec(self, *args: Any, **kwargs: Any) -> None: ...
    async def set_builtin_type_codec(self, *args: Any, **kwargs: Any) -> None: ...
    async def reset(self, **kwargs: Any) -> None: ...
    async def reload_schema_state(self) -> None: ...

    async def close(self, **kwargs: Any) -> None:
        self._closed = True

    def terminate(self) -> None:
        self._closed = True


async def connect(*args: Any, **kwargs: Any) -> FakeConnection:
    connection = FakeConnection(*args, **kwargs)
    init: Callable[[Any], Awaitable[None]] | None = kwargs.get("init")
    if init is not None:
        await init(connection)
    return connection


class _Acquire:
    """``pool.acquire()``: awaited or used as ``async with``."""

    def __init__(self, connection: FakeConnection) -> None:
        self._connection = connection

    def __await__(self) -> Generator[Any, None, FakeConnection]:
        yield from []
        return self._connection

    async def __aenter__(self) -> FakeConnection:
        return self._connection

    async def __aexit__(self, *exc: object) -> None: ...


class FakePool(_Queries):
    """What ``asyncpg.create_pool`` gives in replay (awaitable, ``async with`` too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connection = FakeConnection()
        self._init: Callable[[Any], Awaitable[None]] | None = kwargs.get("init")
        self._closed = False

    def __await__(self) -> Generator[Any, None, FakePool]:
        if self._init is not None:
            yield from self._init(self._connection).__await__()
        return self

    async def __aenter__(self) -> FakePool:
        return await self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def acquire(self, *, timeout: float | None = None) -> _Acquire:
        return _Acquire(self._connection)

    async def release(self, connection: Any, *, timeout: float | None = None) -> None: ...

    async def close(self) -> None:
        self._closed = True

    def terminate(self) -> None:
        self._closed = True

    def is_closing(self) -> bool:
        return self._closed

    def get_size(self) -> int:
        return 1

    def get_min_size(self) -> int:
        return 1

    def get_max_size(self) -> int:
        return 1

    def get_idle_size(self) -> int:
        return 1
