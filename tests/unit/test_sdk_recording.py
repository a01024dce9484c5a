"""``_recording.Recording``, what every inbound middleware does around a recorded request: an
app that raises before answering is recorded as the 500 the server sends, with its error; an
app that answered is recorded as it answered; the app runs inside the exchange's context."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from driftdiff_sdk import runtime
from driftdiff_sdk.asgi import DriftDiffMiddleware
from driftdiff_sdk.context import current_exchange
from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware


@pytest.fixture
def traces(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "traces"
    runtime.shutdown()


def _config(folder: Path) -> dict[str, Any]:
    return {"mode": "record", "traces_dir": str(folder), "service": "unit", "writer": "thread"}


def _recorded(folder: Path) -> dict[str, dict[str, Any]]:
    runtime.shutdown()  # flushes the writer
    lines = [line for f in sorted(folder.glob("*.jsonl")) for line in f.read_text().splitlines()]
    return {ex["request"]["path"]: ex for ex in map(json.loads, lines)}


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    assert current_exchange() is not None  # outbound calls join the exchange
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("boom")
    start_response("201 Created", [("Content-Type", "application/json")])
    return [b'{"ok": true}']


def test_wsgi_failure_is_a_500_with_its_error_and_an_answer_is_kept(traces: Path) -> None:
    app = DriftDiffWSGIMiddleware(_wsgi_app, **_config(traces))
    for path in ("/ok", "/boom"):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "a=1&a=2",
            "wsgi.input": io.BytesIO(b""), "HTTP_HOST": "h",
        }  # fmt: skip
        try:
            result = app(environ, lambda status, headers, *exc: None)
        except RuntimeError:
            assert path == "/boom"
            continue
        assert b"".join(result) == b'{"ok": true}'
        result.close()  # type: ignore[attr-defined]
    found = _recorded(traces)
    assert found["/ok"]["response"]["status"] == 201 and "meta" not in found["/ok"]
    assert found["/ok"]["request"]["query"] == {"a": ["1", "2"]}
    assert found["/ok"]["response"]["body"] == {"ok": True}
    assert found["/boom"]["response"]["status"] == 500
    assert found["/boom"]["meta"]["error"] == "RuntimeError: boom"
    assert found["/boom"]["service"] == "unit"


def test_asgi_failure_before_answering_is_a_500(traces: Path) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert current_exchange() is not None
        raise ValueError("no answer")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        raise AssertionError("nothing is sent")

    scope = {"type": "http", "method": "POST", "path": "/fail", "query_string": b"x=1",
             "headers": [(b"host", b"h")], "scheme": "http"}  # fmt: skip
    with pytest.raises(ValueError):
        asyncio.run(DriftDiffMiddleware(app, **_config(traces))(scope, receive, send))
    assert current_exchange() is None  # the context is left on the way out
    ex = _recorded(traces)["/fail"]
    assert ex["response"]["status"] == 500 and ex["meta"]["error"] == "ValueError: no answer"
    assert ex["request"]["method"] == "POST" and ex["request"]["query"] == {"x": ["1"]}
