"""A stand-in for Google Cloud Storage that refuses every request, as GCS does when the
credentials are rejected: ``python gcs_denied.py PORT``.

The GCS emulator accepts any credentials, so it cannot show what a user with an expired or
wrong token sees. This process answers the JSON API's way instead: buckets whose name starts
with ``expired`` get ``401 Invalid Credentials``, every other request ``403`` (the caller may
not read the bucket), each with the API's JSON error body.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Refuse(BaseHTTPRequestHandler):
    def _refuse(self) -> None:
        if "/b/expired" in self.path:
            code, message, reason = 401, "Invalid Credentials", "authError"
        else:
            code, message, reason = 403, "caller does not have storage.objects access", "forbidden"
        body = json.dumps(
            {"error": {"code": code, "message": message, "errors": [{"reason": reason}]}}
        ).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = _refuse

    def log_message(self, format: str, *args: object) -> None:
        return


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Refuse).serve_forever()
