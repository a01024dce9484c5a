"""Redaction's fast paths give exactly what the full scan and the copying walk give.

The prefilter (``_may_change``) must be a necessary condition of every pattern: when it says
"clean", the full scan must agree. ``share_json`` must equal ``redact_json`` and return the
input's own containers where nothing changed. (``bench/redact_equiv.py`` compares a whole
workload against an older revision; these pin the invariants in the suite.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from driftdiff_sdk import _masks as masks
from driftdiff_sdk import _redact_text, detectors
from driftdiff_sdk.limits import MAX_DEPTH
from driftdiff_sdk.redact import RedactionConfig, Redactor
from hypothesis import given, settings
from hypothesis import strategies as st

# characters and fragments the patterns are made of, so random text hits their edges
_PIECES = [
    "@", "=", '"', ":", "/", " ", "-", ".", "_", "\n", "eyJ", "Bearer ", "basic ", "BASIC ",
    "-----BEGIN RSA PRIVATE KEY-----", "AKIA", "ghp_", "sk_live_", "xoxb-", "SK", "key-",
    "https://", "u:p@", "password", "token", "4111", "1111", "2", "5", "9", "a", "Z", "é",
    "example.com", "x.io", "abcdefgh", "ABCDEFGH", "01234567", "/reset-token/",
    "k7Hq2ZpX9vLw4RtN8sYb3C",
]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@pytest.fixture(scope="module")
def r() -> Redactor:
    return Redactor(RedactionConfig(key=b"fast-paths"))


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_prefilter_never_hides_a_change(text: str) -> None:
    r = Redactor(RedactionConfig(key=b"fast-paths"))
    if not _redact_text._may_change(text):
        assert r._scan(text) == text
    assert r._redact_text(text) == r._scan(text)  # gated: the same as every step in turn
    assert r.redact_text(text) == r._scan(text)  # memoized: the same again


def test_known_token_min_len_is_the_shortest_rule() -> None:
    # re._parser is Python 3.11's name of 3.10's sre_parse
    parser: Any = getattr(re, "_parser", None) or __import__("sre_parse")
    widths = [parser.parse(rule).getwidth()[0] for rule in detectors._TOKEN_RULES]
    assert min(widths) == detectors.KNOWN_TOKEN_MIN_LEN


def test_user_patterns_are_always_scanned() -> None:
    r = Redactor(RedactionConfig(key=b"k", patterns=(re.compile(r"internal-\w+"),)))
    assert r.redact_text("see internal-build7") != "see internal-build7"
    assert r.redact_json({"a": ["internal-x"]}) == r.share_json({"a": ["internal-x"]})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "note", "password", "apiKey", "x"]) | texts, inner, max_size=4
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_share_json_equals_redact_json(value: Any) -> None:
    r = Redactor(RedactionConfig(key=b"fast-paths"))
    before = repr(value)
    shared = r.share_json(value)
    assert repr(shared) == repr(r.redact_json(value))
    assert repr(value) == before  # the input is never touched


def test_share_json_keeps_unchanged_containers(r: Redactor) -> None:
    clean = {"id": 1, "tags": ["a", "b"], "owner": {"name": "Ada"}}
    body = {"items": [clean, {"email": "bob@example.com", "meta": {"k": "v"}}], "total": 2}
    out = r.share_json(body)
    assert out is not body and out["items"] is not body["items"]
    assert out["items"][0] is clean  # nothing under it changed: shared
    assert out["items"][1]["meta"] is body["items"][1]["meta"]
    assert out["items"][1]["email"].endswith("@redacted.invalid")
    assert r.share_json(clean) is clean


def test_share_json_falls_back_for_odd_types_and_depth(r: Redactor) -> None:
    odd = {"t": ("a@b.io", 1), "b": b"x a@b.io", "n": {1: "v"}}
    assert repr(r.share_json(odd)) == repr(r.redact_json(odd))
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH + 3):
        deep = [deep]
    assert r.share_json(deep) == r.redact_json(deep)


def test_gates_of_the_mask_and_the_prefilter_follow_their_patterns() -> None:
    """``_mask_uncached`` tries ``CARD`` only on 13-23 characters starting 2-6, and
    ``_may_match`` tries the Bearer/Basic hint only behind one of its words: both gates are
    read off the patterns here, so changing a pattern without its gate fails."""
    parser: Any = getattr(re, "_parser", None) or __import__("sre_parse")
    assert parser.parse(masks.CARD.pattern, masks.CARD.flags).getwidth() == (13, 23)
    for alternative in masks.CARD.pattern.split("(?:", 1)[1].split("|"):
        assert alternative.startswith(("[2-6]", "3")), alternative
    # the gate's words: ``earer``, ``asic``, ``EARER``, ``ASIC``
    assert _redact_text._AUTH_HINT.pattern == r"[Bb](?:earer|asic)\s|B(?:EARER|ASIC)\s"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["0", "2", "4", "9", " ", "-", "1234", "55555"]), max_size=12))
def test_card_gate_never_skips_a_card(parts: list[str]) -> None:
    value = "".join(parts)
    if masks.CARD.fullmatch(value):
        assert 13 <= len(value) <= 23 and value[0] in "23456"


def test_bearer_jwt_is_masked_as_mask_value_masks_it(r: Redactor) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"
    fresh = Redactor(RedactionConfig(key=b"fast-paths"))
    assert r._mask_secret_header(f"Bearer {jwt}") == f"Bearer {fresh.mask_value(jwt)}"
    assert r._mask_secret_header(f"bearer  {jwt}x.y") == f"bearer  {fresh.mask_value(jwt + 'x.y')}"
