"""Replay sends exactly what was recorded: headers, body bytes, no cookie jar; credentials from
the environment only where the recording held that name, never written anywhere; compressed
answers compared decoded; conditional GETs that would turn a recorded 200 into a 304."""

from __future__ import annotations

import base64
import gzip
import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from driftdiff_sdk.exchange import EXCHANGE_FORMAT, decoded_response, encode_body

from drift_diff.errors import UsageError
from drift_diff.replay.credentials import Credential, Secrets
from drift_diff.replay.runner import ReplayOptions, run_replay
from drift_diff.replay.wire import build_request


def recorded(
    xid: str,
    method: str = "GET",
    path: str = "/items",
    *,
    headers: dict[str, list[str]] | None = None,
    body: bytes | None = None,
    status: int = 200,
    response_body: Any = None,
    response_headers: dict[str, list[str]] | None = None,
    url_query: str = "",
) -> dict[str, Any]:
    ct = (headers or {}).get("content-type", [None])[0]
    request: dict[str, Any] = {
        "method": method,
        "url": f"http://recorded.example:8000{path}" + (f"?{url_query}" if url_query else ""),
        "path": path,
        "query": {},
        "headers": headers or {},
        **encode_body(body, ct, layout=True),
    }
    response: dict[str, Any] = {
        "status": status,
        "headers": response_headers or {"content-type": ["application/json"]},
        "content_type": "application/json",
        "truncated": False,
    }
    if response_body is not None:
        response["body"] = response_body
    return {
        "format": EXCHANGE_FORMAT,
        "id": xid,
        "source": "sdk",
        "recorded_at": f"2026-01-01T00:00:0{xid[-1]}.000Z",
        "request": request,
        "response": response,
        "outbound": [],
    }


class _Wire(socketserver.StreamRequestHandler):
    """Keeps every request's raw head and body; answers like a small real service would."""

    seen: list[tuple[list[tuple[str, str]], bytes]]

    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            headers: list[tuple[str, str]] = []
            while (h := self.rfile.readline()) not in (b"\r\n", b""):
                name, _, value = h.decode("latin-1").partition(":")
                headers.append((name, value.strip()))
            size = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
            body = self.rfile.read(size)
            self.seen.append((headers, body))
            self.answer(line.split()[1].decode(), dict((k.lower(), v) for k, v in headers))

    def answer(self, target: str, headers: dict[str, str]) -> None:
        status, extra = "200 OK", []
        payload = json.dumps({"ok": True, "echo": headers.get("authorization", "")}).encode()
        if "if-none-match" in headers:
            status, payload = "304 Not Modified", b""
        if "gzip" in headers.get("accept-encoding", ""):
            payload = gzip.compress(payload)
            extra.append("Content-Encoding: gzip")
        head = [
            f"HTTP/1.1 {status}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            "Set-Cookie: jar=filled; Path=/",
            *extra,
        ]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)


@pytest.fixture
def wire() -> Iterator[tuple[str, list[tuple[list[tuple[str, str]], bytes]]]]:
    seen: list[tuple[list[tuple[str, str]], bytes]] = []
    handler = type("Handler", (_Wire,), {"seen": seen})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _replay(target: str, exchanges: list[dict[str, Any]], tmp_path: Path, **options: Any) -> Any:
    opts = ReplayOptions(
        target=target, ready_path="/ready", out_dir=tmp_path, concurrency=1, **options
    )
    return run_replay(exchanges, opts)


def test_sends_the_recorded_headers_and_bytes_and_nothing_else(
    wire: tuple[str, list[Any]], tmp_path: Path
) -> None:
    target, seen = wire
    body = b'{"sku": "caf\\u00e9", "qty": 2}'  # Python's json.dumps layout, ASCII-escaped
    first = recorded(
        "x1",
        "POST",
        headers={"content-type": ["application/json"], "x-trace": ["abc"], "host": ["old:1"]},
        body=body,
        response_body={"ok": True, "echo": ""},
    )
    second = recorded("x2", headers={"accept": ["text/plain"]}, response_body={"ok": True})
    run = _replay(target, [first, second], tmp_path)
    (post_headers, post_body), (get_headers, _) = seen[1], seen[2]  # seen[0]: readiness poll
    assert post_body == body
    names = [k.lower() for k, _ in post_headers]  # recorded ones in recorded order
    assert [n for n in names if n not in ("host", "content-length")] == [
        "content-type",
        "x-trace",
        "x-driftdiff-exchange-id",
    ]
    assert sorted(names) == sorted(
        ["host", "content-length", "content-type", "x-trace", "x-driftdiff-exchange-id"]
    )
    assert dict((k.lower(), v) for k, v in post_headers)["host"] == target.split("//")[1]
    # the first answer set a cookie: no jar carries it into the next request
    assert [k.lower() for k, _ in get_headers] == ["host", "accept", "x-driftdiff-exchange-id"]
    assert run.outcomes[1].live_status == 200


def test_json_layouts_round_trip() -> None:
    for text in (b'{"a":1,"b":[1,2]}', b'{"a": 1, "b": "\\u00e9"}', b'{\n  "a": [\n    1\n  ]\n}'):
        exchange = recorded("x1", "POST", headers={"content-type": ["application/json"]}, body=text)
        assert build_request(exchange, "http://t")[3] == text
    odd = recorded("x1", "POST", headers={"content-type": ["application/json"]}, body=b'{"a":1.50}')
    assert odd["request"]["body_layout"] is None
    assert build_request(odd, "http://t")[3] == b'{"a":1.5}'  # no layout fits: compact
    old = dict(odd, request={**odd["request"]})
    del old["request"]["body_layout"]  # an exchange/1.0 line
    assert build_request(old, "http://t")[3] == b'{"a":1.5}'


def test_credentials_only_where_the_recording_held_the_name() -> None:
    secrets = Secrets.load(
        [
            Credential.parse("header:Authorization=API_AUTH"),
            Credential.parse("cookie:session=SESSION"),
            Credential.parse("query:api_key=KEY"),
        ],
        {"API_AUTH": "Basic dXNlcjpwYXNzd2Q=", "SESSION": "s3cr3t", "KEY": "k/ey"},
    )
    authed = recorded(
        "x1",
        headers={"authorization": ["Basic dXNlci0xMjM0OnJlZGFjdGVk"], "cookie": ["a=1; session=z"]},
        url_query="api_key=redacted0&page=2",
    )
    _, url, headers, _ = build_request(authed, "http://t", secrets=secrets)
    assert url == "http://t/items?api_key=k%2Fey&page=2"
    assert ("authorization", "Basic dXNlcjpwYXNzd2Q=") in headers
    assert ("cookie", "a=1; session=s3cr3t") in headers
    anonymous = recorded("x2", headers={"cookie": ["a=1"]}, url_query="page=2")
    _, url, headers, _ = build_request(anonymous, "http://t", secrets=secrets)
    assert url == "http://t/items?page=2"
    assert [k for k, _ in headers] == ["cookie", "x-driftdiff-exchange-id"]
    assert ("cookie", "a=1") in headers


def test_missing_credential_variable_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="API_AUTH is not set"):
        Secrets.load([Credential.parse("header:Authorization=API_AUTH")], {})
    with pytest.raises(UsageError, match="--credential must look like"):
        Credential.parse("Authorization=API_AUTH")


def test_credential_never_reaches_the_live_exchange_or_findings(
    wire: tuple[str, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, seen = wire
    secret = "Bearer live-token-123456"
    exchange = recorded(
        "x1",
        headers={"authorization": ["Bearer redacted00000000"]},
        response_body={"ok": True, "echo": "Bearer redacted00000000"},
    )
    monkeypatch.setenv("API_AUTH", secret)
    run = _replay(
        target,
        [exchange],
        tmp_path,
        credentials=[Credential.parse("header:Authorization=API_AUTH")],
    )
    assert dict(seen[1][0])["authorization"] == secret  # sent on the wire
    written = (tmp_path / "replay.jsonl").read_text()
    assert "live-token" not in written
    # the live exchange keeps the recorded request (the file redacts it once more)
    assert run.live[0]["request"]["headers"]["authorization"] == ["Bearer redacted00000000"]
    assert "live-token" not in repr(run.changes)
    # the echoed secret is put back to the placeholder it replaced: equal to the recorded echo
    assert run.changes == []
    assert run.live[0]["response"]["body"]["echo"] == "Bearer redacted00000000"


def test_header_override_is_not_a_request_change(
    wire: tuple[str, list[Any]], tmp_path: Path
) -> None:
    target, _ = wire
    exchange = recorded("x1", headers={"authorization": ["Basic cmVkYWN0ZWQ="]})
    run = _replay(
        target, [exchange], tmp_path, headers={"Authorization": "Basic c2VjcmV0OnBhc3N3b3Jk"}
    )
    assert run.live[0]["request"]["headers"] == exchange["request"]["headers"]
    assert "c2VjcmV0" not in (tmp_path / "replay.jsonl").read_text()


def test_gzip_answers_compare_decoded_both_ways(
    wire: tuple[str, list[Any]], tmp_path: Path
) -> None:
    target, _ = wire
    stored_gzip = recorded("x1", headers={"accept-encoding": ["gzip"]})
    stored_gzip["response"]["headers"]["content-encoding"] = ["gzip"]
    stored_gzip["response"]["body_b64"] = base64.b64encode(
        gzip.compress(b'{"ok": true, "echo": ""}')
    ).decode()
    assert decoded_response(stored_gzip["response"])["body"] == {"ok": True, "echo": ""}
    stored_decoded = recorded(
        "x2", headers={"accept-encoding": ["gzip"]}, response_body={"ok": True, "echo": ""}
    )
    stored_decoded["response"]["headers"]["content-encoding"] = ["gzip"]
    run = _replay(target, [stored_gzip, stored_decoded], tmp_path)
    assert run.changes == []
    live = [json.loads(line) for line in (tmp_path / "replay.jsonl").read_text().splitlines()]
    assert all(e["response"]["body"] == {"ok": True, "echo": ""} for e in live)
    assert all(e["response"]["headers"]["content-encoding"] == ["gzip"] for e in live)


def test_conditional_get_recorded_200_is_asked_again_without_validators(
    wire: tuple[str, list[Any]], tmp_path: Path
) -> None:
    target, seen = wire
    full = recorded(
        "x1", headers={"if-none-match": ['"v1"']}, response_body={"ok": True, "echo": ""}
    )
    revalidated = recorded("x2", headers={"if-none-match": ['"v1"']}, status=304)
    run = _replay(target, [full, revalidated], tmp_path)
    sent = [{k.lower(): v for k, v in headers} for headers, _ in seen[1:]]
    # x1: sent as recorded, answered 304, asked again without the validator; x2: as recorded
    assert [h.get("if-none-match") for h in sent] == ['"v1"', None, '"v1"']
    assert [o.live_status for o in run.outcomes] == [200, 304]
    assert run.changes == []


def test_key_order_and_layout_survive_the_trace_file(tmp_path: Path) -> None:
    from drift_diff.traffic.traces import iter_raw_exchanges, write_exchanges

    text = b'{"zeta": 1, "alpha": {"y": 2, "b": 3}}'
    exchange = recorded("x1", "POST", headers={"content-type": ["application/json"]}, body=text)
    write_exchanges(tmp_path / "t.jsonl", [exchange])
    (read,) = iter_raw_exchanges([tmp_path / "t.jsonl"])
    assert build_request(read, "http://t")[3] == text


def test_browser_har_revalidations_and_decoded_content_replay_clean(
    wire: tuple[str, list[Any]], tmp_path: Path
) -> None:
    """A browser capture: a cache revalidation answered 304, a stale validator answered in full,
    and gzip content the browser stored decoded beside its Content-Encoding header."""
    from drift_diff.traffic.har import read_har
    from tests.unit.test_har import entry

    body = '{"ok": true, "echo": ""}'
    gz = {"accept-encoding": "gzip"}
    entries = [
        entry(
            "http://app.example/items",
            req_headers={"if-none-match": '"v1"'},
            status=304,
            mime="",
            text=None,
        ),
        entry("http://app.example/items", req_headers={"if-none-match": '"v0"'}, text=body),
        entry(
            "http://app.example/items",
            req_headers=gz,
            resp_headers={"content-encoding": "gzip"},
            text=body,
        ),
    ]
    har = tmp_path / "browser.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    exchanges = list(read_har(har))
    assert [e["response"]["status"] for e in exchanges] == [304, 200, 200]
    run = _replay(target := wire[0], exchanges, tmp_path)
    assert target and [o.live_status for o in run.outcomes] == [304, 200, 200]
    assert [o.result for o in run.outcomes] == ["pass", "pass", "pass"]
    assert run.changes == []


def test_config_credentials() -> None:
    from drift_diff.config import Config
    from drift_diff.errors import ConfigError

    config = Config.from_dict(
        {
            "replay": {
                "credentials": [{"header": "Authorization", "env": "A"}, {"query": "k", "env": "K"}]
            }
        }
    )
    assert config.replay_credentials == (
        Credential("header", "authorization", "A"),
        Credential("query", "k", "K"),
    )
    for bad in (
        {"header": "A", "cookie": "b", "env": "A"},
        {"header": "A"},
        {"env": "A"},
        {"header": "A", "env": "1BAD"},
    ):
        with pytest.raises(ConfigError, match="replay/credentials/0"):
            Config.from_dict({"replay": {"credentials": [bad]}})


def test_a_recorded_304_answered_in_full_is_no_contract_change() -> None:
    from drift_diff.diff import diff_baselines
    from drift_diff.infer import infer_baseline

    validator = {"if-none-match": ['"v1"']}
    before = [
        recorded("x1", response_body={"ok": True}),
        recorded("x2", status=304, headers=validator),  # a browser's cache revalidation
    ]
    after = [
        recorded("x1", response_body={"ok": True}),
        recorded("x2", response_body={"ok": True}, headers=validator),  # the build's full answer
    ]
    changes = diff_baselines(infer_baseline(before), infer_baseline(after)).changes
    assert [c for c in changes if c.severity.value != "info"] == []


def test_cookie_credential_cannot_smuggle_pairs() -> None:
    with pytest.raises(UsageError, match="cookie value"):
        Secrets.load([Credential.parse("cookie:session=S")], {"S": "abc; admin=1"})
