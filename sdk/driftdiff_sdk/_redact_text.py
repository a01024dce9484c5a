"""Where secrets are: secret names (keys, query parameters, headers) and secrets in free text.

The first layer of ``Redactor`` (``driftdiff_sdk.redact``): ``TextRedactor`` decides whether a
name is secret and replaces the secrets found inside a string (``key=value``, ``key="value"``,
``"key": value`` and ``'key': value`` pairs, the same escaped (``\\"key\\": \\"value\\"``, JSON
inside a JSON string), ``{key: "value"}`` object literals, containers under a secret key,
``key: value`` lines, ``<secret>value</secret>`` elements, the ``value``/``content`` of an HTML
``<input>``/``<meta>`` whose ``name`` is a secret, e-mail addresses, cards, JWTs,
``Bearer``/``Basic`` credentials, vendor tokens, PEM keys, user regexes, token-like URL path
segments). The placeholders come from ``Masker`` (``_masks``); structured values (JSON,
headers, queries, URLs) are walked by ``_redact_fields``. Nothing here is public API: import
from ``driftdiff_sdk.redact``.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote_plus, unquote_plus

from driftdiff_sdk._masks import (
    AT_SIGN,
    AUTH_SCHEME,
    CARD,
    COLON_AHEAD,
    CONTAINER_TOKEN,
    ESCAPED_JSON_PAIR,
    HTML_ATTR,
    HTML_NAMED_TAG,
    JS_PAIR,
    JSON_PAIR,
    JWT,
    KV_PAIR,
    LINE_PAIR,
    MEMO_LEN,
    XML_CLOSE_TAG,
    XML_ELEMENT,
    Masker,
)
from driftdiff_sdk._mypyc import Unchecked, mypyc_attr
from driftdiff_sdk.detectors import (
    PEM_PRIVATE_KEY,
    QUERY_KEYS,
    SECRET_HEADER_PARTS,
    SECRET_KEY_SUFFIXES,
    high_entropy_segment,
    may_hold_known_token,
    sub_known_tokens,
)
from driftdiff_sdk.kinds import REDACTED_PREFIX

if TYPE_CHECKING:
    from driftdiff_sdk.redact import RedactionConfig

__all__ = ["TextRedactor", "norm_key"]

# challenges and CORS policy (``Access-Control-Allow-Credentials: true``), not secrets
_HEADER_EXEMPT = frozenset(
    {"www-authenticate", "proxy-authenticate", "access-control-allow-credentials"}
)
_URL_STARTS = ("http://", "https://")
# Necessary conditions of ``AUTH_SCHEME`` (a scheme word, whitespace, 8 characters: 14 at least)
# and ``CARD`` (13 digits, or 4 then two groups of 4, or 4 then 6, starting with 2-6: 13 at
# least): see ``_may_change``.
_AUTH_HINT = re.compile(r"[Bb](?:earer|asic)\s|B(?:EARER|ASIC)\s")
_CARD_HINT = re.compile(r"[2-6][0-9]{3}(?:[0-9]{9}|[ -][0-9]{4}[ -][0-9]{4}|[ -][0-9]{6})")
# Necessary condition of ``LINE_PAIR``: its separator, ``:`` then a blank or ``=`` next to one.
_LINE_HINT = re.compile(r":[ \t]|[ \t]=|=[ \t]")
#: How far a container under a secret key is read (``"password": [...]`` in text): past it, the
#: rest of the window is masked whole.
_CONTAINER_MAX = 16384


def _may_change(text: str) -> bool:
    """``False`` only when no step of ``TextRedactor._scan`` (user patterns aside) can
    change ``text``: each clause is a necessary condition of one step, so the common clean
    value (an id, a name, a timestamp) costs a few substring scans instead of the whole chain."""
    return _may_match(text) or _url_like(text)


def _may_match(text: str) -> bool:
    """``_may_change`` without its last step (``_redact_url_value``): whether a pattern could
    match inside ``text``."""
    n = len(text)
    return (
        "@" in text  # AT_SIGN: e-mail, URL credentials
        or "=" in text  # KV_PAIR, LINE_PAIR's ``key = value``
        or (
            ":" in text  # JSON_PAIR (a quote), LINE_PAIR's ``key: value`` (a blank after ``:``)
            and ('"' in text or "'" in text or ": " in text or ":\t" in text)
        )
        or "</" in text  # XML_ELEMENT
        or "eyJ" in text  # JWT
        or "PRIVATE KEY-----" in text  # PEM_PRIVATE_KEY
        or (
            n >= 14  # AUTH_SCHEME, its regex only behind its words (4 substring scans are faster)
            and ("earer" in text or "asic" in text or "EARER" in text or "ASIC" in text)
            and _AUTH_HINT.search(text) is not None
        )
        or may_hold_known_token(text)
        or (n >= 13 and _CARD_HINT.search(text) is not None)  # CARD
    )


def _url_like(text: str) -> bool:
    """What ``_scan`` hands to ``_redact_url_value``: an absolute path or an HTTP(S) URL."""
    return len(text) >= 9 and (text[0] == "/" or text.startswith(_URL_STARTS))


def _tokenish(segment: str) -> bool:
    """A path segment that could be a credential: not a plain lower-case word or slug."""
    return not segment.replace("-", "").replace("_", "").isalpha() or not segment.islower()


def norm_key(key: object) -> str:
    """A key name as matching sees it: lower case, without ``-``, ``_`` and spaces."""
    return str(key).lower().replace("-", "").replace("_", "").replace(" ", "")


@mypyc_attr(allow_interpreted_subclasses=True)
class TextRedactor(Masker):
    """Secret names and secrets inside text, for one ``RedactionConfig`` (memoized)."""

    def __init__(self, config: RedactionConfig) -> None:
        self.config = config
        super().__init__(config.key, config.cache_size)
        self._headers = frozenset(h.lower() for h in config.headers)
        self._keys = frozenset(norm_key(k) for k in config.keys)
        self._key_cache: dict[str, bool] = {}
        # ``str`` keys ``is_secret_key`` said no to and ``redact_name`` leaves as they are
        self._plain_keys: set[str] = set()
        # memoized results (deterministic, so a hit is exactly what recomputing would give):
        # the same short strings come back request after request. Strings left unchanged are
        # only remembered as clean, in a set of their own (two generations: a full set is
        # kept one more round), so unique ids do not push out results that cost a hash
        self._text_cache: dict[str, str] = {}
        self._text_before: dict[str, str] = {}  # the previous generation of ``_text_cache``
        self._clean: set[str] = set()  # strings redact_text leaves as they are
        self._clean_before: set[str] = set()  # the previous generation of ``_clean``
        self._scan_all = bool(config.patterns)  # user patterns have no cheap necessary condition
        self._secret_container = False  # ``_sub_json_pair`` met ``"<secret>": [`` or ``{``

    # ----------------------------------------------------------------- matching
    def is_secret_key(self, key: object) -> bool:
        """Whether a JSON/query/form key names a secret (cached: keys repeat a lot)."""
        if not isinstance(key, str):
            key = str(key)
        hit = self._key_cache.get(key)
        if hit is None:
            norm = norm_key(key)
            hit = norm in self._keys or norm.endswith(SECRET_KEY_SUFFIXES)
            if len(self._key_cache) >= self._cache_max:
                self._key_cache.clear()
            self._key_cache[key] = hit
        return hit

    def is_secret_param(self, name: object) -> bool:
        """Whether a URL query or form parameter names a secret: a secret key, or one of the
        names that are secret in URLs only (``sig``, ``key``, ``X-Amz-Signature``...)."""
        return self.is_secret_key(name) or norm_key(name) in QUERY_KEYS

    def is_secret_header(self, name: str) -> bool:
        """Whether a header names a secret; ``_`` counts as ``-`` (``X-Api_Key``: proxies and
        CGI-style environments spell names both ways)."""
        low = name.lower().replace("_", "-")
        if low in self._headers:
            return True
        return low not in _HEADER_EXEMPT and any(p in low for p in SECRET_HEADER_PARTS)

    # ----------------------------------------------------------------- text
    def redact_text(self, text: Unchecked[str]) -> Unchecked[str]:
        """Replace secrets inside free text (values, bodies, header values); keeps the rest."""
        if not self.config.enabled or not isinstance(text, str) or not text:
            return text
        if type(text) is not str or len(text) > MEMO_LEN:
            return self._redact_text(text)
        if text in self._clean:
            return text
        hit = self._text_cache.get(text)
        if hit is not None:
            return hit
        if text not in self._clean_before:
            hit = self._text_before.get(text)
            if hit is None:
                hit = self._redact_text(text)
            if hit != text:
                cache = self._text_cache
                if len(cache) >= self._cache_max:  # a new generation, as for clean strings
                    self._text_before, self._text_cache = cache, {}
                    cache = self._text_cache
                cache[text] = hit
                return hit
        clean = self._clean
        if len(clean) >= self._cache_max:  # a new generation; the last one is still looked at
            self._clean_before, self._clean = clean, set()
            clean = self._clean
        clean.add(text)
        return text

    def _redact_text(self, text: str) -> str:
        if self._scan_all or _may_match(text):
            return self._scan(text)
        # no pattern can match: of the whole scan only its last step could change anything
        # (``_url_like``, written out: this runs on every string seen for the first time)
        if len(text) >= 9 and (text[0] == "/" or text.startswith(_URL_STARTS)):
            return self._redact_url_value(text)
        return text

    def _scan(self, text: str) -> str:
        """Every secret pattern over ``text``, in order (each one sees the previous output;
        each is tried only when its necessary condition of ``_may_change`` holds)."""
        if ":" in text and ('"' in text or "'" in text):
            text = self._sub_json_pairs(text)
            if '\\"' in text:
                text = ESCAPED_JSON_PAIR.sub(self._sub_escaped_json_pair, text)
            text = JS_PAIR.sub(self._sub_js_pair, text)
        if "=" in text:
            text = KV_PAIR.sub(self._sub_kv_pair, text)
        if _LINE_HINT.search(text) is not None:
            text = LINE_PAIR.sub(self._sub_line_pair, text)
        if "</" in text and self._names_secret_element(text):
            text = XML_ELEMENT.sub(self._sub_xml_element, text)
        if "<" in text and "=" in text:
            text = HTML_NAMED_TAG.sub(self._sub_html_tag, text)
        if "@" in text:
            text = AT_SIGN.sub(self._sub_at_sign, text)
        if may_hold_known_token(text):
            text = sub_known_tokens(text, self._sub_known_token)
        if "PRIVATE KEY-----" in text:
            text = PEM_PRIVATE_KEY.sub(self._sub_pem, text)
        if "eyJ" in text:
            text = JWT.sub(lambda m: self._mask_jwt(m.group()), text)
        if len(text) >= 14 and _AUTH_HINT.search(text) is not None:
            text = AUTH_SCHEME.sub(self._sub_auth, text)
        if len(text) >= 13 and _CARD_HINT.search(text) is not None:
            text = CARD.sub(self._sub_card, text)
        for pattern in self.config.patterns:
            text = pattern.sub(lambda m: self.mask_value(m.group()), text)
        if _url_like(text):
            text = self._redact_url_value(text)
        return text

    def _redact_url_value(self, text: str) -> str:
        """A value that is a URL or an absolute path (``"next": "/reset/<token>"``, a download
        link): its path segments get the same token rules as a request's path."""
        if len(text) > 4096 or any(c in text for c in " \t\r\n"):
            return text
        base, q, rest = text.partition("?")
        scheme, sep, after = base.partition("://")
        if sep:
            host, slash, path = after.partition("/")
            head, path = f"{scheme}://{host}", slash + path
        else:
            head, path = "", base
        new = self._redact_segments(path)
        return text if new == path else f"{head}{new}{q}{rest}"

    def _sub_json_pairs(self, text: str) -> str:
        """``JSON_PAIR`` over ``text``: a secret key's string or integer masked, and every string
        and integer of a container (``"password": ["x"]``, ``'auth': {'k': 'v'}``) under one.
        The scalars in one ``re.sub``; containers, rare under a secret key, in a second pass
        only when the first met one."""
        self._secret_container = False
        text = JSON_PAIR.sub(self._sub_json_pair, text)
        if not self._secret_container:
            return text
        parts: list[str] = []
        last = pos = 0
        search = JSON_PAIR.search
        while True:
            m = search(text, pos)
            if m is None:
                break
            pos = m.end()
            value = m.group(4)
            if (value == "[" or value == "{") and self.is_secret_key(m.group(2)):
                start = m.start(4)
                end, masked = self._mask_container(text, start)
                parts += [text[last:start], masked]
                last = pos = end
        parts.append(text[last:])
        return "".join(parts)

    def _sub_json_pair(self, m: re.Match[str]) -> str:
        if not self.is_secret_key(m.group(2)):
            return m.group()
        value = m.group(4)
        if value == "[" or value == "{":
            self._secret_container = True
            return m.group()
        whole = m.group()
        return whole[: len(whole) - len(value)] + self._mask_pair_value(value)

    def _sub_escaped_json_pair(self, m: re.Match[str]) -> str:
        """``ESCAPED_JSON_PAIR`` callback: the value under a secret key masked, escapes kept."""
        if not self.is_secret_key(m.group(1)):
            return m.group()
        value = m.group(3)
        if value[0] != "\\":
            new = self._mask_pair_value(value)  # an integer
        else:
            try:  # decoded twice, so the secret masks as it does in the JSON it was
                inner = json.loads(json.loads(f'"{value}"'))
            except ValueError:
                inner = value[2:-2]
            new = f'\\"{self.mask_value(str(inner))}\\"'  # placeholders need no escape
        whole = m.group()
        return whole[: len(whole) - len(value)] + new

    def _sub_js_pair(self, m: re.Match[str]) -> str:
        """``JS_PAIR`` callback: ``{password: "..."}``, the value masked."""
        if not self.is_secret_key(m.group(2)):
            return m.group()
        value = m.group(4)
        whole = m.group()
        return whole[: len(whole) - len(value)] + self._mask_pair_value(value)

    def _mask_container(self, text: str, start: int) -> tuple[int, str]:
        """The container opening at ``text[start]`` with its values masked (keys, brackets and
        separators kept), and where it ends. One not closed within ``_CONTAINER_MAX``
        characters is masked whole up to there; text between tokens that holds a quote (a
        string too long to be a token) is masked too."""
        limit = min(len(text), start + _CONTAINER_MAX)
        depth, last = 0, start
        parts: list[str] = []
        for tok in CONTAINER_TOKEN.finditer(text, start, limit):
            gap, t = text[last : tok.start()], tok.group()
            parts.append(self.mask_value(gap) if '"' in gap or "'" in gap else gap)
            last = tok.end()
            if t == "[" or t == "{":
                depth += 1
            elif t == "]" or t == "}":
                depth -= 1
                if depth == 0:
                    parts.append(t)
                    return last, "".join(parts)
            elif COLON_AHEAD.match(text, last) is not None:
                parts.append(t)  # a key: kept, like the keys of a JSON value under a secret key
                continue
            else:
                t = self._mask_pair_value(t)
            parts.append(t)
        # not closed within the window: no knowing where the secret stops
        return limit, text[start] + self.mask_value(text[start + 1 : limit])

    def _mask_pair_value(self, value: str) -> str:
        """A quoted string (quotes kept) or an integer (as many digits) under a secret key."""
        quote = value[0]
        if quote == '"':
            try:
                inner = json.loads(value)
            except ValueError:
                inner = value[1:-1]
            return f'"{self.mask_value(str(inner))}"'  # placeholders need no JSON escape
        if quote == "'":
            return f"'{self.mask_value(value[1:-1])}'"
        new = self._chars("digits", value, len(value.lstrip("-")), "0123456789")
        return ("-" if value.startswith("-") else "") + (new if new[0] != "0" else "1" + new[1:])

    def _sub_kv_pair(self, m: re.Match[str]) -> str:
        key, quoted, value = m.groups()
        if quoted is not None:  # ``key="value"``: code, configuration, attributes
            if not self.is_secret_key(key):
                return m.group()
            whole = m.group()
            return whole[: len(whole) - len(quoted)] + self._mask_pair_value(quoted)
        if not value or not self.is_secret_param(unquote_plus(key)):
            return m.group()
        return f"{key}={quote_plus(self.mask_value(unquote_plus(value)), safe='@:')}"

    def _sub_line_pair(self, m: re.Match[str]) -> str:
        key, after_colon, after_equals = m.groups()
        if not self.is_secret_key(key):
            return m.group()
        value = after_colon or after_equals
        whole = m.group()
        head = whole[: len(whole) - len(value)]
        if value[0] in "\"'" and len(value) >= 2 and value[-1] == value[0]:
            return head + self._mask_pair_value(value)  # ``key: "value"``
        core = value.rstrip()
        if AUTH_SCHEME.match(core) is not None:  # ``Authorization: Bearer ...``: scheme kept
            new = self._mask_secret_header(core)
        else:
            new = self.mask_value(core)
        return head + new + value[len(core) :]

    def _names_secret_element(self, text: str) -> bool:
        """Whether a closing tag in ``text`` names a secret (``</password>``, ``</ns:Token>``):
        ``XML_ELEMENT`` and its callback run over markup only then."""
        return any(self.is_secret_key(name) for name in set(XML_CLOSE_TAG.findall(text)))

    def _sub_xml_element(self, m: re.Match[str]) -> str:
        if not self.is_secret_key(m.group(1).rpartition(":")[2]):
            return m.group()
        content = m.group(3)
        if content.startswith("<![CDATA["):
            new = f"<![CDATA[{self._mask_padded(content[9:-3])}]]>"
        else:
            new = self._mask_padded(content)
        whole, start = m.group(), m.start()
        return whole[: m.start(3) - start] + new + whole[m.end(3) - start :]

    def _sub_html_tag(self, m: re.Match[str]) -> str:
        """``HTML_NAMED_TAG`` callback: the ``value`` and ``content`` attributes of an element
        whose ``name`` is a secret (``<input name="csrfmiddlewaretoken" value="...">``,
        ``<meta name="csrf-token" content="...">``) masked; the rest of the tag kept."""
        attrs = m.group(1)
        name: str | None = None
        spans: list[tuple[int, int]] = []
        for a in HTML_ATTR.finditer(attrs):
            value = a.group(2)
            if value is None:
                continue
            attr = a.group(1).lower()
            if attr == "name":
                name = value[1:-1] if value[0] in "\"'" else value
            elif attr == "value" or attr == "content":
                spans.append(a.span(2))
        if not spans or not name or not self.is_secret_key(html.unescape(name)):
            return m.group()
        parts: list[str] = []
        last = 0
        for start, end in spans:
            value = attrs[start:end]
            quote = value[0] if value[0] in "\"'" else ""
            inner = value[1:-1] if quote else value
            if "&" in inner:
                inner = html.unescape(inner)  # the secret itself, as a form posts it
            parts += [attrs[last:start], quote, self.mask_value(inner), quote]
            last = end
        parts.append(attrs[last:])
        whole, offset = m.group(), m.start(1) - m.start()
        return whole[:offset] + "".join(parts) + whole[offset + len(attrs) :]

    def _mask_padded(self, text: str) -> str:
        """``mask_value`` of ``text`` without its surrounding blanks, which are kept."""
        core = text.strip()
        if not core:
            return text
        lead = len(text) - len(text.lstrip())
        return text[:lead] + self.mask_value(core) + text[lead + len(core) :]

    def _redact_segments(self, path: str) -> str:
        if len(path) < 9 or "/" not in path:
            return path
        segments = path.split("/")
        changed = False
        for i, seg in enumerate(segments):
            if len(seg) < 8 or seg.startswith(REDACTED_PREFIX):
                continue
            after_secret = i > 0 and self.is_secret_key(segments[i - 1]) and _tokenish(seg)
            if after_secret or high_entropy_segment(seg):
                segments[i] = self.mask_token("path", seg, 16)
                changed = True
        return "/".join(segments) if changed else path
