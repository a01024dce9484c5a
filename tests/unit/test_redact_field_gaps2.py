"""Redaction gaps in structured fields, second round: ``Set-Cookie`` values folded with commas,
map keys that are not ``str``, card numbers stored as floats and RFC 2231/5987 file names
(``filename*=UTF-8''...``).

Each case was a leak (the secret came out as it went in); what sits beside a secret stays as it
was, and the copy-on-write walks (``share_json``, ``share_headers``) still give exactly what the
copying ones give, sharing what they leave unchanged.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from driftdiff_sdk.redact import RedactionConfig, Redactor
from driftdiff_sdk.writer import dump_line
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_redact_field_gaps import assert_walks_agree

GHP = "ghp_" + "a1B2" * 9
EMAIL = "carol.jkey@corp-mail.example"
CARD = 4111111111111111
FLOAT_CARD = 5555555555554444.0  # (``float(CARD)`` would be the same key as ``CARD``)
MULTIPART = "multipart/form-data; boundary=b"


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
    return Redactor(RedactionConfig(key=b"field-gaps2"))


def set_cookie(r: Redactor, value: str) -> str:
    """``value`` as a ``Set-Cookie`` value, redacted; the sharing walk must agree."""
    (out,) = r.redact_headers({"Set-Cookie": [value]})["Set-Cookie"]
    assert r.share_headers({"Set-Cookie": [value]}) == {"Set-Cookie": [out]}
    exchange = {"response": {"headers": {"set-cookie": [value]}}}
    assert r.redact_exchange(exchange)["response"]["headers"]["set-cookie"] == [out]
    return out


# --------------------------------------------------------------------------- 1. folded Set-Cookie
@pytest.mark.parametrize(
    "cookies",
    [
        ["a=1; Path=/", "session=FoldSess77abc; HttpOnly", "theme=FoldTheme88"],
        [
            "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/",
            "session=FoldSess77abc; expires=Thursday, 22-Oct-26 07:28:00 GMT; HttpOnly",
            "theme=FoldTheme88; Max-Age=60",
        ],
        ["a=FoldSess77abc", "b=FoldTheme88"],  # no attributes
        ['id="quoted, FoldSess77abc; x"; Path=/', "b=FoldTheme88; Secure"],  # quoted value
        ["a=1; Path=/", "FoldSess77abc; HttpOnly", "FoldTheme88"],  # nameless cookies
    ],
)
def test_folded_set_cookie_masks_every_cookie(r: Redactor, cookies: list[str]) -> None:
    """Some proxies and HAR producers join several ``Set-Cookie`` lines with commas: each
    cookie comes out as it does on a line of its own, attributes and the ``Expires`` date
    (which holds a comma itself) kept."""
    out = set_cookie(r, ", ".join(cookies))
    assert "FoldSess77abc" not in out and "FoldTheme88" not in out
    assert out == ", ".join(set_cookie(r, cookie) for cookie in cookies)


def test_folded_set_cookie_keeps_names_and_attributes(r: Redactor) -> None:
    value = "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/,session=FoldSess77abc;HttpOnly"
    out = set_cookie(r, value)
    first, second = out.split(",session=")
    assert first.startswith("a=") and first.endswith(
        "; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/"
    )
    assert "FoldSess77abc" not in second and second.endswith(";HttpOnly")


def test_commas_inside_one_cookie_value_are_its_value(r: Redactor) -> None:
    """A comma not followed by a next cookie's ``name=`` belongs to the value (``a=1,2,3``),
    which is masked whole; a comma in the attributes (not the ``Expires`` one) starts a
    cookie, masked whole when it has no name."""
    out = set_cookie(r, "a=List1,List2,List3; Path=/")
    assert "List" not in out and out.startswith("a=") and out.endswith("; Path=/")
    assert out == set_cookie(r, "a=List1,List2,List3; Path=/")
    nameless = set_cookie(r, "a=1, NamelessAfter42, theme=dark")
    assert "NamelessAfter42" not in nameless and "dark" not in nameless
    # a single cookie (no comma, or only the date's) reads as before: first pair masked
    for value in ("sid=Abc123xyz; Path=/; HttpOnly", "sid=Abc123xyz; Expires=Wed, 21 Oct 2026"):
        out = set_cookie(r, value)
        assert out.startswith("sid=") and "Abc123xyz" not in out
        assert out.endswith(value[value.index(";") :])


def test_folded_set_cookie_stays_linear(r: Redactor) -> None:
    hostile = [
        "a=1; " + ", " * 100_000,
        "a=1; Expires=Wed" + ", x" * 100_000,
        "a=1" + ", b=" * 100_000,
        "a=" + "x," * 100_000,
        'a="' + ", b=" * 100_000,
        "a=1;" + " expires=Wed," * 50_000,
    ]
    for value in hostile:
        start = time.process_time()
        r.redact_headers({"set-cookie": [value]})
        assert time.process_time() - start < 2.0, value[:20]


# --------------------------------------------------------------------------- 2. keys not str
def test_keys_that_are_not_str_are_scanned(r: Redactor) -> None:
    """The Python SDK passes dicts with any hashable key; json writes an ``int`` or ``float``
    key as its digits: a card number there is masked as a card value is, keeping the type."""
    body: dict[Any, Any] = {
        CARD: "x",
        FLOAT_CARD: "f",
        EMAIL.encode(): 1,
        (EMAIL, 7): 2,
        ("deep", (GHP,)): 3,
        frozenset({EMAIL}): 4,
    }
    out = r.redact_json(body)
    text = repr(out)
    assert str(CARD) not in text and "5555555555554444" not in text
    assert EMAIL not in text and GHP not in text
    int_key, float_key, bytes_key, tuple_key, deep_key, set_key = out
    assert type(int_key) is int and luhn_ok(str(int_key)) and len(str(int_key)) == 16
    assert str(int_key) == r.redact_name(str(CARD))  # as the string of its digits
    assert type(float_key) is float and float_key == r.redact_json(5555555555554444)
    assert type(bytes_key) is bytes and bytes_key.endswith(b"@redacted.invalid")
    assert bytes_key.decode() == r.redact_name(EMAIL)
    assert type(tuple_key) is tuple and tuple_key == (r.redact_name(EMAIL), 7)
    assert deep_key[0] == "deep" and deep_key[1][0].startswith("ghp_redacted-")
    assert type(set_key) is frozenset
    assert list(out.values()) == ["x", "f", 1, 2, 3, 4]
    assert repr(r.share_json(body)) == text
    shared = r.redact_exchange({"request": {"body": body}})["request"]["body"]
    assert repr(shared) == text
    assert str(CARD).encode() in dump_line({"body": {CARD: "x"}})  # json writes its digits
    written = dump_line(r.redact_exchange({"response": {"body": {CARD: "x", FLOAT_CARD: "f"}}}))
    assert str(CARD).encode() not in written and b"5555555555554444" not in written


def test_clean_keys_that_are_not_str_stay_the_same_objects(r: Redactor) -> None:
    tup, raw = ("id", 7), b"name"
    body: dict[Any, Any] = {1: "a", 2.5: "b", raw: "c", tup: "d", None: "e", False: "f"}
    assert r.share_json(body) is body
    out = r.redact_json(body)
    assert out == body and [id(k) for k in out] == [id(k) for k in body]
    nested = {"items": [body], "next": {7: {"k": "v"}}}
    assert r.share_json(nested) is nested
    # a sibling with a secret copies its map; the clean neighbours stay the input's own
    mixed = {"clean": nested, "bad": {CARD: 1}}
    red = r.share_json(mixed)
    assert red["clean"] is nested and str(CARD) not in repr(red["bad"])


def test_a_bytes_key_named_like_a_secret_masks_its_value(r: Redactor) -> None:
    out = r.redact_json({b"password": "BytesKeyPw99", b"note": "ok"})
    assert out[b"password"] != "BytesKeyPw99" and out[b"note"] == "ok"
    assert r.share_json({b"password": "BytesKeyPw99"}) == {b"password": out[b"password"]}
    query = r.redact_query({b"token": ["QueryTok55abc"], CARD: ["1"]})
    assert "QueryTok55abc" not in repr(query) and str(CARD) not in repr(query)


def test_keys_masking_alike_keep_both_entries_whatever_their_type(r: Redactor) -> None:
    masked = r.redact_json(CARD)
    out = r.redact_json({CARD: 1, masked: 2})  # the second already is the placeholder
    assert sorted(out.values()) == [1, 2] and len(out) == 2
    assert str(CARD) not in repr(out)


# --------------------------------------------------------------------------- 3. float cards
@pytest.mark.parametrize("number", [4111111111111111.0, 4.111111111111111e15, 5555555555554444.0])
def test_card_number_float_is_masked_keeping_its_type(r: Redactor, number: float) -> None:
    body = {"n": number, "items": [number], "plain": 3.25}
    out = r.redact_json(body)
    for after in (out["n"], out["items"][0]):
        assert type(after) is float and after.is_integer() and after != number
        digits = str(int(after))
        assert len(digits) == len(str(int(number))) and luhn_ok(digits)
        assert after == r.redact_json(int(number))  # as the integer is
    assert out["plain"] == 3.25
    assert repr(r.share_json(body)) == repr(out)
    assert repr(r.redact_exchange({"request": {"body": body}})["request"]["body"]) == repr(out)


def test_card_number_written_with_a_fraction_or_exponent_in_json_text(r: Redactor) -> None:
    for text in (
        '{"n": 4111111111111111.0}',
        '{"n": 4.111111111111111e15}',
        "[4111111111111111e0]",
    ):
        out = r.redact_body_text(text, "application/json")
        assert "4111111111111111" not in out and "4.111111111111111" not in out
        (value,) = json.loads(out).values() if text[0] == "{" else json.loads(out)
        assert type(value) is float and luhn_ok(str(int(value)))
        b64 = base64.b64encode(text.encode()).decode()
        msg = r.redact_message({"content_type": "application/json", "body_b64": b64})
        assert b"4111111111111111" not in base64.b64decode(msg["body_b64"])


@pytest.mark.parametrize(
    "number",
    [
        1700000000000.0,  # epoch milliseconds
        4111111111111112.0,  # not Luhn-valid
        4111111111111111.5,  # not whole
        -4111111111111111.0,  # negative, as for integers
        411111111111.0,  # 12 digits
        7111111111111114.0,  # starts with 7
        1e300,
        float("inf"),
        3.25,
    ],
)
def test_other_floats_stay(r: Redactor, number: float) -> None:
    body = {"n": number, "l": [number]}
    assert repr(r.redact_json(body)) == repr(body)
    assert r.share_json(body) is body


def test_nan_stays(r: Redactor) -> None:
    body = {"n": float("nan")}
    assert r.share_json(body) is body
    assert repr(r.redact_json(body)) == repr(body)


def test_secret_float_is_still_masked_as_a_number(r: Redactor) -> None:
    out = r.redact_json({"pin": 1234.0, "card_number": 4111111111111111.0})
    assert type(out["pin"]) is float and out["pin"] != 1234.0
    assert type(out["card_number"]) is float and out["card_number"] != 4111111111111111.0


# --------------------------------------------------------------------------- 4. filename*=
def part(disposition: str, value: str = "file-bytes") -> str:
    return f"--b\r\nContent-Disposition: form-data; {disposition}\r\n\r\n{value}\r\n--b--\r\n"


@pytest.mark.parametrize(
    "disposition",
    [
        "name=\"doc\"; filename*=UTF-8''carol.jkey%40corp-mail.example",
        "name=\"doc\"; filename*=utf-8'en'carol.jkey%40corp-mail.example",
        "name=\"doc\"; filename*0*=UTF-8''carol.jkey%40corp-; filename*1*=mail.example",
        "name=\"doc\"; filename*1=mail.example; filename*0*=UTF-8''carol.jkey%40corp-",
        'name="doc"; filename*="UTF-8\'\'carol.jkey%40corp-mail.example"',
        'name="doc"; filename="a.txt"; filename*=UTF-8\'\'carol.jkey%40corp-mail.example',
        "name*=UTF-8''doc; FILENAME*=UTF-8''carol.jkey%40corp-mail.example",
    ],
)
def test_extended_file_name_holding_an_email_is_masked(r: Redactor, disposition: str) -> None:
    """``filename*=`` is read decoded and masked as ``filename="..."`` is (as text: the same
    placeholder), written back as ``filename*=UTF-8''<placeholder percent-encoded>``."""
    out = r.redact_body_text(part(disposition), MULTIPART)
    assert "carol" not in out and "corp-mail" not in out
    plain = r.redact_body_text(part(f'name="doc"; filename="{EMAIL}"'), MULTIPART)
    placeholder = plain.split('filename="')[1].split('"')[0]
    assert placeholder.endswith("@redacted.invalid")
    assert "filename*=UTF-8''" + placeholder.replace("@", "%40") in out
    assert "\r\n\r\nfile-bytes\r\n" in out  # a file's content is scanned, not replaced
    b64 = base64.b64encode(part(disposition).encode()).decode()
    msg = r.redact_message({"content_type": MULTIPART, "body_b64": b64})
    assert b"carol" not in base64.b64decode(msg["body_b64"])


def test_extended_file_name_holding_a_token_is_masked(r: Redactor) -> None:
    hidden = "%67hp_" + "a1B2" * 9  # ``ghp_...`` with its first letter percent-encoded
    out = r.redact_body_text(part(f"name=\"doc\"; filename*=UTF-8''{hidden}.txt"), MULTIPART)
    assert "a1B2a1B2" not in out and "ghp_redacted-" in out


def test_extended_names_of_both_kinds_in_one_head(r: Redactor) -> None:
    disposition = (
        "name*=UTF-8''bob%40corp-mail.example; filename*=UTF-8''carol.jkey%40corp-mail.example"
    )
    out = r.redact_body_text(part(disposition, "v"), MULTIPART)
    assert "bob" not in out and "carol" not in out and "corp-mail" not in out
    assert "name*=UTF-8''user-" in out and "filename*=UTF-8''user-" in out


@pytest.mark.parametrize(
    "disposition",
    [
        "name=\"doc\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
        "name=\"doc\"; filename*0*=UTF-8''a%20b; filename*1=c.txt",
        "name=\"doc\"; filename*=UTF-8''",
        "name=\"doc\"; filename*=bogus''x%ZZ",
    ],
)
def test_clean_extended_file_names_stay_byte_for_byte(r: Redactor, disposition: str) -> None:
    body = part(disposition)
    assert r.redact_body_text(body, MULTIPART) == body


def test_content_disposition_header_file_name(r: Redactor) -> None:
    """A download's ``Content-Disposition`` header: ``filename*=`` decoded, as in a part."""
    value = "attachment; filename*=UTF-8''carol.jkey%40corp-mail.example; size=3"
    headers = {"Content-Disposition": [value]}
    (out,) = r.redact_headers(headers)["Content-Disposition"]
    assert "carol" not in out and out.startswith("attachment; filename*=UTF-8''user-")
    assert out.endswith("; size=3")
    assert r.share_headers(headers) == {"Content-Disposition": [out]}
    exchange = {"response": {"headers": {"content-disposition": [value]}}}
    assert r.redact_exchange(exchange)["response"]["headers"]["content-disposition"] == [out]
    plain = r.redact_headers({"Content-Disposition": [f'attachment; filename="{EMAIL}"']})
    assert EMAIL not in repr(plain)
    clean = {"Content-Disposition": ["attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"]}
    assert r.share_headers(clean) is clean
    # named a secret header by the configuration: masked whole, as any secret header
    config = RedactionConfig(key=b"k", headers=RedactionConfig().headers | {"content-disposition"})
    (whole,) = Redactor(config).redact_headers(clean)["Content-Disposition"]
    assert "attachment" not in whole


def test_extended_file_names_stay_linear(r: Redactor) -> None:
    many = "; ".join(f"filename*{i}*=%41" for i in range(20_000))
    for head in (many, "filename*=" + "%" * 200_000, "filename*=UTF-8''" + "%40" * 60_000):
        start = time.process_time()
        r.redact_body_text(part(head), MULTIPART)
        r.redact_headers({"content-disposition": [head]})
        assert time.process_time() - start < 2.0, head[:20]


# --------------------------------------------------------------------------- both walks
_KEYS = [
    "id", "password", CARD, FLOAT_CARD, 7, 2.5, b"k", b"password", EMAIL.encode(), ("a", 1),
    (EMAIL,), None, True,
]  # fmt: skip
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from([CARD, float(CARD), 4.111111111111111e15, 3.25, 1700000000000.0, 7])
    | st.floats(allow_nan=False)
    | st.sampled_from([EMAIL, "plain"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_share_json_equals_redact_json_with_odd_keys_and_floats(value: Any) -> None:
    text = assert_walks_agree(Redactor(RedactionConfig(key=b"field-gaps2")), value)
    assert str(CARD) not in text and "5555555555554444" not in text and EMAIL not in text
