"""The pieces every Postgres driver adapter shares, and the driver-specific replay objects."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from driftdiff_sdk.outbound._pg_values import decode_value, encode_params, encode_value
from driftdiff_sdk.redact import Redactor


def test_values_round_trip_through_json_with_the_drivers_bytes_type() -> None:
    values = [
        Decimal("1.50"),
        dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc),
        dt.date(2024, 5, 1),
        dt.timedelta(days=1, seconds=2),
        uuid.UUID(int=7),
        b"\x00\xff",
        {"a": [1]},
        (1, "x"),
        float("inf"),
    ]
    encoded = json.loads(json.dumps(encode_params(values)))
    assert [decode_value(v, bytes) for v in encoded] == [*values[:7], (1, "x"), float("inf")]
    assert isinstance(decode_value(encoded[5]), memoryview)  # psycopg2's default
    assert encode_value(type("Jsonb", (), {"obj": {"k": 1}})()) == {"$json": {"k": 1}}


@pytest.mark.parametrize(
    ("sql", "params", "kept"),
    [
        ("INSERT INTO users (name, password) VALUES ($1, $2)", ["ann", "hunter2-pw"], [0]),
        ("UPDATE users SET password = $2 WHERE name = $1", ["ann", "hunter2-pw"], [0]),
        ("SELECT id FROM users WHERE password = $1 OR password = $1", ["hunter2-pw"], []),
    ],
)
def test_asyncpg_numbered_params_of_secret_columns_are_redacted(
    sql: str, params: list[str], kept: list[int]
) -> None:
    call = {"kind": "postgres", "command": {"sql": sql, "params": params}}
    out = Redactor().redact_outbound(call)["command"]["params"]
    assert "hunter2-pw" not in json.dumps(out)
    assert [out[i] for i in kept] == [params[i] for i in kept]


def test_asyncpg_replay_record_reads_like_a_record() -> None:
    pytest.importorskip("asyncpg", reason="asyncpg not installed")
    from driftdiff_sdk.outbound._asyncpg_replay import ReplayRecord

    record = ReplayRecord(["id", "title"], [1, "alpha"])
    assert record[0] == 1 and record["title"] == "alpha" and record[-1] == "alpha"
    assert dict(record) == {"id": 1, "title": "alpha"}
    assert list(record) == [1, "alpha"] and len(record) == 2 and "id" in record
    assert record.get("missing", 3) == 3 and list(record.items())[1] == ("title", "alpha")
    with pytest.raises(KeyError):
        record["missing"]


def test_psycopg3_replay_refuses_copy_by_name() -> None:
    psycopg = pytest.importorskip("psycopg", reason="psycopg 3 not installed")
    from driftdiff_sdk.outbound._psycopg3_replay import FakeConnection

    cursor = FakeConnection("dbname=x").cursor()
    with pytest.raises(psycopg.NotSupportedError, match="cannot answer COPY"):
        cursor.copy("COPY items TO STDOUT")
    with pytest.raises(psycopg.NotSupportedError, match="cannot answer COPY"):
        cursor.execute("  copy items FROM STDIN")


def test_replay_answers_server_facts_asked_at_connect_outside_any_exchange() -> None:
    pytest.importorskip("psycopg", reason="psycopg 3 not installed")
    from driftdiff_sdk.outbound._psycopg3_replay import FakeConnection

    conn = FakeConnection("dbname=x")
    assert conn.execute("select pg_catalog.version()").fetchone() == (
        "PostgreSQL 15.0 (driftdiff replay)",
    )
    assert conn.execute("show standard_conforming_strings").fetchall() == [("on",)]
    cursor = conn.execute("CREATE TABLE t (id int)")  # anything else: no rows, its command tag
    assert cursor.statusmessage == "CREATE" and cursor.description is None


def test_catalog_lookups_outside_any_exchange_find_nothing() -> None:
    """SQLAlchemy's ``has_table`` and psycopg's ``TypeInfo.fetch`` at start-up: no rows."""
    pytest.importorskip("psycopg", reason="psycopg 3 not installed")
    from driftdiff_sdk.outbound import psycopg3_adapter
    from driftdiff_sdk.outbound._psycopg3_replay import FakeConnection
    from psycopg.types import TypeInfo

    conn = FakeConnection("dbname=x")
    assert conn.execute("SELECT relname FROM pg_class WHERE relname = %s", ("t",)).fetchall() == []
    psycopg3_adapter.install()
    try:
        assert TypeInfo.fetch(conn, "hstore") is None  # type: ignore[call-overload]
    finally:
        psycopg3_adapter.uninstall()


def test_copy_is_refused_by_name_in_every_drivers_replay() -> None:
    import asyncio

    pytest.importorskip("psycopg2", reason="psycopg2 not installed")
    pytest.importorskip("asyncpg", reason="asyncpg not installed")
    import asyncpg
    import psycopg2
    from driftdiff_sdk.outbound import _asyncpg_replay, _psycopg_replay

    cursor = _psycopg_replay.FakeConnection("dbname=x").cursor()
    with pytest.raises(psycopg2.NotSupportedError, match="cannot answer COPY"):
        cursor.execute("COPY items TO STDOUT")
    with pytest.raises(psycopg2.NotSupportedError, match="cannot answer COPY"):
        cursor.copy_expert("COPY items TO STDOUT", None)
    conn = _asyncpg_replay.FakeConnection()
    with pytest.raises(asyncpg.exceptions.FeatureNotSupportedError, match="cannot answer COPY"):
        asyncio.run(conn.copy_records_to_table("items", records=[]))
    with pytest.raises(asyncpg.exceptions.FeatureNotSupportedError, match="cannot answer COPY"):
        asyncio.run(conn.execute("copy items from stdin"))
