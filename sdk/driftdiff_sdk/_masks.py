"""Secret patterns and their format-preserving placeholders: the value half of ``redact``.

``_redact_text`` and ``_redact_fields`` decide *where* a secret is (header names, secret keys,
text scanning, JSON walking; the patterns of pairs and markup that say where a value sits in
text are ``_text_patterns``); this module says *what a secret looks like* (the precompiled
patterns of its shapes: e-mails, cards, JWTs, ``Bearer``/``Basic`` credentials) and *what
replaces it* (``Masker``, the base class of ``Redactor``). Kept apart so each half stays
readable; nothing here is public API, import from ``driftdiff_sdk.redact``.

Why format-preserving: inference learns types and formats from these values. An e-mail becomes
``user-<8 hex>@redacted.invalid``, a card a Luhn-valid number with the same length and
separators, a JWT a well-formed JWT (see ``_mask_jwt``: its header and claim names are kept, so
replay mode can hand the service its claims; its signature is replaced), a UUID a UUID, an
integer an integer with as many digits, other secrets a placeholder drawn from the same
character class with a bucketed length (8, 16, 32, 64, ... so a password's length is not leaked).
Placeholders come from a keyed BLAKE2b hash: the key is random per process (or
``DRIFTDIFF_REDACT_KEY``), so a placeholder cannot be brute-forced back into a short password,
while the same secret maps to the same placeholder within a run (distinct values stay distinct).

Every pattern is anchored at a token boundary with bounded repetition (linear time on hostile
input). Stdlib only: this runs inside production services.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from typing import Any

from driftdiff_sdk._mypyc import mypyc_attr
from driftdiff_sdk.detectors import URL_CREDENTIALS, known_token_prefix
from driftdiff_sdk.kinds import (
    REDACTED_EMAIL_DOMAIN,
    REDACTED_JWT_HEADER,
    REDACTED_JWT_PAYLOAD,
    REDACTED_JWT_SIGNATURE,
    REDACTED_PREFIX,
    is_email,
    is_jwt,
    is_uuid,
)
from driftdiff_sdk.limits import MAX_DEPTH, TOO_DEEP

# Local part: the common characters only; '/', '=', '?', '&', quotes are delimiters in URLs and
# text far more often than they are part of an address. Letters and digits may be any script's
# (``frank@bücher.example``, ``josé@例え.jp``: internationalised addresses, RFC 6531), and the
# top-level domain may be an IDN one, raw or in its ``xn--`` form (a ``_`` inside a label is
# let through: one character class is faster than two, and such a host is rare, not harmless).
EMAIL = re.compile(
    r"(?<![\w.+~!-])[\w.+~!-]{1,64}"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}(?:[^\W\d_]{2,24}|xn--[A-Za-z0-9-]{1,59})"
    r"(?![\w-]|:[\w~/])"
)  # ``git@github.com:org/repo.git`` is an SSH remote, not an address
#: ``scheme://user:password@`` (groups 1-3, ``detectors.URL_CREDENTIALS``) or an e-mail address,
#: in one pass: the password of a URL is never mistaken for an address's local part.
AT_SIGN = re.compile(f"{URL_CREDENTIALS.pattern}|{EMAIL.pattern}")
JWT = re.compile(r"(?<![\w-])eyJ[\w-]{2,}={0,2}\.[\w-]{2,}={0,2}\.[\w-]*={0,2}(?![\w-])")
CARD = re.compile(
    r"(?<![\w.,-])(?:[2-6]\d{12,18}|[2-6]\d{3}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?"
    r"|3\d{3}[ -]\d{6}[ -]\d{4,5})(?![\w-])",
    re.ASCII,
)
AUTH_SCHEME = re.compile(r"\b(Bearer|bearer|BEARER|Basic|basic|BASIC)(\s+)([\w~+/.=-]{8,})")
SCHEME_VALUE = re.compile(r"([A-Za-z][\w-]{0,30})( +)(\S.*)", re.DOTALL)
HEX = re.compile(r"[0-9a-f]{8,}|[0-9A-F]{8,}")

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
# The placeholders' marks (e-mail domain, JWT header and payload, secret prefix) and the kind
# checks are shared with inference and replay: ``driftdiff_sdk.kinds``.
#: Claims whose values a redacted JWT keeps (redacted as a JSON body is: an e-mail ``sub`` is
#: still masked): who, for whom, what scope, when — what replay mode hands the service so that
#: authorization decides as it did. Every other claim keeps its name and a placeholder value.
JWT_CLEAR_CLAIMS = frozenset({
    "iss", "sub", "aud", "exp", "nbf", "iat", "auth_time", "jti", "azp", "client_id",
    "scope", "scp", "scopes", "roles", "role", "groups", "permissions", "typ", "type",
    "token_type", "token_use", "amr", "acr",
})  # fmt: skip
CACHE_MAX = 8192
MEMO_LEN = 256  # strings up to this long have their redaction memoized (header values, URLs)

_PROCESS_KEY = os.urandom(32)
_JWT_PLACEHOLDER = f"{REDACTED_JWT_HEADER}.{REDACTED_JWT_PAYLOAD}."
_URLSAFE = bytes.maketrans(b"+/", b"-_")  # base64 → base64url (``base64.urlsafe_b64encode``)
_TABLES: dict[str, bytes] = {}  # alphabet (ASCII) → ``bytes.translate`` table for ``_chars``


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _luhn_check_digit(body: str) -> str:
    for d in "0123456789":
        if _luhn_ok(body + d):
            return d
    return "0"  # unreachable: one of ten digits always completes a Luhn sum


def _b64_json(part: str) -> Any:
    """A JWT segment decoded (base64url, JSON), or ``None`` when it is not one."""
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return None


def memo(cache: dict[Any, Any], key: Any, value: Any, limit: int = CACHE_MAX) -> Any:
    """Store ``value`` under ``key`` in a cache of ``limit`` entries (full: it starts over);
    returns it."""
    if len(cache) >= limit:
        cache.clear()  # a cache of unique values (ids in URLs) does not grow without bound
    cache[key] = value
    return value


def memo_set(cache: set[Any], key: Any, limit: int = CACHE_MAX) -> None:
    """Add ``key`` to a set of ``limit`` entries (full: it starts over)."""
    if len(cache) >= limit:
        cache.clear()
    cache.add(key)


@mypyc_attr(allow_interpreted_subclasses=True)
class Masker:
    """Keyed, cached, format-preserving placeholders (``Redactor`` adds where to apply them).

    ``_sub_auth``/``_sub_card`` are ``re.sub`` callbacks for ``AUTH_SCHEME``/``CARD`` matches.
    """

    def __init__(self, key: bytes | None, cache_size: int = CACHE_MAX) -> None:
        """``key`` hashes placeholders; ``None`` means ``DRIFTDIFF_REDACT_KEY`` or per-process.
        ``cache_size``: entries per memo (per generation where there are two)."""
        self._cache_max = max(1, cache_size)
        env_key = os.environ.get("DRIFTDIFF_REDACT_KEY")
        raw = key or (env_key.encode() if env_key else _PROCESS_KEY)
        self._key = hashlib.blake2b(raw, digest_size=32).digest()
        self._mask_cache: dict[str, str] = {}
        self._hashers: dict[str, Any] = {}  # kind → keyed hash state, copied per value
        self._jwt_claims: dict[tuple[str, str], str] = {}  # (header, payload) → new payload

    def _digest(self, kind: str, value: str, size: int = 32) -> bytes:
        """``size`` bytes of keyed hash of ``value``: the only source of placeholder content."""
        keyed = self._hashers.get(kind)
        if keyed is None:  # the key block is hashed once per kind, not once per value
            keyed = hashlib.blake2b(key=self._key, person=kind.encode()[:16])
            self._hashers[kind] = keyed
        h = keyed.copy()
        h.update(value.encode("utf-8", "surrogatepass"))
        seed = h.digest()
        if size <= 64:  # the seed's own length: nothing to expand
            return seed[:size]
        out, counter = seed, 0
        while len(out) < size:  # expand the 64-byte seed (values are hashed once, not per block)
            counter += 1
            out += hashlib.blake2b(seed, digest_size=64, salt=counter.to_bytes(16, "big")).digest()
        return out[:size]

    def _chars(self, kind: str, value: str, n: int, alphabet: str) -> str:
        """``n`` characters of ``alphabet`` drawn from the keyed hash (byte ``b`` gives
        ``alphabet[b % len(alphabet)]``, mapped in one ``bytes.translate``)."""
        raw = self._digest(kind, value, n)
        table = _TABLES.get(alphabet)
        if table is None:
            table = _TABLES[alphabet] = bytes(ord(alphabet[b % len(alphabet)]) for b in range(256))
        return raw.translate(table).decode("ascii")

    def _mask_email(self, email: str) -> str:
        if email.endswith(REDACTED_EMAIL_DOMAIN):
            return email
        return f"user-{self._digest('email', email.lower(), 4).hex()}{REDACTED_EMAIL_DOMAIN}"

    def mask_token(self, kind: str, value: str, n: int) -> str:
        """``redacted`` and ``n`` hashed characters: the placeholder of a token whose format
        does not matter (URL passwords, path segments); ``kinds`` recognises it."""
        return REDACTED_PREFIX + self._chars(kind, value, n, _B32)

    def _sub_at_sign(self, m: re.Match[str]) -> str:
        """``AT_SIGN`` callback: URL credentials keep their shape, an e-mail stays an e-mail."""
        scheme = m.group(1)
        if scheme is None:
            return self._mask_email(m.group())
        user, password = m.group(2), m.group(3)
        if password.startswith(REDACTED_PREFIX):
            return m.group()  # already a placeholder
        name = self.mask_value(user) if user else ""
        return f"{scheme}{name}:{self.mask_token('url', password, 8)}@"

    def _sub_known_token(self, m: re.Match[str]) -> str:
        """``KNOWN_TOKEN`` callback: the vendor prefix stays, the body becomes a placeholder
        that no secret scanner (ours included) takes for a live token."""
        prefix, body = known_token_prefix(m)
        if f"{REDACTED_PREFIX}-" in body or body.endswith("EXAMPLE"):  # a placeholder already
            return m.group()
        if body.isupper() and body.isalnum():  # AWS key ids: AWS's own documentation style
            fill = self._chars("token", body, len(body) - 7, _B32.upper())
            return f"{prefix}{fill}EXAMPLE"
        return f"{prefix}{REDACTED_PREFIX}-{self._chars('token', body, 8, _B32)}"

    def _sub_pem(self, m: re.Match[str]) -> str:
        """``PEM_PRIVATE_KEY`` callback: the BEGIN/END lines stay, the key material goes."""
        begin, body, end = m.group(1), m.group(2), m.group(3)
        if body.replace("\\n", "").strip() == "REDACTED":
            return m.group()
        newline = "\\n" if "\\n" in body and "\n" not in body else "\n"
        end = end or begin.replace("BEGIN", "END", 1)
        return f"{begin}{newline}REDACTED{newline}{end}"

    def _mask_jwt(self, token: str) -> str:
        """The original header, ``{"redacted": true, ...claims}`` and a placeholder signature.

        A JWT is a credential because of its signature, which is replaced (the placeholder
        verifies under no key). Its claims stay readable as claims: names all kept, values of
        ``JWT_CLEAR_CLAIMS`` redacted like a JSON body, others replaced by format-preserving
        placeholders. A token whose parts do not decode keeps no claim.
        """
        if token.startswith(_JWT_PLACEHOLDER):
            return token
        header, _, rest = token.partition(".")
        payload, _, signature = rest.partition(".")
        if signature.startswith(REDACTED_JWT_SIGNATURE):
            return token
        # ``base64.urlsafe_b64encode`` as it is written, without its two Python-level calls
        raw = binascii.b2a_base64(self._digest("jwt", token), newline=False)
        digest = raw.translate(_URLSAFE).rstrip(b"=").decode()
        # tokens of one session differ in their signature (and "iat"...) only: the claims
        # part depends on the header and payload alone, so it is memoized
        new_payload = self._jwt_claims.get((header, payload))
        if new_payload is None:
            new_payload = memo(
                self._jwt_claims,
                (header, payload),
                self._jwt_payload(header, payload),
                self._cache_max,
            )
        if not new_payload:
            return f"{REDACTED_JWT_HEADER}.{REDACTED_JWT_PAYLOAD}.{digest}"
        return f"{header}.{new_payload}.{REDACTED_JWT_SIGNATURE}{digest}"

    def _jwt_payload(self, header: str, payload: str) -> str:
        """The redacted payload segment of a JWT, or ``""`` when its parts do not decode."""
        claims = _b64_json(payload)
        if not isinstance(claims, dict) or not isinstance(_b64_json(header), dict):
            return ""
        kept: dict[str, Any] = {"redacted": True}
        for name, value in claims.items():
            if name != "redacted":
                clear = name in JWT_CLEAR_CLAIMS
                kept[name] = self.redact_json(value) if clear else self._mask_claim(value)
        text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    def redact_json(self, value: Any) -> Any:
        """Redaction of a decoded JSON value (``Redactor`` walks it; a bare ``Masker`` keeps it)."""
        return value

    def _mask_claim(self, value: Any, depth: int = 0) -> Any:
        """A secret claim's value masked leaf by leaf, its shape kept whole (every item: replay
        hands the service these claims), nesting cut at the one depth limit like JSON bodies."""
        if isinstance(value, str):
            return self.mask_value(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float)):
            return self._mask_number(value)
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, list):
            return [self._mask_claim(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {str(k): self._mask_claim(v, depth + 1) for k, v in value.items()}
        return None

    def _mask_card(self, text: str) -> str:
        digits = [c for c in text if c.isdigit()]
        fresh = self._chars("card", "".join(digits), len(digits), "0123456789")
        body = str(4 + int(fresh[0]) % 2) + fresh[1:-1]  # a 4 or 5 lead: Visa/Mastercard-like
        new = iter(body + _luhn_check_digit(body))
        return "".join(next(new) if c.isdigit() else c for c in text)

    def _mask_uuid(self, value: str) -> str:
        b = bytearray(self._digest("uuid", value.lower(), 16))
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        out = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return out.upper() if value.isupper() else out

    def _mask_basic(self, creds: str) -> str:
        user = self._digest("basic", creds, 4).hex()
        return base64.b64encode(f"user-{user}:redacted".encode()).decode()

    def _mask_secret_header(self, value: str) -> str:
        """The value of a secret header: a JWT or a scheme's credentials keep their shape."""
        if value.startswith("eyJ") and is_jwt(value):
            return self._mask_jwt(value)
        m = SCHEME_VALUE.fullmatch(value)
        if m is not None:
            scheme, space, creds = m.groups()
            if scheme.lower() == "basic":
                return f"{scheme}{space}{self._mask_basic(creds)}"
            if creds.startswith("eyJ") and is_jwt(creds):  # ``mask_value``'s result, unmemoized:
                return f"{scheme}{space}{self._mask_jwt(creds)}"  # a JWT is not a UUID, e-mail
            return f"{scheme}{space}{self.mask_value(creds)}"
        return self.mask_value(value)

    def _mask_cookie_pair(self, pair: str) -> str:
        name, eq, value = pair.strip().partition("=")
        return f"{name}={self.mask_value(value)}" if eq else name

    def _sub_auth(self, m: re.Match[str]) -> str:
        scheme, space, creds = m.groups()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(creds, validate=True)
            except ValueError:
                return m.group()
            if b":" not in decoded:
                return m.group()
            return f"{scheme}{space}{self._mask_basic(creds)}"
        return f"{scheme}{space}{self.mask_value(creds)}"

    def _sub_card(self, m: re.Match[str]) -> str:
        text = m.group()
        digits = text.replace(" ", "").replace("-", "")
        return self._mask_card(text) if _luhn_ok(digits) else text

    def mask_value(self, value: str) -> str:
        """The placeholder of a secret string, keeping its recognisable format."""
        cached = self._mask_cache.get(value)
        if cached is not None:
            return cached
        out = self._mask_uncached(value)
        if len(self._mask_cache) >= self._cache_max:
            self._mask_cache.clear()
        self._mask_cache[value] = out
        return out

    def _mask_uncached(self, value: str) -> str:
        # each kind test behind its own first necessary condition (``is_uuid``: 36 characters,
        # ``is_email``: an ``@``, ``is_jwt``: ``eyJ``; a ``CARD``: 13-23 characters, the first
        # 2-6), so the common secret costs no call that cannot succeed
        n = len(value)
        if n == 0:
            return value
        if n == 36 and is_uuid(value):
            return self._mask_uuid(value)
        if "@" in value and is_email(value):
            return self._mask_email(value)
        if value.startswith("eyJ") and is_jwt(value):
            return self._mask_jwt(value)
        if value.isdigit() and value.isascii():
            if 13 <= n <= 19 and _luhn_ok(value):
                return self._mask_card(value)
            return self._chars("digits", value, min(n, 1024), "0123456789")
        if (
            13 <= n <= 23
            and value[0] in "23456"
            and CARD.fullmatch(value)
            and _luhn_ok(value.replace(" ", "").replace("-", ""))
        ):
            return self._mask_card(value)
        size = 8  # length classes 8, 16, 32, ... 1024: the exact length is not leaked
        while size < n and size < 1024:
            size *= 2
        if HEX.fullmatch(value):
            alphabet = "0123456789abcdef" if not value.isupper() else "0123456789ABCDEF"
            return self._chars("hex", value, size, alphabet)
        fill = self._chars("str", value, size, _B32)
        return (REDACTED_PREFIX + fill)[:size] if size >= 16 else fill

    def _mask_number(self, value: int | float) -> int | float:
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return value
            whole = self._mask_number(int(value))
            try:
                masked = float(whole)
            except OverflowError:  # near the float limit the masked digits may not fit
                return 0.0
            return masked + (self._digest("frac", repr(value), 1)[0] % 100) / 100
        if value.bit_length() > 3000:  # str() refuses ints this long; nobody's PIN is one
            return 0
        digits = str(abs(value))
        fresh = self._chars("int", digits, len(digits), "0123456789")
        if len(fresh) > 1 and fresh[0] == "0":
            fresh = "1" + fresh[1:]
        return -int(fresh) if value < 0 else int(fresh)
