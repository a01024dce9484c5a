"""Where secrets are in free text: the scan of ``redact_text``, pattern after pattern.

A layer of ``Redactor`` (``driftdiff_sdk.redact``), on ``PairRedactor``: ``TextRedactor``
replaces the secrets found inside a string — values paired with a secret name (``PairRedactor``,
``_redact_pairs``: ``key=value``, ``"key": value`` and its escaped forms, object literals,
``key: value`` lines), values below a secret key (``_redact_blocks``: YAML ``key:`` and
``key: |`` blocks), secret-named markup (``_redact_markup``: ``<secret>value</secret>`` and
every text of such an element holding children, the ``value``/``content`` of an HTML
``<input>``/``<meta>`` and the text of a ``<textarea>`` whose ``name`` is a secret), and the
shapes of ``_masks``/``detectors`` (e-mail addresses, cards, JWTs, ``Bearer``/``Basic``
credentials, vendor tokens, PEM keys, user regexes, token-like URL path segments). Structured
values (JSON, headers, queries, URLs) are walked by the layers above. Nothing here is public
API: import from ``driftdiff_sdk.redact``.

A value spread over lines or elements (a YAML block, an XML element with children) is found
first, on the text as it came: each such region is masked by its own rule alone, and the rest
of the scan runs on the text between regions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from driftdiff_sdk._masks import AT_SIGN, AUTH_SCHEME, CARD, JWT, MEMO_LEN
from driftdiff_sdk._mypyc import Unchecked, mypyc_attr
from driftdiff_sdk._redact_blocks import yaml_regions
from driftdiff_sdk._redact_markup import (
    secret_element_names,
    sub_html_tag,
    sub_textarea,
    sub_xml_element,
    xml_regions,
)
from driftdiff_sdk._redact_pairs import PairRedactor, norm_key
from driftdiff_sdk._text_patterns import (
    BLOCK_HINT,
    DEEP_ESCAPED_JSON_PAIR,
    ESCAPED_JSON_PAIR,
    HTML_NAMED_TAG,
    JS_PAIR,
    KV_PAIR,
    LINE_PAIR,
    TEXTAREA,
    XML_ELEMENT,
)
from driftdiff_sdk.detectors import (
    PEM_PRIVATE_KEY,
    high_entropy_segment,
    may_hold_known_token,
    sub_known_tokens,
)
from driftdiff_sdk.kinds import REDACTED_PREFIX

if TYPE_CHECKING:
    from driftdiff_sdk.redact import RedactionConfig

__all__ = ["TextRedactor", "norm_key"]

_URL_STARTS = ("http://", "https://")
# Necessary conditions of ``AUTH_SCHEME`` (a scheme word, whitespace, 8 characters: 14 at least)
# and ``CARD`` (13 digits, or 4 then two groups of 4, or 4 then 6, starting with 2-6: 13 at
# least): see ``_may_change``.
_AUTH_HINT = re.compile(r"[Bb](?:earer|asic)\s|B(?:EARER|ASIC)\s")
_CARD_HINT = re.compile(r"[2-6][0-9]{3}(?:[0-9]{9}|[ -][0-9]{4}[ -][0-9]{4}|[ -][0-9]{6})")
# Necessary condition of ``LINE_PAIR``: its separator, ``:`` then a blank or ``=`` next to one.
_LINE_HINT = re.compile(r":[ \t]|[ \t]=|=[ \t]")
_NO_NAMES: frozenset[str] = frozenset()
#: A region of text masked by a rule of its own: start, end, what replaces it.
Region = tuple[int, int, str]


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
            ":" in text  # JSON_PAIR (a quote), JS_PAIR (a quote or a backtick), LINE_PAIR's
            and (  # ``key: value`` (a blank after ``:``), YAML_BLOCK_HEAD (a line break after)
                '"' in text
                or "'" in text
                or ": " in text
                or ":\t" in text
                or "`" in text
                or ("\n" in text and (":\n" in text or ":\r" in text))
                or ":\\" in text  # a line break written out (``\n``, ``\r\n``)
            )
        )
        or "</" in text  # XML_ELEMENT, xml_regions, TEXTAREA
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


@mypyc_attr(allow_interpreted_subclasses=True)
class TextRedactor(PairRedactor):
    """Secret names and secrets inside text, for one ``RedactionConfig`` (memoized)."""

    def __init__(self, config: RedactionConfig) -> None:
        super().__init__(config)
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

    def _scan(self, text: str, whole: bool = True) -> str:
        """Every secret pattern over ``text``, in order (each one sees the previous output;
        each is tried only when its necessary condition of ``_may_change`` holds). A ``whole``
        text first has its regions found (YAML blocks and XML elements with children under a
        secret name, on the text as it came): each is masked by a rule of its own and this
        scan runs on the text between them only (``whole=False``: no regions, no URL rule)."""
        names: frozenset[str] | None = None
        if whole and ("</" in text or (":" in text and ("\n" in text or "\\n" in text))):
            names = secret_element_names(self, text) if "</" in text else _NO_NAMES
            regions: list[Region] = []
            if ":" in text and BLOCK_HINT.search(text) is not None:
                regions = yaml_regions(self, text)
            if names:
                regions += xml_regions(self, text, names)
            if regions:
                return self._scan_regions(text, regions)
        if ":" in text:
            quoted = '"' in text or "'" in text
            if quoted:
                text = self._sub_json_pairs(text)
                if '\\"' in text:
                    text = ESCAPED_JSON_PAIR.sub(self._sub_escaped_json_pair, text)
                    if '\\\\\\"' in text:
                        text = DEEP_ESCAPED_JSON_PAIR.sub(self._sub_deep_escaped_pair, text)
            if quoted or "`" in text:
                text = JS_PAIR.sub(self._sub_js_pair, text)
        if "=" in text:
            text = KV_PAIR.sub(self._sub_kv_pair, text)
        if _LINE_HINT.search(text) is not None:
            text = LINE_PAIR.sub(self._sub_line_pair, text)
        if "</" in text:
            if names is None:
                names = secret_element_names(self, text)
            if names:
                text = XML_ELEMENT.sub(lambda m: sub_xml_element(self, m), text)
        if "<" in text and "=" in text:
            text = HTML_NAMED_TAG.sub(lambda m: sub_html_tag(self, m), text)
            if "</" in text:
                text = TEXTAREA.sub(lambda m: sub_textarea(self, m), text)
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
        if whole and _url_like(text):
            text = self._redact_url_value(text)
        return text

    def _scan_regions(self, text: str, regions: list[Region]) -> str:
        """``text`` with each region replaced (of two that overlap, the first), the text
        between them scanned, then the URL rule."""
        regions.sort()
        parts: list[str] = []
        last = 0
        for start, end, new in regions:
            if start < last:
                continue
            parts += [self._scan(text[last:start], False), new]
            last = end
        parts.append(self._scan(text[last:], False))
        text = "".join(parts)
        return self._redact_url_value(text) if _url_like(text) else text

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
