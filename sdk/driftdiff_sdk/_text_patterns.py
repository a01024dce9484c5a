"""Where a secret sits in text: the patterns of pairs, lines, blocks and markup.

``_masks`` says what a secret looks like by its shape (an e-mail, a card, a JWT) and what
replaces it; this module holds the patterns that find a value by the *name* next to it, so that
``_redact_text`` (pairs and lines), ``_redact_markup`` (XML elements, HTML fields) and
``_redact_blocks`` (YAML values on the lines below their key) can mask it: ``key=value``,
``"key": value`` (and the same escaped once, three times or more: JSON in a JSON string),
``{key: "value"}``, ``key: value`` lines, ``key: |`` block headers, ``<key>value</key>``,
``<input name="key" value="...">``, ``<textarea name="key">``.

Every pattern is anchored on a literal or a token boundary, with bounded repetition and no
nested quantifier that can split one run two ways (linear time on hostile input); a quoted
string stops at its closing quote, so the scans of two candidates do not overlap. Nothing here
is public API. Stdlib only: this runs inside production services.
"""

from __future__ import annotations

import re

__all__ = [
    "BLOCK_HINT",
    "BLOCK_INDICATOR",
    "BLOCK_LINE",
    "COLON_AHEAD",
    "CONTAINER_TOKEN",
    "DEEP_ESCAPED_JSON_PAIR",
    "ESCAPED_JSON_PAIR",
    "HTML_ATTR",
    "HTML_ATTR_MAX",
    "HTML_NAMED_TAG",
    "JSON_PAIR",
    "JS_PAIR",
    "KV_PAIR",
    "LINE_PAIR",
    "TEXTAREA",
    "XML_CLOSE_TAG",
    "XML_ELEMENT",
    "XML_FLAT",
    "XML_OPEN",
    "XML_TOKEN",
    "YAML_BLOCK_HEAD",
]

# A quoted string in text: JSON/Python escapes (``\"``), and SQL's doubled ``''``; within a line
# where the pattern is written for pairs in text (``_LINE``), across lines in ``JSON_PAIR``.
_DQ = r'"(?:[^"\\]|\\.){0,4096}"'
_SQ = r"'(?:[^'\\]|\\.){0,4096}'"
_DQ_LINE = r'"(?:[^"\\\n]|\\.){0,4096}"'
_SQ_LINE = r"'(?:[^'\\\n]|\\.|''){0,4096}'"
# A JavaScript template literal (between backticks), across lines as JavaScript allows;
# ``${...}`` inside is part of the value.
_BQ = r"`(?:[^`\\]|\\.){0,4096}`"
#: ``"key": value`` and ``'key': value`` (JSON and Python reprs, as error messages print them);
#: groups: quote, key, separator, value — a quoted string (a template literal too: a quoted
#: key of a JavaScript object), an integer, or the ``[``/``{`` that opens a container (the
#: caller reads the container: see ``CONTAINER_TOKEN``).
JSON_PAIR = re.compile(
    rf"""(["'])([A-Za-z_][\w.-]{{0,63}})\1(\s*:\s*)({_DQ}|{_SQ}|{_BQ}|-?\d{{1,40}}|[\[{{])"""
)
_ESC_DQ = r'\\"(?:[^"\\]|\\[^"\\]|\\\\(?:[^"\\]|\\.)){0,4096}\\"'
#: ``\"key\": value``: JSON written out inside a JSON string (a double-encoded body, a log
#: line), its quotes escaped; groups: key, separator, value — an escaped string (a quote of its
#: own is escaped twice, ``\\\"``) or an integer. A key quote after a backslash is one such.
ESCAPED_JSON_PAIR = re.compile(
    rf"""(?<!\\)\\"([A-Za-z_][\w.-]{{0,63}})\\"(\s{{0,16}}:\s{{0,16}})({_ESC_DQ}|-?\d{{1,40}})"""
)
#: ``\\\"key\\\": value``: the same one level deeper or more (JSON in a JSON string in a JSON
#: string: every quote escaped by 3 backslashes, 7 at four levels, 15 at five). A key of
#: such JSON opens an object or follows a comma (blanks and written-out ``\n`` between), which
#: tells it from the text of a value that merely holds a quote escaped that many times; groups:
#: the ``{``/``,`` and what follows it, the backslashes of one quote, key, separator, value —
#: a string whose quotes are escaped by exactly as many backslashes (a run of another length
#: before a quote is text of the value) or an integer.
DEEP_ESCAPED_JSON_PAIR = re.compile(
    r"([{,](?:\s|\\{1,64}[nrt]){0,16})(\\{3}|\\{7}|\\{15})\"([A-Za-z_][\w.-]{0,63})\2\""
    r"(\s{0,16}:\s{0,16})"
    r'(\2"(?:[^"\\]|\\{1,64}[^"\\]|(?!\2")\\{1,64}"){0,4096}\2"|-?\d{1,40})'
)
#: ``{key: "value"`` and ``, key: 'value'`` mid-line: an unquoted key of a JavaScript object
#: literal, with a quoted value only (a bare one is too often code); groups: the ``{`` or ``,``
#: and blanks before the key, key, separator, value.
JS_PAIR = re.compile(
    rf"([{{,][ \t]{{0,16}})([A-Za-z_$][\w$]{{0,63}})([ \t]{{0,16}}:[ \t]{{0,16}})"
    rf"({_DQ_LINE}|{_SQ_LINE}|{_BQ})"
)
#: The parts of a container under a secret key: strings, integers and brackets (a bracket
#: inside a string is part of the string token).
CONTAINER_TOKEN = re.compile(rf"{_DQ}|{_SQ}|-?\d{{1,40}}|[\[\]{{}}]")
#: A token of ``CONTAINER_TOKEN`` followed by this is a key (kept), not a value.
COLON_AHEAD = re.compile(r"\s*:")
#: ``key=value`` (a query, a form, a cookie, a matrix parameter...) and ``key="value"``,
#: ``key = 'value'``, a template literal (code, configuration, attributes); groups: key, the
#: quoted value with its quotes, the unquoted value. A key starts a word, or follows an escape
#: sequence written out (``\n``: the ``n`` is the escape's, not the key's).
KV_PAIR = re.compile(
    r"(?:(?<![\w.\\-])|(?<=\\[nrt])|(?<=\\)(?![nrt]))([A-Za-z_][\w.-]{0,63})"
    rf"(?:[ \t]{{0,16}}=[ \t]{{0,16}}({_DQ_LINE}|{_SQ_LINE}|{_BQ})|=([^&\s;#\"'<>,]*))"
)
_REST_OF_LINE = r"(?:[^\r\n\\]|\\\\|\\(?![nrt\"])){1,4096}"  # to a newline, raw or written out
#: ``key: value`` and ``key = value`` (YAML, INI, ``.env``, a header block) alone on a line — at
#: the start of the text or after a newline, raw or written out (``\n``), indentation and a YAML
#: ``-`` allowed; groups: key, the value after ``:`` (quoted, or the rest of the line), the
#: value after ``=`` (the rest of the line; a quoted one, and ``key=value``, are ``KV_PAIR``'s).
LINE_PAIR = re.compile(
    r"(?:^|(?<=\\n))[ \t]{0,16}(?:-[ \t]{1,4})?([A-Za-z_][\w.-]{0,63})"
    rf"(?::[ \t]{{1,16}}(?![ \t])({_DQ_LINE}|{_SQ_LINE}|{_BQ}|{_REST_OF_LINE})"
    rf"|(?:[ \t]{{1,16}}=[ \t]{{0,16}}|=[ \t]{{1,16}})(?![ \t\"'])({_REST_OF_LINE}))",
    re.MULTILINE,
)
_INDICATOR = r"[|>](?:[1-9][+-]?|[+-][1-9]?)?"  # YAML block scalar: style, indent, chomping
#: The value of a ``key: |`` line (a block scalar header, its text on the lines below), with a
#: comment or not: ``LINE_PAIR`` leaves it, ``_redact_blocks`` masks the lines below.
BLOCK_INDICATOR = re.compile(rf"{_INDICATOR}(?:[ \t]+#.*)?")
#: A necessary condition of ``YAML_BLOCK_HEAD``: a ``:`` that ends its line, or that an
#: indicator or a comment follows.
BLOCK_HINT = re.compile(r":[ \t]{0,16}(?:[|>#\r\n]|\\[rn])")
#: ``key:`` with nothing after it but a block indicator (``|``, ``>-``, ``|2+``) or a comment,
#: alone on a line (where ``LINE_PAIR``'s lines start): its value is on the lines below, more
#: indented. Groups: the indentation and ``- `` before the key, key, indicator, line break
#: (raw, or written out as ``\n``).
YAML_BLOCK_HEAD = re.compile(
    r"(?:^|(?<=\\n))([ \t]{0,16}(?:-[ \t]{1,4})?)([A-Za-z_][\w.-]{0,63}):"
    rf"(?:[ \t]{{1,16}}({_INDICATOR}))?"
    r"(?:[ \t]{1,16}#(?:[^\r\n\\]|\\(?!n)){0,1024})?[ \t]{0,16}(\r?\n|(?:\\r)?\\n)",
    re.MULTILINE,
)
#: One line below a secret key whose value is a mapping or a sequence: ``- `` markers and a
#: ``key:`` are kept; group 3 is the value masked.
BLOCK_LINE = re.compile(r"((?:-[ \t]{1,4}){0,8})(?:([A-Za-z_][\w.-]{0,63}):(?=[ \t]|$))?[ \t]*")
_XML_NAME = r"(?:[A-Za-z_][\w.-]{0,63}:)?[A-Za-z_][\w.-]{0,63}"
_XML_TEXT = r"[^<]{1,4096}|<!\[CDATA\[(?:[^\]]|\](?!\]>)){0,4096}\]\]>"
#: ``<name attr="...">text</name>``, an element holding text only (or one CDATA section);
#: groups: name (with its namespace prefix), attributes, text.
XML_ELEMENT = re.compile(rf"<({_XML_NAME})(\s[^<>]{{0,1024}})?>({_XML_TEXT})</\1\s{{0,16}}>")
#: The content ``XML_ELEMENT`` masks (``fullmatch``): any other content of an element named
#: like a secret (child elements, a stray ``<``, text past 4096 characters) is
#: ``_redact_markup``'s.
XML_FLAT = re.compile(_XML_TEXT)
#: A start tag as ``XML_ELEMENT`` reads one; groups: name, attributes.
XML_OPEN = re.compile(rf"<({_XML_NAME})(\s[^<>]{{0,1024}})?>")
#: The markup inside an element: a start or end tag (groups: ``/`` of an end tag, name,
#: attributes, ``/`` of an empty-element tag such as ``<v/>``), a comment or a CDATA section;
#: the text between is the element's text.
XML_TOKEN = re.compile(
    rf"<(/?)({_XML_NAME})(\s[^<>]{{0,1024}})?(/?)>"
    r"|<!--(?:[^-]|-(?!->)){0,4096}-->|<!\[CDATA\[(?:[^\]]|\](?!\]>)){0,4096}\]\]>"
)
#: A closing tag; group: its local name. ``XML_ELEMENT`` runs only when one names a secret.
XML_CLOSE_TAG = re.compile(r"</(?:[A-Za-z_][\w.-]{0,63}:)?([A-Za-z_][\w.-]{0,63})\s{0,16}>")
#: Attributes of one HTML start tag read by ``HTML_ATTR`` (longer ones: ``_redact_markup``).
HTML_ATTR_MAX = 2048
_TAG_MAX = 1 << 20  # a start tag this long is read (a ``data:`` URL or a JSON attribute...)
#: An HTML start tag with a ``name`` attribute (``<input name="csrftoken" value="...">``,
#: ``<meta name="csrf-token" content="...">``), attributes in any order; group: the attributes.
#: Tags without one are passed over inside the regex (no callback per ``<div>``). ``[^<>]``
#: stops at the next tag: the scans of two tags do not overlap, however long each is.
HTML_NAMED_TAG = re.compile(
    r"<[A-Za-z][\w:.-]{0,63}"
    rf"(?=\s[^<>]{{0,{_TAG_MAX}}}?(?<![\w:.-])[nN][aA][mM][eE]\s{{0,16}}=)(\s[^<>]{{0,{_TAG_MAX}}})>"
)
#: One attribute of a start tag; groups: name, value (quoted with its quotes, or bare).
HTML_ATTR = re.compile(
    r"""([^\s"'<>/=]{1,64})"""
    r"""(?:\s{0,16}=\s{0,16}("[^"]{0,2048}"|'[^']{0,2048}'|[^\s"'<>=`]{1,2048}))?"""
)
_TEXTAREA = "[tT][eE][xX][tT][aA][rR][eE][aA]"
#: ``<textarea ...>text</textarea>`` (any case); groups: attributes, text. Its text is raw up to
#: the end tag (``<b>`` in it is text), and stops at another ``<textarea``: the scans of two
#: candidates do not overlap.
TEXTAREA = re.compile(
    rf"<{_TEXTAREA}(\s[^<>]{{0,{_TAG_MAX}}})>"
    rf"((?:[^<]|<(?!/?{_TEXTAREA}[\s/>])){{0,65536}})</{_TEXTAREA}\s{{0,16}}>"
)
