"""Secrets in markup: XML elements named like a secret, and HTML fields whose name is one.

Part of ``redact_text``'s scan (``_redact_text``), in functions that take the redactor:

* ``<password>value</password>``: an element holding text only (or one CDATA section) has that
  text masked (``XML_ELEMENT``, ``sub_xml_element``). An element named like a secret that holds
  anything else — child elements, a stray ``<``, text past 4096 characters — is a container
  under a secret key, as in JSON: ``xml_regions`` masks *every* value inside it, each on its own
  (the text of every descendant, CDATA sections and comments, the attribute values of
  descendants), and keeps the markup (tag and attribute names, namespace declarations, the
  element's own attributes, blanks around text). It reads up to the matching end tag (nested
  elements of the same name counted) within ``XML_WINDOW`` characters; one not closed within
  them (a body cut short) has every value masked up to there.
* ``<input name="csrf_token" value="...">``, ``<meta name="csrf-token" content="...">``: the
  ``value``/``content`` of a start tag whose ``name`` is a secret (``sub_html_tag``), however
  long the tag (past ``HTML_ATTR_MAX`` characters its attributes are read by a quote-aware scan
  in one pass); ``<textarea name="password">text</textarea>``: the text (``sub_textarea``). Both
  are masked as a form posts them (character references decoded first).

Nothing here is public API. Stdlib only: this runs inside production services.
"""

from __future__ import annotations

import html
import re
from typing import Protocol

from driftdiff_sdk._text_patterns import (
    HTML_ATTR,
    HTML_ATTR_MAX,
    XML_CLOSE_TAG,
    XML_ELEMENT,
    XML_OPEN,
    XML_TOKEN,
)

__all__ = [
    "XML_WINDOW",
    "attr_values",
    "mask_padded",
    "secret_element_names",
    "sub_html_tag",
    "sub_textarea",
    "sub_xml_element",
    "xml_regions",
]

#: How far an element named like a secret is read for its end tag.
XML_WINDOW = 16384
# a long start tag's attributes, one at a time: a name, ``=``, a value without quotes
_ATTR_NAME = re.compile(r"""[^\s"'<>/=]+""")
_ATTR_EQ = re.compile(r"\s{0,16}=\s{0,16}")
_ATTR_BARE = re.compile(r"""[^\s"'<>=`]+""")


class Masks(Protocol):
    """What these rules use of the redactor (``TextRedactor``)."""

    def is_secret_key(self, key: object) -> bool: ...

    def mask_value(self, value: str) -> str: ...


def mask_padded(r: Masks, text: str) -> str:
    """``mask_value`` of ``text`` without its surrounding blanks, which are kept."""
    core = text.strip()
    if not core:
        return text
    lead = len(text) - len(text.lstrip())
    return text[:lead] + r.mask_value(core) + text[lead + len(core) :]


# ----------------------------------------------------------------- XML
def secret_element_names(r: Masks, text: str) -> frozenset[str]:
    """The local names of ``text``'s closing tags that name a secret (``</password>``,
    ``</ns:Token>``): ``XML_ELEMENT`` and ``xml_regions`` run over markup only when there is
    one."""
    names = frozenset(XML_CLOSE_TAG.findall(text))
    return frozenset(n for n in names if r.is_secret_key(n))


def sub_xml_element(r: Masks, m: re.Match[str]) -> str:
    """``XML_ELEMENT`` callback: the text of an element named like a secret masked."""
    if not r.is_secret_key(m.group(1).rpartition(":")[2]):
        return m.group()
    content = m.group(3)
    if content.startswith("<![CDATA["):
        new = f"<![CDATA[{mask_padded(r, content[9:-3])}]]>"
    else:
        new = mask_padded(r, content)
    whole, start = m.group(), m.start()
    return whole[: m.start(3) - start] + new + whole[m.end(3) - start :]


def xml_regions(r: Masks, text: str, names: frozenset[str]) -> list[tuple[int, int, str]]:
    """``(start, end, masked)`` of the content of every element of ``text`` whose local name is
    one of ``names`` and that ``XML_ELEMENT`` does not mask (see the module's docstring). An
    element inside one already taken is part of it."""
    regions: list[tuple[int, int, str]] = []
    taken = 0
    for m in XML_OPEN.finditer(text):
        if m.start() < taken:
            continue
        name, attrs = m.group(1), m.group(2)
        if name.rpartition(":")[2] not in names or (attrs and attrs.rstrip().endswith("/")):
            continue
        if XML_ELEMENT.match(text, m.start()) is not None:
            continue  # text only: ``XML_ELEMENT`` masks it
        start = m.end()
        end, after = _end_tag(text, name, start, min(len(text), start + XML_WINDOW))
        if end > start:
            regions.append((start, end, _mask_markup(r, text[start:end])))
            taken = after
    return regions


def _end_tag(text: str, name: str, start: int, limit: int) -> tuple[int, int]:
    """Where the end tag of the element ``name`` whose content starts at ``start`` starts and
    ends; ``(limit, limit)`` when it is not found before ``limit``."""
    depth = 1
    for t in XML_TOKEN.finditer(text, start, limit):
        if t.group(2) != name:
            continue
        if t.group(1):
            depth -= 1
            if depth == 0:
                return t.start(), t.end()
        elif not t.group(4) and not (t.group(3) or "").rstrip().endswith("/"):
            depth += 1  # (an empty-element tag opens nothing)
    return limit, limit


def _mask_markup(r: Masks, content: str) -> str:
    """Every value of an element's ``content`` masked, each on its own: the text between tags,
    the text of CDATA sections and comments, attribute values (not namespace declarations);
    tags and blanks kept."""
    parts: list[str] = []
    last = 0
    for t in XML_TOKEN.finditer(content):
        parts.append(mask_padded(r, content[last : t.start()]))
        tok = t.group()
        if t.group(2) is None:  # a comment or a CDATA section
            head = 4 if tok.startswith("<!--") else 9
            tok = tok[:head] + mask_padded(r, tok[head:-3]) + tok[-3:]
        elif t.group(3) and not t.group(1):
            offset = t.start(3) - t.start()
            attrs = t.group(3)
            tok = tok[:offset] + _mask_attrs(r, attrs) + tok[offset + len(attrs) :]
        parts.append(tok)
        last = t.end()
    parts.append(mask_padded(r, content[last:]))
    return "".join(parts)


def _mask_attrs(r: Masks, attrs: str) -> str:
    """Every attribute value of a start tag's ``attrs`` masked (quotes kept), but those of
    ``xmlns`` and ``xmlns:*`` (namespace declarations: markup, not data)."""
    parts: list[str] = []
    last = 0
    for name, start, end in attr_values(attrs):
        if name == "xmlns" or name.startswith("xmlns:"):
            continue
        quote, inner = _unquote(attrs[start:end])
        parts += [attrs[last:start], quote, r.mask_value(inner), quote]
        last = end
    parts.append(attrs[last:])
    return "".join(parts)


# ----------------------------------------------------------------- HTML
def _unquote(value: str) -> tuple[str, str]:
    """The quote around an attribute's ``value`` (``""`` for none) and what it holds."""
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[0], value[1:-1]
    return "", value


def attr_values(attrs: str) -> list[tuple[str, int, int]]:
    """``(name lower-cased, start, end)`` of every attribute of a start tag's ``attrs`` that has
    a value; the span takes in the value's quotes. Up to ``HTML_ATTR_MAX`` characters,
    ``HTML_ATTR``'s reading; past it, one pass that skips each quoted value to its closing
    quote (a value never closed runs to the end, read as one without quotes)."""
    if len(attrs) <= HTML_ATTR_MAX:
        return [
            (a.group(1).lower(), a.start(2), a.end(2))
            for a in HTML_ATTR.finditer(attrs)
            if a.group(2) is not None
        ]
    found: list[tuple[str, int, int]] = []
    n, pos = len(attrs), 0
    while True:
        m = _ATTR_NAME.search(attrs, pos)
        if m is None:
            return found
        pos = m.end()
        eq = _ATTR_EQ.match(attrs, pos)
        if eq is None or eq.end() >= n:
            continue
        start = eq.end()
        if attrs[start] in "\"'":
            close = attrs.find(attrs[start], start + 1)
            span = (start, close + 1) if close >= 0 else (start + 1, n)
        else:
            bare = _ATTR_BARE.match(attrs, start)
            if bare is None:
                continue
            span = bare.span()
        if span[1] > span[0]:
            found.append((m.group().lower(), span[0], span[1]))
        pos = span[1]


def _secret_name(r: Masks, attrs: str, spans: list[tuple[str, int, int]]) -> bool:
    """Whether the (last) ``name`` attribute's value, character references decoded, names a
    secret."""
    name = ""
    for attr, start, end in spans:
        if attr == "name":
            name = _unquote(attrs[start:end])[1]
    return bool(name) and r.is_secret_key(html.unescape(name))


def sub_html_tag(r: Masks, m: re.Match[str]) -> str:
    """``HTML_NAMED_TAG`` callback: the ``value`` and ``content`` attributes of an element
    whose ``name`` is a secret (``<input name="csrfmiddlewaretoken" value="...">``,
    ``<meta name="csrf-token" content="...">``) masked; the rest of the tag kept."""
    attrs = m.group(1)
    found = attr_values(attrs)
    spans = [(s, e) for attr, s, e in found if attr == "value" or attr == "content"]
    if not spans:
        return m.group()
    if not _secret_name(r, attrs, found):
        return m.group()
    parts: list[str] = []
    last = 0
    for start, end in spans:
        quote, inner = _unquote(attrs[start:end])
        if "&" in inner:
            inner = html.unescape(inner)  # the secret itself, as a form posts it
        parts += [attrs[last:start], quote, r.mask_value(inner), quote]
        last = end
    parts.append(attrs[last:])
    whole, offset = m.group(), m.start(1) - m.start()
    return whole[:offset] + "".join(parts) + whole[offset + len(attrs) :]


def sub_textarea(r: Masks, m: re.Match[str]) -> str:
    """``TEXTAREA`` callback: the text of a ``<textarea>`` whose ``name`` is a secret masked
    as the form posts it (character references decoded), blanks around it kept."""
    attrs, text = m.group(1), m.group(2)
    core = text.strip()
    if not core:
        return m.group()
    if not _secret_name(r, attrs, attr_values(attrs)):
        return m.group()
    lead = len(text) - len(text.lstrip())
    new = text[:lead] + r.mask_value(html.unescape(core) if "&" in core else core)
    whole, offset = m.group(), m.start(2) - m.start()
    return f"{whole[:offset]}{new}{text[lead + len(core) :]}{whole[offset + len(text) :]}"
