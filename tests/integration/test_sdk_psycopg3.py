"""psycopg 3 adapter against a real Postgres: record (sync and async), then replay the same
workload with the server stopped and get the same Python values back."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from driftdiff_sdk import replay, runtime
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange
from driftdiff_sdk.redact import Redactor

from drift_diff.replay.mockserver import MockStore
from tests.integration.servers import postgres_server, require

pytestmark = pytest.mark.integration
require("postgres")
psycopg = pytest.importorskip("psycopg", reason="psycopg 3 not installed")
from psycopg import sql  # noqa: E402
from psycopg.rows import class_row, dict_row, namedtuple_row  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

ITEM = uuid.UUID("6f1c1f8e-5b7a-4d51-9d1e-0c2b8f0f7a11")
SCHEMA = (
    "CREATE TABLE items (id uuid PRIMARY KEY, name text UNIQUE, price numeric(8,2),"
    " made timestamptz, blob bytea, meta jsonb, secret text)"
)
COLUMNS = "id, name, price, made, blob, meta"


@dataclass
class Item:
    id: uuid.UUID
    name: str
    price: Decimal
    made: dt.datetime | None
    blob: bytes | None
    meta: Any


def _sync(dsn: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO items VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    ITEM,
                    "widget",
                    Decimal("9.90"),
                    dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC),
                    b"\x00\xff",
                    Jsonb({"tags": ["a"]}),
                    "hunter2-pw",
                ),
            )
            out["insert"] = (cur.rowcount, cur.statusmessage)
            cur.executemany(
                "INSERT INTO items (id, name, price) VALUES (%s, %s, %s)",
                [(uuid.UUID(int=i), f"n{i}", Decimal(i)) for i in (1, 2, 3)],
            )
            out["many"] = cur.rowcount
            cur.execute(
                "UPDATE items SET secret = %(password)s WHERE name = %(name)s",
                {"password": "s3cret-pw", "name": "n1"},
            )
        with conn.cursor(row_factory=class_row(Item)) as cur:
            cur.execute(f"SELECT {COLUMNS} FROM items WHERE name = %s", ("widget",))
            out["item"] = cur.fetchone()
            out["description"] = [(d.name, d.type_code) for d in cur.description or ()]
        with conn.cursor(row_factory=namedtuple_row) as cur:
            query = sql.SQL("SELECT {} FROM {} ORDER BY name").format(
                sql.Identifier("name"), sql.Identifier("items")
            )
            cur.execute(query)
            out["first_two"] = [tuple(r) for r in cur.fetchmany(2)]
            cur.scroll(0, mode="absolute")
            out["all"] = [r.name for r in cur]
        out["missing"] = conn.execute("SELECT 1 FROM items WHERE name = %s", ("x",)).fetchall()
        try:
            conn.execute("INSERT INTO items (id, name) VALUES (%s, %s)", (uuid.uuid4(), "n1"))
        except psycopg.errors.UniqueViolation as exc:
            out["error"] = type(exc).__name__
    return out


async def _async(dsn: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    async with conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT name, price FROM items WHERE price > %s ORDER BY price", (1,))
        out["dicts"] = [row async for row in cur]
        async with conn.transaction():
            await cur.execute("DELETE FROM items WHERE name = %s", ("n3",))
            out["deleted"] = (cur.rowcount, cur.statusmessage)
    return out


def _workload(dsn: str) -> dict[str, Any]:
    return {**_sync(dsn), **asyncio.run(_async(dsn))}


def _record(dsn: str, exchange_id: str) -> tuple[ExchangeContext, dict[str, Any]]:
    with psycopg.connect(dsn, autocommit=True) as conn:  # outside any exchange: not recorded
        conn.execute(SCHEMA)
    ctx = ExchangeContext(exchange_id)
    token = set_exchange(ctx)
    try:
        got = _workload(dsn)
    finally:
        reset_exchange(token)
    return ctx, got


def test_record_then_replay_with_the_server_stopped(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime.init(mode="record", traces_dir=str(tmp_path / "traces"))
    try:
        with postgres_server() as pg:
            ctx, live = _record(pg.url, "ex-3")
            dsn, port = pg.url, pg.port
    finally:
        runtime.shutdown()
    assert live["item"] == Item(
        ITEM,
        "widget",
        Decimal("9.90"),
        dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC),
        b"\x00\xff",
        {"tags": ["a"]},
    )
    assert live["many"] == 3 and live["error"] == "UniqueViolation"
    calls = ctx.outbound
    assert all(c["kind"] == "postgres" for c in calls)
    assert calls[4]["command"]["sql"] == 'SELECT "name" FROM "items" ORDER BY name'
    recorded = json.loads(json.dumps(Redactor().redact_exchange({"id": "ex-3", "outbound": calls})))
    on_disk = json.dumps(recorded)
    assert "s3cret-pw" not in on_disk  # a %(password)s parameter, redacted by the shared rules
    assert "s3cret-pw" in json.dumps(calls)  # (in memory, before the writer)

    store = MockStore([recorded])

    def lookup(call: dict[str, Any]) -> dict[str, Any]:
        result = store.lookup("ex-3", json.loads(json.dumps(call)))
        if result.entry is None:
            raise replay.MockNotFound(result.explanation)
        return result.entry

    monkeypatch.setattr(replay, "lookup", lookup)
    monkeypatch.delenv("DRIFTDIFF_ALLOW_PORTS", raising=False)
    runtime.init(mode="replay")
    replay.activate()
    token = set_exchange(ExchangeContext("ex-3", replay=True))
    try:
        with pytest.raises(replay.UnpatchedDependency):
            socket.create_connection(("127.0.0.1", port), timeout=1)
        replayed = _workload(dsn)
        with pytest.raises(replay.MockNotFound, match="no recorded postgres DELETE FROM items"):
            psycopg.connect(dsn).execute("DELETE FROM items")
    finally:
        reset_exchange(token)
        replay.deactivate()
        runtime.shutdown()
    assert replayed == live
    assert store.unused("ex-3") == []
