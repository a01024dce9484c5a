"""The recorded origin inside response values, rewritten to the replay target's.

A response that links to itself (``next_url: http://api.example:8000/orders?page=2``) names the
origin it was recorded behind; replayed against ``http://127.0.0.1:5001`` the same link names the
target. Before comparing, every recorded origin (the request URL's, and ``http``/``https`` with
each recorded ``Host``) inside string values is replaced by the target's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["origin_of", "recorded_origins", "rewrite_origins"]


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an absolute URL."""
    if not url or "://" not in url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def recorded_origins(exchange: dict[str, Any]) -> list[str]:
    """The origins a recorded exchange was served behind, longest first."""
    request = exchange.get("request") or {}
    origins = []
    url_origin = origin_of(request.get("url"))
    if url_origin:
        origins.append(url_origin)
    for host in (request.get("headers") or {}).get("host", []):
        for scheme in ("http", "https"):
            origins.append(f"{scheme}://{host}")
    return sorted(set(origins), key=len, reverse=True)


def _rewrite(value: Any, origins: list[str], target: str) -> Any:
    if isinstance(value, str):
        for origin in origins:
            if origin in value:
                value = value.replace(origin, target)
        return value
    if isinstance(value, dict):
        return {k: _rewrite(v, origins, target) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, origins, target) for v in value]
    return value


def rewrite_origins(value: Any, origins: list[str], target: str | None) -> Any:
    """``value`` with each of ``origins`` (longest first) replaced by ``target`` in strings."""
    return _rewrite(value, origins, target) if origins and target else value
