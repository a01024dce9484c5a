"""The SDK records a compressed response decoded (``BodyCapture`` with a content coding);
decoding itself is ``driftdiff_sdk.exchange.decode_content``, tested with the exchange module."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from driftdiff_sdk._inbound import BodyCapture

DOC = json.dumps({"items": [{"id": i, "name": f"item {i}"} for i in range(50)]}).encode()


def _captured(data: bytes, cap: int = 1 << 20) -> BodyCapture:
    capture = BodyCapture(cap)
    capture.add(data)
    return capture


@pytest.mark.parametrize(
    ("coding", "data"),
    [
        ("gzip", gzip.compress(DOC)),
        ("deflate", zlib.compress(DOC)),
        ("deflate, gzip", gzip.compress(zlib.compress(DOC))),
    ],
)
def test_compressed_json_is_recorded_as_json(coding: str, data: bytes) -> None:
    fields = _captured(data).fields("application/json", coding)
    assert fields["body"] == json.loads(DOC) and fields["truncated"] is False


def test_brotli_when_installed() -> None:
    brotli = pytest.importorskip("brotli", reason="brotli is not installed")
    assert _captured(brotli.compress(DOC)).fields("application/json", "br")["body"]


def test_bytes_that_do_not_decode_are_kept_as_they_were() -> None:
    fields = _captured(b"\x1f\x8b garbage").fields("application/json", "gzip")
    assert "body_b64" in fields and "body" not in fields


def test_decoded_content_is_cut_at_the_cap() -> None:
    cap = len(DOC) // 2  # the compressed capture fits; its content does not
    fields = _captured(gzip.compress(DOC), cap=cap).fields("application/json", "gzip")
    assert fields["truncated"] is True and fields["body_text"].encode() == DOC[:cap]


def test_a_compression_bomb_stays_compressed() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # far more than four times the cap
    fields = _captured(bomb, cap=1000).fields("application/octet-stream", "gzip")
    assert "body_b64" in fields and len(fields["body_b64"]) < 20_000


def test_a_cut_compressed_capture_is_kept_compressed() -> None:
    data = gzip.compress(DOC)
    capture = BodyCapture(len(data) // 2)
    capture.add(data)
    fields = capture.fields("application/json", "gzip")
    assert fields["truncated"] is True and "body" not in fields
