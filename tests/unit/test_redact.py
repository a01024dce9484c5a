"""Redaction: every secret kind goes, every value keeps its format, hostile input stays cheap."""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from typing import Any

import pytest
from driftdiff_sdk.redact import RedactionConfig, Redactor

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
    "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
CARD = "4111 1111 1111 1111"


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def b64url_json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


@pytest.fixture
def r() -> Redactor:
    return Redactor(RedactionConfig(key=b"test-key"))


def test_email_in_text_becomes_a_valid_email(r: Redactor) -> None:
    out = r.redact_text("contact bob.smith+x@example.co.uk today")
    assert "bob.smith" not in out and "example.co.uk" not in out
    email = out.split()[1]
    assert EMAIL_RE.match(email) and email.endswith("@redacted.invalid")


def test_same_secret_same_placeholder_distinct_secrets_distinct(r: Redactor) -> None:
    a1, a2, b = (r.redact_text(x) for x in ("a@x.io", "a@x.io", "b@x.io"))
    assert a1 == a2 != b


def test_placeholders_depend_on_the_key() -> None:
    one = Redactor(RedactionConfig(key=b"one")).redact_json({"password": "hunter2"})
    two = Redactor(RedactionConfig(key=b"two")).redact_json({"password": "hunter2"})
    assert one != two


def test_card_number_is_replaced_by_luhn_valid_same_shape(r: Redactor) -> None:
    out = r.redact_text(f"paid with {CARD}.")
    new = out[len("paid with ") : -1]
    assert new != CARD and "1111 1111" not in new
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", new) and luhn_ok(new)
    plain = r.redact_text("5555555555554444")
    assert plain != "5555555555554444" and len(plain) == 16 and luhn_ok(plain)


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111112",  # Luhn-invalid: an order number, not a card
        "1693314200336",  # epoch milliseconds: starts with 1, no card starts so
        "order 2023-11-05 2023-11-05",  # dates are not card groups
        "id a4111111111111111b",  # digits inside a word
    ],
)
def test_non_cards_are_untouched(r: Redactor, value: str) -> None:
    assert r.redact_text(value) == value


def test_jwt_becomes_a_well_formed_redacted_jwt(r: Redactor) -> None:
    out = r.redact_text(f"token={JWT}&x=1")  # key-based and pattern-based at once
    assert JWT not in out
    out = r.redact_text(f"see {JWT} here")
    token = out.split()[1]
    header, payload, sig = token.split(".")
    assert b64url_json(header) == {"alg": "HS256", "typ": "JWT"}  # the header is kept
    # claims keep their names; who and when stay (replay mode hands them to the service),
    # other values become placeholders; the signature is replaced
    claims = b64url_json(payload)
    assert claims["redacted"] is True and claims["sub"] == "1234567890"
    assert claims["iat"] == 1516239022 and claims["name"] != "John Doe"
    assert re.fullmatch(r"redacted-[A-Za-z0-9_-]{20,}", sig)
    assert r.redact_text(token) == token  # redacting a redacted token changes nothing


def _jwt(claims: dict[str, Any]) -> str:
    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlLXZhbHVl"


def test_jwt_claims_keep_every_item_and_stop_at_the_one_depth_limit(r: Redactor) -> None:
    """A masked claim keeps its whole shape (replay hands the service these claims): a list of
    100 items stays 100 items; nesting deeper than ``MAX_DEPTH`` is cut like a JSON body's."""
    from driftdiff_sdk.limits import MAX_DEPTH, TOO_DEEP

    deep: list[Any] = ["leaf"]
    for _ in range(MAX_DEPTH + 10):
        deep = [deep]
    token = _jwt({"sub": "u1", "tenants": [f"t{i}" for i in range(100)], "deep": deep})
    claims = b64url_json(r.redact_text(token).split(".")[1])
    assert len(claims["tenants"]) == 100 and "t7" not in claims["tenants"]
    depth, node = 0, claims["deep"]
    while isinstance(node, list):
        node, depth = node[0], depth + 1
    assert node == TOO_DEEP and depth == MAX_DEPTH


def test_bearer_and_basic_credentials(r: Redactor) -> None:
    basic = base64.b64encode(b"alice:s3cret-pass").decode()
    out = r.redact_text(f"Bearer abcdef0123456789xyz and Basic {basic}")
    assert "abcdef0123456789xyz" not in out and basic not in out
    assert out.startswith("Bearer ") and " Basic " in out
    creds = out.rsplit(" ", 1)[1]
    assert b":" in base64.b64decode(creds) and b"alice" not in base64.b64decode(creds)
    assert r.redact_text("basic information") == "basic information"


def test_headers(r: Redactor) -> None:
    headers = {
        "authorization": [f"Bearer {JWT}"],
        "x-api-key": ["k-123456789"],
        "x-my-auth-thing": ["opaque"],
        "x-service-token": ["abc"],
        "cookie": ["sid=abc123; theme=dark"],
        "set-cookie": ["sid=abc123; Path=/; HttpOnly; SameSite=Lax"],
        "accept": ["application/json"],
        "www-authenticate": ['Bearer realm="api"'],
        "referer": ["https://app.example/?access_token=zzz999&page=2"],
    }
    out = r.redact_headers(headers)
    scheme, token = out["authorization"][0].split(" ")
    assert scheme == "Bearer" and b64url_json(token.split(".")[1])["redacted"] is True
    assert token.split(".")[2].startswith("redacted-") and token != JWT
    assert out["x-api-key"][0] != "k-123456789"
    assert out["x-my-auth-thing"][0] != "opaque" and out["x-service-token"][0] != "abc"
    sid, theme = out["cookie"][0].split("; ")
    assert sid.startswith("sid=") and sid != "sid=abc123" and theme.startswith("theme=")
    assert "dark" not in theme
    first, *attrs = out["set-cookie"][0].split("; ")
    assert first.startswith("sid=") and "abc123" not in first
    assert attrs == ["Path=/", "HttpOnly", "SameSite=Lax"]
    assert out["accept"] == ["application/json"]
    assert out["www-authenticate"] == ['Bearer realm="api"']
    assert "zzz999" not in out["referer"][0] and out["referer"][0].endswith("&page=2")


def test_extra_headers_and_keys_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTDIFF_REDACT_HEADERS", "X-Tenant, x-other")
    monkeypatch.setenv("DRIFTDIFF_REDACT_KEYS", "tenantRef")
    r = Redactor(RedactionConfig.from_env())
    assert r.redact_headers({"x-tenant": ["acme"]})["x-tenant"] != ["acme"]
    assert r.redact_json({"tenant_ref": "acme"})["tenant_ref"] != "acme"
    monkeypatch.setenv("DRIFTDIFF_REDACT", "0")
    assert RedactionConfig.from_env().enabled is False


def test_nested_keys_keep_types_and_formats(r: Redactor) -> None:
    doc = {
        "user": {
            "name": "Ann",
            "Password": "hunter2",
            "credentials": [{"api-key": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "pin": 1234}],
            "newPassword": "correct horse battery staple",
            "cvv": 123,
            "session": {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "active": True},
        },
        "items": [{"note": f"card {CARD}"}, None, 2.5],
        "token_type": "Bearer",
        "count": 7,
    }
    out = r.redact_json(doc)
    u = out["user"]
    assert u["name"] == "Ann" and out["token_type"] == "Bearer" and out["count"] == 7
    assert isinstance(u["Password"], str) and u["Password"] != "hunter2"
    assert len(u["Password"]) == 8  # length class of a short secret
    cred = u["credentials"][0]
    assert UUID_RE.match(cred["api-key"])
    assert cred["api-key"] != "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert isinstance(cred["pin"], int) and len(str(cred["pin"])) == 4 and cred["pin"] != 1234
    assert u["newPassword"] != "correct horse battery staple" and " " not in u["newPassword"]
    assert isinstance(u["cvv"], int) and 100 <= u["cvv"] <= 999
    assert UUID_RE.match(u["session"]["id"]) and u["session"]["active"] is True
    assert CARD not in out["items"][0]["note"] and out["items"][1:] == [None, 2.5]


def test_secret_string_placeholder_has_no_original_characters(r: Redactor) -> None:
    out = r.redact_json({"secret": "ZZZZZZZZZZZZ"})["secret"]
    assert "Z" not in out and len(out) == 16  # length class, not the exact length


def test_form_body_and_json_in_text(r: Redactor) -> None:
    form = r.redact_body_text(
        "user=ann&password=hunter2&email=ann%40ex.com", "application/x-www-form-urlencoded"
    )
    assert form.startswith("user=ann&password=") and "hunter2" not in form
    assert "ann%40ex.com" not in form and "@redacted.invalid" in form
    text = r.redact_body_text('{"a": {"refresh_token": "xyz"}, "b": [1]}', "text/plain")
    assert json.loads(text)["b"] == [1] and "xyz" not in text
    untouched = '{ "a": 1 }'
    assert r.redact_body_text(untouched, "text/plain") == untouched  # formatting kept
    sse = r.redact_text('data: {"token": "abc", "n": 1}\n\n')
    assert "abc" not in sse and '"n": 1' in sse


def test_exchange_is_redacted_everywhere_and_input_not_mutated(r: Redactor) -> None:
    exchange = {
        "format": "driftdiff.exchange/1",
        "id": "x",
        "source": "sdk",
        "request": {
            "method": "POST",
            "url": "https://api.example/u/ann%40ex.com?api_key=K123456&q=1",
            "path": "/u/ann%40ex.com",
            "query": {"api_key": ["K123456"], "q": ["1"]},
            "headers": {"authorization": ["Basic YWxpY2U6c2VjcmV0"]},
            "content_type": "application/json",
            "body": {"password": "hunter2"},
        },
        "response": {
            "status": 200,
            "headers": {},
            "content_type": "text/plain",
            "body_text": "hello ann@ex.com",
        },
        "outbound": [
            {
                "kind": "http",
                "seq": 0,
                "request": {
                    "method": "GET",
                    "path": "/",
                    "headers": {"x-api-key": ["upstream-secret"]},
                },
                "response": {"status": 200},
            },
            {"kind": "redis", "seq": 1, "command": ["AUTH", "redispass"], "result": "OK"},
        ],
    }
    before = copy.deepcopy(exchange)
    out = r.redact_exchange(exchange)
    assert exchange == before
    blob = json.dumps(out)
    for secret in (
        "ann@ex.com",
        "ann%40ex.com",
        "K123456",
        "YWxpY2U6c2VjcmV0",
        "hunter2",
        "upstream-secret",
        "redispass",
    ):
        assert secret not in blob, secret
    assert out["request"]["query"]["q"] == ["1"] and out["request"]["url"].endswith("&q=1")
    assert out["outbound"][1]["command"][0] == "AUTH" and out["id"] == "x"


def test_disabled_config_changes_nothing() -> None:
    r = Redactor(RedactionConfig(enabled=False))
    ex = {
        "request": {"headers": {"authorization": ["Bearer abcdefgh123"]}, "body": {"password": "p"}}
    }
    out = r.redact_exchange(ex)
    assert out == ex and out is not ex
    assert r.redact_text("a@b.io") == "a@b.io"


def test_user_patterns(r: Redactor) -> None:
    r2 = Redactor(RedactionConfig(key=b"k", patterns=(re.compile(r"ACME-\d{6}"),)))
    out = r2.redact_text("ticket ACME-123456 opened")
    assert "ACME-123456" not in out and out.startswith("ticket ") and out.endswith(" opened")


def test_odd_input_never_raises(r: Redactor) -> None:
    odd = {
        1: "a@b.io",
        None: [b"Bearer abcdefghijk", bytearray(b"x")],
        "pin": 10**5000,
        "secret": float("nan"),
        "t": (1, "x@y.io"),
        "o": object,
    }
    out = r.redact_json(odd)
    assert out[1].endswith("@redacted.invalid") and isinstance(out[None][0], bytes)
    assert b"abcdefghijk" not in out[None][0] and isinstance(out["t"], tuple)
    assert r.redact_headers({b"cookie": ["a=b"], "x": "y", "authorization": [None]}) is not None
    assert r.redact_text(None) is None  # type: ignore[arg-type]
    assert r.redact_exchange(None) is None  # type: ignore[arg-type]
    assert r.redact_exchange({"request": "nope", "outbound": [None, 3]})["outbound"] == [None, 3]


def test_deep_nesting_is_capped_not_a_crash(r: Redactor) -> None:
    deep: list[Any] = []
    cur = deep
    for _ in range(10_000):
        nxt: list[Any] = []
        cur.append(nxt)
        cur = nxt
    out = r.redact_json({"a": deep})
    depth, node = 0, out["a"]
    while isinstance(node, list):
        node, depth = node[0], depth + 1
    assert isinstance(node, str) and "nested deeper" in node and depth < 100
    deep_text = "[" * 10_000 + "]" * 10_000
    assert r.redact_body_text(deep_text, "application/json") == deep_text


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 1_000_000 + "@",  # a huge local part that never becomes an address
        "eyJ" * 300_000,  # JWT starts everywhere
        "4" * 1_000_000,  # one endless digit run
        '"password":"' * 100_000,  # unterminated JSON pairs
        "a=" * 500_000,
        "Bearer " * 100_000,
        "x@" * 300_000,
        "1 " * 500_000,
    ],
)
def test_hostile_strings_stay_fast(r: Redactor, hostile: str) -> None:
    # CPU time of this process, not the wall clock: catastrophic backtracking costs seconds to
    # minutes of CPU, while a loaded machine only stretches wall time.
    start = time.process_time()
    r.redact_text(hostile)
    assert time.process_time() - start < 2.0


def test_typical_exchange_is_cheap(r: Redactor) -> None:
    body = {
        "items": [
            {"id": i, "name": f"item {i}", "email": f"u{i}@ex.com", "price": 9.5} for i in range(50)
        ]
    }
    exchange = {
        "request": {"method": "GET", "path": "/items", "headers": {"accept": ["*/*"]}},
        "response": {"status": 200, "headers": {}, "body": body},
    }
    start = time.process_time()  # CPU time: a loaded machine does not inflate it
    for _ in range(200):
        r.redact_exchange(exchange)
    assert (time.process_time() - start) / 200 < 0.01  # well under 10 ms of CPU per exchange
