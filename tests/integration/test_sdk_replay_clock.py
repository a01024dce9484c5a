"""SDK replay mode inside the service: the clock reads the recorded time per request, and JWT
decoders accept the recorded (redacted) token's claims — only inside replayed requests.

The ASGI app is called in-process through the SDK middleware; driftdiff's real mock server
answers the SDK over a Unix socket (what ``driftdiff replay`` starts).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from driftdiff_sdk import runtime
from driftdiff_sdk.asgi import DriftDiffMiddleware
from driftdiff_sdk.redact import Redactor

from drift_diff.replay.mockserver import MockServer, MockStore

pytestmark = pytest.mark.integration

RECORDED = {"ex-2020": "2020-02-29T23:59:58.000Z", "ex-2021": "2021-07-04T12:00:00.000Z"}
SECRET = "replay-clock-test-secret-0123456789abcdef"


@pytest.fixture
def mock_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[MockStore]:
    clock = getattr(request, "param", "recorded")
    store = MockStore(
        [{"id": k, "recorded_at": v, "outbound": []} for k, v in RECORDED.items()], clock=clock
    )
    sock = str(tmp_path / "mock.sock")
    loop = asyncio.new_event_loop()
    server = MockServer(store, unix_path=sock)
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DRIFTDIFF_MOCK_SOCKET", sock)
    monkeypatch.setenv("DRIFTDIFF_SOCKET_GUARD", "0")
    try:
        yield store
    finally:
        runtime.shutdown()
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def _clock_app(scope: Any, receive: Any, send: Any) -> None:
    """Reads the clock through every patched name, twice, with a pause in between."""
    first = time.time()
    await asyncio.sleep(0.05)  # another request runs meanwhile
    body = {
        "time": first,
        "time_later": time.time(),
        "time_ns": time.time_ns(),
        "now": datetime.now().isoformat(),  # `from datetime import datetime`
        "now_utc": dt.datetime.now(dt.timezone.utc).isoformat(),  # `import datetime as dt`
        "utcnow": datetime.utcnow().isoformat(),
        "today": date.today().isoformat(),
        "dt_today": dt.date.today().isoformat(),
        "thread_time": await asyncio.to_thread(time.time),  # context copied into the thread
        "isinstance": isinstance(dt.datetime.now(), datetime) and isinstance(date.today(), date),
    }
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": repr(body).encode()})


async def _call(app: Any, exchange_id: str | None) -> dict[str, Any]:
    headers = [(b"x-driftdiff-exchange-id", exchange_id.encode())] if exchange_id else []
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    result: dict[str, Any] = eval(sent[-1]["body"].decode())
    return result


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def _both(app: Any) -> list[dict[str, Any]]:
    return list(await asyncio.gather(_call(app, "ex-2020"), _call(app, "ex-2021")))


def test_each_replayed_request_reads_its_own_recorded_time(mock_server: MockStore) -> None:
    app = DriftDiffMiddleware(_clock_app, mode="replay")
    before = time.time()
    leap, summer = asyncio.run(_both(app))  # concurrent: each sees its own recording's time
    after = time.time()

    # a replayed clock moves on with real time, so by at most what the two requests took in all
    # (however loaded the machine): every reading lies in [recorded, recorded + elapsed]
    elapsed = after - before + 1e-3
    start = _epoch(RECORDED["ex-2020"])
    assert start <= leap["time"] < leap["time_later"] <= start + elapsed  # time goes on
    assert abs(leap["time_ns"] / 1e9 - leap["time"]) <= elapsed
    assert start <= _epoch(leap["now_utc"]) <= start + elapsed
    assert start <= _epoch(leap["utcnow"] + "Z") <= start + elapsed
    days = {date.fromtimestamp(start).isoformat(), date.fromtimestamp(start + elapsed).isoformat()}
    assert leap["today"] in days and leap["dt_today"] in days
    assert abs(leap["thread_time"] - leap["time"]) <= elapsed
    assert leap["isinstance"] is True
    summer_start = _epoch(RECORDED["ex-2021"])
    assert summer_start <= _epoch(summer["now_utc"]) <= summer_start + elapsed
    assert datetime.fromisoformat(summer["now"]).year == 2021
    # outside request handling the clock is real, and the recording was asked once per request
    assert before <= time.time() and after <= time.time()
    assert datetime.now().year >= 2026 and date.today().year >= 2026


def test_request_without_a_recorded_time_reads_the_real_clock(mock_server: MockStore) -> None:
    app = DriftDiffMiddleware(_clock_app, mode="replay")
    before = time.time()
    untagged = asyncio.run(_call(app, None))
    unknown = asyncio.run(_call(app, "not-recorded"))
    assert untagged["time"] >= before and unknown["time"] >= before


@pytest.mark.parametrize("mock_server", ["live"], indirect=True)
def test_live_clock_is_chosen_by_the_replay(mock_server: MockStore) -> None:
    app = DriftDiffMiddleware(_clock_app, mode="replay")
    before = time.time()
    result = asyncio.run(_call(app, "ex-2020"))
    assert result["time"] >= before and result["now_utc"][:4] >= "2026"


def test_record_mode_never_travels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTDIFF_TRACES_DIR", str(tmp_path))
    app = DriftDiffMiddleware(_clock_app, mode="record")
    before = time.time()
    try:
        result = asyncio.run(_call(app, "ex-2020"))
    finally:
        runtime.shutdown()
    assert result["time"] >= before


# --- JWT -------------------------------------------------------------------------------------


def _recorded_token(claims: dict[str, Any]) -> str:
    """A token as a recording holds it: signed with the real key, then redacted."""
    import jwt

    token = jwt.encode(claims, SECRET, algorithm="HS256")
    redacted = Redactor().redact_headers({"authorization": [f"Bearer {token}"]})
    return redacted["authorization"][0].split(" ", 1)[1]


def _jwt_app(decode: Any) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope["headers"])
        try:
            claims: Any = decode(headers[b"authorization"].decode())
        except Exception as exc:
            claims = type(exc).__name__
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": repr(claims).encode()})

    return app


async def _call_with_token(app: Any, token: str, exchange_id: str | None) -> Any:
    headers = [(b"authorization", token.encode())]
    if exchange_id:
        headers.append((b"x-driftdiff-exchange-id", exchange_id.encode()))
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return eval(sent[-1]["body"].decode())


def test_pyjwt_accepts_recorded_claims_only_inside_replayed_requests(
    mock_server: MockStore,
) -> None:
    jwt = pytest.importorskip("jwt", reason="PyJWT is not installed")
    expired = int(_epoch(RECORDED["ex-2020"])) + 60  # expired long ago, valid when recorded
    token = _recorded_token({"sub": "user-42", "aud": "shop", "exp": expired, "scope": "read"})

    def decode(value: str) -> Any:
        return jwt.decode(value, SECRET, algorithms=["HS256"], audience="shop")

    app = DriftDiffMiddleware(_jwt_app(decode), mode="replay")
    claims = asyncio.run(_call_with_token(app, token, "ex-2020"))
    assert claims["sub"] == "user-42" and claims["scope"] == "read" and claims["exp"] == expired
    # the audience check still runs
    wrong_aud = _recorded_token({"sub": "u", "aud": "other", "exp": expired})
    assert asyncio.run(_call_with_token(app, wrong_aud, "ex-2020")) == "InvalidAudienceError"
    # outside a replayed request the real checks apply: the placeholder signature fails
    with pytest.raises(jwt.InvalidSignatureError):
        decode(token)
    runtime.shutdown()
    assert not hasattr(jwt.PyJWT.decode_complete, "__wrapped__")  # restored


def test_python_jose_accepts_recorded_claims_in_replay(mock_server: MockStore) -> None:
    jose_jwt = pytest.importorskip("jose.jwt", reason="python-jose is not installed")
    token = _recorded_token({"sub": "user-7", "exp": 1_000_000_000})

    def decode(value: str) -> Any:
        return jose_jwt.decode(value, SECRET, algorithms=["HS256"])

    app = DriftDiffMiddleware(_jwt_app(decode), mode="replay")
    assert asyncio.run(_call_with_token(app, token, "ex-2021"))["sub"] == "user-7"
    with pytest.raises(jose_jwt.JWTError):
        decode(token)


def test_joserfc_accepts_recorded_claims_in_replay(mock_server: MockStore) -> None:
    joserfc_jwt = pytest.importorskip("joserfc.jwt", reason="joserfc is not installed")
    from joserfc.errors import BadSignatureError, ExpiredTokenError
    from joserfc.jwk import OctKey

    key = OctKey.import_key(SECRET)
    token = _recorded_token({"sub": "user-9", "exp": 1_000_000_000})
    registry = joserfc_jwt.JWTClaimsRegistry(exp={"essential": True})

    def decode(value: str) -> Any:
        claims = joserfc_jwt.decode(value, key, algorithms=["HS256"]).claims
        registry.validate(claims)
        return claims

    app = DriftDiffMiddleware(_jwt_app(decode), mode="replay")
    assert asyncio.run(_call_with_token(app, token, "ex-2021"))["sub"] == "user-9"
    with pytest.raises(BadSignatureError):
        decode(token)
    with pytest.raises(ExpiredTokenError):
        registry.validate({"sub": "user-9", "exp": 1_000_000_000})


def test_wsgi_requests_travel_too(mock_server: MockStore) -> None:
    from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("content-type", "text/plain")])
        return [f"{time.time()}|{date.today().isoformat()}".encode()]

    app = DriftDiffWSGIMiddleware(wsgi_app, mode="replay")

    def call(exchange_id: str) -> list[str]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "HTTP_X_DRIFTDIFF_EXCHANGE_ID": exchange_id,
            "wsgi.input": None,
        }
        body = b"".join(app(environ, lambda *a: None))
        return body.decode().split("|")

    before = time.time()
    stamp, day = call("ex-2021")
    elapsed = time.time() - before + 1e-3  # the replayed clock moves on by at most this
    start = _epoch(RECORDED["ex-2021"])
    assert start <= float(stamp) <= start + elapsed and day == date.fromtimestamp(start).isoformat()
    assert time.time() > start + 86_400  # and after the request, the real clock again
