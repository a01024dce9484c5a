"""psycopg 3 (sync, async) and asyncpg: record a FastAPI service under uvicorn against a real
PostgreSQL, then replay it with the server STOPPED."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.apps.harness import findings, listener_on, rule_ids
from tests.e2e.pg_notes import (
    Recording,
    assert_check_clean_then_failing,
    assert_replay_clean_with_postgres_stopped,
    assert_secret_redacted,
    exchanges,
    record,
    with_lookup_changed,
)
from tests.integration.servers import require

pytestmark = pytest.mark.e2e
require("postgres")

DRIVERS = {
    "psycopg": "psycopg",
    "psycopg-async": "psycopg",
    "asyncpg": "asyncpg",
    "psycopg-pool": "psycopg_pool",
    "psycopg-pool-sync": "psycopg_pool",
}

#: psycopg 3 sync runs with the README's ``pytest``; the other two drivers are the same test on
#: another driver, run by CI's heavy pass (each recording starts its own PostgreSQL).
PARAMS = [pytest.param(d, marks=[pytest.mark.heavy] if d != "psycopg" else []) for d in DRIVERS]


@pytest.fixture(scope="module", params=PARAMS)
def recording(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    driver = str(request.param)
    pytest.importorskip(DRIVERS[driver], reason=f"{DRIVERS[driver]} not installed")
    return record(driver, tmp_path_factory)


def test_recording_holds_every_statement_with_its_rows(recording: Recording) -> None:
    calls = [
        c
        for ex in exchanges(recording.traces)
        for c in ex.get("outbound") or []  # type: ignore[attr-defined]
    ]
    assert calls and all(c["kind"] == "postgres" for c in calls)
    sqls = " | ".join(c["command"]["sql"] for c in calls)
    assert "CREATE TABLE" not in sqls  # start-up statements belong to no exchange
    assert "BEGIN" not in sqls and "RESET ALL" not in sqls  # the driver's own bookkeeping
    lookup = next(c for c in calls if "WHERE id =" in c["command"]["sql"])
    assert lookup["command"]["params"] == [1]
    assert lookup["result"]["columns"] == ["id", "title", "body", "score", "created"]
    assert lookup["result"]["rows"][0][:4] == [1, "alpha", "first", {"$decimal": "3.50"}]
    assert any(c.get("error", "").startswith("UniqueViolation") for c in calls), sqls
    assert any(c["command"].get("many") for c in calls)
    if recording.driver == "asyncpg":  # executemany, and fetchmany with its rows
        many = [c for c in calls if c["command"].get("many")]
        assert [c["result"]["api"] for c in many] == ["executemany", "fetchmany"]
        assert many[1]["result"]["rows"] == [[5]]  # (the duplicate insert used id 3)


def test_secret_in_params_and_rows_never_reaches_the_trace(recording: Recording) -> None:
    assert_secret_redacted(recording.traces)


def test_replay_with_postgres_stopped_is_clean(recording: Recording) -> None:
    assert_replay_clean_with_postgres_stopped(recording)


def _changed(recording: Recording, tmp_path: Path) -> Path:
    return with_lookup_changed(
        recording, tmp_path, lambda call: "WHERE id =" in call["command"]["sql"]
    )


def test_changed_query_result_fails_the_check(recording: Recording, tmp_path: Path) -> None:
    """The recorded answer of the lookup says "gamma": the service must answer "gamma" too,
    so replay's comparison with the recorded response ("alpha") fails with a named rule."""
    changed = _changed(recording, tmp_path)
    with listener_on(recording.pg_port):
        result = recording.replay(changed)
    assert result.code == 1, result.stdout + result.stderr
    changes = findings(result)["changes"]
    assert isinstance(changes, list) and changes, result.stdout
    assert rule_ids(result) == {"replay-value-changed"}
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
    assert "no recorded postgres SELECT count(*) FROM notes WHERE title = " in changes[0]["message"]
    assert pg.accepted == 0


def test_driftdiff_check_with_postgres_stopped(recording: Recording, tmp_path: Path) -> None:
    assert_check_clean_then_failing(recording, _changed(recording, tmp_path))
