"""Redaction gaps in structured fields: URL fragments, secret-shaped names, quoted cookies,
RFC 2231 multipart names and card numbers stored as JSON integers.

Each case was a leak (the secret came out as it went in); the copy-on-write walks
(``share_json``, ``share_headers``, ``share_query``) must still give exactly what the copying
ones give, and hostile input must stay linear.
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import pytest
from driftdiff_sdk.redact import RedactionConfig, Redactor
from hypothesis import given, settings
from hypothesis import strategies as st

GHP = "ghp_" + "a1B2" * 9  # a GitHub token: 36 characters after its prefix
STRIPE = "sk_live_51QryKeyTok3nAbCdEfGh"
EMAIL = "carol.jkey@corp-mail.example"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
    "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
SECRETS = ("FragTok77xyzabc", GHP, STRIPE, EMAIL, "bob.qkey", "SflKxwRJSMeKKF2QT4fw")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@pytest.fixture
def r() -> Redactor:
    return Redactor(RedactionConfig(key=b"field-gaps"))


def assert_no_secret(out: object) -> None:
    text = repr(out)
    for secret in SECRETS:
        assert secret not in text, (secret, text)


# --------------------------------------------------------------------------- 1. URL fragments
@pytest.mark.parametrize(
    "fragment",
    [
        "access_token=FragTok77xyzabc&token_type=bearer&expires_in=3600",
        f"id_token={JWT}&state=xyz",
        GHP,
        f"/callback?code=FragTok77xyzabc&next={EMAIL}",
    ],
)
def test_url_fragment_is_redacted(r: Redactor, fragment: str) -> None:
    url = f"https://api.shop.example/f?page=2#{fragment}"
    out = r.redact_url(url)
    assert_no_secret(out)
    assert out.startswith("https://api.shop.example/f?page=2#")
    assert r.redact_message({"url": url})["url"] == out
    assert r.redact_exchange({"request": {"url": url}})["request"]["url"] == out


def test_url_fragment_keeps_its_form(r: Redactor) -> None:
    out = r.redact_url("https://a.example/cb#access_token=FragTok77xyzabc&token_type=bearer")
    assert out.startswith("https://a.example/cb#access_token=")
    assert out.endswith("&token_type=bearer")  # not secret: kept
    id_token = r.redact_url(f"https://a.example/cb#id_token={JWT}").split("id_token=")[1]
    assert id_token.count(".") == 2 and id_token.startswith("eyJ")  # still a JWT
    for clean in ("https://a.example/docs#section-2", "https://a.example/#/users/42?tab=a"):
        assert r.redact_url(clean) == clean


# --------------------------------------------------------------------------- 2. names
def test_secret_shaped_json_keys(r: Redactor) -> None:
    body = {EMAIL: {"x": 1}, GHP: 1, "nested": [{f"x-{GHP}": "v"}], "plain": "ok"}
    out = r.redact_json(body)
    assert_no_secret(out)
    keys = list(out)
    assert keys[0].endswith("@redacted.invalid")  # an e-mail stays an e-mail
    assert keys[1].startswith("ghp_redacted-")  # the vendor prefix stays
    assert list(out["nested"][0]) == [f"x-{keys[1]}"]  # glued after "x-": found too
    assert out[keys[0]] == {"x": 1} and out["plain"] == "ok"
    assert repr(r.share_json(body)) == repr(out)
    assert_no_secret(r.mask_json(body))


def test_clean_keys_stay_the_same_objects(r: Redactor) -> None:
    inner = {"id": 7, "name": "Ada"}
    body = {"user": inner, "tags": ["a"]}
    assert r.share_json(body) is body
    out = r.redact_json(body)
    assert [id(k) for k in out] == [id(k) for k in body]


def test_plain_key_memo_holds_only_clean_keys(r: Redactor) -> None:
    body = {EMAIL: 1, GHP: 2, "password": "x", "id": 3}
    for walk in (r.redact_json, r.share_json):
        walk(body)
        assert "id" in r._plain_keys
        assert not {EMAIL, GHP, "password"} & r._plain_keys
        # a second walk (memo warm) still masks them
        assert_no_secret(walk(body))


def test_names_that_mask_alike_keep_every_entry(r: Redactor) -> None:
    """E-mails are masked lower-cased: two keys differing in case get one placeholder. The
    later one gets ``~2``, so no value is lost; a key already named like that is skipped."""
    body = {"Bob@Example.com": 1, "bob@example.com": 2, "BOB@example.com": 3}
    first = r.redact_json({"bob@example.com": 0})
    (placeholder,) = first
    body[f"{placeholder}~2"] = 4  # an existing key: the suffix skips past it
    out = r.redact_json(body)
    assert sorted(out.values()) == [1, 2, 3, 4]
    assert list(out) == [placeholder, f"{placeholder}~3", f"{placeholder}~4", f"{placeholder}~2"]
    assert repr(r.share_json(body)) == repr(out)
    again = r.redact_json(out)  # placeholders are not masked again
    assert again == out
    headers = r.redact_headers({"X-Bob@Example.com": ["1"], "x-bob@example.com": ["2"]})
    assert len(headers) == 2 and sorted(v for vs in headers.values() for v in vs) == ["1", "2"]
    query = r.redact_query({"Bob@Example.com": ["1"], "bob@example.com": ["2"]})
    assert list(query) == [placeholder, f"{placeholder}~2"]


def test_many_names_masking_alike_stay_linear(r: Redactor) -> None:
    import itertools

    variants = ["".join(p) for p in itertools.product(*zip("bobalicex", "BOBALICEX", strict=True))]
    body = {f"{v}@example.com": i for i, v in enumerate(variants)}  # 512 keys, one placeholder
    start = time.process_time()
    out = r.redact_json(body)
    assert time.process_time() - start < 2.0
    assert sorted(out.values()) == list(range(len(variants)))


def test_secret_shaped_query_and_form_names(r: Redactor) -> None:
    url = f"https://a.example/p?bob.qkey@corp-mail.example=1&{STRIPE}=2&page=3"
    out = r.redact_url(url)
    assert_no_secret(out)
    assert out.endswith("=2&page=3") and "@redacted.invalid=1&sk_live_redacted-" in out
    query = {"bob.qkey@corp-mail.example": ["1"], STRIPE: ["2"], "page": ["3"]}
    red = r.redact_query(query)
    assert_no_secret(red)
    assert list(red.values()) == [["1"], ["2"], ["3"]]
    message = r.redact_exchange({"request": {"query": query}})["request"]["query"]
    assert message == red
    clean = {"page": ["3"]}
    assert r.redact_exchange({"request": {"query": clean}})["request"]["query"] is clean
    form = r.redact_body_text(
        f"bob.qkey%40corp-mail.example=1&{STRIPE}&x=2", "application/x-www-form-urlencoded"
    )
    assert_no_secret(form)
    assert form.endswith("&x=2")


def test_secret_shaped_header_names(r: Redactor) -> None:
    headers = {f"x-{GHP}": ["v"], "X-Trace": ["t"], f"x-{EMAIL}": "w"}
    out = r.redact_headers(headers)
    assert_no_secret(out)
    assert list(out.values()) == [["v"], ["t"], "w"]
    assert repr(r.share_headers(headers)) == repr(out)
    shared = r.redact_exchange({"request": {"headers": headers}})["request"]["headers"]
    assert repr(shared) == repr(out)
    assert_no_secret(r.redact_headers({f"x-{GHP}".encode(): ["v"]}))  # bytes names too
    # the fast path of a known plain header must not remember a secret-shaped name
    r.share_headers({f"x-{GHP}": ["v"]})
    assert f"x-{GHP}" not in r._plain_headers


def test_secret_shaped_cookie_and_part_names(r: Redactor) -> None:
    cookie = r.redact_headers({"cookie": [f"{GHP}=1; theme=dark"]})["cookie"][0]
    assert_no_secret(cookie)
    assert "; theme=" in cookie
    body = (
        f'--b\r\nContent-Disposition: form-data; name="{EMAIL}"\r\n\r\nv\r\n'
        f'--b\r\nContent-Disposition: form-data; name="x-{GHP}"\r\n\r\nw\r\n--b--\r\n'
    )
    out = r.redact_body_text(body, "multipart/form-data; boundary=b")
    assert_no_secret(out)
    assert "\r\n\r\nv\r\n" in out and "\r\n\r\nw\r\n" in out  # values under clean names


# --------------------------------------------------------------------------- 3. quoted cookies
def test_quoted_set_cookie_value_is_masked_whole(r: Redactor) -> None:
    out = r.redact_headers({"Set-Cookie": ['id="quoted; SetCookieQuoted34"; Path=/; HttpOnly']})
    (value,) = out["Set-Cookie"]
    assert "SetCookieQuoted34" not in value and "quoted" not in value
    assert value.startswith('id="') and value.endswith('"; Path=/; HttpOnly')
    assert value.count('"') == 2


def test_quoted_cookie_values_are_masked_whole(r: Redactor) -> None:
    header = 'a=1; id="quoted; CookieQuoted34"; b="plain"; c=x'
    (value,) = r.redact_headers({"Cookie": [header]})["Cookie"]
    assert "CookieQuoted34" not in value and "plain" not in value
    pairs = value.split("; ")
    assert [pair.split("=", 1)[0] for pair in pairs] == ["a", "id", "b", "c"]
    assert pairs[1].startswith('id="') and pairs[1].endswith('"')  # still quoted
    assert pairs[2].startswith('b="') and pairs[2].endswith('"')
    assert r.share_headers({"Cookie": [header]}) == {"Cookie": [value]}
    # an unclosed quote runs to the end: masked whole, nothing after it kept raw
    (open_quote,) = r.redact_headers({"Cookie": ['id="CookieQuoted34; x=LeftOpen99']})["Cookie"]
    assert "CookieQuoted34" not in open_quote and "LeftOpen99" not in open_quote


def test_cookie_splitting_stays_linear(r: Redactor) -> None:
    hostile = ['a="' + ";" * 200_000, "a=1;" * 50_000 + '"', 'a="x";' * 40_000, "=" * 200_000]
    for value in hostile:
        start = time.process_time()
        r.redact_headers({"cookie": [value], "set-cookie": [value]})
        assert time.process_time() - start < 2.0, value[:20]


# --------------------------------------------------------------------------- 4. RFC 2231 names
@pytest.mark.parametrize(
    "disposition",
    [
        "name*=UTF-8''password",
        "name*=utf-8'en'pass%77ord",
        "name*0*=UTF-8''pass; name*1=word",
        "name*1=word; name*0=pass",
        "name*=\"UTF-8''api_key\"",
        "name*=bogus-charset''client_secret",
        "name=\"note\"; name*=UTF-8''password",
    ],
)
def test_rfc2231_part_names_follow_the_name_rules(r: Redactor, disposition: str) -> None:
    body = f"--b\r\nContent-Disposition: form-data; {disposition}\r\n\r\nHunter2Secret\r\n--b--\r\n"
    out = r.redact_body_text(body, "multipart/form-data; boundary=b")
    assert "Hunter2Secret" not in out
    b64 = base64.b64encode(body.encode()).decode()
    msg = r.redact_message({"content_type": "multipart/form-data; boundary=b", "body_b64": b64})
    assert b"Hunter2Secret" not in base64.b64decode(msg["body_b64"])


def test_rfc2231_part_name_holding_a_secret_is_masked(r: Redactor) -> None:
    for disposition in (
        "name*=UTF-8''bob%40corp-mail.example",
        "name*0*=UTF-8''bob%40corp-; name*1*=mail.example",
    ):
        body = f"--b\r\nContent-Disposition: form-data; {disposition}\r\n\r\nv\r\n--b--\r\n"
        out = r.redact_body_text(body, "multipart/form-data; boundary=b")
        assert "bob" not in out and "corp-mail" not in out
        assert "name*=UTF-8''user-" in out and "%40redacted.invalid\r\n" in out
    plain = "--b\r\nContent-Disposition: form-data; name*=UTF-8''note\r\n\r\nv\r\n--b--\r\n"
    assert r.redact_body_text(plain, "multipart/form-data; boundary=b") == plain
    file_part = (
        "--b\r\nContent-Disposition: form-data; name*=UTF-8''password; filename=a.txt\r\n\r\n"
        "file-bytes\r\n--b--\r\n"
    )
    assert "file-bytes" in r.redact_body_text(file_part, "multipart/form-data; boundary=b")


def test_rfc2231_hostile_heads_stay_linear(r: Redactor) -> None:
    many = "; ".join(f"name*{i}*=%41" for i in range(20_000))
    for head in (many, ";" + " " * 200_000 + "x", "name*=" + "%" * 200_000):
        body = f"--b\r\nContent-Disposition: form-data; {head}\r\n\r\nv\r\n--b--\r\n"
        start = time.process_time()
        r.redact_body_text(body, "multipart/form-data; boundary=b")
        assert time.process_time() - start < 2.0, head[:20]


# --------------------------------------------------------------------------- 5. card integers
def test_card_number_integer_is_masked_keeping_its_type(r: Redactor) -> None:
    body = {"n": 4111111111111111, "amex": 378282246310005, "items": [5555555555554444]}
    out = r.redact_json(body)
    for before, after in ((body["n"], out["n"]), (body["amex"], out["amex"])):
        assert type(after) is int and after != before
        assert len(str(after)) == len(str(before)) and luhn_ok(str(after))
    assert out["items"][0] != 5555555555554444
    # the same digits as the string would get
    assert str(out["n"]) == r.redact_text("4111111111111111")
    assert repr(r.share_json(body)) == repr(out)
    text = r.redact_body_text(json.dumps(body), "application/json")
    assert "4111111111111111" not in text


@pytest.mark.parametrize(
    "number",
    [
        1700000000000,  # epoch milliseconds: 13 digits from 1
        1700000000000000,  # epoch microseconds
        4111111111111112,  # not Luhn-valid
        411111111111,  # 12 digits
        41111111111111111111,  # 20 digits
        7111111111111114,  # starts with 7
        -4111111111111111,  # negative: not a card as text either
        12345,
    ],
)
def test_other_integers_stay(r: Redactor, number: int) -> None:
    body = {"n": number}
    assert r.redact_json(body) == body
    assert r.share_json(body) is body


def test_card_integer_gate_follows_the_card_pattern() -> None:
    """``_card_int`` looks only at integers of 13-19 digits from 2-6 (``_CARD_MIN``,
    ``_CARD_MAX`` and a first-digit test): the bounds of ``CARD``'s contiguous form."""
    from driftdiff_sdk import _masks, _redact_fields

    assert _masks.CARD.pattern.split("(?:", 1)[1].startswith(r"[2-6]\d{12,18}|")
    assert len(str(_redact_fields._CARD_MIN)) == 13 and str(_redact_fields._CARD_MIN)[0] == "2"
    assert len(str(_redact_fields._CARD_MAX - 1)) == 19 and str(_redact_fields._CARD_MAX)[0] == "7"


def test_card_integer_with_a_placeholder_that_is_not_digits_stays_an_integer() -> None:
    class ConstantMask(Redactor):  # as ``drift_diff.replay.match_datastores._SameMask``
        def mask_value(self, value: str) -> str:
            return "<redacted>"

    r = ConstantMask(RedactionConfig(key=b"k", patterns=(re.compile(r"4111\d+"),)))
    out = r.redact_json({"n": 4111111111111111})
    assert type(out["n"]) is int and out["n"] != 4111111111111111


# --------------------------------------------------------------------------- both walks
_KEYS = [
    "id", "password", "x", "Bob@Example.com", "bob@example.com", GHP, f"x-{GHP}", STRIPE,
    "note", "ghp_redacted-abcdefgh", "key_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    "n-4111111111111111",
]  # fmt: skip
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([4111111111111111, 1700000000000, 378282246310005])
    | st.text(max_size=6)
    | st.sampled_from([EMAIL, GHP, "plain"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)


def assert_walks_agree(r: Redactor, value: Any) -> str:
    """``share_json`` gives what ``redact_json`` gives, cold and then with every memo warm,
    and touches nothing of ``value``; the ``repr`` of what it gives."""
    before = repr(value)
    for _ in range(2):  # cold, then with every memo warm
        shared = r.share_json(value)
        assert repr(shared) == repr(r.redact_json(value))
    assert repr(value) == before
    return repr(r.share_json(value))


@settings(max_examples=300, deadline=None)
@given(_json)
def test_share_json_equals_redact_json_with_secret_names(value: Any) -> None:
    text = assert_walks_agree(Redactor(RedactionConfig(key=b"field-gaps")), value)
    assert GHP not in text


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), st.lists(st.sampled_from(["1", EMAIL]), max_size=2)))
def test_share_headers_and_query_equal_the_copies(query: dict[str, list[str]]) -> None:
    r = Redactor(RedactionConfig(key=b"field-gaps"))
    for _ in range(2):
        assert repr(r.share_headers(query)) == repr(r.redact_headers(query))
        shared = r.redact_exchange({"request": {"query": query}})["request"]["query"]
        assert repr(shared) == repr(r.redact_query(query))


def test_odd_names_do_not_raise(r: Redactor) -> None:
    nan = float("nan")
    odd: dict[Any, Any] = {1: "a", None: 2, (1, 2): 3, b"k": 4, "": 5, "-": 6, "_x-": 7, nan: 8}
    assert repr(r.redact_json(odd)) == repr(r.share_json(odd)) == repr(odd)
    r.redact_headers({1: ["x"], "": "y", "-" * 5000: ["z"], nan: ["n"]})
    assert repr(r.redact_query({1: ["x"], "": ["y"], nan: ["n"]})) == repr(
        {1: ["x"], "": ["y"], nan: ["n"]}
    )
    assert r.redact_name(None) is None and r.redact_name(["x"]) == ["x"]
    for url in ("#", "https://a.example/#", "https://a.example/#?", "#&&==", "#" + "a-" * 50_000):
        start = time.process_time()
        r.redact_url(url)
        assert time.process_time() - start < 2.0
    start = time.process_time()
    r.redact_json({"-gh" * 30_000 + GHP: 1, "x_" + "_4" * 50_000: 2})
    assert time.process_time() - start < 2.0


def test_a_nameless_cookie_is_masked() -> None:
    """``Cookie: abc123`` (a cookie set without a name): the whole pair is its value."""
    r = Redactor()
    token = "NamelessCookieVal42xyz"
    for name, value in (
        ("cookie", token),
        ("cookie", f"a=1; {token}"),
        ("set-cookie", f"{token}; Path=/"),
    ):
        out = r.redact_headers({name: [value]})[name][0]
        assert token not in out, (name, out)
        assert r.share_headers({name: [value]})[name][0] == out
    assert r.redact_headers({"set-cookie": [f"{token}; Path=/"]})["set-cookie"][0].endswith(
        "; Path=/"
    )
