"""An aiohttp server app recorded by ``DriftDiffAiohttpMiddleware``, run by aiohttp's own runner:
``python -m tests.integration.apps.aiohttp_routes PORT``."""

from __future__ import annotations

import json
import sys

from aiohttp import ClientSession, web
from driftdiff_sdk.aiohttp_server import DriftDiffAiohttpMiddleware


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def note(request: web.Request) -> web.Response:
    note_id = int(request.match_info["note_id"])
    if note_id == 404:
        raise web.HTTPNotFound(text="no such note")
    return web.json_response({"id": note_id})


async def create_note(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"id": 1, "title": body["title"]}, status=201)


async def user_note(request: web.Request) -> web.Response:
    return web.json_response(
        {"user": request.match_info["user"], "id": int(request.match_info["note_id"])}
    )


async def broken(request: web.Request) -> web.Response:
    raise RuntimeError("boom")


async def upload(request: web.Request) -> web.Response:
    """Reads the (chunked) upload itself, 7 bytes at a time."""
    received = bytearray()
    async for chunk in request.content.iter_chunked(7):
        received += chunk
    return web.json_response({"bytes": len(received)})


async def peek(request: web.Request) -> web.Response:
    """Reads only the first line of the body."""
    first = await request.content.readline()
    return web.json_response({"first": first.decode().strip()})


async def export(request: web.Request) -> web.StreamResponse:
    """Streams NDJSON lines (chunked), then a last one with write_eof."""
    response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    async with ClientSession() as session:  # an outbound client read in the same handler
        async with session.get(f"http://127.0.0.1:{request.url.port}/health") as upstream:
            await upstream.read()
    for n in range(3):
        await response.write(json.dumps({"n": n}).encode() + b"\n")
    await response.write_eof(b'{"n": "end"}\n')
    return response


async def events(request: web.Request) -> web.StreamResponse:
    """A JSON document written in pieces."""
    response = web.StreamResponse()
    response.content_type = "application/json"
    await response.prepare(request)
    for piece in (b'{"items": [', b"1, 2", b", 3]}"):
        await response.write(piece)
    return response


def make_app() -> web.Application:
    app = web.Application(middlewares=[DriftDiffAiohttpMiddleware(service="routes-aiohttp")])
    app.router.add_get("/health", health)
    app.router.add_get(r"/notes/{note_id:\d+}", note)
    app.router.add_post("/notes", create_note)
    app.router.add_get("/broken", broken)
    app.router.add_post("/upload", upload)
    app.router.add_post("/peek", peek)
    app.router.add_get("/export", export)
    app.router.add_get("/events", events)
    v1 = web.Application()
    v1.router.add_get(r"/users/{user}/notes/{note_id:\d+}", user_note)
    app.add_subapp("/v1", v1)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
