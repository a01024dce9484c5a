"""``_har_entry.json_body`` (orjson where it gives what ``json.loads`` gives) against
``json.loads`` itself: the same value, of the same types, in the same key order, or both
refuse."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drift_diff.traffic._har_entry import json_body
from tests.unit.test_har_parts import CONFORMANCE


def _same(a: Any, b: Any) -> bool:
    """Equal values of identical types; floats by their repr (``-0.0``, ``nan``), dicts in
    the same key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _outcome(parse: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "ok", parse(data)
    except (ValueError, RecursionError):  # (orjson's errors are ValueErrors)
        return "error", None


def assert_like_json(data: bytes) -> None:
    ours, theirs = _outcome(json_body, data), _outcome(json.loads, data)
    assert ours[0] == theirs[0], (data[:200], ours, theirs)
    if ours[0] == "ok":
        assert _same(ours[1], theirs[1]), (data[:200], ours[1], theirs[1])


@pytest.mark.parametrize(
    "text",
    [
        b'{"id": 18446744073709551615}',  # the largest 64-bit unsigned: orjson is exact
        b'{"id": 18446744073709551616}',  # one more: orjson gives a float, json an int
        b"[-9223372036854775809, 9223372036854775808]",
        b"[123456789012345678901234567890]",
        b'["1234567890123456789012", 1]',  # 19 digits in a string: json's path, same value
        b"[1E400, -1e400, 1e-400, 1.7976931348623159e308]",  # overflow: json gives inf
        b"[NaN, Infinity, -Infinity]",
        b'["\\ud800", "\\udfff x", "\\ud83d\\ude00"]',  # lone surrogates and a pair
        b'"\xed\xa0\x80"',  # a surrogate encoded in the bytes
        b"\xef\xbb\xbf{}",  # a byte order mark
        b'{"a": 1, "b": 2, "a": 3}',  # duplicate key: last value, first place
        b"[-0, -0.0, 0.1, 5e-324, 2.4703282292062327e-324, 1.0e+2, 1E2]",
        b'{"\\u00e9": "\\u0000", "k": [true, false, null]}',
        b"  [1]  \n",
        b"[1,]",
        b"[01]",
        b'"\x01"',
        b"{} x",
        b"",
        # nested 300 levels: both parse; past 1,024 both refuse (in between, how deep either
        # goes depends on the caller's stack)
        b"[" * 300 + b"]" * 300,
        b"[" * 1025 + b"]" * 1025,
        b'{"a": "' + b"\xff" + b'"}',
    ],
)
def test_edge_cases_are_what_json_loads_gives(text: bytes) -> None:
    assert_like_json(text)


def test_every_json_body_of_the_conformance_hars() -> None:
    checked = 0
    for path in sorted(CONFORMANCE.glob("*.har")):
        try:
            entries = json.loads(path.read_bytes())["log"]["entries"]
        except (ValueError, KeyError, TypeError):
            continue
        for entry in entries:
            for holder in (
                entry.get("request", {}).get("postData"),
                entry.get("response", {}).get("content"),
            ):
                text = holder.get("text") if isinstance(holder, dict) else None
                if isinstance(text, str) and text.lstrip()[:1] in ("{", "["):
                    assert_like_json(text.encode("utf-8", "surrogatepass"))
                    checked += 1
    assert checked > 20


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(value=_json, ensure_ascii=st.booleans(), indent=st.sampled_from([None, 0, 2]))
def test_generated_documents_are_what_json_loads_gives(
    value: Any, ensure_ascii: bool, indent: int | None
) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    assert_like_json(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None)
@given(
    digits=st.text("0123456789", min_size=1, max_size=40),
    point=st.integers(0, 40),
    exp=st.one_of(st.none(), st.integers(-400, 400)),
    sign=st.booleans(),
)
def test_generated_numbers_are_what_json_loads_gives(
    digits: str, point: int, exp: int | None, sign: bool
) -> None:
    number = digits.lstrip("0") or "0"
    if 0 < point < len(number):
        number = f"{number[:point]}.{number[point:]}"
    if exp is not None:
        number += f"e{exp}"
    assert_like_json(f"[{'-' if sign else ''}{number}]".encode())


def test_damaged_documents_fail_or_parse_alike() -> None:
    rng = random.Random(7)
    base = json.dumps(
        {"id": 2**70, "n": -1.5e300, "s": "caf\u00e9 \U0001f600", "l": [1, None, True, "x"]},
        ensure_ascii=False,
    ).encode()
    for _ in range(600):
        data = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            data[at] = rng.choice(b'0123456789{}[]",:eE.-+ \\u\xff\xed')
        assert_like_json(bytes(data))
