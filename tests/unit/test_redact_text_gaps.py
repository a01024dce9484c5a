"""Secrets ``redact_text`` used to leave raw: quoted and spaced ``key = value`` pairs, containers
under a secret key, ``key: value`` lines, XML elements named like a secret, vendor tokens right
after an escape sequence or a percent-encoded byte, internationalised e-mail addresses, a
few secret names (``X-Api_Key``, ``pass``, ``Pass Word``, ``jsessionid``), HTML form fields and
meta tags holding a CSRF token or a password, escaped JSON in text and unquoted keys of
JavaScript object literals."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

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


CSRF = "k7Hq2ZpX9vLw4RtN8sYb3CmJ6dFg"


@pytest.mark.parametrize(
    "text",
    [
        f'<input type="hidden" name="authenticity_token" value="{CSRF}">',  # Rails
        f"<input type='hidden' name='csrfmiddlewaretoken' value='{CSRF}'>",  # Django
        f'<input type="hidden" name="csrftoken" value="{CSRF}"/>',  # datasette, asgi-csrf
        f'<meta name="csrf-token" content="{CSRF}" />',
        f'<input value="{CSRF}" type="hidden" name="csrftoken">',  # value before name
        f'<form><INPUT class="x" VALUE={CSRF} NAME=_csrf data-a="1"></form>',
        f'<input\n  name = "password"\n  value="{CSRF}">',
        f'<p>Sign in</p>\n<input name="password" value="{CSRF}" autocomplete="off">\n',
    ],
)
def test_html_fields_named_like_a_secret(r: Redactor, text: str) -> None:
    out = r.redact_text(text)
    assert CSRF not in out
    head, tail = text.split(CSRF)  # the rest of the tag and the page stay byte for byte
    assert out.startswith(head) and out.endswith(tail)
    assert out == text.replace(CSRF, r.mask_value(CSRF))  # a placeholder of the same kind


def test_html_field_value_is_masked_as_the_form_posts_it(r: Redactor) -> None:
    page = r.redact_text('<input name="csrftoken" value="a&amp;b+c/d=">')
    form = r.redact_text("csrftoken=a%26b%2Bc%2Fd%3D")
    assert page.split('"')[3] == unquote_plus(form.partition("=")[2])


@pytest.mark.parametrize(
    "text",
    [
        '<input name="q" value="shoes">',
        '<meta name="description" content="Tokens: what they are">',
        '<meta name="csrf-param" content="authenticity_token">',  # the field's name, not a secret
        '<input type="password" name="password">',
        '<input data-name="password" value="kept">',
        '<a title="name=password" href="/x?value=1">name=password value=kept</a>',
        '<input name="username" value="bob"><label for="password">Password</label>',
        "<textarea name=comment>value=1</textarea>",
    ],
)
def test_ordinary_html_stays(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{\\"password\\": \\"EscPw11abc\\"}', "EscPw11abc"),
        ('{\\"api_key\\":\\"EscKey22abc\\",\\"n\\":1}', "EscKey22abc"),
        ('log: body={\\"user\\": \\"bob\\", \\"token\\": \\"EscTok33abc\\"}', "EscTok33abc"),
        ('\\"pin\\": 48151623', "48151623"),
    ],
)
def test_escaped_json_pairs_in_text(r: Redactor, text: str, secret: str) -> None:
    out = r.redact_text(text)
    assert secret not in out
    head, tail = text.split(secret)  # the escapes stay: the text still decodes as before
    assert out.startswith(head) and out.endswith(tail)
    assert '\\"user\\": \\"bob\\"' in out or "bob" not in text


def test_escaped_json_masks_as_the_json_it_holds(r: Redactor) -> None:
    inner = json.dumps({"password": 'a"b\\c', "n": 1})
    out = r.redact_text(json.dumps(inner)[1:-1])  # JSON written out in a JSON string
    assert json.loads(json.loads(f'"{out}"')) == r.redact_json(json.loads(inner))
    # a quote escaped twice belongs to a value: no key starts there
    nested = '\\"note\\": \\"say \\\\\\"password\\\\\\": 1\\"'
    assert r.redact_text(nested) == nested


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ('{password: "JsPw11abc", user: "bob"}', "JsPw11abc", ['{password: "', '", user: "bob"}']),
        ("{token: 'JsTok22abc'}", "JsTok22abc", ["{token: '", "'}"]),
        ('init({a: 1, apiKey : "JsKey33abc"})', "JsKey33abc", ['init({a: 1, apiKey : "', '"})']),
        ('{ $secret: "JsSec44abc" }', "JsSec44abc", ['{ $secret: "', '" }']),
    ],
)
def test_unquoted_object_literal_keys(r: Redactor, text: str, secret: str, kept: list[str]) -> None:
    out = r.redact_text(text)
    assert secret not in out
    for part in kept:
        assert part in out, out


@pytest.mark.parametrize(
    "text",
    [
        '{user: "bob", role: "admin"}',
        "{password: pw, token: getToken()}",  # values that are code, not strings
        "{password: 1234}",
        'console.log("token: expired", token)',
        "a {color: 'red'}",
    ],
)
def test_ordinary_object_literals_stay(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


_HTML_PIECES = [
    "<", ">", "<input ", "<meta ", " ", "name", "=", '"', "'", "value", "content", "csrftoken",
    "password", "q", "x", "&amp;", "/", "\\", '\\"', ":", ": ", "{", ",", "token", "$", "1",
    "\n",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_HTML_PIECES), max_size=16).map("".join))
def test_prefilter_holds_for_markup_escaped_json_and_literals(text: str) -> None:
    r = Redactor(RedactionConfig(key=b"gaps"))
    if not _redact_text._may_change(text):
        assert r._scan(text) == text
    assert r._redact_text(text) == r._scan(text)
    assert r.redact_text(text) == r._scan(text)
