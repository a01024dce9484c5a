"""The notes service of ``apps/notes_pg`` recorded against a real PostgreSQL under uvicorn,
then replayed with the server stopped: shared by the driver and SQLAlchemy replay tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from drift_diff.baseline import save_baseline
from drift_diff.infer import infer_baseline
from drift_diff.traffic.traces import iter_raw_exchanges
from tests.e2e import planted
from tests.e2e.apps.harness import findings, listener_on, reported_rules
from tests.integration.servers import postgres_server
from tests.support import REPO, CliResult, free_port, run_cli, server_process, wait_for_lines

#: A token in the "beta" note's body: a statement's parameter, then cells of result rows.
SECRET = planted.GH_PAT

#: (method, path, JSON body, expected status) sent while recording.
TRAFFIC: list[tuple[str, str, object, int]] = [
    ("POST", "/notes", {"title": "alpha", "body": "first", "score": 3.5}, 201),
    ("POST", "/notes", {"title": "beta", "body": f"second {SECRET}", "score": 7.25}, 201),
    ("POST", "/notes", {"title": "alpha", "body": "again", "score": 1}, 409),
    ("GET", "/notes/1", None, 200),
    ("GET", "/notes/999", None, 404),
    ("GET", "/notes?min_score=1", None, 200),
    ("POST", "/notes/bulk", [{"title": f"n{i}", "body": "b", "score": i} for i in (1, 2)], 200),
    ("GET", "/notes?min_score=2", None, 200),
]


@dataclass
class Recording:
    driver: str
    traces: Path
    pg_port: int

    def replay(
        self, traces: Path | None = None, variant: str = "", command: str = "replay"
    ) -> CliResult:
        """``driftdiff replay`` (or ``check`` against the baseline the recording infers)."""
        port = free_port()
        start = (
            f"PG_DSN=postgresql://postgres@127.0.0.1:{self.pg_port}/postgres "
            f"PG_DRIVER={self.driver} NOTES_VARIANT={variant} "
            f"exec {sys.executable} -m uvicorn tests.e2e.apps.notes_pg:app "
            f"--host 127.0.0.1 --port {port}"
        )
        baseline = ["--baseline", str(self.baseline())] if command == "check" else []
        return run_cli(
            command,
            *baseline,
            str(traces or self.traces),
            "--target",
            f"http://127.0.0.1:{port}",
            "--start",
            start,
            "--ready",
            "/health",
            "--fail-on",
            "warning",
            "--format",
            "json",
            cwd=REPO,
        )

    def baseline(self) -> Path:
        """The baseline ``driftdiff baseline`` would learn from the recording (made once)."""
        path = self.traces.parent / "baseline.json"
        if not path.exists():
            save_baseline(infer_baseline(list(iter_raw_exchanges([self.traces]))), path)
        return path


def record(driver: str, tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """Start PostgreSQL and the service recording through ``driver``, send ``TRAFFIC``."""
    traces = tmp_path_factory.mktemp(driver) / "traces"
    port = free_port()
    with postgres_server() as pg:
        env = {
            "DRIFTDIFF_MODE": "record",
            "DRIFTDIFF_DEFAULT_EXCLUDES": "0",  # /health (the readiness poll) is replayed too
            "DRIFTDIFF_TRACES_DIR": str(traces),
            "PG_DSN": pg.url,
            "PG_DRIVER": driver,
        }
        cmd = [sys.executable, "-m", "uvicorn", "tests.e2e.apps.notes_pg:app"]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        with (
            server_process(cmd, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
        ):
            for method, path, body, status in TRAFFIC:
                response = client.request(method, path, json=body)
                assert response.status_code == status, (method, path, response.text)
            with suppress(TimeoutError):  # after the deadline the tests read what is there
                wait_for_lines(traces, len(TRAFFIC) + 1, deadline_s=10)
        return Recording(driver, traces, pg.port)  # the server stops here


def exchanges(traces: Path) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for f in sorted(traces.glob("*.jsonl"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]


def calls(traces: Path) -> list[dict[str, object]]:
    """Every recorded outbound call, in order."""
    return [c for ex in exchanges(traces) for c in ex.get("outbound") or []]  # type: ignore[attr-defined]


def assert_secret_redacted(traces: Path) -> None:
    """``SECRET`` is nowhere on disk; its placeholder is in a recorded statement's parameters
    and in recorded result rows (redacted by the rules of HTTP bodies)."""
    text = "\n".join(f.read_text() for f in sorted(traces.glob("*.jsonl")))
    assert SECRET not in text
    placeholder = "second ghp_redacted-"
    recorded = calls(traces)
    in_params = [c for c in recorded if placeholder in json.dumps(c["command"])]  # type: ignore[index]
    in_rows = [c for c in recorded if placeholder in json.dumps(c.get("result"))]
    assert in_params and in_rows, [c["command"] for c in recorded]  # type: ignore[index]


def with_lookup_changed(
    recording: Recording, tmp_path: Path, is_lookup: Callable[[dict[str, Any]], bool]
) -> Path:
    """The recording with the lookup's recorded row saying "gamma" where it said "alpha"."""
    changed = tmp_path / "traces"
    changed.mkdir()
    lines = []
    for ex in exchanges(recording.traces):
        for call in ex.get("outbound") or []:  # type: ignore[attr-defined]
            if is_lookup(call) and call.get("result", {}).get("rows"):
                call["result"]["rows"][0][1] = "gamma"
        lines.append(json.dumps(ex))
    (changed / "notes.jsonl").write_text("\n".join(lines) + "\n")
    return changed


def assert_replay_clean_with_postgres_stopped(recording: Recording) -> None:
    """Replay with PostgreSQL's port held by a listener: no finding, every request passes, and
    nothing connects to the port."""
    with listener_on(recording.pg_port) as pg:
        result = recording.replay()
    assert result.code == 0, result.stdout + result.stderr
    summary = findings(result)["summary"]
    assert isinstance(summary, dict)
    assert summary["breaking"] == 0 and summary["warning"] == 0, result.stdout
    assert f"{len(TRAFFIC) + 1} pass" in result.stderr  # TRAFFIC + the readiness poll
    assert pg.accepted == 0


def assert_check_clean_then_failing(recording: Recording, changed: Path) -> None:
    """``driftdiff check`` (replay, then the diff against the recording's baseline): clean with
    the server stopped; the changed query result (``changed``) fails it with its named rule."""
    with listener_on(recording.pg_port) as pg:
        clean = recording.replay(command="check")
        failing = recording.replay(changed, command="check")
    assert clean.code == 0, clean.stdout + clean.stderr
    assert findings(clean)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert failing.code == 1, failing.stdout + failing.stderr
    assert reported_rules(failing) == {"replay-value-changed"}
    assert pg.accepted == 0
