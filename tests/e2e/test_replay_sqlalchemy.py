"""SQLAlchemy 2 (ORM) through each driver the SDK instruments: the notes service recorded
against a real PostgreSQL, replayed with the server STOPPED. No SQLAlchemy instrumentation:
its dialects' connect-time checks, type-info look-ups and prepared statements are answered by
the drivers' replay connections."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.apps.harness import findings, listener_on, rule_ids
from tests.e2e.pg_notes import (
    Recording,
    assert_check_clean_then_failing,
    assert_replay_clean_with_postgres_stopped,
    assert_secret_redacted,
    calls,
    record,
    with_lookup_changed,
)
from tests.integration.servers import require

pytestmark = pytest.mark.e2e
require("postgres")

DRIVERS = {
    "sqlalchemy-psycopg2": "psycopg2",
    "sqlalchemy-psycopg": "psycopg",
    "sqlalchemy-asyncpg": "asyncpg",
}

#: psycopg 3 runs with the README's ``pytest``; the other two are the same test on another
#: driver, run by CI's heavy pass (each recording starts its own PostgreSQL).
PARAMS = [
    pytest.param(d, marks=[pytest.mark.heavy] if d != "sqlalchemy-psycopg" else []) for d in DRIVERS
]


@pytest.fixture(scope="module", params=PARAMS)
def recording(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    driver = str(request.param)
    pytest.importorskip("sqlalchemy", reason="SQLAlchemy not installed")
    pytest.importorskip(DRIVERS[driver], reason=f"{DRIVERS[driver]} not installed")
    return record(driver, tmp_path_factory)


def _lookup(call: dict[str, object]) -> bool:
    command = call["command"]
    assert isinstance(command, dict)
    return "WHERE notes.id =" in str(command["sql"])


def test_recording_holds_the_orm_statements(recording: Recording) -> None:
    recorded = calls(recording.traces)
    assert recorded and all(c["kind"] == "postgres" for c in recorded)
    sqls = " | ".join(str(c["command"]["sql"]) for c in recorded)  # type: ignore[index]
    assert "CREATE TABLE" not in sqls and "pg_catalog" not in sqls  # start-up: no exchange
    lookup = next(c for c in recorded if _lookup(c))
    result = lookup["result"]
    assert isinstance(result, dict)
    assert result["rows"][0][:4] == [1, "alpha", "first", {"$decimal": "3.50"}]
    assert any(str(c.get("error", "")).startswith("UniqueViolation") for c in recorded), sqls


def test_secret_in_params_and_rows_never_reaches_the_trace(recording: Recording) -> None:
    assert_secret_redacted(recording.traces)


def test_replay_with_postgres_stopped_is_clean(recording: Recording) -> None:
    assert_replay_clean_with_postgres_stopped(recording)


def _changed(recording: Recording, tmp_path: Path) -> Path:
    return with_lookup_changed(recording, tmp_path, _lookup)


def test_changed_query_result_fails_the_check(recording: Recording, tmp_path: Path) -> None:
    changed = _changed(recording, tmp_path)
    with listener_on(recording.pg_port):
        result = recording.replay(changed)
    assert result.code == 1, result.stdout + result.stderr
    assert rule_ids(result) == {"replay-value-changed"}
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert [c["message"] for c in changes] == [
        "response.body.title changed from 'alpha' to 'gamma'"
    ]


def test_unrecorded_statement_is_reported_by_its_sql(recording: Recording) -> None:
    with listener_on(recording.pg_port) as pg:
        result = recording.replay(variant="extra-query")
    assert result.code == 1, result.stdout + result.stderr
    assert rule_ids(result) == {"replay-mock-not-found"}
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert "no recorded postgres SELECT count(*) AS count_1" in changes[0]["message"]
    assert pg.accepted == 0


def test_driftdiff_check_with_postgres_stopped(recording: Recording, tmp_path: Path) -> None:
    assert_check_clean_then_failing(recording, _changed(recording, tmp_path))
