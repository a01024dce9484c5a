"""httpbin (a real Flask app from PyPI) recorded by the driftdiff WSGI middleware.

``HTTPBIN_VARIANT`` makes a deliberately changed build: ``auth-broken`` answers 401 to every
``/basic-auth`` request (a status change), ``type-changed`` turns its ``authenticated`` boolean
into a string. Served by gunicorn: ``gunicorn -b 127.0.0.1:PORT tests.e2e.apps.httpbin_app:app``.
"""

from __future__ import annotations

import json
import os

from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware
from flask import Response, request
from httpbin import app as httpbin_app

VARIANT = os.environ.get("HTTPBIN_VARIANT", "")


@httpbin_app.after_request
def _changed_build(response: Response) -> Response:
    if not VARIANT or not request.path.startswith("/basic-auth/") or response.status_code != 200:
        return response
    if VARIANT == "auth-broken":
        response.status_code = 401
        response.set_data(b"")
    elif VARIANT == "type-changed":
        body = json.loads(response.get_data())
        body["authenticated"] = "yes"
        response.set_data(json.dumps(body).encode())
    return response


app = DriftDiffWSGIMiddleware(httpbin_app, service="httpbin")
