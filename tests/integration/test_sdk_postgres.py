"""psycopg2 adapter against a real Postgres: record, then replay with the server stopped."""

from __future__ import annotations

import datetime as dt
import json
import socket
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg2
import psycopg2.errors
import psycopg2.extras
import pytest
from driftdiff_sdk import replay, runtime
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange
from driftdiff_sdk.outbound._psycopg_replay import FakeConnection
from driftdiff_sdk.redact import Redactor
from psycopg2 import sql

from drift_diff.replay.mockserver import MockStore
from tests.integration.servers import Server, postgres_server, require

pytestmark = pytest.mark.integration
require("postgres")
psycopg2.extras.register_uuid()

ITEM_ID = uuid.UUID("6f1c1f8e-5b7a-4d51-9d1e-0c2b8f0f7a11")
SCHEMA = """
    DROP TABLE IF EXISTS items;
    CREATE TABLE items (id uuid PRIMARY KEY, name text UNIQUE, price numeric(8,2),
                        made timestamptz, blob bytea, meta jsonb, note text, secret text)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with postgres_server() as srv:
        yield srv


@pytest.fixture(autouse=True)
def sdk(tmp_path: Any) -> Iterator[None]:
    runtime.init(mode="record", traces_dir=str(tmp_path / "traces"))
    yield
    runtime.shutdown()


def _workload(dsn: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO items VALUES (%s, %s, %s, %s, %s, %s, NULL, %s)",
            (
                ITEM_ID,
                "widget",
                Decimal("9.90"),
                dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc),
                b"\x00\xff",
                psycopg2.extras.Json({"tags": ["a"]}),
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
    with conn.cursor() as cur:
        cur.execute(
            "select id, name, price, made, blob, meta, note from items\n  WHERE name = %s",
            ("widget",),
        )
        row = cur.fetchone()
        out["row"] = (*row[:4], bytes(row[4]), *row[5:])
        out["description"] = [(d.name, d.type_code) for d in cur.description]
        out["none_left"] = cur.fetchone()
        cur.execute(
            sql.SQL("SELECT {} FROM {} ORDER BY name").format(
                sql.Identifier("name"), sql.Identifier("items")
            )
        )
        out["first_two"] = cur.fetchmany(2)
        out["rest"] = list(cur)
        out["rowcount"] = cur.rowcount
        cur.execute("SELECT name FROM items WHERE name = %s", ("missing",))
        out["missing"] = (cur.fetchone(), cur.fetchall(), cur.rowcount)
        try:
            cur.execute("INSERT INTO items (id, name) VALUES (%s, %s)", (uuid.uuid4(), "n1"))
        except psycopg2.errors.UniqueViolation as exc:
            out["error"] = type(exc).__name__
    conn.rollback()
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("SELECT name, price FROM items WHERE price > %s ORDER BY price", (1,))
        out["dicts"] = cur.fetchall()
    conn.close()
    return out


def _schema(dsn: str) -> None:
    conn = psycopg2.connect(dsn)  # outside any exchange: not recorded
    with conn, conn.cursor() as cur:
        cur.execute(SCHEMA)
    conn.close()


def _record(server: Server, exchange_id: str) -> tuple[ExchangeContext, dict[str, Any]]:
    _schema(server.url)
    ctx = ExchangeContext(exchange_id)
    token = set_exchange(ctx)
    try:
        got = _workload(server.url)
    finally:
        reset_exchange(token)
    return ctx, got


def _as_recorded(exchange_id: str, ctx: ExchangeContext) -> dict[str, Any]:
    exchange = {"id": exchange_id, "outbound": ctx.outbound}
    recorded: dict[str, Any] = json.loads(json.dumps(Redactor().redact_exchange(exchange)))
    return recorded


def _use_store(monkeypatch: pytest.MonkeyPatch, store: MockStore) -> None:
    def lookup(call: dict[str, Any]) -> dict[str, Any]:
        result = store.lookup(replay._current_exchange_id() or "", json.loads(json.dumps(call)))
        if result.entry is None:
            raise replay.MockNotFound(result.explanation)
        return result.entry

    monkeypatch.setattr(replay, "lookup", lookup)
    monkeypatch.delenv("DRIFTDIFF_ALLOW_PORTS", raising=False)


def test_statements_are_recorded_with_rows_on_their_exchange(server: Server) -> None:
    ctx, got = _record(server, "ex-1")
    assert got["row"] == (
        ITEM_ID,
        "widget",
        Decimal("9.90"),
        dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc),
        b"\x00\xff",
        {"tags": ["a"]},
        None,
    )
    assert got["first_two"] == [("n1",), ("n2",)] and got["rest"] == [("n3",), ("widget",)]
    assert got["rowcount"] == 4 and got["error"] == "UniqueViolation"
    calls = ctx.outbound
    assert [c["seq"] for c in calls] == list(range(len(calls)))
    assert all(c["kind"] == "postgres" for c in calls)
    select = calls[3]
    assert select["command"]["params"] == ["widget"]
    assert select["result"]["columns"] == ["id", "name", "price", "made", "blob", "meta", "note"]
    assert select["result"]["status"] == "SELECT 1" and select["result"]["rowcount"] == 1
    assert select["result"]["rows"][0][:3] == [
        {"$uuid": str(ITEM_ID)},
        "widget",
        {"$decimal": "9.90"},
    ]
    assert calls[1]["command"]["many"] is True and calls[1]["result"]["rowcount"] == 3
    assert calls[4]["command"]["sql"] == 'SELECT "name" FROM "items" ORDER BY name'
    assert calls[5]["result"]["rows"] == [] and got["missing"] == (None, [], 0)
    assert calls[6]["error"].startswith("UniqueViolation: duplicate key")


def test_named_secret_params_are_redacted_on_disk(server: Server) -> None:
    ctx, _ = _record(server, "ex-s")
    assert "s3cret-pw" in json.dumps(ctx.outbound)  # in memory, before the writer
    assert "s3cret-pw" not in json.dumps(_as_recorded("ex-s", ctx))


def test_replay_serves_cursors_from_the_recording_with_the_server_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with postgres_server() as own:
        ctx, live = _record(own, "ex-r")
        dsn, port = own.url, own.port
    store = MockStore([_as_recorded("ex-r", ctx)])
    _use_store(monkeypatch, store)
    runtime.init(mode="replay")
    replay.activate()
    _schema(dsn)  # start-up schema set-up, outside an exchange: answered empty, no server
    replayed_ctx = ExchangeContext("ex-r", replay=True)
    token = set_exchange(replayed_ctx)
    try:
        with pytest.raises(replay.UnpatchedDependency):  # an uninstrumented client
            socket.create_connection(("127.0.0.1", port), timeout=1)
        assert isinstance(psycopg2.connect(dsn), FakeConnection)
        replayed = _workload(dsn)
        cur = psycopg2.connect(dsn).cursor()
        with pytest.raises(replay.MockNotFound) as miss:
            cur.execute(
                "SELECT id, name, price, made, blob, meta, note FROM items WHERE name = %s",
                ("gadget",),
            )
        assert 'SQL matched, params differed (["widget"] vs ["gadget"])' in str(miss.value)
        with pytest.raises(replay.MockNotFound, match="SQL differed"):
            cur.execute("DELETE FROM items")
    finally:
        reset_exchange(token)
        replay.deactivate()
    assert replayed == live
    assert replayed_ctx.outbound == []
    assert store.unused("ex-r") == []
