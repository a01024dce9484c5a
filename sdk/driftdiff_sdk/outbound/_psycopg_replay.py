"""psycopg2 in replay: a connection and cursors that never open a socket (see ``psycopg_adapter``).

``FakeConnection`` is what ``psycopg2.connect`` returns in replay mode. Its cursors send each
statement to the replay mock (``driftdiff_sdk.replay.lookup``) and serve ``fetchone``/
``fetchmany``/``fetchall``/iteration/``scroll``/``rowcount``/``description``/``statusmessage``
from the recorded answer.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from typing import Any

from driftdiff_sdk.outbound import active_exchange
from driftdiff_sdk.outbound._pg_values import (
    COPY_REFUSED,
    decode_value,
    is_copy,
    recorded_result,
    startup_result,
)
from driftdiff_sdk.outbound.psycopg_adapter import quote, sql_text, start_call

__all__ = ["FakeConnection", "FakeCursor"]


class _Info:
    transaction_status = 0  # TRANSACTION_STATUS_IDLE
    server_version = 150000
    status = 1
    dbname = "replay"


class FakeConnection:
    """What ``psycopg2.connect`` returns in replay: no socket, cursors answered by the mock."""

    def __init__(self, dsn: str = "", cursor_factory: Any = None) -> None:
        self.dsn = dsn
        self.cursor_factory = cursor_factory
        self.autocommit = False
        self.closed = 0
        self.status = 1
        self.encoding = "UTF8"
        self.server_version = 150000
        self.protocol_version = 3
        self.isolation_level: Any = None
        self.readonly: Any = None
        self.deferrable: Any = None
        self.notices: list[str] = []
        self.notifies: list[Any] = []
        self.info = _Info()

    def cursor(
        self, name: str | None = None, cursor_factory: Any = None, *args: Any, **kwargs: Any
    ) -> FakeCursor:
        return FakeCursor(self, cursor_factory or self.cursor_factory)

    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def cancel(self) -> None: ...
    def reset(self) -> None: ...

    def close(self) -> None:
        self.closed = 1

    def set_session(self, *args: Any, **kwargs: Any) -> None: ...
    def set_isolation_level(self, level: Any) -> None: ...
    def set_client_encoding(self, encoding: str) -> None: ...

    def get_transaction_status(self) -> int:
        return 0

    def get_parameter_status(self, name: str) -> str | None:
        return None

    def __enter__(self) -> FakeConnection:
        return self

    def __exit__(self, *exc: object) -> None: ...


class FakeCursor:
    """A cursor whose statements are answered from the recording."""

    def __init__(self, connection: FakeConnection, factory: Any = None) -> None:
        self.connection = connection
        self.arraysize = 1
        self.itersize = 2000
        self.closed = False
        self.name = None
        self.query: bytes | None = None
        self._kind = _row_kind(factory)
        self.index: OrderedDict[str, int] = OrderedDict()
        self._reset()

    def _reset(self) -> None:
        self.description: tuple[Any, ...] | None = None
        self.rowcount = -1
        self.rownumber = 0
        self.statusmessage: str | None = None
        self.lastrowid = 0
        self._rows: list[Any] = []

    def execute(self, query: Any, vars: Any = None) -> None:
        self._answer(query, vars, False)

    def executemany(self, query: Any, vars_list: Any) -> None:
        self._answer(query, list(vars_list), True)

    def _answer(self, query: Any, vars: Any, many: bool) -> None:
        self._reset()
        ctx = active_exchange()
        text = sql_text(query)
        if is_copy(text):
            self._copy()
        self.query = text.encode("utf-8")
        if ctx is None:  # start-up statements: not recorded; server facts answered locally
            result = startup_result(text)
        else:
            result = recorded_result(start_call(ctx, query, vars, many), text, _exception)
        self.rowcount = int(result.get("rowcount", -1))
        self.statusmessage = result.get("status")
        if "columns" in result:
            self._describe(result)

    def _copy(self, *args: Any, **kwargs: Any) -> None:
        import psycopg2

        raise psycopg2.NotSupportedError(COPY_REFUSED)

    copy_from = copy_to = copy_expert = _copy

    def _describe(self, result: dict[str, Any]) -> None:
        from psycopg2.extensions import Column

        columns = [str(c) for c in result.get("columns") or []]
        types = list(result.get("types") or [None] * len(columns))
        pairs = zip(columns, types, strict=False)
        self.description = tuple(Column(name=n, type_code=t) for n, t in pairs)
        self.index = OrderedDict((n, i) for i, n in enumerate(columns))
        values = [tuple(decode_value(c) for c in row) for row in result.get("rows") or []]
        self._rows = [self._make_row(columns, v) for v in values]

    def _make_row(self, columns: list[str], values: tuple[Any, ...]) -> Any:
        if self._kind == "dict":
            return dict(zip(columns, values, strict=False))
        if self._kind == "namedtuple":
            return namedtuple("Record", columns, rename=True)(*values)
        if self._kind == "dictrow":
            from psycopg2.extras import DictRow

            row = DictRow(self)
            row[:] = list(values)
            return row
        return values

    def _check(self) -> None:
        if self.description is None:
            import psycopg2

            raise psycopg2.ProgrammingError("no results to fetch")

    def fetchone(self) -> Any:
        self._check()
        if self.rownumber >= len(self._rows):
            return None
        self.rownumber += 1
        return self._rows[self.rownumber - 1]

    def fetchmany(self, size: int | None = None) -> list[Any]:
        self._check()
        n = self.arraysize if size is None else size
        out = self._rows[self.rownumber : self.rownumber + n]
        self.rownumber += len(out)
        return out

    def fetchall(self) -> list[Any]:
        self._check()
        out = self._rows[self.rownumber :]
        self.rownumber = len(self._rows)
        return out

    def scroll(self, value: int, mode: str = "relative") -> None:
        target = value if mode == "absolute" else self.rownumber + value
        if not 0 <= target <= len(self._rows):
            import psycopg2

            raise psycopg2.ProgrammingError("scroll destination out of bounds")
        self.rownumber = target

    def __iter__(self) -> Iterator[Any]:
        while (row := self.fetchone()) is not None:
            yield row

    def mogrify(self, query: Any, vars: Any = None) -> bytes:
        text = sql_text(query)
        if vars is None:
            return text.encode("utf-8")
        if isinstance(vars, dict):
            return (text % {k: quote(v) for k, v in vars.items()}).encode("utf-8")
        return (text % tuple(quote(v) for v in vars)).encode("utf-8")

    def callproc(self, procname: str, parameters: Any = ()) -> Any:
        placeholders = ", ".join(["%s"] * len(parameters or ()))
        self.execute(f"SELECT * FROM {procname}({placeholders})", parameters)
        return parameters

    def setinputsizes(self, sizes: Any) -> None: ...
    def setoutputsize(self, size: Any, column: Any = None) -> None: ...

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> FakeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _row_kind(factory: Any) -> str:
    if not isinstance(factory, type):
        return "tuple"
    import psycopg2.extras as extras

    if issubclass(factory, extras.RealDictCursor):
        return "dict"
    if issubclass(factory, extras.NamedTupleCursor):
        return "namedtuple"
    if issubclass(factory, extras.DictCursor):
        return "dictrow"
    return "tuple"


def _exception(name: str, message: str) -> Exception:
    import psycopg2
    import psycopg2.errors

    exc_type = getattr(psycopg2.errors, name, None) or getattr(psycopg2, name, None)
    if not (isinstance(exc_type, type) and issubclass(exc_type, psycopg2.Error)):
        exc_type = psycopg2.DatabaseError
    return exc_type(message or name)  # type: ignore[no-any-return]
