"""FastAPI test service: ``uvicorn tests.integration.apps.fastapi_app:app``.

Wrapped with ``DriftDiffMiddleware`` only; ``DRIFTDIFF_*`` in the environment does the rest.
Calls the upstream (``UPSTREAM`` env) through httpx (async), aiohttp and requests in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import driftdiff_sdk
import httpx
import requests
from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, Response, StreamingResponse

from tests.integration.apps import faults

faults.apply()
UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:9")

api = FastAPI()


@api.get("/health")
async def health() -> dict[str, Any]:
    return {"ok": True}


@api.get("/_stats")
async def sdk_stats() -> dict[str, int]:
    return driftdiff_sdk.stats()


@api.get("/users/{user_id}")
async def get_user(user_id: int, tag: str = "") -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        item = (await client.get(f"{UPSTREAM}/items/{user_id}", params={"tag": tag})).json()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{UPSTREAM}/echo?tag={tag}", json={"user": user_id}) as resp,
    ):
        echoed = await resp.json()
    # a worker thread with the context copied (asyncio.to_thread does that)
    threaded = await asyncio.to_thread(
        lambda: requests.get(f"{UPSTREAM}/items/t{user_id}", params={"tag": tag}).json()
    )
    return {
        "id": user_id,
        "email": "jane.doe@example.com",
        "item": item,
        "echo": echoed,
        "threaded": threaded,
    }


@api.get("/fanout/{tag}")
async def fanout(tag: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:

        async def one(i: int) -> Any:
            return (await client.get(f"{UPSTREAM}/items/{i}", params={"tag": tag})).json()

        results = await asyncio.gather(*(asyncio.create_task(one(i)) for i in range(3)))
    return {"tag": tag, "results": results}


@api.post("/login")
async def login(request: Request) -> JSONResponse:
    body = await request.json()
    response = JSONResponse(
        {
            "user": body.get("username"),
            "token": "tok_live_abcdef123456",
            "card": "4111 1111 1111 1111",
        }
    )
    response.set_cookie("session", "sess-SECRETCOOKIE-998877")
    return response


@api.post("/upload")
async def upload(request: Request) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


@api.post("/echo-bytes")
async def echo_bytes(request: Request) -> Response:
    data = await request.body()
    return Response(
        data, media_type=request.headers.get("content-type", "application/octet-stream")
    )


@api.get("/stream")
async def stream() -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(50):
            yield f"line {i}\n".encode()
            await asyncio.sleep(0)

    return StreamingResponse(chunks(), media_type="text/plain")


@api.websocket("/ws")
async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(f"echo:{text}")
    await websocket.close()


app = DriftDiffMiddleware(api)
