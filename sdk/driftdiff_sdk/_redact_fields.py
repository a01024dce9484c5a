"""Secrets in structured values: JSON, header maps, queries and forms, URLs and paths.

The second layer of ``Redactor`` (``driftdiff_sdk.redact``): ``FieldRedactor`` walks decoded
JSON (every leaf under a secret key masked, strings scanned by ``TextRedactor.redact_text``),
classifies headers by name (cookies keep their names, ``Authorization`` its scheme) and redacts
URLs part by part, their fragment too (``#access_token=...``: the OAuth implicit flow). Names
are scanned as well as values (``redact_name``): a JSON key, query or form parameter, header,
cookie or multipart part named by an e-mail or a token is masked like text. ``share_json`` is
``redact_json`` copy-on-write (one walk; a container that nothing under changes is the input's
own) and ``redact_header_value`` is memoized, which is what lets ``_share`` keep unchanged parts
of an exchange instead of copying them. Nothing here is public API: import from
``driftdiff_sdk.redact``.

Two names of one map that mask to the same placeholder (``Bob@x.io`` and ``bob@x.io``: e-mails
are masked lower-cased) would make one entry overwrite the other. Nothing is dropped instead:
the later one gets ``~2`` (``~3``...) appended (``_free_key``), a name no other entry of the
map has. Text (forms, URL queries and fragments, multipart bodies, cookies) keeps a repeated
name repeated, which loses nothing either.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from driftdiff_sdk._masks import MEMO_LEN, memo, memo_set
from driftdiff_sdk._mypyc import Unchecked, mypyc_attr
from driftdiff_sdk._redact_text import TextRedactor
from driftdiff_sdk.detectors import KNOWN_TOKEN_HINTS
from driftdiff_sdk.limits import MAX_DEPTH, TOO_DEEP

if TYPE_CHECKING:
    from driftdiff_sdk.redact import RedactionConfig

__all__ = ["FieldRedactor"]

_PLAIN, _COOKIE, _SET_COOKIE, _SECRET = 0, 1, 2, 3  # what a header's name says about its values
_SCALARS = frozenset({int, float, bool, type(None)})  # exact types, unchanged unless secret
# An integer that may be a card number (13-19 digits, the first 2-6: ``_CARD_HINT``'s bounds):
# below, epoch milliseconds (13 digits from 1) and every shorter number are never looked at.
_CARD_MIN, _CARD_MAX = 2 * 10**12, 7 * 10**18
# Where, inside a name, a secret can start that the text patterns miss: right after a ``-`` or
# ``_`` (their token boundary excludes both: ``x-ghp_...``, ``key_eyJ...``, ``n-4111...``),
# before a vendor token's prefix, a JWT or a card's first digit.
_GLUED = re.compile(
    "[-_](?=" + "|".join(re.escape(h) for h in (*KNOWN_TOKEN_HINTS, "eyJ")) + "|[2-6])"
)
_MAX_GLUED = 8  # places tried per name: linear time whatever the name


@mypyc_attr(allow_interpreted_subclasses=True)
class FieldRedactor(TextRedactor):
    """JSON values, headers, queries, forms, URLs and paths (memoized where values repeat)."""

    def __init__(self, config: RedactionConfig) -> None:
        super().__init__(config)
        self._header_kind: dict[str, int] = {}
        self._plain_headers: set[str] = set()  # names ``_classify_header`` found ``_PLAIN``
        self._header_cache: dict[tuple[str, str], str] = {}  # (name, value) → redacted value
        self._url_cache: dict[str, str] = {}
        self._path_cache: dict[str, str] = {}
        self._clean_names: set[str] = set()  # names ``redact_name`` leaves as they are

    # ----------------------------------------------------------------- JSON
    def redact_json(self, value: Any) -> Any:
        """A redacted copy of a decoded JSON value (new containers; the input is not touched)."""
        if not self.config.enabled:
            return value
        return self._walk(value, False, 0)

    def mask_json(self, value: Any) -> Any:
        """A copy of a decoded JSON value with every leaf replaced (it sits under a secret
        name): strings and numbers keep their format, ``None`` and booleans stay."""
        if not self.config.enabled:
            return value
        return self._walk(value, True, 0)

    def _walk(self, value: Any, secret: bool, depth: int) -> Any:
        if isinstance(value, str):
            return self.mask_value(value) if secret else self.redact_text(value)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return self._mask_number(value) if secret else self._card_int(value)
        if isinstance(value, float):
            return self._mask_number(value) if secret else value
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, dict):
            plain = self._plain_keys
            out: dict[Any, Any] = {}
            taken: dict[Any, int] | None = None  # masked name → next suffix (``_free_key``)
            for k, v in value.items():
                if k in plain:  # a ``str`` key, clean and not secret
                    out[k] = self._walk(v, secret, depth + 1)
                    continue
                key_secret = self.is_secret_key(k)
                name = self.redact_name(k) if isinstance(k, str) else k
                if name is k or name == k:  # (``is``: a ``nan`` key is not equal to itself)
                    name = k
                    if not key_secret and type(k) is str:
                        memo_set(plain, k, self._cache_max)
                else:
                    if taken is None:
                        taken = {}
                    name = _free_key(name, value, out, taken)
                out[name] = self._walk(v, secret or key_secret, depth + 1)
            return out
        if isinstance(value, (list, tuple)):
            items = [self._walk(v, secret, depth + 1) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, (bytes, bytearray)):
            text = bytes(value).decode("latin-1")
            new = self.mask_value(text) if secret else self.redact_text(text)
            return value if new == text else new.encode("latin-1", "replace")
        return value  # other Python objects: the writer stringifies them; nothing to match here

    def _card_int(self, value: int) -> int:
        """An integer that is a card number written as digits (13-19, Luhn-valid, the first
        2-6) masked as the string of its digits is (``redact_text``: a Luhn-valid card of as
        many digits); any other integer is returned as it is."""
        if value < _CARD_MIN or value >= _CARD_MAX:
            return value
        digits = str(int(value))
        if digits[0] not in "23456":  # (ids and timestamps in micro- or nanoseconds: from 1)
            return value
        new = self.redact_text(digits)
        if new == digits:
            return value
        if new.isdigit() and new.isascii() and len(new) == len(digits):
            return int(new)
        return int(self._mask_number(value))  # a placeholder that is not digits: one that is

    # ----------------------------------------------------------------- names
    def redact_name(self, name: Unchecked[str]) -> Unchecked[str]:
        """A name (JSON key, query or form parameter, header, cookie, multipart part) with the
        secrets in it masked as text (``redact_text``: e-mails, vendor tokens, JWTs, cards),
        also those glued to a word by ``-`` or ``_`` (``x-ghp_...``). A clean name is returned
        as it is (memoized: names repeat)."""
        if not isinstance(name, str) or name in self._clean_names or not self.config.enabled:
            return name
        new = self.redact_text(name)
        if "-" in new or "_" in new:
            new = self._redact_glued(new)
        if new != name:
            return new
        if type(name) is str and len(name) <= MEMO_LEN:
            memo_set(self._clean_names, name, self._cache_max)
        return name

    def _redact_glued(self, name: str) -> str:
        """The patterns start at a token boundary, which ``-`` and ``_`` are not: the rest of
        the name after each place ``_GLUED`` finds is scanned on its own (at most
        ``_MAX_GLUED`` places, each one scan: linear)."""
        pos = 0
        for _ in range(_MAX_GLUED):
            m = _GLUED.search(name, pos)
            if m is None:
                break
            pos = m.end()
            tail = name[pos:]
            new = self.redact_text(tail)
            if new != tail:
                name = name[:pos] + new
        return name

    def share_json(self, value: Any) -> Any:
        """``redact_json(value)``, but every ``dict``/``list`` it leaves unchanged is the
        input's own (``value`` itself when nothing changes): one walk, copies only on the path
        to a change. The result must not be mutated (it may be the input)."""
        if not self.config.enabled:
            return value
        kind = type(value)
        if kind is dict or kind is list:
            return self._share(value, 0)
        return self._walk(value, False, 0)

    def _share(self, node: dict[Any, Any] | list[Any], depth: int) -> Any:
        """``_walk(node, False, depth)`` for a plain ``dict``/``list``, copy-on-write. Anything
        but plain JSON (a tuple, bytes, a subclass...) and whatever sits under a secret key
        goes through ``_walk`` itself, so the result always equals what that gives, and so
        does a ``dict`` with a name to mask (``redact_name``: its keys are rebuilt in order).
        (The per-item code is written out twice, for speed: this runs on every body. A key
        found not secret and clean as text goes into ``_plain_keys``, one set lookup instead of
        two calls next time.)"""
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        clean = self._clean  # (the memo and redact_text are looked up only for unknown strings)
        out: Any = None
        new: Any
        if type(node) is dict:
            plain = self._plain_keys
            for k, v in node.items():
                kind = type(v)
                if k not in plain:
                    if isinstance(k, str) and self.redact_name(k) != k:
                        return self._walk(node, False, depth)  # rare: the whole dict rebuilt
                    if self.is_secret_key(k):
                        new = self._walk(v, True, depth + 1)
                        if new is v:
                            continue
                        if out is None:
                            out = dict(node)
                        out[k] = new
                        continue
                    if type(k) is str:
                        memo_set(plain, k, self._cache_max)
                if kind is str:
                    if v in clean:
                        continue
                    new = self._text_cache.get(v) or self.redact_text(v)
                    if new == v:
                        continue
                elif kind in _SCALARS:
                    if kind is not int or v < _CARD_MIN or v >= _CARD_MAX:
                        continue
                    new = self._card_int(v)
                    if new == v:
                        continue
                elif kind is dict or kind is list:
                    new = self._share(v, depth + 1)
                    if new is v:
                        continue
                else:
                    new = self._walk(v, False, depth + 1)
                    if new is v:
                        continue
                if out is None:
                    out = dict(node)
                out[k] = new
        else:
            for i, v in enumerate(node):
                kind = type(v)
                if kind is str:
                    if v in clean:
                        continue
                    new = self._text_cache.get(v) or self.redact_text(v)
                    if new == v:
                        continue
                elif kind in _SCALARS:
                    if kind is not int or v < _CARD_MIN or v >= _CARD_MAX:
                        continue
                    new = self._card_int(v)
                    if new == v:
                        continue
                elif kind is dict or kind is list:
                    new = self._share(v, depth + 1)
                    if new is v:
                        continue
                else:
                    new = self._walk(v, False, depth + 1)
                    if new is v:
                        continue
                if out is None:
                    out = list(node)
                out[i] = new
        return node if out is None else out

    # ----------------------------------------------------------------- headers, query, url
    def redact_headers(
        self, headers: Unchecked[dict[str, list[str]]]
    ) -> Unchecked[dict[str, list[str]]]:
        """A redacted copy of a header map (name → list of values, or name → value)."""
        if not isinstance(headers, dict):
            return headers
        out: dict[Any, Any] = {}
        raw: dict[Any, Any] = headers  # bytes names, str values: unchecked in a compiled build
        taken: dict[Any, int] | None = None
        for name, values in raw.items():
            sname = name.decode("latin-1") if isinstance(name, bytes) else str(name)
            if not self.config.enabled:
                out[name] = list(values) if isinstance(values, list) else values
                continue
            key: Any = name
            if isinstance(name, (str, bytes)):
                new = self.redact_name(sname)
                if new != sname:
                    key = new if isinstance(name, str) else new.encode("latin-1", "replace")
                    if taken is None:
                        taken = {}
                    key = _free_key(key, raw, out, taken)
            if isinstance(values, list):
                out[key] = [self._redact_header_value(sname, v) for v in values]
            else:
                out[key] = self._redact_header_value(sname, values)
        return out

    def share_headers(self, headers: Any) -> Any:
        """``redact_headers(headers)``, sharing the map and every value list left unchanged
        (``headers`` itself when nothing changes). The common header, one value known clean
        under a plain name, costs two lookups."""
        if type(headers) is not dict:
            return self.redact_headers(headers)
        plain, clean, names = self._plain_headers, self._clean, self._clean_names
        out: dict[Any, Any] | None = None
        new: Any
        for name, values in headers.items():
            if name in plain and type(values) is list:
                try:
                    (v,) = values  # one value (cheaper than a len() call; rarely raises)
                except ValueError:
                    pass
                else:
                    if type(v) is str and v in clean:
                        continue
            if type(name) is not str:
                return self.redact_headers(headers)
            if name not in names and self.redact_name(name) != name:
                return self.redact_headers(headers)  # a name to mask: the map is rebuilt
            if type(values) is list:
                new = self.share_header_values(name, values)
                if new is None:
                    return self.redact_headers(headers)
            elif type(values) is str:
                new = self.redact_header_value(name, values)
                if new == values:
                    new = values
            else:
                return self.redact_headers(headers)
            if new is not values:
                if out is None:
                    out = dict(headers)
                out[name] = new
        return headers if out is None else out

    def share_header_values(self, name: str, values: list[Any]) -> list[Any] | None:
        """``[redact_header_value(name, v) for v in values]``, or ``values`` itself when that
        changes nothing; ``None`` when a value is not a ``str`` (the caller copies instead)."""
        kind = self._header_kind.get(name)
        if kind is None:
            kind = memo(self._header_kind, name, self._classify_header(name), self._cache_max)
            if kind == _PLAIN and type(name) is str and self.redact_name(name) == name:
                memo_set(self._plain_headers, name, self._cache_max)
        clean, cache = self._clean, self._header_cache
        out = None
        for i, v in enumerate(values):
            if type(v) is not str:
                return None
            if kind == _PLAIN:
                if v in clean:
                    continue
                red = self.redact_text(v)
            else:  # ``redact_header_value(name, v)``, its memo looked up (and filled) here
                key = (name, v)
                hit = cache.get(key)
                if hit is None:
                    hit = self._redact_by_kind(kind, v)
                    if len(v) <= MEMO_LEN:
                        if len(cache) >= self._cache_max:
                            cache.clear()
                        cache[key] = hit
                red = hit
            if red != v:
                if out is None:
                    out = list(values)
                out[i] = red
        return values if out is None else out

    def redact_header_value(self, name: str, value: str) -> str:
        """One header value, redacted as ``redact_headers`` does (memoized per name and value)."""
        kind = self._header_kind.get(name)
        if kind == _PLAIN and type(value) is str:  # most headers: ``redact_text``'s own memo
            return self.redact_text(value)
        hit = self._header_cache.get((name, value))
        if hit is None:
            hit = self._redact_header_value(name, value)
            if len(value) <= MEMO_LEN:
                memo(self._header_cache, (name, value), hit, self._cache_max)
        return hit

    def _redact_header_value(self, name: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value if value is None else self._redact_header_value(name, str(value))
        kind = self._header_kind.get(name)
        if kind is None:
            kind = memo(self._header_kind, name, self._classify_header(name), self._cache_max)
        return self._redact_by_kind(kind, value)

    def _redact_by_kind(self, kind: int, value: str) -> str:
        """A ``str`` value of a header whose name is of ``kind``, redacted."""
        if kind == _PLAIN:
            return self.redact_text(value)
        if kind == _COOKIE:
            pairs, start, n = [], 0, len(value)
            while True:
                end = _cookie_pair_end(value, start)
                pairs.append(self._mask_cookie(value[start:end]))
                if end >= n:
                    return "; ".join(pairs)
                start = end + 1
        if kind == _SET_COOKIE:  # the first pair is the cookie, the rest its attributes
            end = _cookie_pair_end(value, 0)
            return self._mask_cookie(value[:end]) + value[end:]
        return self._mask_secret_header(value)

    def _mask_cookie(self, pair: str) -> str:
        """``name=value`` of a cookie: the name kept (``redact_name``), the value masked; a
        value in double quotes (RFC 6265) keeps them and is masked whole, ``;`` and all. A pair
        without ``=`` is a nameless cookie (browsers send ``Cookie: <value>`` for one set by
        ``Set-Cookie: <value>``): all of it is the value."""
        name, eq, val = pair.strip().partition("=")
        if not eq:
            return self.mask_value(name) if name else name
        name = self.redact_name(name)
        if len(val) >= 2 and val[0] == '"' and val[-1] == '"':
            return f'{name}="{self.mask_value(val[1:-1])}"'
        return f"{name}={self.mask_value(val)}"

    def _classify_header(self, name: str) -> int:
        low = name.lower()
        if low == "cookie" or (low.endswith("-cookie") and low != "set-cookie"):
            return _COOKIE
        if low == "set-cookie":
            return _SET_COOKIE
        return _SECRET if self.is_secret_header(name) else _PLAIN

    def redact_query(
        self, query: Unchecked[dict[str, list[str]]]
    ) -> Unchecked[dict[str, list[str]]]:
        """A redacted copy of a query map (name → list of values)."""
        if not isinstance(query, dict) or not self.config.enabled:
            return dict(query) if isinstance(query, dict) else query
        out: dict[Any, Any] = {}
        taken: dict[Any, int] | None = None
        for name, values in query.items():
            secret = self.is_secret_param(name)
            vals = values if isinstance(values, list) else [values]
            red = [self._walk(v, secret, 0) for v in vals]
            key = self.redact_name(name)
            if key is not name and key != name:
                if taken is None:
                    taken = {}
                key = _free_key(key, query, out, taken)
            out[key] = red if isinstance(values, list) else red[0]
        return out

    def redact_form(self, text: str) -> str:
        """Redact an ``application/x-www-form-urlencoded`` string (or a URL's query part)."""
        if not self.config.enabled or not text:
            return text
        parts = []
        for part in text.split("&"):
            name, eq, value = part.partition("=")
            key = unquote_plus(name)
            raw = unquote_plus(value)
            if eq and self.is_secret_param(key):
                new = self.mask_value(raw)
            else:
                new = self.redact_text(raw)
            new_key = self.redact_name(key)
            if new == raw and new_key == key:
                parts.append(part)
                continue
            if new_key != key:
                name = quote_plus(new_key, safe="@:~")
            parts.append(f"{name}{eq}{value if new == raw else quote_plus(new, safe='@:')}")
        return "&".join(parts)

    def redact_url(self, url: Unchecked[str]) -> Unchecked[str]:
        """Redact a URL's path (e-mails, JWTs) and query (secret keys, values); keeps the rest."""
        if not self.config.enabled or not isinstance(url, str) or not url:
            return url
        if type(url) is not str or len(url) > MEMO_LEN:
            return self._redact_url(url)
        hit = self._url_cache.get(url)
        if hit is None:
            hit = memo(self._url_cache, url, self._redact_url(url), self._cache_max)
        return hit

    def _redact_url(self, url: str) -> str:
        base, hash_, fragment = url.partition("#")
        path, q, query = base.partition("?")
        origin = ""
        scheme, sep, rest = path.partition("://")
        if sep and "/" not in scheme:
            netloc, slash, tail = rest.partition("/")
            user, at, host = netloc.rpartition("@")
            if at:  # credentials in the URL: keep the user name's shape, drop the password
                name, colon, password = user.partition(":")
                user = f"{self.mask_value(name)}{colon}{self.mask_value(password)}"
            origin, path = f"{scheme}://{user}{at}{host}", f"{slash}{tail}"
        if fragment:
            fragment = self._redact_fragment(fragment)
        return f"{origin}{self.redact_path(path)}{q}{self.redact_form(query)}{hash_}{fragment}"

    def _redact_fragment(self, fragment: str) -> str:
        """A URL's fragment: ``access_token=...&state=...`` (the OAuth implicit flow) as a
        form, by name then by shape, a bare token as a name (``#ghp_...``); a client-side
        route with a query (``#/cb?code=...``) as a path and a form."""
        route, q, query = fragment.partition("?")
        if q:
            return f"{self.redact_path(route)}{q}{self.redact_form(query)}"
        return self.redact_form(fragment)

    def redact_path(self, path: str) -> str:
        """Redact a URL path, percent-encoded or not (``/users/bob%40example.com``): secrets by
        shape, random-looking token segments (``detectors.high_entropy_segment``) and the
        segment after one named like a secret (``/reset-token/<x>``, ``/api_key/<x>``)."""
        if not self.config.enabled or not isinstance(path, str):
            return path
        if type(path) is not str or len(path) > MEMO_LEN:
            return self._redact_path(path)
        hit = self._path_cache.get(path)
        if hit is None:
            hit = memo(self._path_cache, path, self._redact_path(path), self._cache_max)
        return hit

    def _redact_path(self, path: str) -> str:
        plain = unquote(path)
        red = self._redact_segments(self.redact_text(plain))
        if red == plain:
            return path
        return red if plain == path else quote(red, safe="/:@!$&'()*+,;=%~")


def _free_key(name: Any, node: dict[Any, Any], out: dict[Any, Any], taken: dict[Any, int]) -> Any:
    """``name`` (a masked name) if no key of the input map ``node`` nor of the map ``out`` being
    built has it, else ``name~2``, ``name~3``... the first that neither has: two names that
    mask alike (``Bob@x.io``, ``bob@x.io``) keep both entries. ``taken`` remembers the next
    suffix per name, so many names masking alike cost linear time."""
    if name not in node and name not in out:
        return name
    i = taken.get(name, 2)
    tilde: Any = b"~" if isinstance(name, bytes) else "~"
    while True:
        candidate = name + tilde + (str(i).encode() if isinstance(name, bytes) else str(i))
        i += 1
        if candidate not in node and candidate not in out:
            taken[name] = i
            return candidate


def _cookie_pair_end(value: str, start: int) -> int:
    """Where the cookie pair starting at ``start`` ends: at the next ``;``, or after the closing
    quote of a value written in double quotes (``id="a; b"``; one left open runs to the end).
    Every character is looked at once over the whole header (linear)."""
    n = len(value)
    semi = value.find(";", start)
    stop = n if semi == -1 else semi
    eq = value.find("=", start, stop)
    if eq == -1:
        return stop
    i = eq + 1
    while i < stop and value[i] in " \t":
        i += 1
    if i >= stop or value[i] != '"':
        return stop
    close = value.find('"', i + 1)
    if close == -1:
        return n
    if close < stop:
        return stop
    semi = value.find(";", close + 1)
    return n if semi == -1 else semi
