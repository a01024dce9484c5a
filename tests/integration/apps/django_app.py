"""Single-file Django test service: ``gunicorn tests.integration.apps.django_app:application``.

``DriftDiffDjangoMiddleware`` is first in ``MIDDLEWARE``; the upstream (``UPSTREAM`` env) is
called through requests.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import django
import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path, re_path

from tests.integration.apps import faults

UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:9")

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-only-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["driftdiff_sdk.django.DriftDiffDjangoMiddleware"],
        INSTALLED_APPS=[],
        DATA_UPLOAD_MAX_MEMORY_SIZE=2 * 1024 * 1024,
    )
    django.setup()
faults.apply()


def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


def get_user(request: HttpRequest, user_id: int) -> HttpResponse:
    tag = request.GET.get("tag", "")
    item = requests.get(f"{UPSTREAM}/items/{user_id}", params={"tag": tag}).json()
    return JsonResponse({"id": user_id, "email": "jane.doe@example.com", "item": item})


def archive(request: HttpRequest, year: str) -> HttpResponse:
    return JsonResponse({"year": int(year)})


def upload(request: HttpRequest) -> HttpResponse:
    digest = hashlib.sha256()
    size = 0
    while chunk := request.read(1 << 16):
        digest.update(chunk)
        size += len(chunk)
    return JsonResponse({"sha256": digest.hexdigest(), "size": size})


def stream(request: HttpRequest) -> HttpResponse:
    return StreamingHttpResponse(
        (f"line {i}\n".encode() for i in range(50)), content_type="text/plain"
    )


def login(request: HttpRequest) -> HttpResponse:
    response = JsonResponse({"token": "tok_live_abcdef123456"})
    response.set_cookie("session", "sess-SECRETCOOKIE-998877")
    return response


urlpatterns: list[Any] = [
    path("health", health),
    path("users/<int:user_id>", get_user),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", archive),
    path("upload", upload),
    path("stream", stream),
    path("login", login),
]

if __name__ != "__main__":
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
