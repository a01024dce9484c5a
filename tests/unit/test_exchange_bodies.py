"""The exchange module's body helpers: JSON layouts and content decoding (bounded)."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from driftdiff_sdk.exchange import decode_content, decoded_content, dump_json, json_layout

BODY = {"name": "café", "tags": ["a", "b"], "n": 1}


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        (json.dumps(BODY, separators=(",", ":"), ensure_ascii=False), "compact"),
        (json.dumps(BODY), "spaced-ascii"),
        (json.dumps(BODY, ensure_ascii=False), "spaced"),
        (json.dumps(BODY, separators=(",", ":")), "compact-ascii"),
        (json.dumps(BODY, indent=2, ensure_ascii=False), "indent-2"),
        (json.dumps(BODY, indent=4, ensure_ascii=False), "indent-4"),
        (json.dumps(BODY) + "\n", None),  # a trailing newline: no layout gives it back
        ('{"n": 1.50}', None),
    ],
)
def test_layout_gives_back_the_bytes(text: str, layout: str | None) -> None:
    data = text.encode()
    parsed = json.loads(data)
    assert json_layout(data, parsed) == layout
    if layout is not None:
        assert dump_json(parsed, layout) == data


def test_decode_content_codings_and_limits() -> None:
    data = b'{"a": 1}' * 50
    assert decode_content(gzip.compress(data), "gzip") == data
    assert decode_content(zlib.compress(data), "deflate") == data
    raw = zlib.compressobj(wbits=-15)
    assert decode_content(raw.compress(data) + raw.flush(), "deflate") == data  # raw deflate
    assert decode_content(gzip.compress(zlib.compress(data)), "deflate, gzip") == data
    assert decode_content(gzip.compress(data), "gzip", limit=10) is None  # a bomb stops
    assert decode_content(gzip.compress(data)[:-8], "gzip") is None  # cut stream
    assert decode_content(data, "gzip") is None  # not encoded after all
    assert decode_content(data, "compress") is None  # unknown coding
    assert decode_content(data, "identity") is None


def test_decoded_content_takes_text_as_already_decoded() -> None:
    data = b'{"a": 1}'
    assert decoded_content(data, "gzip") is data  # a HAR / SDK body stored decoded
    assert decoded_content(gzip.compress(data), "gzip") == data
    assert decoded_content(b"\xff\xfe", "gzip") == b"\xff\xfe"  # binary, not gzip: kept


def test_brotli_when_installed() -> None:
    brotli = pytest.importorskip("brotli", reason="brotli not installed")
    assert decode_content(brotli.compress(b"hello brotli"), "br") == b"hello brotli"
