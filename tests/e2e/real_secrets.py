"""The planted-secrets run through real servers (``test_no_secrets``): record, import, replay,
report, export, generate — then search every artifact for every planted secret."""

from __future__ import annotations

import base64
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import psycopg2

from tests.e2e import planted as p
from tests.integration.apps.harness import upstream
from tests.integration.servers import postgres_server, redis_server, require
from tests.support import (
    REPO,
    free_port,
    run_cli,
    server_process,
    start_recorder,
    wait_for_lines,
    wait_until_ready,
)

FORMATS = ("text", "json", "markdown", "junit", "github", "sarif")


def _seed(dsn: str) -> None:
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE accounts (email text, password text, note text, api_key text, "
            "api_token text)"
        )
        cur.execute(
            "INSERT INTO accounts (email, note, api_token) VALUES ('seed@x.invalid', 'seed', %s)",
            (p.PG_ROW_TOKEN,),
        )
    conn.close()


def _traffic(client: httpx.Client) -> list[httpx.Response]:
    """One request per inbound place: headers, query, path, and every body kind."""
    boundary = "plantedboundary42"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\nbob\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n'
        f"{p.MULTIPART_PASSWORD}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.env"\r\n'
        f"Content-Type: text/plain\r\n\r\nGITHUB_TOKEN={p.GH_OAUTH}\r\n--{boundary}--\r\n"
    ).encode()
    non_utf8 = (
        b'{"note": "caf\xe9", "contact": "' + p.EMAIL_NONUTF8.encode() + b'", '
        b'"deploy": "' + p.STRIPE_NONUTF8.encode() + b'"}'
    )
    octets = b"\x00\x01binary " + p.AWS_KEY_3.encode() + b" \xff\xfe " + p.SLACK_USER.encode()
    return [
        client.post(
            "/hooks/stripe",
            params={"token": p.QUERY_TOKEN},
            headers={
                "Stripe-Signature": p.STRIPE_SIGNATURE,
                "Authorization": f"Bearer {p.BEARER}",
                "Cookie": f"session={p.SESSION_ID}",
                "X-Request-Id": "req-1",
            },
            json={"id": "evt_1", "jwt": p.JWT, "contact": p.EMAIL, "pem": p.PEM},
        ),
        client.get(f"/files/{p.PATH_TOKEN}/download"),
        client.post("/accounts", json={"name": "bob"}),
        client.get("/boom"),
        client.get("/token"),
        client.post(
            "/echo-any",
            content=multipart,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        ),
        client.post("/echo-any", content=non_utf8, headers={"Content-Type": "application/json"}),
        client.post(
            "/echo-any", content=octets, headers={"Content-Type": "application/octet-stream"}
        ),
        client.post(
            "/echo-any",
            content=f"username=bob&password={p.FORM_PASSWORD}&note={p.STRIPE_RK}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        client.post(
            "/echo-any",
            content=f"key material:\n{p.PEM}\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
    ]


def _har_body(content: bytes, mime: str) -> dict[str, Any]:
    try:
        return {"mimeType": mime, "text": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"mimeType": mime, "text": base64.b64encode(content).decode(), "encoding": "base64"}


def _har(responses: list[httpx.Response], path: Path) -> Path:
    """A HAR of the client's view of the same traffic (what a browser would export)."""
    entries = []
    for r in responses:
        req = r.request
        mime = req.headers.get("content-type", "")
        entry_req: dict[str, Any] = {
            "method": req.method,
            "url": str(req.url),
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in req.headers.multi_items()],
            "queryString": [{"name": k, "value": v} for k, v in req.url.params.multi_items()],
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(req.content),
        }
        if req.content:
            body = _har_body(req.content, mime)
            if "encoding" in body:  # HAR postData has no encoding: keep it as Latin-1 text
                body = {"mimeType": mime, "text": req.content.decode("latin-1")}
            entry_req["postData"] = body
        content = {
            "size": len(r.content),
            **_har_body(r.content, r.headers.get("content-type", "")),
        }
        entries.append(
            {
                "startedDateTime": "2024-03-01T10:00:00.000Z",
                "time": 5,
                "request": entry_req,
                "response": {
                    "status": r.status_code,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in r.headers.multi_items()],
                    "cookies": [],
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": len(r.content),
                },
                "cache": {},
                "timings": {"send": 0, "wait": 5, "receive": 0},
            }
        )
    log = {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}
    path.write_text(json.dumps({"log": log}))
    return path


def _stop(proc: Any) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def _record(tmp: Path, redis_url: str, pg_dsn: str) -> tuple[list[httpx.Response], Path, Path]:
    """Traffic through ``driftdiff record`` in front of the SDK-recorded app."""
    sdk_traces, proxy_traces = tmp / "sdk-traces", tmp / "proxy-traces"
    port, proxy_port = free_port(), free_port()
    with upstream() as up:
        env = {
            "DRIFTDIFF_MODE": "record",
            "DRIFTDIFF_SERVICE": "planted",
            "DRIFTDIFF_TRACES_DIR": str(sdk_traces),
            "UPSTREAM": up,
            "REDIS_URL": redis_url,
            "PG_DSN": pg_dsn,
            "PYTHONPATH": str(REPO),
        }
        cmd = [sys.executable, "-m", "tests.e2e.apps.planted_app", str(port)]
        with server_process(cmd, f"http://127.0.0.1:{port}/health", env=env, cwd=REPO) as app:
            proxy = start_recorder(
                f"http://127.0.0.1:{port}", proxy_port, proxy_traces, "planted-proxy"
            )
            try:
                wait_until_ready(f"http://127.0.0.1:{proxy_port}/health", deadline_s=30)
                with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", timeout=30) as c:
                    responses = _traffic(c)
            finally:
                _stop(proxy)
                assert proxy.stderr is not None
                (tmp / "record.stderr").write_bytes(proxy.stderr.read())
                proxy.stderr.close()
            _stop(app)
    assert [r.status_code for r in responses] == [200, 200, 200, 500, 200, 200, 200, 200, 200, 200]
    return responses, sdk_traces, proxy_traces


def _cli(tmp: Path, name: str, *args: str) -> None:
    res = run_cli(*args, cwd=REPO)
    (tmp / f"{name}.out").write_text(res.stdout + res.stderr)
    assert res.code in (0, 1), f"{args}: {res.stderr[-2000:]}"


def _fake_service(request: httpx.Request) -> httpx.Response:
    """What the planted app answers, without a server (the HAR is a file either way)."""
    body = {
        "path": request.url.path,
        "aws": p.AWS_KEY,
        "aws_secret_access_key": p.AWS_SECRET,
        "github": p.GH_PAT,
        "stripe": p.STRIPE,
        "slack": [p.SLACK_BOT],
        "google": p.GOOGLE_KEY_2,
        "message": f"signed in with {p.JWT_IN_TEXT} ok",
        "database": p.DSN_IN_JSON,
        "remote": p.KEPT[0],
    }
    headers = {
        "Set-Cookie": f"sid={p.SESSION_ID}; HttpOnly",
        "X-Hub-Signature-256": p.HUB_SIGNATURE,
    }
    return httpx.Response(200, json=body, headers=headers)


def har_artifacts(tmp: Path) -> None:
    """The inbound places through a HAR only (no server): import, baseline, diff, export,
    generate; then the same search."""
    with httpx.Client(base_url="https://api.example.com", transport=httpx.MockTransport(
        _fake_service
    )) as client:  # fmt: skip
        responses = _traffic(client)
    inputs = tmp / "inputs"
    inputs.mkdir()
    har = _har(responses, inputs / "planted.har")
    _cli(tmp, "import", "import", "har", str(har), "--out", str(tmp / "har-traces"))
    base = tmp / "har.json"
    _cli(tmp, "baseline", "baseline", str(tmp / "har-traces"), "--out", str(base))
    for fmt in FORMATS:
        _cli(tmp, f"diff-{fmt}", "diff", str(base), str(har), "--format", fmt,
             "--output", str(tmp / f"diff.{fmt}"))  # fmt: skip
    _cli(tmp, "export", "export", "openapi", str(base), "--out", str(tmp / "openapi.json"))
    _cli(tmp, "generate", "generate", "pytest", str(tmp / "har-traces"), "--baseline", str(base),
         "--out", str(tmp / "gen" / "test_planted.py"))  # fmt: skip
    lines = b"".join(f.read_bytes() for f in (tmp / "har-traces").glob("*.jsonl"))
    assert p.KEPT[0].encode() in lines
    assert_no_leaks(tmp)


def _artifacts(tmp: Path) -> list[Path]:
    return [f for f in tmp.rglob("*") if f.is_file() and f.name != "planted.har"]


def run_planted_secrets(tmp: Path) -> None:
    require("redis")
    require("postgres")
    with redis_server() as rs, postgres_server() as pg:
        _seed(pg.url)
        responses, sdk_traces, proxy_traces = _record(tmp, rs.url, pg.url)
    wait_for_lines(sdk_traces, len(responses))
    wait_for_lines(proxy_traces, len(responses))
    inputs = tmp / "inputs"
    inputs.mkdir()
    har = _har(responses, inputs / "planted.har")

    _cli(tmp, "import", "import", "har", str(har), "--out", str(tmp / "har-traces"))
    for name, source in (("sdk", sdk_traces), ("proxy", proxy_traces), ("har", har)):
        _cli(tmp, f"baseline-{name}", "baseline", str(source), "--out", str(tmp / f"{name}.json"))
    base = tmp / "sdk.json"
    for fmt in FORMATS:
        _cli(tmp, f"diff-{fmt}", "diff", str(base), str(har), "--format", fmt,
             "--output", str(tmp / f"diff.{fmt}"))  # fmt: skip
    _cli(tmp, "export", "export", "openapi", str(base), "--out", str(tmp / "openapi.json"))
    _cli(tmp, "generate", "generate", "pytest", str(sdk_traces), "--baseline", str(base),
         "--out", str(tmp / "gen" / "test_planted.py"))  # fmt: skip
    port = free_port()
    app = f"{sys.executable} -m tests.e2e.apps.planted_app {port}"
    start = f"PLANTED_BUILD=v2 PYTHONPATH={REPO} exec {app}"
    for fmt in FORMATS:
        _cli(tmp, f"check-{fmt}", "check", str(sdk_traces), "--baseline", str(base),
             "--target", f"http://127.0.0.1:{port}", "--start", start, "--ready", "/health",
             "--out-dir", str(tmp / f"replay-{fmt}"), "--format", fmt,
             "--output", str(tmp / f"check.{fmt}"))  # fmt: skip

    # the run did see the live values (the replay reports are not empty by accident)
    check = json.loads((tmp / "check.json").read_text())
    rules = {c["rule"] for c in check["changes"]}
    assert "replay-mock-not-found" in rules, rules
    assert any("access_token" in c["location"] for c in check["changes"]), check["changes"]
    sdk_lines = b"".join(f.read_bytes() for f in sdk_traces.glob("*.jsonl"))
    for kept in p.KEPT:
        assert kept.encode() in sdk_lines, f"{kept} was redacted: it is not a secret"
    for needed in (b'"kind":"redis"', b'"kind":"postgres"', b'"error":"RuntimeError'):
        assert needed in sdk_lines, needed

    assert_no_leaks(tmp)


def assert_no_leaks(tmp: Path) -> None:
    leaks = []
    for f in _artifacts(tmp):
        data = f.read_bytes()
        for name, secret in p.SECRETS.items():
            for form, needle in p.encodings(secret).items():
                if needle in data:
                    leaks.append(f"{name} ({form}) in {f.relative_to(tmp)}")
    assert not leaks, "\n".join(leaks)
