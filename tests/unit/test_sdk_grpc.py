"""grpcio replay pieces and the redaction of recorded gRPC calls."""

from __future__ import annotations

import copy
import json

import pytest
from driftdiff_sdk.redact import Redactor

from drift_diff.replay.matching import RecordedCall, match_call

grpc = pytest.importorskip("grpc", reason="grpcio not installed")


def test_recorded_grpc_messages_and_metadata_are_redacted_like_json_bodies() -> None:
    call = {
        "kind": "grpc",
        "command": {
            "method": "/auth.Auth/Login",
            "type": "unary_unary",
            "request": {"user": "ann", "password": "hunter2-pw"},
        },
        "result": {
            "code": "OK",
            "messages": [{"token": "tok_live_abcdef123456", "name": "Ann"}],
            "trailing_metadata": {"authorization": ["Bearer sekrit-token-XYZ123456"]},
        },
    }
    out = json.dumps(Redactor().redact_outbound(call))
    for secret in ("hunter2-pw", "tok_live_abcdef123456", "sekrit-token-XYZ123456"):
        assert secret not in out
    assert '"/auth.Auth/Login"' in out and '"Ann"' in out


def test_replayed_failures_are_rpc_errors_and_client_streaming_is_refused() -> None:
    from driftdiff_sdk.outbound._grpc_replay import FakeChannel, ReplayRpcError

    error = ReplayRpcError({"code": "NOT_FOUND", "details": "gone", "trailing_metadata": {}})
    assert isinstance(error, grpc.RpcError) and isinstance(error, grpc.Call)
    assert error.code() == grpc.StatusCode.NOT_FOUND and error.details() == "gone"
    with pytest.raises(grpc.RpcError) as refused:
        FakeChannel("x:1").stream_unary("/a.B/C")(iter(()))
    assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED  # type: ignore[attr-defined]
    assert "client-streaming" in str(refused.value.details())  # type: ignore[attr-defined]


def test_trailing_metadata_is_redacted_by_the_header_rules() -> None:
    key = "4f9c2b7e1a8d4c3b9e6f0a2d5c8b7e1f"
    call = {
        "kind": "grpc",
        "command": {"method": "/a.B/C", "type": "unary_unary", "request": {}},
        "result": {
            "code": "OK",
            "messages": [{"ok": True}],
            "trailing_metadata": {"ocp-apim-subscription-key": [key], "x-reason": ["fine"]},
        },
    }
    out = Redactor().redact_outbound(call)
    assert key not in json.dumps(out)
    assert out["result"]["trailing_metadata"]["x-reason"] == ["fine"]
    assert out["result"]["messages"] == [{"ok": True}]


def test_a_call_whose_request_the_recording_redacted_still_matches_in_replay() -> None:
    live = {
        "kind": "grpc",
        "command": {
            "method": "/auth.Auth/Login",
            "type": "unary_unary",
            "request": {"user": "ann", "password": "hunter2-pw"},
        },
    }
    recorded = Redactor().redact_outbound({**copy.deepcopy(live), "result": {"code": "OK"}})
    assert recorded["command"]["request"]["password"] != "hunter2-pw"
    assert match_call([RecordedCall(0, recorded)], live).stage == "redacted"
    bob = copy.deepcopy(live)
    bob["command"]["request"]["user"] = "bob"
    missed = match_call([RecordedCall(0, recorded)], bob)
    assert missed.entry is None and "command differed" in missed.explanation
