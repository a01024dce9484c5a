"""grpcio client: record a FastAPI service under uvicorn calling a real gRPC server process,
then replay it with the gRPC server STOPPED. The app answers failures with their code, details
and trailing metadata, so a clean replay proves those come back as the same ``grpc.RpcError``; a
login call carries planted secrets in its metadata and messages both ways."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from drift_diff.baseline import save_baseline
from drift_diff.infer import infer_baseline
from drift_diff.traffic.traces import iter_raw_exchanges
from tests.e2e import planted
from tests.e2e.apps.harness import findings, listener_on, reported_rules, rule_ids
from tests.support import REPO, CliResult, free_port, run_cli, server_process, wait_for_lines

pytestmark = [pytest.mark.e2e, pytest.mark.heavy]  # ~10 s per replay with grpc imported
grpc = pytest.importorskip("grpc", reason="grpcio not installed")

TRAFFIC: list[tuple[str, str, int]] = [
    ("GET", "/notes/alpha", 200),
    ("GET", "/notes/missing", 404),
    ("GET", "/notes?limit=2", 200),
    ("GET", "/notes?limit=5", 200),  # the stream ends with OUT_OF_RANGE after two notes
    ("POST", "/session", 200),
]
#: Planted in the login call: request metadata and message, reply message, trailing metadata.
SECRETS = [
    planted.BEARER,
    planted.APIM_KEY,
    planted.FORM_PASSWORD,
    planted.GOOGLE_KEY_2,
    planted.STRIPE,
    planted.JWT,
    planted.JWT.rsplit(".", 1)[1],
    planted.EMAIL,
]


@dataclass
class Recording:
    traces: Path
    grpc_port: int

    def replay(
        self, traces: Path | None = None, variant: str = "", command: str = "replay"
    ) -> CliResult:
        """``driftdiff replay`` (or ``check`` against the baseline the recording infers)."""
        port = free_port()
        start = (
            f"GRPC_TARGET=127.0.0.1:{self.grpc_port} GRPC_VARIANT={variant} "
            f"exec {sys.executable} -m uvicorn tests.e2e.apps.grpc_notes:app "
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


@contextmanager
def grpc_server() -> Iterator[int]:
    """The notes gRPC server as its own process (``apps/grpc_notes_server``), ready when a
    channel to it is (grpcio's connectivity watch, no polling here); stopped on exit."""
    port = free_port()
    cmd = [sys.executable, "-m", "tests.e2e.apps.grpc_notes_server", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.PIPE, start_new_session=True)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            try:
                grpc.channel_ready_future(channel).result(timeout=30)
            except grpc.FutureTimeoutError:
                proc.kill()
                _, err = proc.communicate(timeout=10)
                raise RuntimeError(f"gRPC server failed: {err.decode(errors='replace')}") from None
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=10)


def _exchanges(traces: Path) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for f in sorted(traces.glob("*.jsonl"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    traces = tmp_path_factory.mktemp("grpc") / "traces"
    port = free_port()
    with grpc_server() as grpc_port:
        env = {
            "DRIFTDIFF_MODE": "record",
            "DRIFTDIFF_DEFAULT_EXCLUDES": "0",  # /health (the readiness poll) is replayed too
            "DRIFTDIFF_TRACES_DIR": str(traces),
            "GRPC_TARGET": f"127.0.0.1:{grpc_port}",
        }
        cmd = [sys.executable, "-m", "uvicorn", "tests.e2e.apps.grpc_notes:app"]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        with (
            server_process(cmd, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
        ):
            for method, path, status in TRAFFIC:
                response = client.request(method, path)
                assert response.status_code == status, (path, response.text)
            wait_for_lines(traces, len(TRAFFIC) + 1, deadline_s=10)
    return Recording(traces, grpc_port)  # the gRPC server is stopped here


def test_recording_holds_methods_messages_and_status(recording: Recording) -> None:
    calls = [c for ex in _exchanges(recording.traces) for c in ex.get("outbound") or []]  # type: ignore[attr-defined]
    by_method = {(c["command"]["method"], c["result"]["code"]): c for c in calls}
    ok = by_method[("/notes.Notes/Get", "OK")]
    assert ok["command"] == {
        "method": "/notes.Notes/Get",
        "type": "unary_unary",
        "request": {"name": "alpha"},
    }
    assert ok["result"]["messages"] == [{"title": "alpha", "body": "first", "stars": 3.0}]
    missing = by_method[("/notes.Notes/Get", "NOT_FOUND")]
    assert missing["result"]["details"] == "note missing not found"
    assert missing["result"]["trailing_metadata"]["x-reason"] == ["no such note"]
    stream = by_method[("/notes.Notes/List", "OK")]
    assert [m["title"] for m in stream["result"]["messages"]] == ["alpha", "beta"]
    cut = by_method[("/notes.Notes/List", "OUT_OF_RANGE")]
    assert [m["title"] for m in cut["result"]["messages"]] == ["alpha", "beta"]
    assert cut["result"]["details"] == "limit 5 past the end"
    assert cut["result"]["trailing_metadata"]["x-reason"] == ["only 2 notes"]


def test_planted_secrets_in_grpc_metadata_and_messages_never_reach_the_trace(
    recording: Recording,
) -> None:
    text = "\n".join(f.read_text() for f in sorted(recording.traces.glob("*.jsonl")))
    assert [s for s in SECRETS if s in text] == []
    calls = [c for ex in _exchanges(recording.traces) for c in ex.get("outbound") or []]  # type: ignore[attr-defined]
    login = next(c for c in calls if c["command"]["method"] == "/notes.Notes/Login")
    assert login["command"]["request"]["user"] == "ann"  # the rest is kept, format-preserved
    assert set(login["command"]["request"]) == {"user", "password", "api_key"}
    reply = login["result"]["messages"][0]
    assert reply["user"] == "ann" and reply["email"].endswith("@redacted.invalid")
    assert reply["token"].startswith("eyJ")  # still a JWT, re-signed
    trailing = login["result"]["trailing_metadata"]
    assert set(trailing) >= {"authorization", "x-api-key", "ocp-apim-subscription-key"}
    assert "metadata" not in login["command"]  # request metadata is not recorded


def test_replay_with_the_grpc_server_stopped_is_clean(recording: Recording) -> None:
    with listener_on(recording.grpc_port) as server:
        result = recording.replay()
    assert result.code == 0, result.stdout + result.stderr
    summary = findings(result)["summary"]
    assert isinstance(summary, dict)
    assert summary["breaking"] == 0 and summary["warning"] == 0, result.stdout
    assert f"{len(TRAFFIC) + 1} pass" in result.stderr
    assert server.accepted == 0
    assert [s for s in SECRETS if s in result.stdout + result.stderr] == []


@pytest.mark.parametrize(
    ("call_type", "message"),
    [
        ("unary_unary", "response.body.title changed from 'alpha' to 'gamma'"),
        ("unary_stream", "response.body.notes[0].title changed from 'alpha' to 'gamma'"),
    ],
)
def test_changed_reply_fails_the_check(
    recording: Recording, tmp_path: Path, call_type: str, message: str
) -> None:
    """The first reply message of each successful call of ``call_type`` (unary-unary ``Get``,
    server-streaming ``List``) now says "gamma": the app's answer must change with it."""
    changed = tmp_path / "traces"
    changed.mkdir()
    lines = []
    for ex in _exchanges(recording.traces):
        for call in ex.get("outbound") or []:  # type: ignore[attr-defined]
            if call["result"]["code"] == "OK" and call["command"]["type"] == call_type:
                call["result"]["messages"][0]["title"] = "gamma"
        lines.append(json.dumps(ex))
    (changed / "notes.jsonl").write_text("\n".join(lines) + "\n")
    with listener_on(recording.grpc_port):
        result = recording.replay(changed)
    assert result.code == 1, result.stdout + result.stderr
    assert rule_ids(result) == {"replay-value-changed"}
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert [c["message"] for c in changes] == [message]


@pytest.mark.parametrize(
    ("variant", "method"),
    [("extra-call", "/notes.Notes/Get"), ("extra-stream", "/notes.Notes/List")],
)
def test_unrecorded_call_is_reported_by_its_method(
    recording: Recording, variant: str, method: str
) -> None:
    with listener_on(recording.grpc_port) as server:
        result = recording.replay(variant=variant)
    assert result.code == 1, result.stdout + result.stderr
    assert rule_ids(result) == {"replay-mock-not-found"}
    changes = findings(result)["changes"]
    assert isinstance(changes, list) and len(changes) == 1, changes
    assert "no recorded grpc" in changes[0]["message"]
    assert method in changes[0]["message"]
    assert server.accepted == 0


def test_driftdiff_check_with_the_grpc_server_stopped(recording: Recording) -> None:
    """``driftdiff check`` (replay, then the diff against the recording's baseline): clean with
    the server stopped; a build making an unrecorded streaming call fails it, the call named."""
    with listener_on(recording.grpc_port) as server:
        clean = recording.replay(command="check")
        extra = recording.replay(variant="extra-stream", command="check")
    assert clean.code == 0, clean.stdout + clean.stderr
    assert findings(clean)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert extra.code == 1, extra.stdout + extra.stderr
    # the app answers 500 without its mock: the status change is reported beside it
    assert "replay-mock-not-found" in reported_rules(extra)
    changes = findings(extra)["changes"]
    assert isinstance(changes, list)
    missing = [c for c in changes if c["rule"] == "replay-mock-not-found"]
    assert len(missing) == 1 and "/notes.Notes/List" in str(missing[0]["message"]), changes
    assert server.accepted == 0
