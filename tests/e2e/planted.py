"""The planted secrets of the no-secrets e2e: realistic credentials (fake, well-formed), each
unique, each planted in one place listed in issue 13 item 4. Shared by the test and its app.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

# --- shaped tokens under ordinary names -------------------------------------------------------
AWS_KEY = "AKIAZ3MSJV4WWQ7XK2NP"
AWS_KEY_2 = "AKIAJ7QW2ERT5YUI8OPL"  # inside X-Amz-Credential
AWS_KEY_3 = "ASIAY34FZKBOKMUTVV7A"  # inside an octet-stream body
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8sLp2Tq1"  # under aws_secret_access_key
GH_PAT = "ghp_R8m2Kq7ZtX4vLw9NcB3yJ6hF1pD5sG0aE2uQ"
GH_OAUTH = "gho_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"  # in a multipart file part
GH_FINE = "github_pat_11ABCDEFG0aBcDeFgHiJkLmNoP_qRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXy"
STRIPE = "sk_live_51NzQ8rLkJ2hG5fD3sA9pO7iU6yT4rE2wQ1"
STRIPE_RK = "rk_live_51NzQ8rTy6Ui8Op0AsDfGhJkLzXcVbNm1"  # in a form body
STRIPE_ERR = "sk_live_51ErrDsnZ7x6c5v4b3n2m1QwErTyUiOp"  # in exception text (meta.error)
STRIPE_NONUTF8 = "sk_live_51NonUtf8Aa1Bb2Cc3Dd4Ee5Ff6Gg7"  # JSON body with one non-UTF-8 byte
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLtTz"  # a Redis value
SLACK_BOT = "xoxb-2048123456-4096123456789-Zq8Xw7Vc6Bn5Mm4Ll3Kk2Jj1"
SLACK_USER = "xoxp-2048123456-2048654321-4096987654321-a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
GOOGLE_KEY = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"  # key= of a signed URL
GOOGLE_KEY_2 = "AIzaSyB3xQm7Wp2Lk9Zr4Tn6Vy8Hs1Jd5Fg0Ca2"  # a JSON value
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInJvbGUiOiJhZG1pbiIsInRlbmFudCI6InBsYW50"
    "ZWQifQ.c2lnbmF0dXJlLXNlY3JldC1ieXRlcy1oZXJlLTk4NzY1NA"
)
JWT_IN_TEXT = (
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlIiwic3ViIjoiOTkifQ."
    "UmVhbFNpZ25hdHVyZUJ5dGVzR29IZXJlMTIzNDU2Nzg5MA"
)
PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7plantedKeyMaterialXyZ"
PEM = f"-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----"
EMAIL = "alice.liddell@wonderland.example"
EMAIL_NONUTF8 = "ops.planted@acme-corp.example"
# --- credentials in URLs ----------------------------------------------------------------------
DB_PASSWORD = "S3cr3tDbPassw0rd-91"
DSN_IN_JSON = f"postgres://app:{DB_PASSWORD}@db.internal:5432/app"
DEPLOY_PASSWORD = "Tr0ub4dor-and-3-deploy"  # user:pass@ of the app's outbound URL
# --- vendor headers ---------------------------------------------------------------------------
STRIPE_SIGNATURE = (
    "t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"
)
HUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
APIM_KEY = "4f9c2b7e1a8d4c3b9e6f0a2d5c8b7e1f"
FUNCTIONS_KEY = "Xf9kq2LmP8vR3tY6wZ1nB4cD7gH0jK5sA8eQ2uI9oMx=="
BEARER = "sk_live_51BearerTok3nQwErTyUiOpAsDfGhJk"
SESSION_ID = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # a cookie, and a Redis key segment
# --- signed URLs and path segments -------------------------------------------------------------
SAS_SIG = "k3Jx9Qm2Zp7Lw4Vn8Rt1Ys6Hd0Fg5Bc2Ae9Ui3Oo7Pq="
AMZ_SIGNATURE = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
QUERY_TOKEN = "qT7vX2mK9pL4wR8nZ3cF6hJ1"
PATH_TOKEN = "k7Hq2ZpX9vLw4RtN8sYb3CmJ6dFg"
# --- bodies -----------------------------------------------------------------------------------
FORM_PASSWORD = "Form-pw-Secret-31x"
MULTIPART_PASSWORD = "Multipart-pw-Secret-42"
# --- datastores -------------------------------------------------------------------------------
REDIS_PASSWORD = "Redis-hunter2-pw-77"
PG_PASSWORD = "Pg-Correct-Horse-77"
PG_LITERAL = "Lit3ral-api-key-value-99"
PG_ROW_TOKEN = "Row-api-token-ABCdef123456"
# --- live values only the replayed build returns ------------------------------------------------
LIVE_ACCESS_TOKEN = "live-access-XyZ-4815162342"
LIVE_SHAPED = "ghp_L1veT0kenN0tRec0rdedAaBbCcDdEeFfGgHh"
LIVE_COOKIE = "live-cookie-Zz9Yy8Xx7Ww6"

#: name → secret, for the assertion messages
SECRETS = {k: v for k, v in globals().items() if k.isupper() and isinstance(v, str)}
SECRETS.pop("PEM")  # searched through its key material (PEM_BODY): the BEGIN line stays
SECRETS.pop("DSN_IN_JSON")  # searched through DB_PASSWORD

#: not secrets: must survive redaction (the SSH remote is no e-mail)
KEPT = ["git@github.com:org/repo.git"]


def encodings(secret: str) -> dict[str, bytes]:
    """The forms a secret could hide in: raw, JSON-escaped, percent-encoded, base64 (any
    alignment inside a longer base64 text, standard and URL-safe)."""
    raw = secret.encode()
    forms = {
        "raw": raw,
        "json": secret.replace("/", "\\/").encode(),
        "percent": quote(secret, safe="").encode(),
        "form": quote_plus(secret).encode(),
    }
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        # drop the characters that depend on the neighbouring bytes
        core = encoded[(shift * 4 + 2) // 3 + (1 if shift else 0) :].rstrip(b"=")[:-2]
        forms[f"b64+{shift}"] = core
        forms[f"b64url+{shift}"] = core.replace(b"+", b"-").replace(b"/", b"_")
    return {k: v for k, v in forms.items() if len(v) >= 12}
