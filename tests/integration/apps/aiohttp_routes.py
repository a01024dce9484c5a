"""An aiohttp server app recorded by ``DriftDiffAiohttpMiddleware``, run by aiohttp's own runner:
``python -m tests.integration.apps.aiohttp_routes PORT``."""

from __future__ import annotations

import sys

from aiohttp import web
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


def make_app() -> web.Application:
    app = web.Application(middlewares=[DriftDiffAiohttpMiddleware(service="routes-aiohttp")])
    app.router.add_get("/health", health)
    app.router.add_get(r"/notes/{note_id:\d+}", note)
    app.router.add_post("/notes", create_note)
    app.router.add_get("/broken", broken)
    v1 = web.Application()
    v1.router.add_get(r"/users/{user}/notes/{note_id:\d+}", user_note)
    app.add_subapp("/v1", v1)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
