"""Falcon apps whose route templates the SDK reads from the router.

``asgi_app`` runs under uvicorn; ``python -m tests.integration.apps.falcon_routes PORT`` serves
``wsgi_app`` with werkzeug.
"""

from __future__ import annotations

import sys
from typing import Any

import falcon
import falcon.asgi
from driftdiff_sdk.asgi import DriftDiffMiddleware
from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware


class Health:
    def on_get(self, req: Any, resp: Any) -> None:
        resp.media = {"ok": True}


class Note:
    def on_get(self, req: Any, resp: Any, note_id: int) -> None:
        resp.media = {"id": note_id}


class UserNote:
    def on_get(self, req: Any, resp: Any, user: str, note_id: int) -> None:
        resp.media = {"user": user, "id": note_id}


class AsyncHealth:
    async def on_get(self, req: Any, resp: Any) -> None:
        resp.media = {"ok": True}


class AsyncNote:
    async def on_get(self, req: Any, resp: Any, note_id: int) -> None:
        resp.media = {"id": note_id}


class AsyncUserNote:
    async def on_get(self, req: Any, resp: Any, user: str, note_id: int) -> None:
        resp.media = {"user": user, "id": note_id}


def _falcon(app: Any, resources: tuple[Any, Any, Any]) -> Any:
    app.add_route("/health", resources[0])
    app.add_route("/notes/{note_id:int}", resources[1])
    app.add_route("/users/{user}/notes/{note_id:int(min=1)}", resources[2])
    return app


asgi_app = DriftDiffMiddleware(
    _falcon(falcon.asgi.App(), (AsyncHealth(), AsyncNote(), AsyncUserNote())),
    service="routes-falcon-asgi",
)
wsgi_app = DriftDiffWSGIMiddleware(
    _falcon(falcon.App(), (Health(), Note(), UserNote())), service="routes-falcon-wsgi"
)

if __name__ == "__main__":
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", int(sys.argv[1]), wsgi_app)
