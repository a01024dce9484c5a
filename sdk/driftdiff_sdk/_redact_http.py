"""Secrets in the parts of an HTTP message: header maps, queries and forms, URLs and paths.

The fourth layer of ``Redactor`` (``driftdiff_sdk.redact``): ``HttpRedactor`` classifies
headers by name (cookies keep their names, ``Authorization`` its scheme, a
``Content-Disposition``'s ``filename*=`` is decoded: ``_disposition``), walks queries as JSON
(``FieldRedactor``) and redacts URLs part by part, their fragment too (``#access_token=...``:
the OAuth implicit flow). Names are scanned as well as values (``NameRedactor.redact_name``).
``share_headers`` is ``redact_headers`` copy-on-write and ``redact_header_value``, URLs and
paths are memoized, which is what lets ``_share`` keep unchanged parts of an exchange instead
of copying them. Nothing here is public API: import from ``driftdiff_sdk.redact``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from driftdiff_sdk._disposition import redact_disposition
from driftdiff_sdk._masks import MEMO_LEN, memo, memo_set
from driftdiff_sdk._mypyc import Unchecked, mypyc_attr
from driftdiff_sdk._redact_fields import FieldRedactor
from driftdiff_sdk._redact_names import free_key, key_text

if TYPE_CHECKING:
    from driftdiff_sdk.redact import RedactionConfig

__all__ = ["HttpRedactor"]

# what a header's name says about its values
_PLAIN, _COOKIE, _SET_COOKIE, _SECRET, _DISPOSITION = 0, 1, 2, 3, 4


@mypyc_attr(allow_interpreted_subclasses=True)
class HttpRedactor(FieldRedactor):
    """Headers, queries, forms, URLs and paths (memoized where values repeat)."""

    def __init__(self, config: RedactionConfig) -> None:
        super().__init__(config)
        self._header_kind: dict[str, int] = {}
        self._plain_headers: set[str] = set()  # names ``_classify_header`` found ``_PLAIN``
        self._header_cache: dict[tuple[str, str], str] = {}  # (name, value) → redacted value
        self._url_cache: dict[str, str] = {}
        self._path_cache: dict[str, str] = {}

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
                    key = free_key(key, raw, out, taken)
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
            return self.redact_cookie_header(value)
        if kind == _SET_COOKIE:  # the first pair is the cookie, the rest its attributes
            return self.redact_set_cookie(value)
        if kind == _DISPOSITION:
            return redact_disposition(self, value)
        return self._mask_secret_header(value)

    def _classify_header(self, name: str) -> int:
        low = name.lower()
        if low == "cookie" or (low.endswith("-cookie") and low != "set-cookie"):
            return _COOKIE
        if low == "set-cookie":
            return _SET_COOKIE
        if self.is_secret_header(name):
            return _SECRET
        if low == "content-disposition":  # (a download's file name: ``filename*=UTF-8''...``)
            return _DISPOSITION
        return _PLAIN

    def redact_query(
        self, query: Unchecked[dict[str, list[str]]]
    ) -> Unchecked[dict[str, list[str]]]:
        """A redacted copy of a query map (name → list of values)."""
        if not isinstance(query, dict) or not self.config.enabled:
            return dict(query) if isinstance(query, dict) else query
        out: dict[Any, Any] = {}
        taken: dict[Any, int] | None = None
        for name, values in query.items():
            secret = self.is_secret_param(key_text(name))
            vals = values if isinstance(values, list) else [values]
            red = [self._walk(v, secret, 0) for v in vals]
            key = self.redact_key(name)
            if key is not name and key != name:
                if taken is None:
                    taken = {}
                key = free_key(key, query, out, taken)
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
