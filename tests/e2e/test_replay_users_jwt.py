"""A third-party ASGI users service (fastapi-users, from PyPI) with JWT-protected endpoints,
gzip inside the SDK and clock-dependent values: recorded, then checked against its own
recording and against changed builds through the real CLI.

What it proves end to end: the recording holds decoded JSON (not gzip bytes) and only redacted
tokens (no usable signature); in replay the service accepts those tokens (SDK replay mode skips
signature and expiry checks) and reads the recorded clock ("expires in N minutes", the day).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi_users", reason="fastapi-users is not installed")
pytest.importorskip("aiosqlite", reason="aiosqlite is not installed")

import httpx
import jwt

from drift_diff.baseline import save_baseline
from drift_diff.infer import infer_baseline
from drift_diff.traffic.traces import iter_raw_exchanges
from tests.e2e.apps.harness import findings, reported_rules
from tests.e2e.apps.users_jwt import AUDIENCE, SECRET, USER_ID
from tests.support import REPO, CliResult, free_port, run_cli, server_process, wait_for_lines

pytestmark = [pytest.mark.e2e, pytest.mark.heavy]  # three service start-ups: ~50 s

APP = "tests.e2e.apps.users_jwt:app"


def _uvicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1", "--port", str(port)]


class Recording:
    def __init__(self, workdir: Path, token: str) -> None:
        self.workdir, self.token = workdir, token
        self.traces = workdir / "traces"
        self.baseline = workdir / "baseline.json"

    def check(self, *extra: str, variant: str = "") -> CliResult:
        port = free_port()
        db = self.workdir / f"replay-{port}.db"
        start = f"USERS_DB={db} USERS_VARIANT={variant} exec {' '.join(_uvicorn(port))}"
        return run_cli(
            "check",
            "--baseline",
            str(self.baseline),
            str(self.traces),
            "--target",
            f"http://127.0.0.1:{port}",
            "--start",
            start,
            "--ready",
            "/health",
            "--format",
            "json",
            *extra,
            cwd=REPO,
        )


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    workdir = tmp_path_factory.mktemp("users-jwt")
    # a token as an identity provider issues it: valid for an hour from now
    claims = {"sub": str(USER_ID), "aud": AUDIENCE, "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    rec = Recording(workdir, token)
    port = free_port()
    env = {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_DEFAULT_EXCLUDES": "0",  # /health (the readiness poll) is replayed too
        "DRIFTDIFF_TRACES_DIR": str(rec.traces),
        "USERS_DB": str(workdir / "record.db"),
    }
    bearer = {"authorization": f"Bearer {token}"}
    traffic: list[tuple[str, dict[str, str], int]] = [
        ("/users/me", bearer, 200),
        ("/session", bearer, 200),
        ("/users/me", {}, 401),
        ("/session", bearer, 200),
    ]
    ready = f"http://127.0.0.1:{port}/health"
    with server_process(_uvicorn(port), ready, env=env, cwd=REPO):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for path, headers, status in traffic:
                response = client.get(path, headers=headers)
                assert response.status_code == status, (path, response.text)
                assert response.headers["content-encoding"] == "gzip"
        wait_for_lines(rec.traces, len(traffic) + 1)  # + the readiness poll
    save_baseline(infer_baseline(list(iter_raw_exchanges([rec.traces]))), rec.baseline)
    return rec


def _exchanges(recording: Recording) -> list[dict[str, Any]]:
    return list(iter_raw_exchanges([recording.traces]))


def test_recording_holds_decoded_json_and_no_usable_token(recording: Recording) -> None:
    raw = b"".join(f.read_bytes() for f in recording.traces.glob("*.jsonl"))
    signature = recording.token.rsplit(".", 1)[1]
    assert signature.encode() not in raw and recording.token.encode() not in raw
    session = next(e for e in _exchanges(recording) if e["request"]["path"] == "/session")
    assert session["response"]["headers"]["content-encoding"] == ["gzip"]  # a header fact
    body = session["response"]["body"]  # decoded JSON, not gzip bytes
    assert body["user_id"] == str(USER_ID) and body["expires_in_minutes"] in (59, 60)
    [auth] = session["request"]["headers"]["authorization"]
    _header, payload, sig = auth.removeprefix("Bearer ").split(".")
    assert sig.startswith("redacted-")  # the signature is gone, the claims stay readable
    claims = json.loads(jwt.utils.base64url_decode(payload))
    assert claims["sub"] == str(USER_ID) and claims["aud"] == AUDIENCE


def test_own_build_passes_check(recording: Recording) -> None:
    result = recording.check("--fail-on", "warning")
    assert result.code == 0, result.stdout + result.stderr
    assert findings(result)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    # every request answered as recorded: no token refused (401), none failed to replay
    rows = re.findall(r"^\d+\s+GET (\S+)\s+(\d{3})\s+(\d{3})\s", result.stderr, re.M)
    assert len(rows) == 5 and all(rec == live for _, rec, live in rows), result.stderr


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("v2-field-removed", {"replay-field-missing", "response-required-property-removed"}),
        ("v2-type-changed", {"replay-type-changed"}),
    ],
)
def test_changed_build_is_breaking(recording: Recording, variant: str, expected: set[str]) -> None:
    result = recording.check("--fail-on-breaking", variant=variant)
    assert result.code == 1, result.stdout + result.stderr
    breaking = {
        str(c["rule"])
        for c in findings(result)["changes"]  # type: ignore[union-attr]
        if c["severity"] == "breaking"
    }
    assert breaking and expected <= breaking | reported_rules(result), result.stdout
