"""HAR import: small HAR files built for each edge, read through the library and the real CLI."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from drift_diff.errors import InputError
from drift_diff.traffic.har import HarStats, read_har
from tests.support import REPO, run_cli

SCHEMA = json.loads((REPO / "schemas" / "exchange.schema.json").read_text())
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
    "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def entry(
    url: str = "https://api.example.com/orders/7?limit=5&tag=a&tag=b",
    *,
    method: str = "GET",
    status: int = 200,
    mime: str = "application/json",
    text: str | None = '{"id": 7, "state": "paid"}',
    encoding: str | None = None,
    req_headers: dict[str, str] | None = None,
    resp_headers: dict[str, str] | None = None,
    post: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(text or ""), "mimeType": mime}
    if text is not None:
        content["text"] = text
    if encoding:
        content["encoding"] = encoding
    resp_h = {"content-type": mime, **(resp_headers or {})} if mime else dict(resp_headers or {})
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": k, "value": v} for k, v in (req_headers or {}).items()],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": 0,
    }
    if post is not None:
        request["postData"] = post
    return {
        "startedDateTime": "2024-03-01T10:00:00.123+01:00",
        "time": 12.5,
        "request": request,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in resp_h.items()],
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 1, "wait": 10, "receive": 1.5},
        **extra,
    }


def write_har(path: Path, entries: list[Any], *, prefix: bytes = b"") -> Path:
    doc = {
        "log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}
    }
    path.write_bytes(prefix + json.dumps(doc).encode())
    return path


def read_all(path: Path, **kw: Any) -> tuple[list[dict[str, Any]], HarStats]:
    stats = HarStats()
    return list(read_har(path, stats=stats, **kw)), stats


def test_json_api_entry_becomes_a_valid_exchange(tmp_path: Path) -> None:
    har = write_har(
        tmp_path / "s.har",
        [entry(req_headers={":authority": "api.example.com", "Accept": "application/json"})],
    )
    (ex,), stats = read_all(har)
    jsonschema.validate(ex, SCHEMA)
    assert stats.entries == 1 and stats.api == 1 and stats.skipped == {}
    assert ex["source"] == "har" and ex["service"] == "api.example.com"
    assert ex["recorded_at"] == "2024-03-01T09:00:00.123Z" and ex["duration_ms"] == 12.5
    assert ex["meta"] == {"har_entry": 0} and ex["outbound"] == []
    req = ex["request"]
    assert req["method"] == "GET" and req["path"] == "/orders/7"
    assert req["query"] == {"limit": ["5"], "tag": ["a", "b"]}
    assert req["headers"] == {"accept": ["application/json"]}  # pseudo-header dropped
    assert ex["response"]["status"] == 200 and ex["response"]["body"] == {"id": 7, "state": "paid"}


@pytest.mark.parametrize(
    ("started", "recorded"),
    [
        # before the year 1 or after 9999 once in UTC: kept as written, not a crash
        ("0001-01-01T00:30:00.000+01:00", "0001-01-01T00:30:00.000+01:00"),
        ("9999-12-31T23:30:00-01:00", "9999-12-31T23:30:00-01:00"),
        ("0001-01-01T00:30:00+00:00", "0001-01-01T00:30:00.000Z"),
        ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
        ("1714564800000", "1714564800000"),
    ],
)
def test_started_date_time_out_of_range_is_kept_as_text(
    tmp_path: Path, started: str, recorded: str
) -> None:
    har = write_har(tmp_path / "s.har", [entry(startedDateTime=started)] * 2)
    exchanges, stats = read_all(har)
    assert stats.api == 2 and [ex["recorded_at"] for ex in exchanges] == [recorded] * 2
    out = tmp_path / "b.json"
    result = run_cli("baseline", str(har), "--out", str(out), "--workers", "1")
    assert result.code == 0, result.stderr


def test_ids_are_deterministic_and_service_can_be_given(tmp_path: Path) -> None:
    har = write_har(tmp_path / "s.har", [entry(), entry(url="https://api.example.com/x")])
    first, _ = read_all(har)
    again, _ = read_all(har, service="orders")
    assert [e["id"] for e in first] == [e["id"] for e in again]
    assert len({e["id"] for e in first}) == 2
    assert {e["service"] for e in again} == {"orders"}


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    har = write_har(tmp_path / "bom.har", [entry()], prefix=b"\xef\xbb\xbf")
    assert len(read_all(har)[0]) == 1


def test_base64_and_gzip_bodies(tmp_path: Path) -> None:
    b64 = base64.b64encode(b'{"ok": true}').decode()
    gz = base64.b64encode(gzip.compress(b'{"zipped": 1}')).decode()
    bad = base64.b64encode(b"\x1f\x8b\x08\x00garbage").decode()
    har = write_har(
        tmp_path / "b.har",
        [
            entry(text=b64, encoding="base64"),
            entry(text=gz, encoding="base64", resp_headers={"Content-Encoding": "gzip"}),
            entry(
                text=bad,
                encoding="base64",
                mime="application/octet-stream",
                resp_headers={"Content-Encoding": "gzip"},
            ),
        ],
    )
    (a, b, c), _ = read_all(har)
    assert a["response"]["body"] == {"ok": True}
    assert b["response"]["body"] == {"zipped": 1}
    assert base64.b64decode(c["response"]["body_b64"]).startswith(b"\x1f\x8b")  # kept, no crash


def test_assets_websockets_and_failures_are_skipped_by_kind(tmp_path: Path) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256))).decode()
    har = write_har(
        tmp_path / "page.har",
        [
            entry(
                "https://site.example/",
                mime="text/html",
                text="<html></html>",
                req_headers={"Accept": "text/html,application/xhtml+xml"},
            ),
            entry("https://site.example/logo.png", mime="image/png", text=png, encoding="base64"),
            entry("https://site.example/app.js", mime="application/javascript", text="x()"),
            entry("https://site.example/s.css", mime="text/css", text="a{}"),
            entry("https://site.example/f.woff2", mime="font/woff2", text=None),
            entry("https://site.example/app.js.map", mime="application/json", text="{}"),
            entry("https://site.example/favicon.ico", mime="", text=None),
            entry(
                "wss://site.example/ws",
                status=101,
                mime="",
                text=None,
                _webSocketMessages=[{"type": "send", "opcode": 1, "data": "hi"}],
            ),
            entry("https://site.example/api/gone", status=0, mime="x-unknown", text=None),
            entry("https://site.example/api/items", _resourceType="fetch"),
            entry(
                "https://site.example/api/boom",
                status=502,
                mime="text/html",
                text="<h1>502</h1>",
                _resourceType="xhr",
            ),
            entry("https://site.example/api/ping", method="POST", status=204, mime="", text=None),
            entry("https://site.example/events", mime="text/event-stream", text="data: 1\n\n"),
        ],
    )
    exchanges, stats = read_all(har)
    assert [e["request"]["path"] for e in exchanges] == [
        "/api/items",
        "/api/boom",
        "/api/ping",
        "/events",
    ]
    assert stats.skipped == {
        "html": 1,
        "image": 2,
        "js": 1,
        "css": 1,
        "font": 1,
        "sourcemap": 1,
        "websocket": 1,
        "no-response": 1,
    }
    assert stats.summary().startswith("skipped 9 (image 2, ")
    assert exchanges[1]["response"]["body_text"] == "<h1>502</h1>"


def test_request_bodies_json_form_params(tmp_path: Path) -> None:
    har = write_har(
        tmp_path / "p.har",
        [
            entry(method="POST", post={"mimeType": "application/json", "text": '{"qty": 2}'}),
            entry(
                method="POST",
                post={
                    "mimeType": "application/x-www-form-urlencoded",
                    "params": [{"name": "a", "value": "1 2"}],
                },
            ),
        ],
    )
    (a, b), _ = read_all(har, redact=False)
    assert a["request"]["body"] == {"qty": 2}
    assert a["request"]["content_type"] == "application/json"
    assert b["request"]["body_text"] == "a=1+2"


PLANTED = {
    "authorization": "Bearer planted-bearer-0123456789",
    "cookie": "sid=planted-cookie-value",
    "password": "planted-password",
    "email": "planted.person@example.org",
    "card": "4111111111111111",
    "jwt": JWT,
    "api_key": "plantedapikey123",
}


def planted_har(tmp_path: Path) -> Path:
    body = json.dumps(
        {
            "user": {"email": PLANTED["email"], "password": PLANTED["password"]},
            "payment": {"note": f"card {PLANTED['card']}"},
            "session": PLANTED["jwt"],
        }
    )
    return write_har(
        tmp_path / "secrets.har",
        [
            entry(
                f"https://api.example.com/login?api_key={PLANTED['api_key']}",
                method="POST",
                text=body,
                req_headers={
                    "Authorization": PLANTED["authorization"],
                    "Cookie": PLANTED["cookie"],
                },
                resp_headers={"Set-Cookie": f"{PLANTED['cookie']}; Path=/; HttpOnly"},
                post={
                    "mimeType": "application/x-www-form-urlencoded",
                    "text": f"user=ann&password={PLANTED['password']}",
                },
            )
        ],
    )


SECRET_MARKERS = [
    "planted-bearer-0123456789",
    "planted-cookie-value",
    "planted-password",
    "planted.person",
    "4111111111111111",
    JWT.split(".")[1],
    "plantedapikey123",
]


def test_cli_redacts_by_default_and_no_redact_keeps_secrets(tmp_path: Path) -> None:
    har = planted_har(tmp_path)
    res = run_cli("import", "har", str(har), "--out", str(tmp_path / "red"))
    assert res.code == 0, res.stderr
    assert res.stderr.strip().startswith("secrets.har: 1 exchange -> ")
    raw = (tmp_path / "red" / "secrets.jsonl").read_bytes()
    for marker in SECRET_MARKERS:
        assert marker.encode() not in raw, marker
    line = json.loads(raw)
    jsonschema.validate(line, SCHEMA)
    assert line["response"]["body"]["user"]["email"].endswith("@redacted.invalid")
    assert line["response"]["headers"]["set-cookie"][0].endswith("; Path=/; HttpOnly")

    res = run_cli("import", "har", str(har), "--out", str(tmp_path / "plain"), "--no-redact")
    assert res.code == 0, res.stderr
    raw = (tmp_path / "plain" / "secrets.jsonl").read_bytes()
    for marker in SECRET_MARKERS:
        assert marker.encode() in raw, marker


def test_reimport_is_byte_identical(tmp_path: Path) -> None:
    har = planted_har(tmp_path)
    for out in ("a", "b"):
        assert run_cli("import", "har", str(har), "--out", str(tmp_path / out)).code == 0
    assert (tmp_path / "a" / "secrets.jsonl").read_bytes() == (
        tmp_path / "b" / "secrets.jsonl"
    ).read_bytes()


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (b'{"log": {"entries": [\n  {"request": ', "line 2, column"),  # truncated
        (b"\x00\x01\x02\xff\xfe binary", "not valid JSON"),
        (b"", "empty file"),
        (b"   \n", "empty file"),
        (b'{"log": {"entries": [{"x": "\xff\xfe"}]}}', "byte 28"),  # invalid UTF-8
        (b'{"log": {"pages": []}}', "no 'log.entries' list"),
        (b"[1, 2, 3]", "no 'log.entries' list"),
        (b'{"log": {"entries": [' + b"[" * 10_000 + b"]" * 10_000 + b"]}}", "nested too deeply"),
        (b'{"log": {"entries": [{"request": {}, "response": {}}]}}', "request.method"),
    ],
)
def test_bad_files_are_clean_input_errors(tmp_path: Path, content: bytes, expect: str) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_all(path)
    assert str(err.value).startswith(str(path)) and expect in str(err.value)


def test_one_bad_entry_is_skipped_and_reported(tmp_path: Path) -> None:
    bad = entry()
    bad["response"]["status"] = "200 OK"
    har = write_har(tmp_path / "mixed.har", [entry(), bad, "junk", entry()])
    exchanges, stats = read_all(har)
    assert len(exchanges) == 2 and stats.skipped == {"invalid": 2}
    assert stats.first_invalid == "entry 1: response.status is not an integer"


def test_huge_body_is_capped_not_fatal(tmp_path: Path) -> None:
    big = '{"blob": "' + "x" * (50 * 1024 * 1024) + '"}'
    har = write_har(tmp_path / "big.har", [entry(text=big)])
    (ex,), _ = read_all(har)
    assert ex["response"]["truncated"] is True and "body" not in ex["response"]
    assert len(ex["response"]["body_text"]) <= 8 * 1024 * 1024


def test_cli_error_is_one_line_and_earlier_files_stay(tmp_path: Path) -> None:
    good = write_har(tmp_path / "a-good.har", [entry()])
    broken = tmp_path / "b-broken.har"
    broken.write_bytes(b'{"log":\n[\n    2,1,3\n]\n"request:"}')
    out = tmp_path / "out"
    res = run_cli("import", "har", str(good), str(broken), "--out", str(out))
    assert res.code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("a-good.har: 1 exchange")
    assert lines[-1].startswith(f"driftdiff: error: {broken}:line 5, column 1: not valid JSON: ")
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["a-good.jsonl"]  # no partial, no temp file


def test_cli_missing_file(tmp_path: Path) -> None:
    res = run_cli("import", "har", str(tmp_path / "nope.har"))
    assert res.code == 2 and "nope.har: no such file" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_stats_shared_across_files_do_not_confuse_the_all_invalid_check(tmp_path: Path) -> None:
    stats = HarStats()
    mixed = write_har(tmp_path / "m.har", [entry(), "junk", "junk"])
    good = write_har(tmp_path / "g.har", [entry(), entry()])
    assert len(list(read_har(mixed, stats=stats))) == 1
    assert len(list(read_har(good, stats=stats))) == 2
    assert stats.entries == 5 and stats.api == 3 and stats.skipped == {"invalid": 2}
