"""A FastAPI notes service on Postgres through the driver named by ``PG_DRIVER``.

``psycopg`` (psycopg 3, sync connection), ``psycopg-async`` (``AsyncConnection``) or ``asyncpg``
(a pool, prepared statements, transactions), ``psycopg-pool`` / ``psycopg-pool-sync``
(``psycopg_pool``'s async / sync pool, a server-side cursor: ``notes_pool``), or
``sqlalchemy-*`` (the same store as a SQLAlchemy ORM app, ``notes_sqlalchemy``). ``PG_DSN``
points at the server;
``NOTES_VARIANT=extra-query`` is a changed build that also counts the notes sharing a title on
every lookup: a statement the recording never saw.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import FastAPI
from fastapi.responses import JSONResponse

PG_DSN = os.environ.get("PG_DSN", "postgresql://postgres@127.0.0.1:9/postgres")
DRIVER = os.environ.get("PG_DRIVER", "psycopg")
VARIANT = os.environ.get("NOTES_VARIANT", "")

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, title text UNIQUE NOT NULL,"
    " body text NOT NULL, score numeric(6,2) NOT NULL,"
    " created timestamptz NOT NULL DEFAULT now())"
)
COLUMNS = "id, title, body, score, created"
EXTRA = "SELECT count(*) FROM notes WHERE title = {}"
INSERT = "INSERT INTO notes (title, body, score) VALUES ({}, {}, {})"
PG3_INSERT = INSERT.format("%s", "%s", "%s")
ASYNCPG_INSERT = INSERT.format("$1", "$2", "$3")


def _note(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "body": row["body"],
        "score": float(row["score"]),
        "created": row["created"].isoformat(),
    }


class PsycopgStore:
    """psycopg 3, one sync autocommit connection."""

    def __init__(self) -> None:
        import psycopg

        self.conn = psycopg.connect(PG_DSN, autocommit=True)
        self.conn.execute(SCHEMA)  # start-up, outside any exchange: not recorded

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        import psycopg
        from psycopg.rows import dict_row

        with self.conn.cursor(row_factory=dict_row) as cur:
            try:
                cur.execute(
                    f"{PG3_INSERT} RETURNING {COLUMNS}",
                    (title, body, score),
                )
            except psycopg.errors.UniqueViolation:
                return None
            return cur.fetchone()

    async def get(self, note_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT {COLUMNS} FROM notes WHERE id = %s", (note_id,)).fetchone()
        if row is None:
            return None
        if VARIANT == "extra-query":
            self.conn.execute(EXTRA.format("%s"), (row[1],)).fetchone()
        return dict(zip(("id", "title", "body", "score", "created"), row, strict=True))

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        from psycopg.rows import namedtuple_row

        with self.conn.cursor(row_factory=namedtuple_row) as cur:
            cur.execute(
                f"SELECT {COLUMNS} FROM notes WHERE score >= %s ORDER BY title", (min_score,)
            )
            rows = cur.fetchmany(1) + list(cur)
        return [r._asdict() for r in rows]

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(PG3_INSERT, rows)
            return cur.rowcount

    async def count(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM notes")
            (total,) = cur.fetchall()[0]
        return int(total)


class PsycopgAsyncStore:
    """psycopg 3, one ``AsyncConnection``."""

    conn: Any

    async def start(self) -> None:
        import psycopg

        self.conn = await psycopg.AsyncConnection.connect(PG_DSN, autocommit=True)
        await self.conn.execute(SCHEMA)

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        import psycopg
        from psycopg.rows import dict_row

        async with self.conn.cursor(row_factory=dict_row) as cur:
            try:
                await cur.execute(
                    f"{PG3_INSERT} RETURNING {COLUMNS}",
                    (title, body, score),
                )
            except psycopg.errors.UniqueViolation:
                return None
            row: dict[str, Any] | None = await cur.fetchone()
            return row

    async def get(self, note_id: int) -> dict[str, Any] | None:
        from psycopg.rows import dict_row

        async with self.conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(f"SELECT {COLUMNS} FROM notes WHERE id = %s", (note_id,))
            row: dict[str, Any] | None = await cur.fetchone()
            if row is not None and VARIANT == "extra-query":
                await cur.execute(EXTRA.format("%s"), (row["title"],))
        return row

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        async with self.conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                f"SELECT {COLUMNS} FROM notes WHERE score >= %s ORDER BY title", (min_score,)
            )
            return [row async for row in cur]

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        async with self.conn.transaction(), self.conn.cursor() as cur:
            await cur.executemany(PG3_INSERT, rows)
            return int(cur.rowcount)

    async def count(self) -> int:
        cur = await self.conn.execute("SELECT count(*) FROM notes")
        (total,) = await cur.fetchone()
        return int(total)


class AsyncpgStore:
    """asyncpg: a pool, prepared statements and transactions."""

    pool: Any

    async def start(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(PG_DSN, min_size=1, max_size=2)
        await self.pool.execute(SCHEMA)

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        import asyncpg

        async with self.pool.acquire() as con:
            try:
                async with con.transaction():
                    row = await con.fetchrow(
                        f"{ASYNCPG_INSERT} RETURNING {COLUMNS}",
                        title,
                        body,
                        score,
                    )
            except asyncpg.UniqueViolationError:
                return None
        return dict(row)

    async def get(self, note_id: int) -> dict[str, Any] | None:
        async with self.pool.acquire() as con:
            stmt = await con.prepare(f"SELECT {COLUMNS} FROM notes WHERE id = $1")
            row = await stmt.fetchrow(note_id)
            if row is not None and VARIANT == "extra-query":
                await con.fetchval(EXTRA.format("$1"), row["title"])
        return None if row is None else dict(row.items())

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM notes WHERE score >= $1 ORDER BY title", min_score
        )
        return [dict(r) for r in rows]

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        async with self.pool.acquire() as con, con.transaction():
            # the first row through executemany, the rest through fetchmany (rows back)
            await con.executemany(ASYNCPG_INSERT, rows[:1])
            await con.fetchmany(f"{ASYNCPG_INSERT} RETURNING id", rows[1:])
            status: str = await con.execute("UPDATE notes SET score = score WHERE score >= $1", 0)
        return int(status.split()[-1])

    async def count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM notes"))


store: Any = None


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global store
    if DRIVER.startswith("sqlalchemy-"):
        from tests.e2e.apps.notes_sqlalchemy import make_store

        store = make_store(PG_DSN, DRIVER, VARIANT)
        await store.start()
    elif DRIVER in ("psycopg-pool", "psycopg-pool-sync"):
        from tests.e2e.apps.notes_pool import PoolStore, SyncPoolStore

        store = (PoolStore if DRIVER == "psycopg-pool" else SyncPoolStore)(PG_DSN, SCHEMA, VARIANT)
        await store.start()
    elif DRIVER == "psycopg":
        store = PsycopgStore()
    else:
        store = PsycopgAsyncStore() if DRIVER == "psycopg-async" else AsyncpgStore()
        await store.start()
    yield


api = FastAPI(lifespan=lifespan)


@api.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}


@api.post("/notes", status_code=201)
async def create_note(payload: dict[str, Any]) -> Any:
    row = await store.create(payload["title"], payload["body"], Decimal(str(payload["score"])))
    if row is None:
        return JSONResponse({"error": "duplicate title"}, status_code=409)
    return _note(row)


@api.get("/notes/{note_id}")
async def get_note(note_id: int) -> Any:
    row = await store.get(note_id)
    if row is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return _note(row)


@api.get("/notes")
async def search_notes(min_score: float = 0) -> dict[str, Any]:
    rows = await store.search(Decimal(str(min_score)))
    return {"count": len(rows), "notes": [_note(r) for r in rows]}


@api.post("/notes/bulk")
async def bulk_notes(payload: list[dict[str, Any]]) -> dict[str, int]:
    rows = [(p["title"], p["body"], Decimal(str(p["score"]))) for p in payload]
    return {"written": await store.bulk(rows), "total": await store.count()}


app = DriftDiffMiddleware(api, service=f"notes-{DRIVER}")
