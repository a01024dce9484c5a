"""Secrets ``redact_text`` used to leave raw: quoted and spaced ``key = value`` pairs, containers
under a secret key, ``key: value`` lines, XML elements named like a secret, vendor tokens right
after an escape sequence or a percent-encoded byte, internationalised e-mail addresses, and a
few secret names (``X-Api_Key``, ``pass``, ``Pass Word``, ``jsessionid``)."""

from __future__ import annotations

import pytest
from driftdiff_sdk import _redact_text
from driftdiff_sdk.redact import RedactionConfig, Redactor
from hypothesis import given, settings
from hypothesis import strategies as st

GHP = "ghp_R8m2Kq7ZtX4vLw9NcB3yJ6hF1pD5sG0aE2uQ"


@pytest.fixture
def r() -> Redactor:
    return Redactor(RedactionConfig(key=b"gaps"))


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("{'password': 'PyReprPw11abc'}", "PyReprPw11abc", ["{'password': '", "'}"]),
        (
            "Failed validating 'type' in schema: {'api_key': 'SchemaKey33abc'} is not 'string'",
            "SchemaKey33abc",
            ["Failed validating 'type' in schema: {'api_key': '"],
        ),
        ("User(password='KwargPw44abc')", "KwargPw44abc", ["User(password='", "')"]),
        ('token = "SpacedTok55abc"', "SpacedTok55abc", ['token = "', '"']),
        ('db_password="TxtQuotedPw11abc"', "TxtQuotedPw11abc", ['db_password="', '"']),
        ("UPDATE a SET api_key = 'Lit3ral-key-99' WHERE id = 1", "Lit3ral-key-99", ["' WHERE"]),
        ("name: app\napi_key: TxtYamlKey22abc\nport: 80", "TxtYamlKey22abc", ["\nport: 80"]),
        ("  - client_secret: 'YamlQuoted66abc'  # note", "YamlQuoted66abc", ["'  # note"]),
        ("[db]\npassword = IniPw77abcdef\nhost = h", "IniPw77abcdef", ["\nhost = h"]),
        ("cfg\\nsecret: EscLine88abc\\nnext: 1", "EscLine88abc", ["\\nnext: 1"]),
        ('{"password": ["ListPw99abc", 1234]}', "ListPw99abc", ['{"password": ["', '"']),
        ('"credentials": {"user": "bob", "code": "NestPw10abc"}', "NestPw10abc", ['"user": "']),
        ("{'auth': {'k': ['DeepPw12abc']}} trailing", "DeepPw12abc", ["{'k': ['", " trailing"]),
    ],
)
def test_pairs_in_text_are_masked(r: Redactor, text: str, secret: str, kept: list[str]) -> None:
    out = r.redact_text(text)
    assert secret not in out, out
    for part in kept:
        assert part in out, out


def test_container_values_keep_their_shape(r: Redactor) -> None:
    out = r.redact_text('{"password": {"a": "x", "n": [12345, "y"]}, "note": "kept"}')
    assert out.startswith('{"password": {"a": "') and out.endswith('"note": "kept"}')
    assert '"x"' not in out and "12345" not in out and '"y"' not in out
    # a container cut short (a truncated body) is masked to the end of what is there
    cut = r.redact_text('{"password": ["CutPw13abc", "more')
    assert "CutPw13abc" not in cut and "more" not in cut


@pytest.mark.parametrize(
    "text",
    [
        '"description": "a long text: with colons"',
        "{'name': 'Ada', 'role': 'admin'}",
        "key: value",
        "description: some: thing",
        "status = 'active'",
        '<input type="password" name="pw">',
        "<title>Login</title><p>token expired</p>",
        "Error: token: see the docs",
        "x = 'it''s'",
    ],
)
def test_ordinary_pairs_and_markup_stay(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("<login><password>XmlPw88abcdef</password></login>", "XmlPw88abcdef"),
        ("<api_key>XmlKey77abcdef</api_key>", "XmlKey77abcdef"),
        ("<r><AccessToken>XmlTok66abcdef</AccessToken></r>", "XmlTok66abcdef"),
        ('<ns:Secret a="1">\n  XmlNs55abcdef\n</ns:Secret>', "XmlNs55abcdef"),
        ("<password><![CDATA[XmlCdata44abc]]></password>", "XmlCdata44abc"),
    ],
)
def test_xml_elements_named_like_a_secret(r: Redactor, text: str, secret: str) -> None:
    out = r.redact_text(text)
    assert secret not in out
    head, tail = text.split(secret)  # tags, attributes, blanks and CDATA wrappers stay
    assert out.startswith(head) and out.endswith(tail)


@pytest.mark.parametrize(
    "text",
    [
        f"line1\\n{GHP}",
        f"a%3D{GHP}",
        f"a%3d{GHP}",
        f"tab\\t{GHP}",
        f"\\u003d{GHP}",
        f"\\u00e9{GHP}",
        "key%3AAKIAZ3MSJV4WWQ7XK2NP",
    ],
)
def test_vendor_tokens_after_an_escape_or_a_percent_byte(r: Redactor, text: str) -> None:
    token = GHP if GHP in text else "AKIAZ3MSJV4WWQ7XK2NP"
    out = r.redact_text(text)
    assert token not in out
    assert out.startswith(text[: text.index(token)] + token[:4])  # the escape and prefix stay


@pytest.mark.parametrize(
    "text", [f"x{GHP}", f"a%41{GHP}", f"a%5F{GHP}", f"\\u0041{GHP}", f"prefix_{GHP}"]
)
def test_tokens_inside_identifiers_stay(r: Redactor, text: str) -> None:
    # ``%41`` is ``A``, ``%5F`` is ``_``, ``\u0041`` is ``A``: the token is part of a longer word
    assert r.redact_text(text) == text


@pytest.mark.parametrize(
    "address", ["frank@bücher.example", "josé@exämple.com", "a.b@例え.jp", "x@host.xn--p1ai"]
)
def test_internationalised_email_addresses(r: Redactor, address: str) -> None:
    out = r.redact_text(f"contact {address}, please")
    assert address not in out
    assert out.startswith("contact user-") and out.endswith("@redacted.invalid, please")


def test_secret_names_missing_before(r: Redactor) -> None:
    assert r.redact_headers({"X-Api_Key": "HdrKey11abc"})["X-Api_Key"] != "HdrKey11abc"
    assert r.is_secret_header("x_auth_token") and not r.is_secret_header("x_request_id")
    body = r.redact_json({"pass": "p1", "Pass Word": "p2", "jsessionid": "p3", "name": "n"})
    assert body["pass"] != "p1" and body["Pass Word"] != "p2" and body["jsessionid"] != "p3"
    assert body["name"] == "n"
    assert r.redact_text("JSESSIONID=JsessCookie99abc; Path=/") != "JSESSIONID=JsessCookie99abc"
    assert "JsessCookie99abc" not in r.redact_text("JSESSIONID=JsessCookie99abc; Path=/")


def test_jsessionid_matrix_parameter_in_paths_and_urls(r: Redactor) -> None:
    path = r.redact_path("/m1;jsessionid=JsessMatrixParam99")
    assert path.startswith("/m1;jsessionid=") and "JsessMatrixParam99" not in path
    url = r.redact_url("https://h/m1;jsessionid=JsessMatrixParam99?a=1")
    assert url.startswith("https://h/m1;jsessionid=") and url.endswith("?a=1")
    assert "JsessMatrixParam99" not in url


def test_authorization_line_keeps_its_scheme(r: Redactor) -> None:
    out = r.redact_text("GET / HTTP/1.1\nAuthorization: Bearer RawHttpTok12345\nHost: h")
    assert "RawHttpTok12345" not in out
    assert "\nAuthorization: Bearer " in out and out.endswith("\nHost: h")


# fragments of the new patterns, so random text hits their edges
_PIECES = [
    "'", '"', ":", ": ", "=", " = ", "\n", "\\n", "\\t", "%3D", "%41", "\\u00e9", "[", "]", "{",
    "}", ",", "1234", "-", "password", "api_key", "token", "name", "<password>", "</password>",
    "<a>", "</a>", "<![CDATA[", "]]>", GHP[:20], GHP[20:], "ü", "@", "bücher.example", "x",
    "AKIAZ3MSJV4WWQ7XK2NP",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_prefilter_stays_a_necessary_condition(text: str) -> None:
    r = Redactor(RedactionConfig(key=b"gaps"))
    if not _redact_text._may_change(text):
        assert r._scan(text) == text
    assert r._redact_text(text) == r._scan(text)
    assert r.redact_text(text) == r._scan(text)
