"""A FastAPI service calling a gRPC ``notes.Notes`` service (``GRPC_TARGET``): ``Get`` and
``Login`` are unary-unary, ``List`` server-streaming (asking for more notes than there are ends
the stream with ``OUT_OF_RANGE`` after the notes); messages are ``google.protobuf.Struct``.
Failures are answered with their code, details and trailing metadata, so a replay that lost any
of them answers differently. ``Login`` carries the planted secrets of ``tests.e2e.planted`` in
its request metadata and message, and the server in its reply message and trailing metadata.

``notes_servicer()`` is the real gRPC server side the tests run (``grpc_notes_server``).
``GRPC_VARIANT=extra-call`` is a changed build that also asks ``Get`` for the note's author,
``extra-stream`` one that lists the notes again with their authors: calls the recording never
saw (unary-unary, server-streaming).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct

from tests.e2e import planted

GET = "/notes.Notes/Get"
LIST = "/notes.Notes/List"
LOGIN = "/notes.Notes/Login"
NOTES = {"alpha": {"title": "alpha", "body": "first", "stars": 3}, "beta": {"title": "beta"}}
channel: Any = None


def _struct(value: dict[str, Any]) -> Struct:
    message = Struct()
    message.update(value)
    return message


def notes_servicer() -> grpc.GenericRpcHandler:
    def get(request: Struct, context: grpc.ServicerContext) -> Struct:
        name = str(request["name"])
        if name not in NOTES:
            context.set_trailing_metadata((("x-reason", "no such note"),))
            context.abort(grpc.StatusCode.NOT_FOUND, f"note {name} not found")
        return _struct(NOTES[name])

    def list_notes(request: Struct, context: grpc.ServicerContext) -> Iterator[Struct]:
        limit = int(request["limit"])
        for note in list(NOTES.values())[:limit]:
            yield _struct(note)
        if limit > len(NOTES):
            context.set_trailing_metadata((("x-reason", f"only {len(NOTES)} notes"),))
            context.abort(grpc.StatusCode.OUT_OF_RANGE, f"limit {limit} past the end")

    def login(request: Struct, context: grpc.ServicerContext) -> Struct:
        metadata = dict(context.invocation_metadata())
        if metadata.get("authorization") != f"Bearer {planted.BEARER}":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no bearer token")
        context.set_trailing_metadata(
            (
                ("authorization", f"Bearer {planted.STRIPE}"),
                ("x-api-key", planted.APIM_KEY),
                ("ocp-apim-subscription-key", planted.APIM_KEY),
                ("x-session", planted.JWT),
            )
        )
        user = str(request["user"])
        return _struct({"user": user, "token": planted.JWT, "email": planted.EMAIL})

    return grpc.method_handlers_generic_handler(
        "notes.Notes",
        {
            "Get": grpc.unary_unary_rpc_method_handler(
                get, Struct.FromString, Struct.SerializeToString
            ),
            "List": grpc.unary_stream_rpc_method_handler(
                list_notes, Struct.FromString, Struct.SerializeToString
            ),
            "Login": grpc.unary_unary_rpc_method_handler(
                login, Struct.FromString, Struct.SerializeToString
            ),
        },
    )


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global channel
    channel = grpc.insecure_channel(os.environ.get("GRPC_TARGET", "127.0.0.1:9"))
    yield
    channel.close()


api = FastAPI(lifespan=lifespan)


@api.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


@api.get("/notes/{name}")
def get_note(name: str) -> Any:
    get = channel.unary_unary(
        GET, request_serializer=Struct.SerializeToString, response_deserializer=Struct.FromString
    )
    try:
        reply = get(_struct({"name": name}), timeout=5)
    except grpc.RpcError as exc:
        return JSONResponse(_failure(exc), status_code=404)
    if os.environ.get("GRPC_VARIANT") == "extra-call":
        get(_struct({"name": name, "fields": ["author"]}), timeout=5)
    return json_format.MessageToDict(reply)


@api.get("/notes")
def list_notes(limit: int = 10) -> dict[str, Any]:
    stream = channel.unary_stream(
        LIST, request_serializer=Struct.SerializeToString, response_deserializer=Struct.FromString
    )
    notes: list[dict[str, Any]] = []
    try:
        for message in stream(_struct({"limit": limit})):
            notes.append(json_format.MessageToDict(message))
    except grpc.RpcError as exc:
        return {"notes": notes, **_failure(exc)}
    if os.environ.get("GRPC_VARIANT") == "extra-stream":
        list(stream(_struct({"limit": limit, "fields": ["author"]})))
    return {"notes": notes}


@api.post("/session")
def session() -> dict[str, Any]:
    login = channel.unary_unary(
        LOGIN, request_serializer=Struct.SerializeToString, response_deserializer=Struct.FromString
    )
    request = {"user": "ann", "password": planted.FORM_PASSWORD, "api_key": planted.GOOGLE_KEY_2}
    metadata = (("authorization", f"Bearer {planted.BEARER}"), ("x-api-key", planted.APIM_KEY))
    reply, call = login.with_call(_struct(request), metadata=metadata, timeout=5)
    trailing = {key: value for key, value in call.trailing_metadata()}
    return {
        "user": reply["user"],
        "has_token": bool(reply["token"]),
        "trailing": sorted(trailing),
        "code": call.code().name,
    }


def _failure(exc: Any) -> dict[str, Any]:
    """A failed call as the app answers it: code, details and trailing metadata."""
    trailing = {key: value for key, value in exc.trailing_metadata() or ()}
    return {"error": exc.details(), "code": exc.code().name, "reason": trailing.get("x-reason")}


app = DriftDiffMiddleware(api, service="grpc-notes")
