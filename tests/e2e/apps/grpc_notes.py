"""A FastAPI service calling a gRPC ``notes.Notes`` service (``GRPC_TARGET``): ``Get`` is
unary-unary, ``List`` server-streaming; messages are ``google.protobuf.Struct``.

``notes_servicer()`` is the real gRPC server side the tests run. ``GRPC_VARIANT=extra-call``
is a changed build that also asks for the note's author: a call the recording never saw.
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

GET = "/notes.Notes/Get"
LIST = "/notes.Notes/List"
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
        for note in list(NOTES.values())[: int(request["limit"])]:
            yield _struct(note)

    return grpc.method_handlers_generic_handler(
        "notes.Notes",
        {
            "Get": grpc.unary_unary_rpc_method_handler(
                get, Struct.FromString, Struct.SerializeToString
            ),
            "List": grpc.unary_stream_rpc_method_handler(
                list_notes, Struct.FromString, Struct.SerializeToString
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
        return JSONResponse({"error": exc.details(), "code": exc.code().name}, status_code=404)
    if os.environ.get("GRPC_VARIANT") == "extra-call":
        get(_struct({"name": name, "fields": ["author"]}), timeout=5)
    return json_format.MessageToDict(reply)


@api.get("/notes")
def list_notes(limit: int = 10) -> dict[str, Any]:
    stream = channel.unary_stream(
        LIST, request_serializer=Struct.SerializeToString, response_deserializer=Struct.FromString
    )
    return {"notes": [json_format.MessageToDict(m) for m in stream(_struct({"limit": limit}))]}


app = DriftDiffMiddleware(api, service="grpc-notes")
