"""A Litestar app whose route templates the SDK records (``scope["path_template"]``)."""

from __future__ import annotations

from typing import Any

from driftdiff_sdk.asgi import DriftDiffMiddleware
from litestar import Litestar, get


@get("/health", sync_to_thread=False)
def health() -> dict[str, bool]:
    return {"ok": True}


@get("/notes/{note_id:int}", sync_to_thread=False)
def note(note_id: int) -> dict[str, Any]:
    return {"id": note_id}


@get("/users/{user:str}/notes/{note_id:int}", sync_to_thread=False)
def user_note(user: str, note_id: int) -> dict[str, Any]:
    return {"user": user, "id": note_id}


litestar_app = DriftDiffMiddleware(Litestar([health, note, user_note]), service="routes-litestar")
