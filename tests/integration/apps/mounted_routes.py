"""Starlette ``Mount``s and FastAPI routers included with prefixes, whose full templates the SDK
records (the mount prefix and every ``include_router`` prefix belong to the template)."""

from __future__ import annotations

from typing import Any

from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import APIRouter, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route


def _params(request: Request) -> JSONResponse:
    return JSONResponse(dict(request.path_params))


async def _plain(scope: Any, receive: Any, send: Any) -> None:
    await JSONResponse({"plain": True})(scope, receive, send)


starlette_app = DriftDiffMiddleware(
    Starlette(
        routes=[
            Route("/health", _params),
            Mount(
                "/api",
                routes=[
                    Route("/notes/{note_id:int}", _params),
                    Mount("/v2", routes=[Route("/users/{user}/notes/{note_id:int}", _params)]),
                ],
            ),
            Mount("/sub", app=Starlette(routes=[Route("/things/{thing}", _params)])),
            Mount("/static", app=_plain),
        ]
    ),
    service="routes-starlette-mounts",
)

notes = APIRouter(prefix="/notes")


@notes.get("/{note_id}")
def note(note_id: int) -> dict[str, Any]:
    return {"note_id": note_id}


users = APIRouter(prefix="/users/{user}")
users.include_router(notes)
api = FastAPI()
api.include_router(notes, prefix="/api")
api.include_router(users, prefix="/v2")
sub = FastAPI()
sub.include_router(notes, prefix="/things")
api.mount("/sub", sub)


@api.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


fastapi_app = DriftDiffMiddleware(api, service="routes-fastapi-prefixes")
