"""The notes store of ``notes_pg`` on a ``psycopg_pool.AsyncConnectionPool``
(``PG_DRIVER=psycopg-pool``): each call borrows a connection, the search reads a server-side
(named) cursor, the bulk insert runs in a transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

COLUMNS = "id, title, body, score, created"
INSERT = "INSERT INTO notes (title, body, score) VALUES (%s, %s, %s)"


class PoolStore:
    def __init__(self, dsn: str, schema: str, variant: str) -> None:
        from psycopg_pool import AsyncConnectionPool

        self.pool = AsyncConnectionPool(
            dsn, min_size=1, max_size=2, open=False, kwargs={"autocommit": True}
        )
        self.schema = schema
        self.variant = variant

    async def start(self) -> None:
        await self.pool.open(wait=True)
        async with self.pool.connection() as conn:
            await conn.execute(self.schema)  # start-up, outside any exchange: not recorded

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        import psycopg
        from psycopg.rows import dict_row

        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            try:
                await cur.execute(f"{INSERT} RETURNING {COLUMNS}", (title, body, score))
            except psycopg.errors.UniqueViolation:
                return None
            row: dict[str, Any] | None = await cur.fetchone()
            return row

    async def get(self, note_id: int) -> dict[str, Any] | None:
        from psycopg.rows import dict_row

        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(f"SELECT {COLUMNS} FROM notes WHERE id = %s", (note_id,))
            row: dict[str, Any] | None = await cur.fetchone()
            if row is not None and self.variant == "extra-query":
                await cur.execute("SELECT count(*) FROM notes WHERE title = %s", (row["title"],))
        return row

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        query = f"SELECT {COLUMNS} FROM notes WHERE score >= %s ORDER BY title"
        async with self.pool.connection() as conn, conn.transaction():
            async with conn.cursor("search", row_factory=dict_row) as cur:  # server-side
                await cur.execute(query, (min_score,))
                first = await cur.fetchmany(1)
                return first + [row async for row in cur]

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        async with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.executemany(INSERT, rows)
            return int(cur.rowcount)

    async def count(self) -> int:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) FROM notes")
            (total,) = await cur.fetchone()  # type: ignore[misc]
        return int(total)


class SyncPoolStore:
    """The same store on a sync ``psycopg_pool.ConnectionPool`` (``PG_DRIVER=psycopg-pool-sync``),
    its server-side cursor read by ``fetchmany`` then iteration."""

    def __init__(self, dsn: str, schema: str, variant: str) -> None:
        from psycopg_pool import ConnectionPool

        self.pool = ConnectionPool(
            dsn, min_size=1, max_size=2, open=False, kwargs={"autocommit": True}
        )
        self.schema = schema
        self.variant = variant

    async def start(self) -> None:
        self.pool.open(wait=True)
        with self.pool.connection() as conn:
            conn.execute(self.schema)  # start-up, outside any exchange: not recorded

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        import psycopg
        from psycopg.rows import dict_row

        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            try:
                cur.execute(f"{INSERT} RETURNING {COLUMNS}", (title, body, score))
            except psycopg.errors.UniqueViolation:
                return None
            return cur.fetchone()

    async def get(self, note_id: int) -> dict[str, Any] | None:
        from psycopg.rows import dict_row

        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(f"SELECT {COLUMNS} FROM notes WHERE id = %s", (note_id,))
            row = cur.fetchone()
            if row is not None and self.variant == "extra-query":
                cur.execute("SELECT count(*) FROM notes WHERE title = %s", (row["title"],))
        return row

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        query = f"SELECT {COLUMNS} FROM notes WHERE score >= %s ORDER BY title"
        with self.pool.connection() as conn, conn.transaction():
            with conn.cursor("search", row_factory=dict_row) as cur:  # server-side
                cur.execute(query, (min_score,))
                return cur.fetchmany(1) + list(cur)

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.executemany(INSERT, rows)
            return int(cur.rowcount)

    async def count(self) -> int:
        with self.pool.connection() as conn:
            (total,) = conn.execute("SELECT count(*) FROM notes").fetchone()  # type: ignore[misc]
        return int(total)
