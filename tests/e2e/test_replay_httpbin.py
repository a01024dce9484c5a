"""A real third-party Flask app (httpbin, from PyPI) under gunicorn: basic auth, gzip, ETag and
If-Modified-Since revalidation, a cookie session and an echoed JSON body, recorded with the SDK
and checked through the real CLI against its own recording (credentials from the environment)
— silent — and against deliberately changed builds — the right rules, breaking."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.apps.harness import _wait_for_lines, findings, reported_rules
from tests.support import REPO, CliResult, free_port, run_cli, server_process

pytest.importorskip("httpbin", reason="httpbin (the third-party app under test) not installed")
pytestmark = pytest.mark.e2e

AUTH = "Basic dXNlcjpwYXNzd2Q="  # user:passwd, what /basic-auth/user/passwd accepts
SESSION = "s3cr3t-session-value"
CREDENTIALS = {"HTTPBIN_AUTH": AUTH, "HTTPBIN_SESSION": SESSION}

#: (path, request headers, JSON body text or None, recorded status)
TRAFFIC: list[tuple[str, dict[str, str], str | None, int]] = [
    ("/basic-auth/user/passwd", {"Authorization": AUTH}, None, 200),
    ("/basic-auth/user/passwd", {}, None, 401),  # anonymous: replayed anonymous
    ("/gzip", {"Accept-Encoding": "gzip"}, None, 200),
    ("/etag/v1", {"If-None-Match": '"v1"'}, None, 304),  # a cache revalidation
    ("/etag/v1", {"If-None-Match": '"v0"'}, None, 200),  # a stale validator: full answer
    ("/cache", {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}, None, 304),
    ("/cache", {}, None, 200),
    ("/cookies", {"Cookie": f"session={SESSION}"}, None, 200),
    ("/post", {"Content-Type": "application/json"}, '{"sku": "caf\\u00e9", "qty": 2}', 200),
]


def _gunicorn(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "tests.e2e.apps.httpbin_app:app",
    ]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """Record TRAFFIC (plus the readiness poll) and learn the baseline with the real CLI."""
    work = tmp_path_factory.mktemp("httpbin")
    traces, port = work / "traces", free_port()
    env = {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_TRACES_DIR": str(traces),
        # the counts below include the readiness poll (/health, left out by default)
        "DRIFTDIFF_DEFAULT_EXCLUDES": "0",
    }
    base = f"http://127.0.0.1:{port}"
    with server_process(_gunicorn(port), f"{base}/get", env=env, cwd=REPO):
        with httpx.Client(base_url=base, timeout=10) as client:
            for path, headers, body, status in TRAFFIC:
                method = "POST" if body is not None else "GET"
                response = client.request(method, path, headers=headers, content=body)
                assert response.status_code == status, (path, response.status_code)
        _wait_for_lines(traces, len(TRAFFIC) + 1)
    written = "".join(f.read_text() for f in traces.glob("*.jsonl"))
    assert SESSION not in written and "dXNlcjpwYXNzd2Q" not in written  # redacted at capture
    baseline = work / "baseline.json"
    result = run_cli("baseline", str(traces), "--out", str(baseline), cwd=REPO)
    assert result.code == 0, result.stderr
    return traces, baseline, port


def _check(
    recording: tuple[Path, Path, int], out: Path, *extra: str, variant: str = ""
) -> CliResult:
    traces, baseline, port = recording
    start = f"HTTPBIN_VARIANT={variant} exec " + " ".join(_gunicorn(port))
    return run_cli(
        "check",
        str(traces),
        "--baseline",
        str(baseline),
        "--target",
        f"http://127.0.0.1:{port}",
        "--start",
        start,
        "--ready",
        "/get",
        "--credential",
        "header:Authorization=HTTPBIN_AUTH",
        "--credential",
        "cookie:session=HTTPBIN_SESSION",
        "--out-dir",
        str(out),
        "--format",
        "json",
        *extra,
        cwd=REPO,
        env=CREDENTIALS,
    )


def test_own_build_is_silent_and_no_secret_is_written(
    recording: tuple[Path, Path, int], tmp_path: Path
) -> None:
    result = _check(recording, tmp_path, "--fail-on", "warning")
    assert result.code == 0, result.stdout + result.stderr
    report = findings(result)
    assert report["summary"]["breaking"] == 0, report  # type: ignore[index]
    assert report["summary"]["warning"] == 0, report  # type: ignore[index]
    # not even an info: the app never sees replay's exchange-id tag (httpbin echoes headers)
    assert report["summary"]["info"] == 0, report  # type: ignore[index]
    recorded = sum(f.read_text().count("\n") for f in recording[0].glob("*.jsonl"))
    assert recorded > len(TRAFFIC)  # TRAFFIC and the recorded readiness polls
    assert f"{recorded} pass\n" in result.stderr  # every one of them, nothing else
    live = [json.loads(line) for line in (tmp_path / "replay.jsonl").read_text().splitlines()]
    by_path = {(e["request"]["path"], e["response"]["status"]) for e in live}
    assert ("/basic-auth/user/passwd", 200) in by_path  # the credential was sent
    assert ("/basic-auth/user/passwd", 401) in by_path  # the anonymous request stayed anonymous
    assert ("/etag/v1", 304) in by_path and ("/etag/v1", 200) in by_path
    posted = next(e for e in live if e["request"]["path"] == "/post")
    assert posted["response"]["body"]["data"] == '{"sku": "caf\\u00e9", "qty": 2}'  # exact bytes
    gz = next(e for e in live if e["request"]["path"] == "/gzip")
    assert gz["response"]["body"]["gzipped"] is True  # compared decoded
    for artifact in [*tmp_path.iterdir()]:
        text = artifact.read_text(errors="replace")
        assert SESSION not in text and "dXNlcjpwYXNzd2Q" not in text, artifact
    assert SESSION not in result.stdout + result.stderr


@pytest.mark.heavy  # two more gunicorn runs (~20 s); the self-check above stays in the quick suite
@pytest.mark.parametrize(
    ("variant", "expected"),
    [("auth-broken", "replay-status-changed"), ("type-changed", "replay-type-changed")],
)
def test_changed_build_is_breaking(
    recording: tuple[Path, Path, int], tmp_path: Path, variant: str, expected: str
) -> None:
    result = _check(recording, tmp_path, "--fail-on-breaking", variant=variant)
    assert result.code == 1, result.stdout + result.stderr
    assert expected in reported_rules(result)
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert any(
        c["severity"] == "breaking" and c["endpoint"].startswith("GET /basic-auth") for c in changes
    ), changes
