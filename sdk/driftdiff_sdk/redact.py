"""Secret redaction that keeps each value's format, so schemas learned from it stay right.

Every capture source runs exchanges through ``Redactor.redact_exchange`` before anything is
written (and driftdiff's own writers run replay output, findings and reports through it). What
counts as a secret lives in ``detectors``; what is redacted:

* **headers** named in ``RedactionConfig.headers`` or whose name contains ``auth``, ``token``,
  ``secret``, ``signature``, ``session``, ``cookie``... (an ``Authorization`` scheme such as
  ``Bearer`` is kept; cookie names and ``Set-Cookie`` attributes are kept, values replaced);
* **values under secret keys** (JSON keys at any depth, query and form parameters, multipart
  part names, ``key=value`` and ``"key": value`` pairs inside text) — matched
  case-insensitively, ignoring ``-`` and ``_``, exactly against ``RedactionConfig.keys`` or by a
  strong suffix (``newPassword``, ``csrf_token``); query/form parameters also by the signed-URL
  names (``sig``, ``key``, ``X-Amz-Signature``...);
* **values that are secrets wherever they appear**: e-mail addresses, card numbers (13-19
  digits, contiguous or in groups, Luhn-checked and starting with 2-6 so order numbers and
  epoch milliseconds stay), JWTs, ``Bearer``/``Basic`` credentials, vendor tokens (``AKIA…``,
  ``ghp_…``, ``sk_live_…``, ``xoxb-…``, ``AIza…``...), PEM private keys, ``user:pass@`` in URLs,
  random-looking URL path segments, and user regexes;
* **bodies of every kind** (``_bodies``: base64-stored and multipart) and **datastore calls**
  (``_stores``: Redis keys, fields and values; SQL parameters, literals and rows by column),
  and exception text (``meta.error``).

The replacements keep each value's format (an e-mail stays an e-mail, a card a Luhn-valid card,
a JWT a JWT...) and are derived from a keyed hash; the patterns and placeholders live in
``_masks`` (``Masker`` is ``Redactor``'s base class), the matching and walking here.

Speed: it runs per request in production and over 100k-entry HARs, so regexes are precompiled,
each pattern is tried only when a cheap substring test says it could match, and every pattern
is anchored at a token boundary with bounded repetition (linear time on hostile input). JSON
deeper than ``MAX_DEPTH`` is replaced by a placeholder string instead of recursing further.
Results for short strings, header values and URLs are memoized (bounded), and
``redact_exchange`` shares what it leaves unchanged instead of copying it (``_share``).
Nothing here raises on odd input (bytes, non-str keys, ``None``). Stdlib only.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from driftdiff_sdk._bodies import redact_body_b64, redact_multipart
from driftdiff_sdk._masks import (
    AT_SIGN,
    AUTH_SCHEME,
    CACHE_MAX,
    CARD,
    JSON_PAIR,
    JWT,
    KV_PAIR,
    MEMO_LEN,
    Masker,
    memo,
)
from driftdiff_sdk._share import share_message, share_outbound
from driftdiff_sdk.detectors import (
    PEM_PRIVATE_KEY,
    QUERY_KEYS,
    SECRET_HEADER_PARTS,
    SECRET_HEADERS,
    SECRET_KEY_SUFFIXES,
    SECRET_KEYS,
    high_entropy_segment,
    sub_known_tokens,
)
from driftdiff_sdk.kinds import REDACTED_PREFIX
from driftdiff_sdk.limits import MAX_DEPTH

__all__ = ["DEFAULT_HEADERS", "DEFAULT_KEYS", "MAX_DEPTH", "RedactionConfig", "Redactor"]

DEFAULT_HEADERS = SECRET_HEADERS
#: Secret key names; matching ignores case, ``-`` and ``_`` (``apiKey`` = ``api_key``).
DEFAULT_KEYS = SECRET_KEYS
_KEY_SUFFIXES = SECRET_KEY_SUFFIXES
_HEADER_PARTS = SECRET_HEADER_PARTS
# challenges and CORS policy (``Access-Control-Allow-Credentials: true``), not secrets
_HEADER_EXEMPT = frozenset(
    {"www-authenticate", "proxy-authenticate", "access-control-allow-credentials"}
)

_PLAIN, _COOKIE, _SET_COOKIE, _SECRET = 0, 1, 2, 3  # what a header's name says about its values
_TOO_DEEP = "[redacted: nested deeper than 64 levels]"
_OFF = frozenset({"0", "false", "no", "off"})
_URL_STARTS = ("http://", "https://")


def _tokenish(segment: str) -> bool:
    """A path segment that could be a credential: not a plain lower-case word or slug."""
    return not segment.replace("-", "").replace("_", "").isalpha() or not segment.islower()


def _norm_key(key: object) -> str:
    return str(key).lower().replace("-", "").replace("_", "")


def _split_env(name: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in os.environ.get(name, "").split(",") if p.strip())


@dataclass
class RedactionConfig:
    """What to redact. Names are matched case-insensitively; key names also ignore ``-``/``_``."""

    enabled: bool = True
    headers: frozenset[str] = DEFAULT_HEADERS
    keys: frozenset[str] = DEFAULT_KEYS
    patterns: tuple[re.Pattern[str], ...] = ()
    #: hashing key for placeholders; ``None`` means ``DRIFTDIFF_REDACT_KEY`` or a per-process key
    key: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> RedactionConfig:
        """Defaults plus ``DRIFTDIFF_REDACT`` (``0`` disables), ``DRIFTDIFF_REDACT_HEADERS`` and
        ``DRIFTDIFF_REDACT_KEYS`` (comma-separated names added to the defaults)."""
        return cls(
            enabled=os.environ.get("DRIFTDIFF_REDACT", "1").strip().lower() not in _OFF,
            headers=DEFAULT_HEADERS | _split_env("DRIFTDIFF_REDACT_HEADERS"),
            keys=DEFAULT_KEYS | _split_env("DRIFTDIFF_REDACT_KEYS"),
        )


class Redactor(Masker):
    """Applies a ``RedactionConfig``. Safe to share between threads (caches are plain dicts).

    Placeholders (``mask_value`` and the ``_mask_*`` helpers) come from ``Masker``.
    """

    def __init__(self, config: RedactionConfig | None = None) -> None:
        self.config = config if config is not None else RedactionConfig.from_env()
        super().__init__(self.config.key)
        self._headers = frozenset(h.lower() for h in self.config.headers)
        self._keys = frozenset(_norm_key(k) for k in self.config.keys)
        self._key_cache: dict[str, bool] = {}
        # memoized results (deterministic, so a hit is exactly what recomputing would give):
        # the same header values, URLs and short strings come back request after request
        self._text_cache: dict[str, str] = {}
        self._header_kind: dict[str, int] = {}
        self._header_cache: dict[tuple[str, str], str] = {}  # (name, value) → redacted value
        self._url_cache: dict[str, str] = {}
        self._path_cache: dict[str, str] = {}

    # ----------------------------------------------------------------- matching
    def is_secret_key(self, key: object) -> bool:
        """Whether a JSON/query/form key names a secret (cached: keys repeat a lot)."""
        if not isinstance(key, str):
            key = str(key)
        hit = self._key_cache.get(key)
        if hit is None:
            norm = _norm_key(key)
            hit = norm in self._keys or norm.endswith(_KEY_SUFFIXES)
            if len(self._key_cache) >= CACHE_MAX:
                self._key_cache.clear()
            self._key_cache[key] = hit
        return hit

    def is_secret_param(self, name: object) -> bool:
        """Whether a URL query or form parameter names a secret: a secret key, or one of the
        names that are secret in URLs only (``sig``, ``key``, ``X-Amz-Signature``...)."""
        return self.is_secret_key(name) or _norm_key(name) in QUERY_KEYS

    def is_secret_header(self, name: str) -> bool:
        low = name.lower()
        if low in self._headers:
            return True
        return low not in _HEADER_EXEMPT and any(p in low for p in _HEADER_PARTS)

    # ----------------------------------------------------------------- text
    def redact_text(self, text: str) -> str:
        """Replace secrets inside free text (values, bodies, header values); keeps the rest."""
        if not self.config.enabled or not isinstance(text, str) or not text:
            return text
        if type(text) is not str or len(text) > MEMO_LEN:
            return self._redact_text(text)
        hit = self._text_cache.get(text)
        if hit is None:
            hit = self._redact_text(text)
            memo(self._text_cache, text, hit)
        return hit

    def _redact_text(self, text: str) -> str:
        if '"' in text and ":" in text:
            text = JSON_PAIR.sub(self._sub_json_pair, text)
        if "=" in text:
            text = KV_PAIR.sub(self._sub_kv_pair, text)
        if "@" in text:
            text = AT_SIGN.sub(self._sub_at_sign, text)
        text = sub_known_tokens(text, self._sub_known_token)
        if "PRIVATE KEY-----" in text:
            text = PEM_PRIVATE_KEY.sub(self._sub_pem, text)
        if "eyJ" in text:
            text = JWT.sub(lambda m: self._mask_jwt(m.group()), text)
        if "asic" in text or "earer" in text or "ASIC" in text or "EARER" in text:
            text = AUTH_SCHEME.sub(self._sub_auth, text)
        if len(text) >= 13:
            text = CARD.sub(self._sub_card, text)
        for pattern in self.config.patterns:
            text = pattern.sub(lambda m: self.mask_value(m.group()), text)
        if len(text) >= 9 and (text[0] == "/" or text.startswith(_URL_STARTS)):
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

    def _sub_json_pair(self, m: re.Match[str]) -> str:
        if not self.is_secret_key(m.group(1)):
            return m.group()
        value = m.group(3)
        if value.startswith('"'):
            try:
                inner = json.loads(value)
            except ValueError:
                inner = value[1:-1]
            new = json.dumps(self.mask_value(str(inner)), ensure_ascii=False)
        else:
            new = self._chars("digits", value, len(value.lstrip("-")), "0123456789")
            new = ("-" if value.startswith("-") else "") + (new if new[0] != "0" else "1" + new[1:])
        return f'"{m.group(1)}"{m.group(2)}{new}'

    def _sub_kv_pair(self, m: re.Match[str]) -> str:
        if not m.group(2) or not self.is_secret_param(unquote_plus(m.group(1))):
            return m.group()
        return f"{m.group(1)}={quote_plus(self.mask_value(unquote_plus(m.group(2))), safe='@:')}"

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
        if isinstance(value, (int, float)):
            return self._mask_number(value) if secret else value
        if depth >= MAX_DEPTH:
            return _TOO_DEEP
        if isinstance(value, dict):
            return {
                k: self._walk(v, secret or self.is_secret_key(k), depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            items = [self._walk(v, secret, depth + 1) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, (bytes, bytearray)):
            text = bytes(value).decode("latin-1")
            new = self.mask_value(text) if secret else self.redact_text(text)
            return value if new == text else new.encode("latin-1", "replace")
        return value  # other Python objects: the writer stringifies them; nothing to match here

    # ----------------------------------------------------------------- headers, query, url
    def redact_headers(self, headers: dict[str, list[str]]) -> dict[str, list[str]]:
        """A redacted copy of a header map (name → list of values, or name → value)."""
        if not isinstance(headers, dict):
            return headers
        out: dict[str, Any] = {}
        for name, values in headers.items():
            sname = name.decode("latin-1") if isinstance(name, bytes) else str(name)
            if not self.config.enabled:
                out[name] = list(values) if isinstance(values, list) else values
            elif isinstance(values, list):
                out[name] = [self._redact_header_value(sname, v) for v in values]
            else:
                out[name] = self._redact_header_value(sname, values)
        return out

    def _redact_header_value(self, name: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value if value is None else self._redact_header_value(name, str(value))
        kind = self._header_kind.get(name)
        if kind is None:
            kind = memo(self._header_kind, name, self._classify_header(name))
        if kind == _PLAIN:
            return self.redact_text(value)
        if kind == _COOKIE:
            return "; ".join(self._mask_cookie_pair(p) for p in value.split(";"))
        if kind == _SET_COOKIE:
            first, sep, attrs = value.partition(";")
            return self._mask_cookie_pair(first) + sep + attrs
        return self._mask_secret_header(value)

    def _classify_header(self, name: str) -> int:
        low = name.lower()
        if low == "cookie" or (low.endswith("-cookie") and low != "set-cookie"):
            return _COOKIE
        if low == "set-cookie":
            return _SET_COOKIE
        return _SECRET if self.is_secret_header(name) else _PLAIN

    def redact_query(self, query: dict[str, list[str]]) -> dict[str, list[str]]:
        """A redacted copy of a query map (name → list of values)."""
        if not isinstance(query, dict) or not self.config.enabled:
            return dict(query) if isinstance(query, dict) else query
        out: dict[str, Any] = {}
        for name, values in query.items():
            secret = self.is_secret_param(name)
            vals = values if isinstance(values, list) else [values]
            red = [self._walk(v, secret, 0) for v in vals]
            out[name] = red if isinstance(values, list) else red[0]
        return out

    def redact_form(self, text: str) -> str:
        """Redact an ``application/x-www-form-urlencoded`` string (or a URL's query part)."""
        if not self.config.enabled or not text:
            return text
        parts = []
        for part in text.split("&"):
            name, eq, value = part.partition("=")
            raw = unquote_plus(value)
            if eq and self.is_secret_param(unquote_plus(name)):
                new = self.mask_value(raw)
            else:
                new = self.redact_text(raw)
            parts.append(part if new == raw else f"{name}{eq}{quote_plus(new, safe='@:')}")
        return "&".join(parts)

    def redact_url(self, url: str) -> str:
        """Redact a URL's path (e-mails, JWTs) and query (secret keys, values); keeps the rest."""
        if not self.config.enabled or not isinstance(url, str) or not url:
            return url
        if type(url) is not str or len(url) > MEMO_LEN:
            return self._redact_url(url)
        hit = self._url_cache.get(url)
        if hit is None:
            hit = memo(self._url_cache, url, self._redact_url(url))
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
        return f"{origin}{self.redact_path(path)}{q}{self.redact_form(query)}{hash_}{fragment}"

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
            hit = memo(self._path_cache, path, self._redact_path(path))
        return hit

    def _redact_path(self, path: str) -> str:
        plain = unquote(path)
        red = self._redact_segments(self.redact_text(plain))
        if red == plain:
            return path
        return red if plain == path else quote(red, safe="/:@!$&'()*+,;=%~")

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

    # ----------------------------------------------------------------- exchanges
    def redact_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """A redacted copy of a request/response object of the exchange format."""
        if not isinstance(message, dict):
            return message
        out = dict(message)
        if not self.config.enabled:
            return out
        if "headers" in out:
            out["headers"] = self.redact_headers(out["headers"])
        if "query" in out:
            out["query"] = self.redact_query(out["query"])
        if isinstance(out.get("url"), str):
            out["url"] = self.redact_url(out["url"])
        if isinstance(out.get("path"), str):
            out["path"] = self.redact_path(out["path"])
        if "body" in out:
            out["body"] = self.redact_json(out["body"])
        if isinstance(out.get("body_text"), str):
            out["body_text"] = self.redact_body_text(out["body_text"], out.get("content_type"))
        if isinstance(out.get("body_b64"), str):
            out["body_b64"] = redact_body_b64(self, out["body_b64"], out.get("content_type"))
        return out

    def redact_body_text(self, text: str, content_type: object = None) -> str:
        """Text bodies: form-encoded and JSON-looking text are parsed, the rest scanned."""
        ct = content_type.lower() if isinstance(content_type, str) else ""
        if "x-www-form-urlencoded" in ct:
            return self.redact_form(text)
        if ct.startswith("multipart/") and isinstance(content_type, str):
            return redact_multipart(self, text, content_type)
        head = text[:1] if text[:1] not in " \t\r\n" else text.lstrip()[:1]
        if head in ("{", "[") and len(text) < 50_000_000:
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                return self.redact_text(text)
            red = self.redact_json(parsed)
            if red == parsed:
                return text
            return json.dumps(red, ensure_ascii=False, separators=(",", ":"))
        return self.redact_text(text)

    def redact_outbound(self, call: dict[str, Any]) -> dict[str, Any]:
        """One outbound call of an exchange (HTTP or datastore), redacted as a recording does."""
        out: dict[str, Any] = share_outbound(self, call) if self.config.enabled else dict(call)
        return out

    def redact_exchange(self, exchange: dict[str, Any]) -> dict[str, Any]:
        """A redacted copy of one exchange line: inbound request/response and every outbound call.

        Returns a new dict; request/response objects (and outbound calls) are new; what
        redaction leaves as it was is shared with the input, which is never mutated: fields it
        does not look at (``id``, ``meta``...) and header maps, queries and bodies with nothing
        to redact. The result must not be mutated either (the recorder only serializes it).
        """
        if not isinstance(exchange, dict):
            return exchange
        out = dict(exchange)
        if not self.config.enabled:
            return out
        for part in ("request", "response"):
            if isinstance(out.get(part), dict):
                out[part] = share_message(self, out[part])
        outbound = out.get("outbound")
        if isinstance(outbound, list):
            out["outbound"] = [share_outbound(self, call) for call in outbound]
        meta = out.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("error"), str):
            # exception text: ``OperationalError: ... postgres://app:pw@db``
            out["meta"] = {**meta, "error": self.redact_text(meta["error"])}
        return out
