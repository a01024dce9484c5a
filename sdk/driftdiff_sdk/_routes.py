"""Route templates of frameworks whose router does not leave one where Starlette/Flask do.

* **Litestar** writes ``scope["path_template"]`` (``/notes/{note_id}``) while routing.
* **Falcon** (``falcon.App`` and ``falcon.asgi.App``, the app the middleware wraps) keeps it on
  its request object only, so the path is looked up again in the app's router
  (``CompiledRouter.find``) after the response; converters (``{id:int}``,
  ``{y:int(min=1)}``) are dropped to give ``/notes/{id}``.

Each returns ``None`` when the framework is not the one in use or nothing matched.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

__all__ = ["falcon_route", "litestar_route"]

_FALCON_FIELD = re.compile(r"\{([A-Za-z_]\w*)(?::[^{}]*)?\}")


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
