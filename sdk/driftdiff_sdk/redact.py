"""Secret redaction that keeps each value's format, so schemas learned from it stay right.

Every capture source runs exchanges through ``Redactor.redact_exchange`` before anything is
written (and driftdiff's own writers run replay output, findings and reports through it). What
counts as a secret lives in ``detectors``; what is redacted:

* **headers** named in ``RedactionConfig.headers`` or whose name contains ``auth``, ``token``,
  ``secret``, ``signature``, ``session``, ``cookie``... (an ``Authorization`` scheme such as
  ``Bearer`` is kept; cookie names and ``Set-Cookie`` attributes are kept, values replaced, a
  value in double quotes whole, ``;`` and all, every cookie of a ``Set-Cookie`` value folded
  with commas too);
* **values under secret keys** (JSON keys at any depth, query and form parameters, multipart
  part names, ``key=value`` and ``"key": value`` pairs inside text) — matched
  case-insensitively, ignoring ``-`` and ``_``, exactly against ``RedactionConfig.keys`` or by a
  strong suffix (``newPassword``, ``csrf_token``); query/form parameters also by the signed-URL
  names (``sig``, ``key``, ``X-Amz-Signature``...);
* **values that are secrets wherever they appear**: e-mail addresses, card numbers (13-19
  digits, contiguous or in groups, Luhn-checked and starting with 2-6 so order numbers and
  epoch milliseconds stay; a JSON integer too, replaced by a Luhn-valid integer of as many
  digits, and a float that is one, ``4111111111111111.0``), JWTs, ``Bearer``/``Basic``
  credentials, vendor tokens (``AKIA…``, ``ghp_…``, ``sk_live_…``, ``xoxb-…``, ``AIza…``...),
  PEM private keys, ``user:pass@`` in URLs, random-looking URL path segments, and user regexes;
  in a URL's fragment too (``#access_token=…``, read as a form);
* **names holding such a secret** (``redact_name``): JSON keys, query and form parameters,
  header, cookie and multipart part names (``name*=`` of RFC 2231 decoded) are masked like
  text, also right after a ``-`` or ``_`` (``x-ghp_…``); a key that is not a ``str``
  (``redact_key``) by what it holds: a card number as an ``int`` or ``float``, the text of a
  ``bytes`` key, the items of a tuple. Two names of one map that mask alike keep both entries:
  the later gets ``~2`` appended (``_redact_names.free_key``). A file name given as
  ``filename*=UTF-8''…`` (multipart parts, the ``Content-Disposition`` header) is decoded and
  scanned as ``filename="…"`` is (``_disposition``);
* **bodies of every kind** (``_bodies``: base64-stored and multipart) and **datastore calls**
  (``_stores``: Redis keys, fields and values; SQL parameters, literals and rows by column),
  and exception text (``meta.error``).

The replacements keep each value's format (an e-mail stays an e-mail, a card a Luhn-valid card,
a JWT a JWT...) and are derived from a keyed hash. One class, six layers, one module each:
the patterns and placeholders (``_masks.Masker``), secret names and secrets in free text
(``_redact_text.TextRedactor``), names, keys of every type and cookies
(``_redact_names.NameRedactor``), JSON (``_redact_fields.FieldRedactor``), headers, queries,
URLs and paths (``_redact_http.HttpRedactor``), and messages, bodies and exchanges
(``Redactor``, here).

Speed: it runs per request in production and over 100k-entry HARs, so regexes are precompiled,
a string is scanned only when a few substring tests (a necessary condition of every pattern,
``_redact_text._may_change``) say that something could match, and every pattern is anchored at
a token boundary with bounded repetition (linear time on hostile input). JSON deeper than
``MAX_DEPTH`` is replaced by a placeholder string instead of recursing further. Results for
short strings, header values and URLs are memoized (bounded), and ``redact_exchange`` shares
what it leaves unchanged instead of copying it (``_share``, ``share_json``).
Nothing here raises on odd input (bytes, non-str keys, ``None``). Stdlib only.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from driftdiff_sdk._bodies import redact_body_b64, redact_multipart
from driftdiff_sdk._masks import CACHE_MAX
from driftdiff_sdk._mypyc import Unchecked, mypyc_attr
from driftdiff_sdk._redact_http import HttpRedactor
from driftdiff_sdk._share import share_message, share_outbound
from driftdiff_sdk.detectors import SECRET_HEADERS, SECRET_KEYS
from driftdiff_sdk.limits import MAX_DEPTH

__all__ = ["DEFAULT_HEADERS", "DEFAULT_KEYS", "MAX_DEPTH", "RedactionConfig", "Redactor"]

DEFAULT_HEADERS = SECRET_HEADERS
#: Secret key names; matching ignores case, ``-`` and ``_`` (``apiKey`` = ``api_key``).
DEFAULT_KEYS = SECRET_KEYS
_OFF = frozenset({"0", "false", "no", "off"})


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
    #: entries per memo of results (strings, headers, URLs, placeholders), two generations for
    #: strings: the bound on what redaction keeps in memory. A batch import can afford more.
    cache_size: int = CACHE_MAX

    @classmethod
    def from_env(cls) -> RedactionConfig:
        """Defaults plus ``DRIFTDIFF_REDACT`` (``0`` disables), ``DRIFTDIFF_REDACT_HEADERS`` and
        ``DRIFTDIFF_REDACT_KEYS`` (comma-separated names added to the defaults)."""
        return cls(
            enabled=os.environ.get("DRIFTDIFF_REDACT", "1").strip().lower() not in _OFF,
            headers=DEFAULT_HEADERS | _split_env("DRIFTDIFF_REDACT_HEADERS"),
            keys=DEFAULT_KEYS | _split_env("DRIFTDIFF_REDACT_KEYS"),
        )


@mypyc_attr(allow_interpreted_subclasses=True)
class Redactor(HttpRedactor):
    """Applies a ``RedactionConfig``. Safe to share between threads (caches are plain dicts).

    Layers, each its own module: placeholders (``mask_value`` and the ``_mask_*`` helpers) come
    from ``Masker`` (``_masks``), secret names and free text from ``TextRedactor``
    (``_redact_text``), names, keys and cookies from ``NameRedactor`` (``_redact_names``), JSON
    from ``FieldRedactor`` (``_redact_fields``), headers, queries and URLs from
    ``HttpRedactor`` (``_redact_http``); messages, bodies and whole exchanges are redacted here.
    """

    def __init__(self, config: RedactionConfig | None = None) -> None:
        super().__init__(config if config is not None else RedactionConfig.from_env())

    # ----------------------------------------------------------------- exchanges
    def redact_message(self, message: Unchecked[dict[str, Any]]) -> Unchecked[dict[str, Any]]:
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

    def redact_outbound(self, call: Unchecked[dict[str, Any]]) -> Unchecked[dict[str, Any]]:
        """One outbound call of an exchange (HTTP or datastore), redacted as a recording does."""
        out: Unchecked[dict[str, Any]]
        out = share_outbound(self, call) if self.config.enabled else dict(call)
        return out

    def redact_exchange(self, exchange: Unchecked[dict[str, Any]]) -> Unchecked[dict[str, Any]]:
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
