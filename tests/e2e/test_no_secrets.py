"""Planted secrets never reach any artifact: traces, baselines, reports, OpenAPI, generated tests,
replay output.

``test_no_planted_secret_reaches_any_artifact``: traffic full of secrets goes in through HAR
import (and straight into ``baseline``/``diff``), and every file driftdiff writes from it is
searched byte for byte.

``test_planted_secrets_through_real_servers`` (heavy): the secrets of ``tests/e2e/planted.py``,
one per place listed in issue 13 item 4, go through a real Flask app recorded by the SDK (with
real Redis, Postgres and an upstream), through ``driftdiff record`` in front of it, and through
a HAR built from the same traffic; a replay against a "new build" returns live tokens. Every
artifact (traces, baselines, six report formats, replay output, OpenAPI, generated tests, what
the CLI printed) is searched for every secret raw, JSON-escaped, percent-encoded and in base64.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.real_secrets import har_artifacts, run_planted_secrets
from tests.support import run_cli

pytestmark = pytest.mark.e2e

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInJvbGUiOiJhZG1pbiJ9."
    "c2lnbmF0dXJlLXNlY3JldC1ieXRlcy1oZXJlLTEyMzQ1Ng"
)
SECRETS = {
    "bearer": "sk_live_51HxQ2eAbCdEfGhIjKlMn",
    "cookie": "sessid=9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "password": "correct-horse-battery-staple",
    "api_key": "AKIAQWERTYUIOPASDFGH",
    "email": "alice.liddell@wonderland.example",
    "card": "4242424242424242",
    "jwt": JWT,
}


def _entry(i: int, *, extra_field: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": i,
        "owner_email": SECRETS["email"],
        "note": f"card {SECRETS['card']} on file",
        "token": SECRETS["jwt"],
        "profile": {"password": SECRETS["password"], "contact": SECRETS["email"]},
    }
    if extra_field:
        body["api_key"] = SECRETS["api_key"]
    request_body = json.dumps({"password": SECRETS["password"], "email": SECRETS["email"]})
    return {
        "startedDateTime": "2024-03-01T10:00:00.000Z",
        "time": 5,
        "request": {
            "method": "POST",
            "url": f"https://api.example.com/accounts/{i}?api_key={SECRETS['api_key']}",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Authorization", "value": f"Bearer {SECRETS['bearer']}"},
                {"name": "Cookie", "value": SECRETS["cookie"]},
                {"name": "Content-Type", "value": "application/json"},
            ],
            "queryString": [{"name": "api_key", "value": SECRETS["api_key"]}],
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(request_body),
            "postData": {"mimeType": "application/json", "text": request_body},
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Content-Type", "value": "application/json"},
                {"name": "Set-Cookie", "value": f"{SECRETS['cookie']}; HttpOnly"},
            ],
            "cookies": [],
            "content": {"size": 1, "mimeType": "application/json", "text": json.dumps(body)},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 5, "receive": 0},
    }


def _har(path: Path, *, extra_field: bool) -> Path:
    entries = [_entry(i, extra_field=extra_field) for i in range(1, 31)]
    path.write_text(
        json.dumps(
            {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "t", "version": "1"},
                    "entries": entries,
                }
            }
        )
    )
    return path


def _assert_clean(files: list[Path]) -> None:
    assert files, "no artifact was written"
    for f in files:
        raw = f.read_bytes()
        for name, secret in SECRETS.items():
            assert secret.encode() not in raw, f"{name} leaked into {f.name}"
        assert b"correct-horse" not in raw and b"alice.liddell" not in raw


def test_no_planted_secret_reaches_any_artifact(tmp_path: Path) -> None:
    before = _har(tmp_path / "before.har", extra_field=False)
    after = _har(tmp_path / "after.har", extra_field=True)
    out: list[Path] = []

    res = run_cli("import", "har", str(before), "--out", str(tmp_path / "traces"))
    assert res.code == 0, res.stderr
    out += list((tmp_path / "traces").glob("*.jsonl"))

    base = tmp_path / "base.json"
    res = run_cli("baseline", str(tmp_path / "traces"), "--out", str(base))
    assert res.code == 0, res.stderr
    cur = tmp_path / "cur.json"
    res = run_cli("baseline", str(after), "--out", str(cur))  # straight from a HAR
    assert res.code == 0, res.stderr
    out += [base, cur]

    for fmt in ("text", "json", "markdown", "junit", "github", "sarif"):
        report = tmp_path / f"report.{fmt}"
        res = run_cli("diff", str(base), str(after), "--format", fmt, "--output", str(report))
        assert res.code == 0, res.stderr
        out.append(report)
        (tmp_path / f"stdout.{fmt}").write_text(res.stdout + res.stderr)
        out.append(tmp_path / f"stdout.{fmt}")
    # the diff did see the change (the reports are not empty by accident)
    assert "api_key" in (tmp_path / "report.json").read_text()

    spec = tmp_path / "openapi.json"
    res = run_cli("export", "openapi", str(base), "--out", str(spec))
    assert res.code == 0, res.stderr
    out.append(spec)

    generated = tmp_path / "gen" / "test_contract.py"
    res = run_cli("generate", "pytest", str(tmp_path / "traces"), "--out", str(generated))
    assert res.code == 0, res.stderr
    out.append(generated)

    _assert_clean(out)


def test_every_inbound_place_through_a_har(tmp_path: Path) -> None:
    """The planted secrets in headers, query, path and every body kind, in a HAR."""
    har_artifacts(tmp_path)


@pytest.mark.heavy
def test_planted_secrets_through_real_servers(tmp_path: Path) -> None:
    run_planted_secrets(tmp_path)
