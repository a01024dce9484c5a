"""Secret names, and the values found next to one in text: the pair rules of ``redact_text``.

The layer of ``Redactor`` (``driftdiff_sdk.redact``) right above ``Masker``: ``PairRedactor``
decides whether a key, a query parameter or a header names a secret, and masks the value paired
with such a name inside a string — ``"key": value`` and ``'key': value`` (and containers under
one), the same escaped once (``\\"key\\": \\"value\\"``, JSON inside a JSON string) or three
times and more, ``{key: "value"}`` object literals, ``key=value`` and ``key = "value"``,
``key: value`` lines; a value may be a JavaScript template literal (between backticks)
wherever a quoted one may. The patterns are ``_text_patterns``; the scan that applies them in
turn is ``_redact_text.TextRedactor``. Nothing here is public API: import from
``driftdiff_sdk.redact``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote_plus, unquote_plus

from driftdiff_sdk._masks import AUTH_SCHEME, Masker
from driftdiff_sdk._mypyc import mypyc_attr
from driftdiff_sdk._text_patterns import BLOCK_INDICATOR, COLON_AHEAD, CONTAINER_TOKEN, JSON_PAIR
from driftdiff_sdk.detectors import QUERY_KEYS, SECRET_HEADER_PARTS, SECRET_KEY_SUFFIXES

if TYPE_CHECKING:
    from driftdiff_sdk.redact import RedactionConfig

__all__ = ["PairRedactor", "norm_key"]

# challenges and CORS policy (``Access-Control-Allow-Credentials: true``), not secrets
_HEADER_EXEMPT = frozenset(
    {"www-authenticate", "proxy-authenticate", "access-control-allow-credentials"}
)
#: How far a container under a secret key is read (``"password": [...]`` in text): past it, the
#: rest of the window is masked whole.
_CONTAINER_MAX = 16384


def norm_key(key: object) -> str:
    """A key name as matching sees it: lower case, without ``-``, ``_`` and spaces."""
    return str(key).lower().replace("-", "").replace("_", "").replace(" ", "")


@mypyc_attr(allow_interpreted_subclasses=True)
class PairRedactor(Masker):
    """Secret names, and the values paired with one in text, for one ``RedactionConfig``."""

    def __init__(self, config: RedactionConfig) -> None:
        self.config = config
        super().__init__(config.key, config.cache_size)
        self._headers = frozenset(h.lower() for h in config.headers)
        self._keys = frozenset(norm_key(k) for k in config.keys)
        self._key_cache: dict[str, bool] = {}
        self._secret_container = False  # ``_sub_json_pair`` met ``"<secret>": [`` or ``{``

    # ----------------------------------------------------------------- names
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

    # ----------------------------------------------------------------- pairs
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
        return self._mask_escaped(m.group(), m.group(3), "\\")

    def _sub_deep_escaped_pair(self, m: re.Match[str]) -> str:
        """``DEEP_ESCAPED_JSON_PAIR`` callback: the same, its quotes escaped 3, 7 or 15 times."""
        if not self.is_secret_key(m.group(3)):
            return m.group()
        return self._mask_escaped(m.group(), m.group(5), m.group(2))

    def _mask_escaped(self, whole: str, value: str, slashes: str) -> str:
        """``whole`` (a pair ending in ``value``) with ``value`` masked: an integer, or a string
        whose quotes are ``slashes`` and ``"``, decoded as many times as it was encoded (one
        backslash: twice, three: three times...), so the secret masks as it does in the JSON it
        was; the escapes are kept (placeholders need none)."""
        if value[0] != "\\":
            new = self._mask_pair_value(value)  # an integer
        else:
            width = len(slashes)
            try:
                inner: object = value
                for _ in range(width.bit_length()):
                    inner = json.loads(f'"{inner}"')
                inner = json.loads(str(inner))
            except ValueError:
                inner = value[width + 1 : -width - 1]
            new = f'{slashes}"{self.mask_value(str(inner))}{slashes}"'
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
        """A quoted string (quotes kept: ``"``, ``'`` or a template literal's backticks) or an
        integer (as many digits) under a secret key."""
        quote = value[0]
        if quote == '"':
            try:
                inner = json.loads(value)
            except ValueError:
                inner = value[1:-1]
            return f'"{self.mask_value(str(inner))}"'  # placeholders need no JSON escape
        if quote == "'" or quote == "`":
            return f"{quote}{self.mask_value(value[1:-1])}{quote}"
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
        if value[0] in "\"'`" and len(value) >= 2 and value[-1] == value[0]:
            return head + self._mask_pair_value(value)  # ``key: "value"``
        core = value.rstrip()
        if after_colon and BLOCK_INDICATOR.fullmatch(core) is not None:
            return m.group()  # ``key: |``: the value is on the lines below (``_redact_blocks``)
        if AUTH_SCHEME.match(core) is not None:  # ``Authorization: Bearer ...``: scheme kept
            new = self._mask_secret_header(core)
        else:
            new = self.mask_value(core)
        return head + new + value[len(core) :]
