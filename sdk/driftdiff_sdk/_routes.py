"""Route templates read from each framework's router (never guessed from the path).

* **Starlette** sets ``scope["route"]`` to the matched route at each routing level (its
  ``path_format`` is the template without converters: ``/n/{id:int}`` gives ``/n/{id}``); inside a
  ``Mount`` that route is relative to the mount point, which routing appended to
  ``root_path``, so the prefix comes back from the ``root_path`` the request gained. A
  ``Mount`` of a plain ASGI app (static files, another framework) names no template: ``None``.
* **FastAPI** (recent releases) keeps routers included with ``include_router(prefix=...)``
  unprefixed and records the effective, prefixed route in ``scope["fastapi"]
  ["effective_route_context"]`` (``path_format``); older releases copied each route with the
  prefix in its ``path``. The effective context is used only when it belongs to the matched route.
* **Litestar** writes ``scope["path_template"]`` (``/notes/{note_id}``) while routing.
* **Falcon** (``falcon.App`` and ``falcon.asgi.App``, the app the middleware wraps) keeps it on
  its request object only, so the path is looked up again in the app's router
  (``CompiledRouter.find``) after the response; converters (``{id:int}``,
  ``{y:int(min=1)}``) are dropped to give ``/notes/{id}``.
* **Sanic** (run as an ASGI app) keeps it on its request object only, so the path is looked
  up again in the app's router (``Router.get``, cached by Sanic) with the request's method and
  host; its ``uri`` has ``<name:type>`` parameters, written ``{name}`` here. Blueprint prefixes
  are part of it.

Each returns ``None`` when the framework is not the one in use or nothing matched.
"""

from __future__ import annotations

import re
import sys
from collections.abc import MutableMapping
from typing import Any

__all__ = ["falcon_route", "litestar_route", "sanic_route", "sanic_template", "starlette_route"]

_FALCON_FIELD = re.compile(r"\{([A-Za-z_]\w*)(?::[^{}]*)?\}")
_SANIC_FIELD = re.compile(r"<([A-Za-z_]\w*)(?::[^<>]*)?>")


def litestar_route(scope: MutableMapping[str, Any]) -> str | None:
    template = scope.get("path_template")
    return template if isinstance(template, str) and template.startswith("/") else None


def falcon_route(app: Any, path: str) -> str | None:
    """The template of ``path`` in a Falcon app's router, ``None`` for any other app."""
    router = getattr(app, "_router", None)
    find = getattr(router, "find", None)
    if find is None or not type(app).__module__.startswith("falcon"):
        return None
    try:
        found = find(path)
    except Exception:
        return None
    template = found[3] if isinstance(found, tuple) and len(found) > 3 else None
    return _FALCON_FIELD.sub(r"{\1}", template) if isinstance(template, str) else None


def sanic_route(app: Any, path: str, method: str, host: str | None) -> str | None:
    """The template of ``path`` in a Sanic app's router, ``None`` for any other app."""
    router = getattr(app, "router", None)
    find = getattr(router, "get", None)
    if find is None or not type(app).__module__.startswith("sanic"):
        return None
    try:
        found = find(path, method, host)
    except Exception:  # NotFound, MethodNotAllowed: nothing matched
        return None
    return sanic_template(found[0]) if isinstance(found, tuple) and found else None


def sanic_template(route: Any) -> str | None:
    """A Sanic route's ``uri`` with ``<name:type>`` written ``{name}``."""
    uri = getattr(route, "uri", None)
    if not isinstance(uri, str):
        return None
    return _SANIC_FIELD.sub(r"{\1}", uri if uri.startswith("/") else "/" + uri)


def starlette_route(scope: MutableMapping[str, Any], orig_root: str) -> str | None:
    """The template Starlette/FastAPI routed to; ``orig_root`` is ``root_path`` before routing."""
    route = scope.get("route")
    # path_format drops converters: Route("/n/{id:int}").path_format == "/n/{id}"
    template = _fastapi_path(scope, route) or getattr(route, "path_format", None)
    if not isinstance(template, str) or _is_mount(route):
        return None
    root = scope.get("root_path") or ""
    if root != orig_root and root.startswith(orig_root):
        return root[len(orig_root) :] + template
    return template


def _fastapi_path(scope: MutableMapping[str, Any], route: Any) -> str | None:
    state = scope.get("fastapi")
    context = state.get("effective_route_context") if isinstance(state, dict) else None
    if context is None or getattr(context, "original_route", None) is not route:
        return None
    template = getattr(context, "path_format", None)
    return template if isinstance(template, str) and template.startswith("/") else None


def _is_mount(route: Any) -> bool:
    routing = sys.modules.get("starlette.routing")
    mount = getattr(routing, "Mount", None)
    return isinstance(mount, type) and isinstance(route, mount)
