"""psycopg 3 in replay: connections and cursors (sync and async) that never open a socket.

``FakeConnection``/``AsyncFakeConnection`` are what ``psycopg.connect`` /
``AsyncConnection.connect`` return in replay mode. Each statement goes to the replay mock and
``fetchone``/``fetchmany``/``fetchall``/iteration/``scroll``/``rowcount``/``description``/
``statusmessage`` are served from the recorded answer, rows built by the cursor's own row factory
(``tuple_row``, ``dict_row``, ``namedtuple_row``, ``class_row``...). A recorded error is raised as
the same ``psycopg.errors`` class. ``COPY`` is refused with ``psycopg.NotSupportedError``: it is
not recorded, so replay cannot answer it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

from driftdiff_sdk.outbound import active_exchange
from driftdiff_sdk.outbound._pg_values import (
    COPY_REFUSED,
    decode_value,
    is_copy,
    recorded_result,
    startup_result,
)
from driftdiff_sdk.outbound.psycopg3_adapter import sql_text, start_call

__all__ = [
    "AsyncFakeConnection",
    "AsyncFakeCursor",
    "FakeConnection",
    "FakeCursor",
    "ReplayConnection",
]


class Column(NamedTuple):
    """What ``cursor.description`` holds (the DBAPI 7 fields)."""

    name: str
    type_code: Any
    display_size: Any = None
    internal_size: Any = None
    precision: Any = None
    scale: Any = None
    null_ok: Any = None


class _Result:
    """The few ``PGresult`` members psycopg's row factories read (names, status)."""

    def __init__(self, columns: list[str], ntuples: int) -> None:
        from psycopg.pq import ExecStatus

        self.status = ExecStatus.TUPLES_OK
        self.nfields = len(columns)
        self.ntuples = ntuples
        self._names = [c.encode("utf-8") for c in columns]

    def fname(self, index: int) -> bytes:
        return self._names[index]


class _Info:
    server_version = 150000
    dbname = "replay"
    host = "replay"
    port = 0
    user = "replay"
    encoding = "utf-8"
    backend_pid = 0
    vendor = "PostgreSQL"

    @property
    def transaction_status(self) -> Any:
        from psycopg.pq import TransactionStatus

        return TransactionStatus.IDLE

    def get_parameters(self) -> dict[str, str]:
        return {}

    def parameter_status(self, name: str) -> str | None:
        return None


class _PgConn:
    """The ``connection.pgconn`` members ``psycopg_pool`` reads when it lends and takes back a
    connection (always idle: replay runs no transaction)."""

    backend_pid = 0

    @property
    def transaction_status(self) -> Any:
        from psycopg.pq import TransactionStatus

        return TransactionStatus.IDLE

    @property
    def status(self) -> Any:
        from psycopg.pq import ConnStatus

        return ConnStatus.OK


def _error(name: str, message: str) -> BaseException:
    import psycopg
    import psycopg.errors

    exc_type = getattr(psycopg.errors, name, None) or getattr(psycopg, name, None)
    if not (isinstance(exc_type, type) and issubclass(exc_type, psycopg.Error)):
        exc_type = psycopg.DatabaseError
    return exc_type(message or name)


class _Rows:
    """A cursor's state: the recorded answer of its last statement, served row by row."""

    _encoding = "utf-8"

    def __init__(self, connection: Any, row_factory: Any) -> None:
        from psycopg.rows import tuple_row

        self.connection = connection
        self.row_factory: Any = row_factory or tuple_row
        self.arraysize = 1
        self.closed = False
        self.name = None
        self._reset()

    def _reset(self) -> None:
        self.description: tuple[Column, ...] | None = None
        self.pgresult: _Result | None = None
        self.rowcount = -1
        self.rownumber: int | None = None
        self.statusmessage: str | None = None
        self.query: bytes | None = None
        self.params: Any = None
        self._rows: list[Any] = []

    def _answer(self, query: Any, params: Any, many: bool) -> None:
        self._reset()
        text = sql_text(query)
        if is_copy(text):
            import psycopg

            raise psycopg.NotSupportedError(COPY_REFUSED)
        self.query = text.encode("utf-8")
        ctx = active_exchange()
        if ctx is None:  # start-up statements: not recorded; server facts answered locally
            result = startup_result(text)
        else:
            result = recorded_result(start_call(ctx, query, params, many), text, _error)
        self.rowcount = int(result.get("rowcount", -1))
        self.statusmessage = result.get("status")
        if "columns" in result:
            columns = [str(c) for c in result.get("columns") or []]
            types = list(result.get("types") or [None] * len(columns))
            self.description = tuple(Column(n, t) for n, t in zip(columns, types, strict=False))
            values = [tuple(decode_value(c, bytes) for c in r) for r in result.get("rows") or []]
            self.pgresult = _Result(columns, len(values))
            make = self.row_factory(self)
            self._rows = [make(v) for v in values]
            self.rownumber = 0

    def _check(self) -> None:
        if self.description is None:
            import psycopg

            raise psycopg.ProgrammingError("the last operation didn't produce a result")

    def _fetchone(self) -> Any:
        self._check()
        position = self.rownumber or 0
        if position >= len(self._rows):
            return None
        self.rownumber = position + 1
        return self._rows[position]

    def _fetchmany(self, size: int = 0) -> list[Any]:
        self._check()
        position = self.rownumber or 0
        out = self._rows[position : position + (size or self.arraysize)]
        self.rownumber = position + len(out)
        return out

    def _fetchall(self) -> list[Any]:
        self._check()
        out = self._rows[self.rownumber or 0 :]
        self.rownumber = len(self._rows)
        return out

    def _scroll(self, value: int, mode: str = "relative") -> None:
        self._check()
        target = value if mode == "absolute" else (self.rownumber or 0) + value
        if not 0 <= target < max(len(self._rows), 1):
            raise IndexError("position out of bound")
        self.rownumber = target

    def _copy(self, *args: Any, **kwargs: Any) -> Any:
        import psycopg

        raise psycopg.NotSupportedError(COPY_REFUSED)

    def close(self) -> None:
        self.closed = True


class FakeCursor(_Rows):
    """A ``psycopg.Cursor`` answered from the recording."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> FakeCursor:
        self._answer(query, params, False)
        return self

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        self._answer(query, list(params_seq), True)

    def fetchone(self) -> Any:
        return self._fetchone()

    def fetchmany(self, size: int = 0) -> list[Any]:
        return self._fetchmany(size)

    def fetchall(self) -> list[Any]:
        return self._fetchall()

    def scroll(self, value: int, mode: str = "relative") -> None:
        self._scroll(value, mode)

    def __iter__(self) -> Iterator[Any]:
        while (row := self._fetchone()) is not None:
            yield row

    def stream(self, query: Any, params: Any = None, **kwargs: Any) -> Iterator[Any]:
        self.execute(query, params)
        yield from self

    def nextset(self) -> bool | None:
        return None

    copy = _Rows._copy

    def __enter__(self) -> FakeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncFakeCursor(_Rows):
    """A ``psycopg.AsyncCursor`` answered from the recording."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncFakeCursor:
        self._answer(query, params, False)
        return self

    async def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        self._answer(query, list(params_seq), True)

    async def fetchone(self) -> Any:
        return self._fetchone()

    async def fetchmany(self, size: int = 0) -> list[Any]:
        return self._fetchmany(size)

    async def fetchall(self) -> list[Any]:
        return self._fetchall()

    async def scroll(self, value: int, mode: str = "relative") -> None:
        self._scroll(value, mode)

    async def __aiter__(self) -> AsyncIterator[Any]:
        while (row := self._fetchone()) is not None:
            yield row

    async def stream(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        await self.execute(query, params)
        async for row in self:
            yield row

    async def nextset(self) -> bool | None:
        return None

    copy = _Rows._copy

    async def close(self) -> None:  # type: ignore[override]
        self.closed = True

    async def __aenter__(self) -> AsyncFakeCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.closed = True


class _Connection:
    """What both replay connections share (``ReplayConnection`` outside this module)."""

    def __init__(self, conninfo: str = "", **kwargs: Any) -> None:
        self.conninfo = conninfo
        self.row_factory = kwargs.get("row_factory")
        self.autocommit = bool(kwargs.get("autocommit", False))
        self.prepare_threshold = kwargs.get("prepare_threshold", 5)
        self.closed = False
        self.broken = False
        self.info = _Info()
        self.pgconn = _PgConn()
        self.adapters: Any = None
        self.notices: list[Any] = []

    def _cursor_factory(self, row_factory: Any) -> Any:
        raise NotImplementedError

    def cursor(self, name: str = "", **kwargs: Any) -> Any:
        return self._cursor_factory(kwargs.get("row_factory") or self.row_factory)

    def fileno(self) -> int:
        return -1

    def add_notice_handler(self, callback: Any) -> None: ...
    def remove_notice_handler(self, callback: Any) -> None: ...
    def add_notify_handler(self, callback: Any) -> None: ...
    def remove_notify_handler(self, callback: Any) -> None: ...


class FakeConnection(_Connection):
    """What ``psycopg.connect`` returns in replay: no socket, statements answered by the mock."""

    def _cursor_factory(self, row_factory: Any) -> FakeCursor:
        return FakeCursor(self, row_factory)

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> FakeCursor:
        cursor: FakeCursor = self.cursor()
        return cursor.execute(query, params)

    def commit(self) -> None: ...
    def rollback(self) -> None: ...

    def set_autocommit(self, value: bool) -> None:
        self.autocommit = value

    @contextlib.contextmanager
    def transaction(self, *args: Any, **kwargs: Any) -> Iterator[None]:
        yield None

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[None]:
        yield None

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> FakeConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncFakeConnection(_Connection):
    """What ``psycopg.AsyncConnection.connect`` returns in replay."""

    def _cursor_factory(self, row_factory: Any) -> AsyncFakeCursor:
        return AsyncFakeCursor(self, row_factory)

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncFakeCursor:
        cursor: AsyncFakeCursor = self.cursor()
        return await cursor.execute(query, params)

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...

    async def set_autocommit(self, value: bool) -> None:
        self.autocommit = value

    @contextlib.asynccontextmanager
    async def transaction(self, *args: Any, **kwargs: Any) -> AsyncIterator[None]:
        yield None

    @contextlib.asynccontextmanager
    async def pipeline(self) -> AsyncIterator[None]:
        yield None

    async def close(self) -> None:
        self.closed = True

    async def __aenter__(self) -> AsyncFakeConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.closed = True


ReplayConnection = _Connection
