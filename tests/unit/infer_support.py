"""Exchange builders for the inference tests."""

from __future__ import annotations

from typing import Any


def exchange(
    method: str,
    path: str,
    *,
    status: int = 200,
    body: Any = None,
    request_body: Any = None,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
    route: str | None = None,
    service: str | None = "shop",
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "path": path,
        "query": query or {},
        "headers": headers or {},
    }
    if request_body is not None:
        request.update(body=request_body, content_type="application/json")
    response: dict[str, Any] = {"status": status, "headers": {}}
    if body is not None:
        response.update(body=body, content_type="application/json; charset=utf-8")
    raw: dict[str, Any] = {
        "format": "driftdiff.exchange/1",
        "id": f"{method}{path}",
        "source": "sdk",
        "service": service,
        "request": request,
        "response": response,
    }
    if route:
        raw["route"] = route
    return raw
