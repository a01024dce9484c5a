"""Flask test service, wrapped with ``DriftDiffWSGIMiddleware``.

``python -m tests.integration.apps.flask_app PORT`` serves it with werkzeug (threaded; SIGINT
stops it cleanly so the SDK's atexit flush runs). Calls the upstream (``UPSTREAM`` env) through
requests, urllib3 and urllib.request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import driftdiff_sdk
import requests
import urllib3
from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware
from flask import Flask, Response, jsonify, request

from tests.integration.apps import faults

faults.apply()
UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:9")
flask_app = Flask(__name__)
pool = urllib3.PoolManager()


@flask_app.get("/health")
def health() -> Any:
    return jsonify(ok=True)


@flask_app.get("/_stats")
def sdk_stats() -> Any:
    return jsonify(driftdiff_sdk.stats())


@flask_app.get("/users/<int:user_id>")
def get_user(user_id: int) -> Any:
    tag = request.args.get("tag", "")
    via_requests = requests.get(f"{UPSTREAM}/items/{user_id}", params={"tag": tag}).json()
    via_urllib3 = json.loads(
        pool.request("POST", f"{UPSTREAM}/echo?tag={tag}", json={"user": user_id}).data
    )
    with urllib.request.urlopen(f"{UPSTREAM}/items/u{user_id}?tag={tag}") as resp:
        via_urllib = json.loads(resp.read())
    return jsonify(
        id=user_id, email="jane.doe@example.com", a=via_requests, b=via_urllib3, c=via_urllib
    )


@flask_app.get("/orders/<order_id>/lines/<int:line>")
def order_line(order_id: str, line: int) -> Any:
    return jsonify(order=order_id, line=line)


@flask_app.post("/login")
def login() -> Any:
    body = request.get_json()
    response = jsonify(user=body.get("username"), token="tok_live_abcdef123456")
    response.set_cookie("session", "sess-SECRETCOOKIE-998877")
    return response


@flask_app.post("/upload")
def upload() -> Any:
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = request.stream.read(1 << 16)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    return jsonify(sha256=digest.hexdigest(), size=size)


@flask_app.post("/echo-bytes")
def echo_bytes() -> Any:
    return Response(request.get_data(), mimetype=request.mimetype or "application/octet-stream")


@flask_app.get("/stream")
def stream() -> Any:
    def lines() -> Iterator[bytes]:
        for i in range(50):
            yield f"line {i}\n".encode()

    return Response(lines(), mimetype="text/plain")


app = DriftDiffWSGIMiddleware(flask_app)


if __name__ == "__main__":
    from werkzeug.serving import run_simple

    with contextlib.suppress(KeyboardInterrupt):  # SIGINT: a clean exit, atexit runs
        run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
