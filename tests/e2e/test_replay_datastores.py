"""Record a service using Redis and Postgres with both up; replay it with both STOPPED."""

from __future__ import annotations

import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.apps.harness import findings, listener_on, rule_ids
from tests.integration.servers import postgres_server, redis_server, require
from tests.support import REPO, CliResult, free_port, run_cli, server_process, wait_for_lines

pytestmark = pytest.mark.e2e
require("redis")
require("postgres")

#: (method, path, JSON body, expected status) sent while recording.
TRAFFIC: list[tuple[str, str, object, int]] = [
    ("POST", "/items", {"sku": "sku-1", "name": "Widget", "price": 9.9}, 201),
    ("POST", "/items", {"sku": "sku-2", "name": "Gadget", "price": 24.5}, 201),
    ("POST", "/items", {"sku": "sku-1", "name": "Again", "price": 1}, 409),
    ("GET", "/items/sku-1", None, 200),  # cache miss: Postgres, then SET
    ("GET", "/items/sku-1", None, 200),  # cache hit: Redis only
    ("GET", "/items/sku-2", None, 200),
    ("GET", "/items/nope", None, 404),
    ("GET", "/items?min_price=5", None, 200),
    ("GET", "/stats", None, 200),
    ("GET", "/stats", None, 200),
]


@dataclass
class Recording:
    traces: Path
    pg_port: int
    redis_port: int

    def replay(self, *extra: str, variant: str = "") -> CliResult:
        port = free_port()
        start = (
            f"PG_DSN=postgresql://postgres@127.0.0.1:{self.pg_port}/postgres "
            f"REDIS_URL=redis://127.0.0.1:{self.redis_port}/0 CATALOG_VARIANT={variant} "
            f"exec {sys.executable} -m uvicorn tests.e2e.apps.catalog_fastapi:app "
            f"--host 127.0.0.1 --port {port}"
        )
        return run_cli(
            "replay",
            str(self.traces),
            "--target",
            f"http://127.0.0.1:{port}",
            "--start",
            start,
            "--ready",
            "/health",
            *extra,
            cwd=REPO,
        )


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    traces = tmp_path_factory.mktemp("datastores") / "traces"
    port = free_port()
    with redis_server() as rds, postgres_server() as pg:
        env = {
            "DRIFTDIFF_MODE": "record",
            "DRIFTDIFF_DEFAULT_EXCLUDES": "0",  # /health (the readiness poll) is replayed too
            "DRIFTDIFF_TRACES_DIR": str(traces),
            "PG_DSN": pg.url,
            "REDIS_URL": rds.url,
        }
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.e2e.apps.catalog_fastapi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        with (
            server_process(cmd, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
        ):
            for method, path, body, status in TRAFFIC:
                response = client.request(method, path, json=body)
                assert response.status_code == status, (method, path, response.text)
            with suppress(TimeoutError):  # the SDK writes off the request path
                wait_for_lines(traces, len(TRAFFIC) + 1, deadline_s=10)
        return Recording(traces, pg.port, rds.port)  # both servers stop here


def test_recording_holds_the_datastore_calls(recording: Recording) -> None:
    text = "".join(f.read_text() for f in recording.traces.glob("*.jsonl"))
    assert '"kind":"postgres"' in text.replace(" ", "")
    assert '"kind":"redis"' in text.replace(" ", "")
    assert "CREATE TABLE" not in text  # start-up statements belong to no exchange


def test_replay_with_both_servers_stopped_is_clean(recording: Recording, tmp_path: Path) -> None:
    with listener_on(recording.pg_port) as pg, listener_on(recording.redis_port) as rds:
        result = recording.replay(
            "--out-dir", str(tmp_path), "--fail-on", "warning", "--format", "json"
        )
    assert result.code == 0, result.stdout + result.stderr
    summary = findings(result)["summary"]
    assert isinstance(summary, dict)
    assert summary["breaking"] == 0 and summary["warning"] == 0, result.stdout
    assert f"{len(TRAFFIC) + 1} pass" in result.stderr  # TRAFFIC + the readiness poll
    assert pg.accepted == 0 and rds.accepted == 0


def test_changed_query_is_mock_not_found_naming_the_sql(recording: Recording) -> None:
    with listener_on(recording.pg_port) as pg:
        result = recording.replay("--fail-on-breaking", "--format", "json", variant="changed-query")
    assert result.code == 1, result.stdout + result.stderr
    assert rule_ids(result) == {"replay-mock-not-found"}
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    message = changes[0]["message"]
    assert (
        "no recorded postgres SELECT id, sku, name, price, created_at FROM items "
        "WHERE lower(sku) = lower(%s)"
    ) in message
    assert "SQL differed" in message
    assert pg.accepted == 0


def test_raw_socket_to_postgres_is_blocked_and_reported(recording: Recording) -> None:
    with listener_on(recording.pg_port) as pg:
        result = recording.replay("--fail-on-breaking", "--format", "json", variant="raw-socket")
    assert result.code == 1
    assert pg.accepted == 0
    assert rule_ids(result) == {"replay-unpatched-dependency"}
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert f"connect to 127.0.0.1:{recording.pg_port}" in changes[0]["message"]
