"""A Flask service full of secrets, recorded by the SDK (``tests/e2e/test_no_secrets.py``).

``python -m tests.e2e.apps.planted_app PORT`` with ``UPSTREAM``, ``REDIS_URL`` and ``PG_DSN``.
Every handler plants secrets where issue 13 found them leaking: the response (shaped tokens
under ordinary keys, a DSN in a JSON string, Set-Cookie, vendor headers), the outbound HTTP call
(``user:pass@`` URL, signed query, vendor headers, JSON body), Redis (SET/HSET values, a session
key, results), Postgres (parameters, a literal, result rows) and exception text.
``PLANTED_BUILD=v2`` is the "new build" a replay runs: it returns live tokens the recording
never saw.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import psycopg2
import redis
import requests
from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware
from flask import Flask, Response, jsonify, request

from tests.e2e import planted as p

UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:9")
V2 = os.environ.get("PLANTED_BUILD") == "v2"
flask_app = Flask(__name__)
flask_app.config["PROPAGATE_EXCEPTIONS"] = True  # the SDK's middleware sees the exception


def _outbound_url() -> str:
    host = UPSTREAM.split("://", 1)[1]
    return (
        f"http://deploy:{p.DEPLOY_PASSWORD}@{host}/echo?sig={p.SAS_SIG}&key={p.GOOGLE_KEY}"
        f"&X-Amz-Credential={p.AWS_KEY_2}%2F20240301%2Fus-east-1%2Fs3%2Faws4_request"
        f"&X-Amz-Signature={p.AMZ_SIGNATURE}&X-Amz-Date=20240301T000000Z"
    )


@flask_app.get("/health")
def health() -> Any:
    return jsonify(ok=True)


@flask_app.post("/hooks/<source>")
def hook(source: str) -> Any:
    """Inbound: whatever the client sent (headers, query, any body) is recorded; the answer and
    the outbound call carry more secrets."""
    request.get_data()
    upstream = requests.post(
        _outbound_url(),
        json={"installation": p.GH_FINE, "note": f"pem follows {p.PEM}"},
        headers={
            "Stripe-Signature": p.STRIPE_SIGNATURE,
            "X-Hub-Signature-256": p.HUB_SIGNATURE,
            "Ocp-Apim-Subscription-Key": p.APIM_KEY,
            "x-functions-key": p.FUNCTIONS_KEY,
        },
        timeout=10,
    )
    resp = jsonify(
        source=source,
        upstream=upstream.status_code,
        aws=p.AWS_KEY,
        aws_secret_access_key=p.AWS_SECRET,
        github=p.GH_PAT,
        stripe=p.STRIPE,
        slack=[p.SLACK_BOT, f"user token {p.SLACK_USER}"],
        google=p.GOOGLE_KEY_2,
        message=f"signed in with {p.JWT_IN_TEXT} ok",
        database=p.DSN_IN_JSON,
        remote=p.KEPT[0],
    )
    resp.headers["X-Hub-Signature-256"] = p.HUB_SIGNATURE
    return resp


@flask_app.get("/files/<token>/download")
def download(token: str) -> Any:
    return Response(b"%PDF-1.4 fake", mimetype="application/octet-stream")


@flask_app.post("/accounts")
def accounts() -> Any:
    cache = redis.Redis.from_url(os.environ["REDIS_URL"])
    cache.set(f"session:{p.SESSION_ID}", '{"user": 7}', ex=60)
    cache.hset("user:7", mapping={"password": p.REDIS_PASSWORD, "name": "bob"})
    cache.set("cfg:webhook", p.WHSEC)
    cache.get(f"session:{p.SESSION_ID}")
    cache.hgetall("user:7")
    conn = psycopg2.connect(os.environ["PG_DSN"])
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO accounts (email, password, note) VALUES (%s, %s, %s)",
            (p.EMAIL, p.PG_PASSWORD, "new"),
        )
        cur.execute(f"UPDATE accounts SET api_key = '{p.PG_LITERAL}' WHERE note = 'new'")
        cur.execute("SELECT email, password, api_token FROM accounts")
        rows = cur.fetchall()
    conn.close()
    return jsonify(count=len(rows))


@flask_app.get("/boom")
def boom() -> Any:
    raise RuntimeError(f"could not connect to postgres://app:{p.STRIPE_ERR}@db:5432/app")


@flask_app.get("/token")
def token() -> Any:
    if not V2:
        return jsonify(access_token=None, note="no token yet")
    resp = jsonify(access_token=p.LIVE_ACCESS_TOKEN, note=f"issued {p.LIVE_SHAPED}")
    resp.set_cookie("sid", p.LIVE_COOKIE)
    return resp


@flask_app.post("/echo-any")
def echo_any() -> Any:
    """The request body is what matters here (multipart, octet-stream, text, form, JSON)."""
    return jsonify(size=len(request.get_data()))


app = DriftDiffWSGIMiddleware(flask_app)


if __name__ == "__main__":
    from werkzeug.serving import run_simple

    with contextlib.suppress(KeyboardInterrupt):
        run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
