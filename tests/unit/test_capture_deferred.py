"""The request path keeps raw bytes only (``_capture``); the writer thread encodes and redacts.

A body past the cap is cut and carries the whole body's size and SHA-256; a deferred exchange
materializes to exactly the fields ``encode_body`` gives; the recorder's queue is bounded in
raw bytes too, and nothing unredacted reaches the trace file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

from driftdiff_sdk import recorder
from driftdiff_sdk._capture import RAW_KEY, BodyCapture, defer
from driftdiff_sdk._record import materialize, pending_bytes
from driftdiff_sdk.config import SDKConfig
from driftdiff_sdk.exchange import EXCHANGE_FORMAT, encode_body

DOC = json.dumps({"items": [{"id": i, "password": f"hunter{i}"} for i in range(20)]}).encode()


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_a_body_past_the_cap_keeps_its_size_and_digest() -> None:
    body = bytes(range(256)) * 100  # 25,600 bytes, in chunks that straddle the cap
    capture = BodyCapture(1000)
    for chunk in _chunks(body, 333):
        capture.add(chunk)
    fields = capture.fields("application/octet-stream")
    assert fields["truncated"] is True and len(capture.buf) == 1000
    assert fields["size"] == len(body)
    assert fields["sha256"] == hashlib.sha256(body).hexdigest()


def test_a_body_within_the_cap_has_no_digest() -> None:
    capture = BodyCapture(len(DOC))
    capture.add(DOC)
    fields = capture.fields("application/json")
    assert fields["body"] == json.loads(DOC) and "sha256" not in fields and "size" not in fields


def test_materialize_gives_the_fields_encode_body_gives() -> None:
    req, resp = BodyCapture(1 << 20), BodyCapture(1 << 20)
    req.add(DOC)
    resp.add(gzip.compress(DOC))
    exchange: dict[str, Any] = {"request": {"method": "POST"}, "response": {"status": 200}}
    defer(exchange["request"], req, "application/json", layout=True)
    defer(exchange["response"], resp, "application/json", content_encoding="gzip")
    assert pending_bytes(exchange) == len(req.buf) + len(resp.buf)
    materialize(exchange)
    assert RAW_KEY not in exchange["request"] and RAW_KEY not in exchange["response"]
    assert exchange["request"] == {
        "method": "POST",
        **encode_body(DOC, "application/json", layout=True),
    }
    assert exchange["response"] == {"status": 200, **encode_body(DOC, "application/json")}


def _exchange(i: int, body: bytes) -> dict[str, Any]:
    capture = BodyCapture(1 << 20)
    capture.add(body)
    request: dict[str, Any] = {"method": "POST", "path": "/login", "headers": {}}
    defer(request, capture, "application/json", layout=True)
    return {
        "format": EXCHANGE_FORMAT,
        "id": f"e{i}",
        "source": "sdk",
        "request": request,
        "response": {"status": 204, "headers": {}},
    }


def test_the_writer_redacts_what_the_request_path_queued_raw(tmp_path: Path) -> None:
    rec = recorder.Recorder(SDKConfig(mode="record", service="raw", traces_dir=str(tmp_path)))
    for i in range(5):
        rec.submit(_exchange(i, DOC))
    rec.close()
    text = "".join(p.read_text() for p in tmp_path.glob("*.jsonl"))
    lines = [json.loads(line) for line in text.splitlines()]
    assert [e["id"] for e in lines] == [f"e{i}" for i in range(5)]
    assert "hunter" not in text and RAW_KEY not in text
    assert len(lines[0]["request"]["body"]["items"]) == 20


def test_the_queue_is_bounded_in_raw_bytes(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(recorder, "QUEUE_BYTES", 3 * len(DOC))
    rec = recorder.Recorder(SDKConfig(mode="record", service="raw", traces_dir=str(tmp_path)))
    rec._stop = True  # the thread exits at its next wake: everything stays queued
    rec._wake.set()
    rec._thread.join(5)
    before = recorder.stats()["dropped"]
    for i in range(5):
        rec.submit(_exchange(i, DOC))
    assert len(rec._queue) == 3
    assert recorder.stats()["dropped"] - before == 2
    rec.close()  # drained on the closing thread
    assert len(list(tmp_path.glob("*.jsonl"))) == 1


def test_sampling_decisions_are_counted() -> None:
    from driftdiff_sdk import stats
    from driftdiff_sdk._inbound import sampled

    before = stats()
    decisions = [sampled(1.0), sampled(0.0), sampled(0.0)]
    after = stats()
    assert decisions == [True, False, False]
    assert after["sampled"] - before["sampled"] == 1
    assert after["not_sampled"] - before["not_sampled"] == 2


def test_a_held_tail_gives_the_whole_bodys_digest_by_every_route() -> None:
    from driftdiff_sdk._capture import restore
    from driftdiff_sdk._record import record, sealed, unsealed

    body = bytes(range(256)) * 100
    whole = hashlib.sha256(body).hexdigest()
    buffer = bytearray(333)
    capture = BodyCapture(1000)
    for chunk in _chunks(body, 333):
        if len(chunk) == 333:  # a reused buffer, rewritten after each add: copied when held
            buffer[:] = chunk
            capture.add(buffer)
            buffer[:] = b"\0" * 333
        else:
            capture.add(chunk)
    assert capture.held() == len(body) - 1000 and capture.digest() == whole
    state = capture.state()
    assert state is not None and len(state) == 6  # the tail, not yet a digest
    rec = record("e", "s", "t", 0.0, None, "POST", "u", "/", "", {}, state, 200, {}, None, None, [])
    assert unsealed(rec) and not unsealed(sealed(rec))
    assert sealed(rec)[11] == (1000, capture.buf, True, len(body), whole)
    assert restore(*state).fields("application/octet-stream")["sha256"] == whole
    restored = pickle.loads(pickle.dumps(capture))  # __reduce__ (outbound captures)
    assert restored.fields("application/octet-stream")["sha256"] == whole


def test_past_the_hold_limit_the_digest_is_computed_as_it_streams(monkeypatch: Any) -> None:
    from driftdiff_sdk import _capture

    monkeypatch.setattr(_capture, "HOLD_BYTES", 2000)
    body = bytes(range(256)) * 100
    capture = BodyCapture(1000)
    for chunk in _chunks(body, 333):
        capture.add(chunk)
    assert capture.held() == 0 and capture.state() is not None
    state = capture.state()
    assert state is not None and state[4] == hashlib.sha256(body).hexdigest()
