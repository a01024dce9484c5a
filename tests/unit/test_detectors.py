"""Secret detectors and where redaction applies them: shapes, names, bodies, datastore calls,
findings. Each case would leak on the redaction before issue 13."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from driftdiff_sdk.detectors import KNOWN_TOKEN, high_entropy_segment, may_hold_known_token
from driftdiff_sdk.kinds import placeholder_kind
from driftdiff_sdk.redact import RedactionConfig, Redactor

from drift_diff.model import Change, Severity
from drift_diff.redaction import redact_change

#: one realistic (fake) token per vendor rule
TOKENS = [
    "AKIAZ3MSJV4WWQ7XK2NP",
    "ASIAY34FZKBOKMUTVV7A",
    "ghp_R8m2Kq7ZtX4vLw9NcB3yJ6hF1pD5sG0aE2uQ",
    "gho_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    "github_pat_11ABCDEFG0aBcDeFgHiJkLmNoP_qRsTuVwXyZ0123456789",
    "glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm",
    "sk_live_51NzQ8rLkJ2hG5fD3sA9pO7iU6yT4rE2wQ1",
    "rk_live_51NzQ8rTy6Ui8Op0AsDfGhJkLzXcVbNm1",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLtTz",
    "xoxb-2048123456-4096123456789-Zq8Xw7Vc6Bn5Mm4Ll3Kk2Jj1",
    "xoxp-2048123456-2048654321-4096987654321-a1b2c3d4e5f6",
    "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "ya29.a0AfH6SMBx3kLmNoPqRsTuVwXyZ012345",
    "sk-proj-Ab3De6Gh9Jk2Mn5Pq8St1Vw4",
    "npm_Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6",
    "SG.Ab3De6Gh9Jk2Mn5Pq8St1V.w4Yz7Bc0Ef3Hi6Kl9No2Qr5Tu8Wx1Za4Cd7",
    "hvs.CAESIAb3De6Gh9Jk2Mn5Pq8St1Vw4",
    "dop_v1_" + "a1b2c3d4" * 8,
    "SK" + "0123456789abcdef" * 2,
]


@pytest.fixture
def r() -> Redactor:
    return Redactor(RedactionConfig(key=b"test-key"))


@pytest.mark.parametrize("token", TOKENS)
def test_vendor_tokens_under_ordinary_names_are_replaced(r: Redactor, token: str) -> None:
    assert may_hold_known_token(token) and KNOWN_TOKEN.fullmatch(token), token
    body = r.redact_json({"note": f"use {token} here", "value": token})
    text = json.dumps(body)
    assert token not in text
    placeholder = body["value"]
    assert r.redact_text(placeholder) == placeholder  # a fixed point: never re-masked
    assert "redacted-" in placeholder or placeholder.endswith("EXAMPLE")


def test_aws_key_placeholder_keeps_the_documentation_shape(r: Redactor) -> None:
    out = r.redact_text("AKIAZ3MSJV4WWQ7XK2NP")
    assert out.startswith("AKIA") and out.endswith("EXAMPLE") and len(out) == 20


def test_pem_blocks_keep_their_frame(r: Redactor) -> None:
    pem = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAplanted+/=\nabc\n"
        "-----END RSA PRIVATE KEY-----"
    )
    out = r.redact_text(f"key: {pem} end")
    assert "MIIEow" not in out and "-----BEGIN RSA PRIVATE KEY-----" in out
    cut = r.redact_text(pem[:60])  # truncated: no END line
    assert "MIIEow" not in cut
    escaped = json.dumps({"k": pem})[7:-2]  # as it sits inside raw JSON text
    assert "MIIEow" not in r.redact_text(escaped)


def test_url_credentials_in_text_keep_the_url_and_the_host(r: Redactor) -> None:
    out = r.redact_text("OperationalError: postgres://app:sk_live_51ErrDsnZ7x6c5v4b3n@db:5432/x")
    assert "sk_live_51Err" not in out and "@db:5432/x" in out and "postgres://" in out
    assert r.redact_text(out) == out


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        # a raw "@" in the password: the authority ends at its last "@", as urllib splits it
        ("postgres://app:p@ssw0rd-planted@db:5432/x", "ssw0rd-planted", "@db:5432/x"),
        # a raw "/" in the password (an AWS secret key written unquoted)
        (
            "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYzPLANTED@bucket/t.jsonl",
            "bPxRfiCYzPLANTED",
            "@bucket/t.jsonl",
        ),
        ("error: https://deploy:s3cr/et+pass@host/x.har: 404", "et+pass", "@host/x.har: 404"),
    ],
)
def test_url_passwords_with_raw_at_signs_and_slashes_are_masked_whole(
    r: Redactor, text: str, secret: str, kept: str
) -> None:
    out = r.redact_text(text)
    assert secret not in out and out.endswith(kept), out
    assert r.redact_text(out) == out


def test_a_port_then_a_path_is_not_a_password(r: Redactor) -> None:
    assert r.redact_text("https://example.com:443/a/b") == "https://example.com:443/a/b"
    out = r.redact_text("http://h:8080/users/bob@example.com")
    assert out.startswith("http://h:8080/users/") and "bob@" not in out
    # a password without "/" keeps the path after it, "@" and all
    out = r.redact_text("postgres://u:pw-planted@db/x@y")
    assert "pw-planted" not in out and out.endswith("@db/x@y")


def test_ssh_remote_is_not_an_email(r: Redactor) -> None:
    assert r.redact_text("git@github.com:org/repo.git") == "git@github.com:org/repo.git"
    assert "bob@example.com" not in r.redact_text("mail bob@example.com: soon")


def test_vendor_headers_and_signed_url_parameters(r: Redactor) -> None:
    headers = {
        "stripe-signature": ["t=1,v1=5257a869e7ecebeda32affa62cdca3fa"],
        "x-hub-signature-256": ["sha256=757107ea0eb2509fc211221cce984b8a"],
        "ocp-apim-subscription-key": ["4f9c2b7e1a8d4c3b9e6f0a2d5c8b7e1f"],
        "x-functions-key": ["Xf9kq2LmP8vR3tY6wZ1nB4cD7gH0"],
        "x-webhook-signature": ["abcdef0123456789"],
        "accept": ["application/json"],
    }
    out = r.redact_headers(headers)
    assert out["accept"] == ["application/json"]
    for name in headers.keys() - {"accept"}:
        assert out[name] != headers[name], name
    url = (
        "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAJ7QW2ERT5YUI8OPL%2F20240301"
        "&X-Amz-Signature=fe5f80f77d5fa3be&X-Amz-Date=20240301T000000Z&sig=k3Jx9Qm2&key=Zk9x"
    )
    red = r.redact_url(url)
    for secret in ("AKIAJ7QW2ERT5YUI8OPL", "fe5f80f77d5fa3be", "k3Jx9Qm2", "key=Zk9x"):
        assert secret not in red
    assert "X-Amz-Date=20240301T000000Z" in red
    query = r.redact_query({"sig": ["k3Jx9Qm2"], "page": ["2"]})
    assert query["page"] == ["2"] and query["sig"] != ["k3Jx9Qm2"]


def test_token_path_segments(r: Redactor) -> None:
    out = r.redact_path("/files/k7Hq2ZpX9vLw4RtN8sYb3CmJ6dFg/download")
    assert "k7Hq2" not in out and out.endswith("/download")
    assert placeholder_kind(out.split("/")[2]) == "secret"
    assert "Zx81abcdef" not in r.redact_path("/api_key/Zx81abcdef/items")
    kept = [
        "/posts/my-first-blog-post-about-things",
        "/users/6f1c1f8e-5b7a-4d51-9d1e-0c2b8f0f7a11",
        "/commits/0123456789abcdef0123456789abcdef01234567",
        "/orders/12345678901234567890",
        "/auth/callback",
    ]
    for path in kept:
        assert r.redact_path(path) == path
    assert not high_entropy_segment("CamelCaseWordsInARouteName")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_body_b64_is_scanned_in_place(r: Redactor) -> None:
    raw = b'{"note": "caf\xe9", "deploy": "sk_live_51NonUtf8Aa1Bb2Cc3Dd4", "password": "pw-1234"}'
    msg = r.redact_message({"content_type": "application/json", "body_b64": _b64(raw)})
    back = base64.b64decode(msg["body_b64"])
    assert b"sk_live_51NonUtf8" not in back and b"pw-1234" not in back and b"caf\xe9" in back
    octets = b"\x00\x01 xoxb-2048123456-4096123456789-Zq8Xw7Vc \xff"
    msg = r.redact_message({"content_type": "application/octet-stream", "body_b64": _b64(octets)})
    back = base64.b64decode(msg["body_b64"])
    assert b"Zq8Xw7Vc" not in back and back.startswith(b"\x00\x01 xoxb-") and back.endswith(b"\xff")
    png = _b64(b"\x89PNG AKIAZ3MSJV4WWQ7XK2NP")
    assert r.redact_message({"content_type": "image/png", "body_b64": png})["body_b64"] == png


def test_multipart_parts_by_name_and_shape(r: Redactor) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="password"\r\n\r\nhunter2-pw\r\n'
        b'--b\r\nContent-Disposition: form-data; name="user"\r\n\r\nbob\r\n'
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.env"\r\n\r\n'
        b"T=ghp_R8m2Kq7ZtX4vLw9NcB3yJ6hF1pD5sG0aE2uQ\r\n--b--\r\n"
    )
    msg = r.redact_message(
        {"content_type": "multipart/form-data; boundary=b", "body_b64": _b64(body)}
    )
    back = base64.b64decode(msg["body_b64"])
    assert b"hunter2-pw" not in back and b"ghp_R8m2" not in back
    assert b"\r\n\r\nbob\r\n" in back and back.endswith(b"--b--\r\n")


def test_meta_error_is_redacted(r: Redactor) -> None:
    ex = {"request": {}, "response": {}, "meta": {"error": "E: postgres://app:pw-secret-9@db/x"}}
    assert "pw-secret-9" not in json.dumps(r.redact_exchange(ex))


def _call(kind: str, command: Any, result: Any = None) -> dict[str, Any]:
    ex = {"request": {}, "response": {}, "outbound": [{"kind": kind, "command": command}]}
    if result is not None:
        ex["outbound"][0]["result"] = result
    return Redactor(RedactionConfig(key=b"k")).redact_exchange(ex)["outbound"][0]


def test_redis_values_by_key_and_field_name() -> None:
    sid = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    call = _call("redis", ["SET", f"session:{sid}", '{"u":1}', "EX", "60"])
    assert sid not in json.dumps(call) and call["command"][3:] == ["EX", "60"]
    assert call["command"][2] != '{"u":1}'
    call = _call("redis", ["HSET", "user:7", "password", "Redis-pw-77", "name", "bob"])
    assert call["command"][:3] == ["HSET", "user:7", "password"]
    assert call["command"][3] != "Redis-pw-77" and call["command"][5] == "bob"
    call = _call(
        "redis",
        ["HGETALL", "user:7"],
        {"$map": [[{"$bytes": "password"}, {"$bytes": "Redis-pw-77"}], ["name", "bob"]]},
    )
    assert "Redis-pw-77" not in json.dumps(call) and ["name", "bob"] in call["result"]["$map"]
    assert "whsec_" in json.dumps(_call("redis", ["SET", "cfg", "whsec_MfKQ9r8GKYqrTwjUPD8I"]))
    assert "MfKQ9r8" not in json.dumps(_call("redis", ["SET", "cfg", "whsec_MfKQ9r8GKYqrTwjUPD8I"]))


def test_postgres_parameters_literals_and_rows_by_column() -> None:
    call = _call(
        "postgres",
        {
            "sql": "INSERT INTO accounts (email, password, note) VALUES (%s, %s, %s)",
            "params": ["a@b.io", "Pg-Horse-77", "new"],
        },
    )
    assert call["command"]["params"][1:] != ["Pg-Horse-77", "new"]
    assert call["command"]["params"][2] == "new" and "Pg-Horse-77" not in json.dumps(call)
    call = _call(
        "postgres",
        {"sql": "UPDATE accounts SET api_key = 'Lit3ral-key-99' WHERE note = 'new'"},
        {"columns": ["email", "api_token"], "rows": [["x@y.io", "Row-token-ABC123"]]},
    )
    text = json.dumps(call)
    assert "Lit3ral-key-99" not in text and "Row-token-ABC123" not in text
    assert "WHERE note = 'new'" in call["command"]["sql"]
    many = _call(
        "postgres",
        {"sql": "UPDATE t SET token = %s WHERE id = %s", "params": [["tk-1aaaa", 1]], "many": True},
    )
    assert many["command"]["params"][0][1] == 1 and "tk-1aaaa" not in json.dumps(many)


def test_findings_never_quote_a_live_secret() -> None:
    change = Change(
        "replay-value-changed",
        Severity.WARNING,
        "GET /token",
        "response.body.access_token",
        "response.body.access_token changed from 'old-token-1' to 'live-access-XyZ-48151'",
        "old-token-1",
        "live-access-XyZ-48151",
        "exchange 1",
    )
    out = redact_change(change)
    assert "live-access-XyZ-48151" not in repr(out) and "old-token-1" not in repr(out)
    miss = Change(
        "replay-mock-not-found",
        Severity.BREAKING,
        "POST /hooks",
        "outbound POST",
        "no recorded POST http://deploy:Tr0ub4dor-3@127.0.0.1:9/echo",
    )
    assert "Tr0ub4dor" not in redact_change(miss).message
    plain = Change("replay-value-changed", Severity.WARNING, "GET /a", "response.body.n", "n", 1, 2)
    assert redact_change(plain) is plain  # nothing secret: the same finding


def test_hostile_inputs_stay_linear(r: Redactor) -> None:
    hostile = [
        "-----BEGIN PRIVATE KEY-----" + "A-" * 40_000,
        "postgres://" + "a" * 100_000,
        "xoxb-" + "1-" * 50_000,
        "ghp_" * 50_000,
        "/" + "aB3" * 30_000,
        ("ab://c:" + "d/" * 100 + " ") * 5_000,  # passwords that may hold "/", none ending
        "ab://c:" + "@" * 100_000,
        # quoted and spaced pairs, containers, lines, XML elements (JSON_PAIR, KV_PAIR, ...)
        "'password': '" * 20_000,
        '"password": [' * 20_000,
        '"password": ' + "[" * 100_000,
        '"password": ["' + 'a", "' * 30_000,
        'token="' * 30_000,
        "token='" + "''" * 100_000,
        ("a " * 8 + "= ") * 10_000,
        "password: \\n" * 20_000,
        "password: " + "x" * 200_000,
        (" " * 15 + "- a:") * 10_000,
        "<password " * 20_000,
        "<password><![CDATA[" + "]" * 100_000,
        "<password>" + "x" * 200_000 + "</password>",
        "</password>" * 20_000,
        # IDN e-mail domains, tokens after escapes and percent-encoded bytes
        "a@" + "ü-" * 100_000,
        "a@ü." * 50_000,
        "\\nghp_" * 30_000,
        "%3Dghp_" * 30_000,
        "\\u00e9SK" * 30_000,
        # HTML fields named like a secret, escaped JSON pairs, object literal keys
        '<input name="password" ' * 20_000,
        '<input name="token" value=' * 20_000,
        "<a " + "x" * 200_000 + ">",
        ("<a " + "n" * 2_000 + " name=x value=y>") * 100,
        '<a name="csrftoken" value="' + "x" * 200_000 + '">',
        '\\"password\\": \\"' * 20_000,
        '\\"password\\": \\"' + '\\\\\\"' * 60_000,
        '{password: "' * 20_000,
        "," + " " * 15 + "token: '" + "''" * 100_000,
    ]
    for text in hostile:
        start = time.process_time()
        r.redact_text(text)
        r.redact_path(text)
        assert time.process_time() - start < 2.0, text[:30]


def test_replay_matches_datastore_calls_whose_values_the_recording_redacted() -> None:
    from drift_diff.replay.matching import RecordedCall, match_call

    recorder = Redactor(RedactionConfig(key=b"recording-key"))
    sid = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    live_calls = [
        {"kind": "redis", "seq": 0, "command": ["HSET", "user:7", "password", "pw-77", "n", "b"]},
        {"kind": "redis", "seq": 1, "command": ["SET", f"session:{sid}", '{"u":1}', "EX", "60"]},
        {
            "kind": "postgres",
            "seq": 2,
            "command": {
                "sql": "UPDATE accounts SET api_key = 'Lit3ral-key-99' WHERE id = %s",
                "params": [7],
            },
        },
        {
            "kind": "postgres",
            "seq": 3,
            "command": {
                "sql": "INSERT INTO a (email, password) VALUES (%s, %s)",
                "params": ["a@b.io", "Pg-Horse-77"],
            },
        },
    ]
    for live in live_calls:
        recorded = recorder.redact_outbound({**live, "result": None})
        assert recorded["command"] != live["command"]  # the recording holds no secret
        hit = match_call([RecordedCall(0, recorded)], live)
        assert hit.entry is not None, hit.explanation
    other = dict(live_calls[0], command=["HSET", "user:8", "password", "pw-77", "n", "b"])
    recorded = recorder.redact_outbound({**live_calls[0], "result": None})
    assert match_call([RecordedCall(0, recorded)], other).entry is None  # another key: no match
