"""A Sanic app served as ASGI (uvicorn) whose route templates the SDK reads from Sanic's router
(a blueprint's ``url_prefix`` is part of the template)."""

from __future__ import annotations

from typing import Any

from driftdiff_sdk.asgi import DriftDiffMiddleware
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json

app = Sanic("routes_sanic")


@app.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"ok": True})


@app.get("/notes/<note_id:int>")
async def note(request: Request, note_id: int) -> HTTPResponse:
    return json({"id": note_id})


users = Blueprint("users", url_prefix="/users")


@users.get("/<user>/notes/<note_id:int>")
async def user_note(request: Request, user: str, note_id: int) -> Any:
    return json({"user": user, "id": note_id})


app.blueprint(users)
sanic_app = DriftDiffMiddleware(app, service="routes-sanic")

if __name__ == "__main__":  # Sanic's own server: python -m tests.integration.apps.sanic_routes PORT
    import sys

    from driftdiff_sdk.sanic_server import install

    native = Sanic("routes_sanic_native")
    native.add_route(health, "/health")
    native.add_route(note, "/notes/<note_id:int>")
    native_users = Blueprint("native_users", url_prefix="/users")
    native_users.add_route(user_note, "/<user>/notes/<note_id:int>")
    native.blueprint(native_users)
    install(native, service="routes-sanic-native")
    native.run(host="127.0.0.1", port=int(sys.argv[1]), single_process=True, access_log=False)
