"""Record a FastAPI service with its upstream up, replay it with the upstream stopped."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.e2e.apps.harness import (
    Recording,
    findings,
    listener_on,
    record,
    reported_rules,
    rule_ids,
)
from tests.support import free_port, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    return record("fastapi", tmp_path_factory.mktemp("fastapi"))


def _refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_own_build_replays_clean_and_touches_no_upstream(
    recording: Recording, tmp_path: Path
) -> None:
    port = free_port()
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay(
            "--out-dir", str(tmp_path), "--fail-on", "warning", "--format", "json", port=port
        )
    assert result.code == 0, result.stderr
    assert findings(result)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert "13 pass" in result.stderr  # TRAFFIC + the readiness poll
    assert upstream.accepted == 0  # every outbound call was served from the recording
    assert (tmp_path / "replay.jsonl").is_file()
    assert _refused(port)  # the service's process group is gone


def test_own_build_passes_check(recording: Recording) -> None:
    result = recording.replay("--fail-on", "warning", "--format", "json", command="check")
    assert result.code == 0, result.stdout + result.stderr
    assert findings(result)["summary"] == {"breaking": 0, "warning": 0, "info": 0}


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("field-removed", {"replay-field-missing", "response-required-property-removed"}),
        ("type-changed", {"replay-type-changed"}),
        ("status-changed", {"replay-status-changed"}),
    ],
)
def test_changed_build_fails_check(recording: Recording, variant: str, expected: set[str]) -> None:
    result = recording.replay(
        "--fail-on-breaking", "--format", "json", command="check", variant=variant
    )
    assert result.code == 1, result.stdout + result.stderr
    rules = reported_rules(result)
    assert expected <= rules, rules


def test_unrecorded_outbound_call_is_mock_not_found(recording: Recording) -> None:
    result = recording.replay("--fail-on-breaking", "--format", "json", variant="new-call")
    assert result.code == 1
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert {c["rule"] for c in changes} == {"replay-mock-not-found"}
    message = changes[0]["message"]
    assert f"no recorded GET http://127.0.0.1:{recording.upstream_port}/fees" in message
    assert "path differed (/rates vs /fees)" in message
    assert "mock-not-found" in result.stderr


def test_uncovered_connection_is_blocked_and_reported(recording: Recording) -> None:
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay("--fail-on-breaking", "--format", "json", variant="raw-socket")
    assert result.code == 1
    assert upstream.accepted == 0
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert {c["rule"] for c in changes} == {"replay-unpatched-dependency"}
    assert (
        f"unpatched dependency: connect to 127.0.0.1:{recording.upstream_port}"
        in changes[0]["message"]
    )


def test_service_crash_mid_run_is_reported_per_request(recording: Recording) -> None:
    result = recording.replay(
        "--concurrency", "1", "--fail-on-breaking", "--format", "json", variant="crash"
    )
    assert result.code == 1
    assert "service exited with code 3 while serving this request" in result.stderr
    assert "not sent: service exited with code 3" in result.stderr
    assert "service exited with code 3 during the run" in result.stderr
    assert rule_ids(result) == {"replay-request-failed"}


def test_per_request_timeout(recording: Recording) -> None:
    result = recording.replay(
        "--timeout", "1", "--fail-on-breaking", "--format", "json", variant="slow"
    )
    assert result.code == 1
    assert "timed out after 1s" in result.stderr
    assert rule_ids(result) == {"replay-request-failed"}


def test_target_never_ready_is_one_line_exit_2(recording: Recording) -> None:
    port = free_port()
    result = run_cli(
        "replay",
        str(recording.traces),
        "--target",
        f"http://127.0.0.1:{port}",
        "--start",
        "exec sleep 30",
        "--ready-timeout",
        "1",
    )
    assert result.code == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"target http://127.0.0.1:{port}/ not ready after 1s" in result.stderr
    assert "Traceback" not in result.stderr


def test_service_that_dies_at_start_is_one_line_exit_2(recording: Recording) -> None:
    result = run_cli(
        "replay",
        str(recording.traces),
        "--target",
        f"http://127.0.0.1:{free_port()}",
        "--start",
        "echo boom >&2; exit 7",
    )
    assert result.code == 2
    assert "service exited with code 7 before" in result.stderr
    assert "boom" in result.stderr and "Traceback" not in result.stderr


def test_target_down_without_start(recording: Recording) -> None:
    result = run_cli(
        "replay",
        str(recording.traces),
        "--target",
        f"http://127.0.0.1:{free_port()}",
        "--ready-timeout",
        "0.5",
    )
    assert result.code == 2 and "not ready after 0.5s" in result.stderr
