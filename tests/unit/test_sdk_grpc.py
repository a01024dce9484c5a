"""grpcio replay pieces and the redaction of recorded gRPC calls."""

from __future__ import annotations

import json

import pytest
from driftdiff_sdk.redact import Redactor

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
