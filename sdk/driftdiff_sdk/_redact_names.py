"""Secrets in names and cookies: keys of every type, card numbers stored as numbers, cookies.

The second layer of ``Redactor`` (``driftdiff_sdk.redact``), under the walks of JSON
(``_redact_fields``) and of headers, queries and URLs (``_redact_http``): ``NameRedactor``
scans a name as text (``redact_name``: a JSON key, query or form parameter, header, cookie or
multipart part named by an e-mail or a token is masked like text, also right after a ``-`` or
``_``), and a map's key that is not a ``str`` as what it holds (``redact_key``: an ``int`` or a
``float`` that is a card number, the text of a ``bytes`` key, the items of a tuple). Card numbers
stored as numbers (``_card_int``, ``_card_float``) are masked here because keys are numbers too.
Cookies keep their names and lose their values (``redact_cookie_header``,
``redact_set_cookie``), ``Set-Cookie`` values folded into one with commas included
(``_set_cookie_cuts``). Nothing here is public API: import from ``driftdiff_sdk.redact``.

Two names of one map that mask to the same placeholder (``Bob@x.io`` and ``bob@x.io``: e-mails
are masked lower-cased) would make one entry overwrite the other. Nothing is dropped instead:
the later one gets ``~2`` (``~3``...) appended (``free_key``), a name no other entry of the
map has. Text (forms, URL queries and fragments, multipart bodies, cookies) keeps a repeated
name repeated, which loses nothing either.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from driftdiff_sdk._masks import MEMO_LEN, memo_set
from driftdiff_sdk._mypyc import Unchecked, mypyc_attr
from driftdiff_sdk._redact_text import TextRedactor
from driftdiff_sdk.detectors import KNOWN_TOKEN_HINTS
from driftdiff_sdk.limits import MAX_DEPTH, TOO_DEEP

if TYPE_CHECKING:
    from driftdiff_sdk.redact import RedactionConfig

__all__ = ["CARD_MAX", "CARD_MIN", "NameRedactor", "free_key", "key_text"]

# An integer that may be a card number (13-19 digits, the first 2-6: ``_CARD_HINT``'s bounds):
# below, epoch milliseconds (13 digits from 1) and every shorter number are never looked at.
CARD_MIN, CARD_MAX = 2 * 10**12, 7 * 10**18
# Where, inside a name, a secret can start that the text patterns miss: right after a ``-`` or
# ``_`` (their token boundary excludes both: ``x-ghp_...``, ``key_eyJ...``, ``n-4111...``),
# before a vendor token's prefix, a JWT or a card's first digit.
_GLUED = re.compile(
    "[-_](?=" + "|".join(re.escape(h) for h in (*KNOWN_TOKEN_HINTS, "eyJ")) + "|[2-6])"
)
_MAX_GLUED = 8  # places tried per name: linear time whatever the name
# After a comma inside a cookie pair: the ``name=`` of the next cookie (``a=1, b=2``); a comma
# followed by anything else belongs to the value (``a=1,2,3``), which is masked whole.
_NEXT_PAIR = re.compile(r"[ \t]*[^\s;,=\"]+[ \t]*=")
# An attribute up to the comma of its date (``Expires=Wed, 21 Oct 2026 07:28:00 GMT``, RFC 850's
# ``Expires=Wednesday, 21-Oct-26 ...``): that comma does not end the cookie.
_EXPIRES_DAY = re.compile(r"[ \t]*expires[ \t]*=[ \t]*[A-Za-z]{3,9}[ \t]*", re.IGNORECASE)
_SET_COOKIE_STOP = re.compile("[;,=]")  # what ``_set_cookie_cuts`` looks at


@mypyc_attr(allow_interpreted_subclasses=True)
class NameRedactor(TextRedactor):
    """Names and keys of every type, card numbers stored as numbers, cookies (memoized)."""

    def __init__(self, config: RedactionConfig) -> None:
        super().__init__(config)
        self._clean_names: set[str] = set()  # names ``redact_name`` leaves as they are

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

    def redact_key(self, key: Any, depth: int = 0) -> Any:
        """A map's key with the secrets it holds masked, of the same type; the key itself when
        it holds none. A ``str`` is a name (``redact_name``); an ``int`` or ``float`` a number
        that may be a card (json writes it as its digits: ``{4111111111111111: ...}``); a
        ``bytes`` key is read as Latin-1 text and scanned as a name; a tuple or frozenset
        (hashable, so a key) item by item, to ``MAX_DEPTH``. Anything else is kept."""
        if isinstance(key, str):
            return self.redact_name(key)
        if isinstance(key, bool):
            return key
        # a number that stays is returned as ``kept``, the key's own object: ``key`` narrowed
        # to ``int`` or ``float`` is a new object in a compiled build (unboxed, then boxed)
        kept: object = key
        if isinstance(key, int):
            new_int = self._card_int(key)
            return kept if new_int == key else new_int
        if isinstance(key, float):
            new_float = self._card_float(key)
            return kept if new_float == key or new_float != new_float else new_float  # (NaN)
        if isinstance(key, bytes):
            text = key.decode("latin-1")
            new = self.redact_name(text)
            return key if new == text else new.encode("latin-1", "replace")
        if isinstance(key, (tuple, frozenset)):
            if depth >= MAX_DEPTH:
                return TOO_DEEP
            items = [self.redact_key(item, depth + 1) for item in key]
            if all(new is old for new, old in zip(items, key, strict=True)):
                return key
            return tuple(items) if isinstance(key, tuple) else frozenset(items)
        return key

    # ----------------------------------------------------------------- numbers
    def _card_int(self, value: int) -> int:
        """An integer that is a card number written as digits (13-19, Luhn-valid, the first
        2-6) masked as the string of its digits is (``redact_text``: a Luhn-valid card of as
        many digits); any other integer is returned as it is."""
        if value < CARD_MIN or value >= CARD_MAX:
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

    def _card_float(self, value: float) -> float:
        """A float whose value is a whole card number (``4111111111111111.0``, or JSON's
        ``4.111111111111111e15``) masked as that integer is (``_card_int``), still a float; any
        other float (a fraction, NaN, out of the card range) is returned as it is. Above 2**53
        a float does not hold every integer: a 17-19 digit card is looked at as the integer the
        float is, not as the digits it was written with."""
        if not CARD_MIN <= value < CARD_MAX or not value.is_integer():
            return value
        whole = int(value)
        new = self._card_int(whole)
        return value if new == whole else float(new)

    # ----------------------------------------------------------------- cookies
    def redact_cookie_header(self, value: str) -> str:
        """A ``Cookie`` value: every ``name=value`` pair masked (``_mask_cookie``), joined by
        ``; ``."""
        pairs, start, n = [], 0, len(value)
        while True:
            end = _cookie_pair_end(value, start)
            pairs.append(self._mask_cookie(value[start:end]))
            if end >= n:
                return "; ".join(pairs)
            start = end + 1

    def redact_set_cookie(self, value: str) -> str:
        """A ``Set-Cookie`` value: the first pair is the cookie (masked), the rest its
        attributes (kept). Some proxies and HAR producers fold several ``Set-Cookie`` lines into
        one value with commas (``a=1; Path=/, b=2; HttpOnly``): each cookie of it is masked as
        on a line of its own, the commas and the spaces after them kept (``_set_cookie_cuts``
        says where each ends; the comma of an ``Expires`` date does not end one)."""
        cuts = _set_cookie_cuts(value) if "," in value else []
        if not cuts:  # one cookie (the common case)
            end = _cookie_pair_end(value, 0)
            return self._mask_cookie(value[:end]) + value[end:]
        parts: list[str] = []
        start, n = 0, len(value)
        cuts.append(n)
        for cut in cuts:
            cookie = value[start:cut]
            end = _cookie_pair_end(cookie, 0)
            parts.append(self._mask_cookie(cookie[:end]) + cookie[end:])
            start = cut + 1  # past the comma and the spaces after it, kept as they were
            while start < n and value[start] in " \t":
                start += 1
            parts.append(value[cut:start])
        return "".join(parts)

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


def key_text(key: Any) -> Any:
    """What a key's name is for the secret-name rules (``is_secret_key``): a ``bytes`` key read
    as Latin-1 text (``b"password"`` is ``password``), any other key as it is."""
    return key.decode("latin-1") if isinstance(key, bytes) else key


def free_key(name: Any, node: dict[Any, Any], out: dict[Any, Any], taken: dict[Any, int]) -> Any:
    """``name`` (a masked name) if no key of the input map ``node`` nor of the map ``out`` being
    built has it, else ``name~2``, ``name~3``... the first that neither has: two names that
    mask alike (``Bob@x.io``, ``bob@x.io``) keep both entries. ``taken`` remembers the next
    suffix per name, so many names masking alike cost linear time. A masked key that is neither
    ``str`` nor ``bytes`` (a number, a tuple) gets its suffix after its ``str``."""
    if name not in node and name not in out:
        return name
    if not isinstance(name, (str, bytes)):
        name = str(name)
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


def _set_cookie_cuts(value: str) -> list[int]:
    """Where the cookies of a folded ``Set-Cookie`` value end: the commas between them, in
    order (none: one cookie). In a cookie's pair (before its first ``;``) a comma ends it when
    the next cookie's ``name=`` follows (``a=1, b=2``), not inside a quoted value, and else
    belongs to the value (``a=1,2,3``, masked whole); in its attributes every comma ends it but
    the one of an ``Expires`` date (what follows is a cookie, a nameless one too: ``a=1;
    Path=/, abc123``). One pass, each character looked at a bounded number of times."""
    cuts: list[int] = []
    n = len(value)
    i, in_pair, named, attr = 0, True, False, 0  # ``attr``: where the current attribute starts
    while True:
        m = _SET_COOKIE_STOP.search(value, i)
        if m is None:
            return cuts
        i = m.start()
        c = value[i]
        if c == ";":
            in_pair, attr = False, i + 1
        elif c == "=":
            if in_pair and not named:  # the pair's ``=``: its value may be in double quotes
                named = True
                q = i + 1
                while q < n and value[q] in " \t":
                    q += 1
                if q < n and value[q] == '"':
                    close = value.find('"', q + 1)
                    if close == -1:  # left open: the rest is its value
                        return cuts
                    i = close
        elif (
            _NEXT_PAIR.match(value, i + 1) is not None
            if in_pair
            else _EXPIRES_DAY.fullmatch(value, attr, i) is None
        ):
            cuts.append(i)
            in_pair, named = True, False
        i += 1
