"""Secrets ``redact_text`` left raw where the value is not on the key's own line or tag: XML
elements named like a secret that hold child elements, YAML values on the lines below their
key (``password:`` then an indented line, ``|`` and ``>`` block scalars), HTML start tags
longer than the tag regex's bound, ``<textarea>`` fields, JSON escaped three times and more
in text, and JavaScript template literals."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import unquote_plus

import pytest
from driftdiff_sdk import _redact_text
from driftdiff_sdk.redact import RedactionConfig, Redactor
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture
def r() -> Redactor:
    return Redactor(RedactionConfig(key=b"nested"))


def both(r: Redactor, text: str, content_type: str) -> list[str]:
    """What a string in a JSON body and a text body of ``content_type`` become."""
    return [r.redact_text(text), r.redact_body_text(text, content_type)]


# ------------------------------------------------------------------ XML with child elements


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("<password><value>NestPw11abc</value></password>", ["NestPw11abc"]),
        ("<credentials><secret>CredSec22abc</secret></credentials>", ["CredSec22abc"]),
        (
            "<credentials><user>BobUser</user><pw>CredPw33abc</pw></credentials>",
            ["BobUser", "CredPw33abc"],
        ),
        (
            '<soap:Body><ns:Token xsi:type="t">\n  <v>a</v>\n  <v>NsTok44abc</v>\n</ns:Token>',
            ["NsTok44abc"],
        ),
        ("<auth><key><![CDATA[CdataKey55abc]]></key></auth>", ["CdataKey55abc"]),
        ("<password><!-- CommentPw66abc --><v/></password>", ["CommentPw66abc"]),
        ("<password>MixedA<b>MixedB</b>MixedC</password>", ["MixedA", "MixedB", "MixedC"]),
        ("<password>a < b, StrayLt88abc</password>", ["StrayLt88abc"]),  # not a tag
        ("<token>" + "Long99abc " * 500 + "</token>", ["Long99abc"]),  # past the flat rule
        ("<secret><secret>Twice10abc</secret><x>y</x></secret>", ["Twice10abc"]),
    ],
)
def test_xml_children_of_a_secret_element_are_masked(
    r: Redactor, text: str, secrets: list[str]
) -> None:
    for out in both(r, text, "application/xml"):
        for secret in secrets:
            assert secret not in out, out
        # the markup stays: every tag, in order, with its name
        assert re.findall(r"</?[\w:.-]+", out) == re.findall(r"</?[\w:.-]+", text)


def test_xml_text_nodes_are_masked_once_each_tags_and_blanks_kept(r: Redactor) -> None:
    text = "<credentials>\n  <user>bob</user>\n  <secret>CredSec22abc</secret>\n</credentials>"
    m = r.mask_value
    assert r.redact_text(text) == (
        f"<credentials>\n  <user>{m('bob')}</user>\n  <secret>{m('CredSec22abc')}</secret>"
        "\n</credentials>"
    )
    cdata = r.redact_text("<auth><k><![CDATA[ CdataKey55abc ]]></k></auth>")
    assert cdata == f"<auth><k><![CDATA[ {m('CdataKey55abc')} ]]></k></auth>"


def test_xml_attribute_values_inside_a_secret_element_are_masked(r: Redactor) -> None:
    text = (
        '<credentials xmlns:a="urn:a" id="c1"><a:entry key="user" value="AttrVal11abc"/>'
        '<b xmlns="urn:b">x</b></credentials>'
    )
    out = r.redact_text(text)
    m = r.mask_value
    assert "AttrVal11abc" not in out
    assert f'<a:entry key="{m("user")}" value="{m("AttrVal11abc")}"/>' in out
    # the secret element's own attributes and namespace declarations stay
    assert out.startswith('<credentials xmlns:a="urn:a" id="c1">')
    assert f'<b xmlns="urn:b">{m("x")}</b>' in out


def test_flat_secret_elements_are_masked_as_before(r: Redactor) -> None:
    text = "<login><password>XmlPw88abcdef</password><user>bob</user></login>"
    assert r.redact_text(text) == text.replace("XmlPw88abcdef", r.mask_value("XmlPw88abcdef"))


def test_xml_cut_short_is_masked_to_the_end_of_its_window(r: Redactor) -> None:
    # a truncated body: the second element never closes (its name closes before)
    out = r.redact_text("<password></password><password><v>CutPw12abc</v><v>MoreCut</v>")
    assert "CutPw12abc" not in out and "MoreCut" not in out
    assert out.startswith("<password></password><password><v>") and out.endswith("</v>")


@pytest.mark.parametrize(
    "text",
    [
        "<description><value>hello</value></description>",
        "<a><b>x</b><c>y</c></a>",
        "<tokens><t>x</t></tokens>",  # ``tokens`` is no secret name
        "<password/><name>x</name>",  # empty
        "<password></password><name>x</name>",
        "<div><p>Forgot your password?</p></div>",
    ],
)
def test_ordinary_xml_stays(r: Redactor, text: str) -> None:
    for out in both(r, text, "application/xml"):
        assert out == text


# ------------------------------------------------------------------ YAML values below the key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password:\n  YamlNext11abc\nname: x", "password:\n  {YamlNext11abc}\nname: x"),
        (
            "password: |\n  YamlBlock22abc\n  more line\nname: x",
            "password: |\n  {YamlBlock22abc}\n  {more line}\nname: x",
        ),
        ("api_key: >-\n  YamlFold33abc\n", "api_key: >-\n  {YamlFold33abc}\n"),
        ("token: |2+\n   YamlInd44abc\n\n", "token: |2+\n   {YamlInd44abc}\n\n"),
        (
            "items:\n  - secret: |\n      YamlList55abc\n  - name: b",
            "items:\n  - secret: |\n      {YamlList55abc}\n  - name: b",
        ),
        (
            "password:  # rotated monthly\n  YamlComm66abc\nport: 80",
            "password:  {# rotated monthly}\n  {YamlComm66abc}\nport: 80",  # as a value before
        ),
        (
            "password: |\n  a\n\n  YamlBlank77abc\nz: 1",
            "password: |\n  {a}\n\n  {YamlBlank77abc}\nz: 1",
        ),
        ("password: |\r\n  YamlCrlf88abc\r\nz: 1", "password: |\r\n  {YamlCrlf88abc}\r\nz: 1"),
        (
            "cfg\\npassword: |\\n  YamlEsc99abc\\nname: x",
            "cfg\\npassword: |\\n  {YamlEsc99abc}\\nname: x",
        ),
        (
            "password:\n- YamlSeq10abc\n- two\nnext: 1",
            "password:\n- {YamlSeq10abc}\n- {two}\nnext: 1",
        ),
    ],
)
def test_yaml_values_below_a_secret_key(r: Redactor, text: str, expected: str) -> None:
    want = re.sub(r"\{([^{}]+)\}", lambda g: r.mask_value(g.group(1)), expected)
    for ct in ("text/yaml", "application/x-yaml", "text/plain"):
        assert both(r, text, ct) == [want, want]


def test_yaml_mapping_under_a_secret_key_keeps_its_keys(r: Redactor) -> None:
    text = (
        'credentials:\n  user: bob\n  password: "YamlMap11abc"\n  key: |\n    x\n'
        "  list:\n    - YamlItem22abc\nport: 80"
    )
    m = r.mask_value
    assert r.redact_body_text(text, "text/yaml") == (
        f'credentials:\n  user: {m("bob")}\n  password: "{m("YamlMap11abc")}"\n  key: |\n'
        f"    {m('x')}\n  list:\n    - {m('YamlItem22abc')}\nport: 80"
    )


@pytest.mark.parametrize(
    "text",
    [
        "name: |\n  Alice\n",
        "description:\n  some text\nname: x",
        "password:\nname: x",  # a null value
        "password: |",  # nothing below
        "password:\n\nname: |\n  Alice",
        "if password:\n    login()",  # code, not a YAML key
        "time: 12:30\n  x",
    ],
)
def test_ordinary_yaml_stays(r: Redactor, text: str) -> None:
    for out in both(r, text, "text/yaml"):
        assert out == text


# ------------------------------------------------------------------ HTML tags past 2048 characters

CSRF = "k7Hq2ZpX9vLw4RtN8sYb3CmJ6dFg"
LONG = "x" * 3000


@pytest.mark.parametrize(
    "text",
    [
        f'<input data-x="{LONG}" type=hidden name="csrf_token" value="{CSRF}">',
        f'<input type=hidden name="csrf_token" data-x="{LONG}" value="{CSRF}">',
        f"<meta name='csrf-token' data-y='{LONG}' content='{CSRF}'>",
        f'<form><input data-json="{{&quot;a&quot;: 1}}{LONG}" name=_csrf value={CSRF}>',
        f'<input data-x="{"a=b " * 800}" name="password" value="{CSRF}">',
        f'<input data-x="{"y" * 70_000}" name="password" value="{CSRF}">',
    ],
)
def test_long_html_tags_with_a_secret_field(r: Redactor, text: str) -> None:
    for out in both(r, text, "text/html"):
        assert CSRF not in out
        assert out == text.replace(CSRF, r.mask_value(CSRF))  # the rest byte for byte


@pytest.mark.parametrize(
    "text",
    [
        f'<input data-x="{LONG}" name="q" value="shoes">',
        f'<img src="data:image/png;base64,{"iVBOR" * 1000}" alt="name=password value=1">',
        f'<input data-x="{LONG} name=password value=kept">',  # inside a value: not attributes
    ],
)
def test_long_ordinary_html_tags_stay(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


# ------------------------------------------------------------------ textarea


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('<textarea name="password">TaPw11abc</textarea>', "TaPw11abc"),
        ('<textarea name="api_key">\nTaKey22abc\n</textarea>', "TaKey22abc"),
        ("<TEXTAREA rows=3 NAME=token>TaTok33abc</TEXTAREA>", "TaTok33abc"),
        ('<textarea name="secret"><b>TaLt44abc</b></textarea>', "<b>TaLt44abc</b>"),
    ],
)
def test_textarea_named_like_a_secret(r: Redactor, text: str, secret: str) -> None:
    for out in both(r, text, "text/html"):
        assert secret not in out
        assert out == text.replace(secret, r.mask_value(secret))


def test_textarea_is_masked_as_the_form_posts_it(r: Redactor) -> None:
    page = r.redact_text('<textarea name="password">a&amp;b+c</textarea>')
    form = r.redact_text("password=a%26b%2Bc")
    assert page == f'<textarea name="password">{unquote_plus(form.partition("=")[2])}</textarea>'


def test_input_fields_were_already_masked(r: Redactor) -> None:
    out = r.redact_text('<input name="password" value="InputPw11abc">')
    assert out == f'<input name="password" value="{r.mask_value("InputPw11abc")}">'


@pytest.mark.parametrize(
    "text",
    [
        '<textarea name="comment">hello</textarea>',
        "<textarea>password</textarea>",
        '<label for="password">Password</label><textarea name="bio">x</textarea>',
    ],
)
def test_ordinary_textareas_stay(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


# ------------------------------------------------------------------ JSON escaped three times


def test_triple_escaped_json_pair(r: Redactor) -> None:
    text = '{\\\\\\"password\\\\\\":\\\\\\"TripleEsc11abc\\\\\\"}'
    out = r.redact_text(text)
    assert "TripleEsc11abc" not in out
    assert out == text.replace("TripleEsc11abc", r.mask_value("TripleEsc11abc"))
    assert r.redact_body_text(text, "text/plain") == out


def test_deep_escaped_json_masks_as_the_json_it_holds(r: Redactor) -> None:
    inner = {"user": "bob", "password": 'a"b\\c', "pin": 1234, "n": {"token": "T0k3nDeep"}}
    level1 = json.dumps(inner)
    for levels in (3, 4):
        text = level1
        for _ in range(levels - 1):
            text = json.dumps(text)[1:-1]  # written into a JSON string once more
        out = r.redact_text(text)
        back = out
        for _ in range(levels - 1):
            back = json.loads(f'"{back}"')
        got = json.loads(back)
        assert got["user"] == "bob" and got["password"] == r.mask_value('a"b\\c')
        assert got["pin"] != 1234 and got["n"]["token"] != "T0k3nDeep"


def test_escaped_json_in_a_log_line_inside_a_json_body(r: Redactor) -> None:
    inner = json.dumps({"msg": json.dumps({"password": "LogPw11abc"})})
    body = json.dumps({"log": f"request body: {json.dumps(inner)[1:-1]}"})
    out = r.redact_body_text(body, "application/json")
    assert "LogPw11abc" not in out


@pytest.mark.parametrize(
    "text",
    [
        '\\"note\\": \\"say \\\\\\"password\\\\\\": 1\\"',  # a value's text, not a key
        '{\\\\\\"user\\\\\\":\\\\\\"bob\\\\\\"}',
        '{\\\\\\"password\\\\\\": true}',
    ],
)
def test_deep_escaped_json_without_a_secret_value_stays(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


# ------------------------------------------------------------------ JavaScript template literals


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("password: `JsTpl11abc`", "JsTpl11abc"),
        ("const token = `JsTpl22abc`;", "JsTpl22abc"),
        ("const x = {password: `JsTpl33abc`, user: 'bob'};", "JsTpl33abc"),
        ("fetch(u, {apiKey:`JsTpl44abc`})", "JsTpl44abc"),
        ('{"client_secret": `JsTpl55abc`}', "JsTpl55abc"),
        ("let secret = `JsTpl66\nabc ${x}`;", "JsTpl66\nabc ${x}"),
        ("headers.token=`JsTpl77abc`", "JsTpl77abc"),
    ],
)
def test_template_literals_under_a_secret_name(r: Redactor, text: str, secret: str) -> None:
    for out in both(r, text, "application/javascript"):
        assert out == text.replace(f"`{secret}`", f"`{r.mask_value(secret)}`")


@pytest.mark.parametrize(
    "text",
    [
        "const name = `Alice`;",
        "{title: `x`, body: `y`}",
        "see `password` in the docs",
        "`token = ` is how it starts",
    ],
)
def test_ordinary_template_literals_stay(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text


# ------------------------------------------------------------------ cost and the prefilter


@pytest.mark.parametrize(
    "hostile",
    [
        "password:\n" * 100_000,
        "password: |\n" + "  a\n" * 200_000,
        "password:\n  a\n" * 70_000,  # a region per key: the scan between them stays linear
        "<password><a>" * 80_000 + "</password>",
        "<password><a>x</a></password>" * 35_000,
        "<credentials>" + "<a x='1'>b</a>" * 60_000 + "</credentials>",
        "<input name=password " + "a" * 1_000_000,
        "<input name=password" + ' a="b' * 200_000 + ">",
        "<textarea name=password>" * 40_000 + "</textarea>",
        '{\\\\\\"password\\\\\\":\\\\\\"' * 80_000,
        '{\\\\\\"password\\\\\\":\\\\\\"' + "\\" * 1_000_000,
        "\\" * 1_000_000,
        "token = `" * 100_000,
        "`" * 1_000_000,
    ],
)
def test_hostile_input_stays_linear(r: Redactor, hostile: str) -> None:
    start = time.process_time()  # CPU time: a loaded machine does not inflate it
    r.redact_text(hostile)
    assert time.process_time() - start < 2.0


_PIECES = [
    "<password>", "</password>", "<credentials>", "</credentials>", "<v>", "</v>", "<a/>",
    "<!--", "-->", "<![CDATA[", "]]>", "password", "token", "name", ":", ": ", "|", ">-", "#",
    "\n", "\r\n", "\\n", "  ", "- ", "x", "`", "=", " = ", "{", ",", '"', "\\", '\\\\\\"',
    "<textarea ", "</textarea>", ">", "<input ", "value=", "name=", "'",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_prefilter_stays_a_necessary_condition(text: str) -> None:
    r = Redactor(RedactionConfig(key=b"nested"))
    if not _redact_text._may_change(text):
        assert r._scan(text) == text
    assert r._redact_text(text) == r._scan(text)
    assert r.redact_text(text) == r._scan(text)


@pytest.mark.parametrize(
    "text", ["12:30:00", "https://x.io/a", "a: b", "k:v\nw", "<p>x</p>", "`code`", "a\\\\b"]
)
def test_clean_strings_stay_clean(r: Redactor, text: str) -> None:
    assert r.redact_text(text) == text
