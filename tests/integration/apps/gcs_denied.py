"""A stand-in for Google Cloud Storage that refuses every request, as GCS does when the
credentials are rejected: ``python gcs_denied.py PORT``.

The GCS emulator accepts any credentials, so it cannot show what a user without working
credentials sees. This process answers the JSON API's way instead: buckets whose name starts
with ``anonymous`` get ``401`` (a caller without credentials), every other request ``403``
(the caller may not read the bucket), each with the API's JSON error body. (GCS's other 401,
``Invalid Credentials`` for a bad or expired token, reaches driftdiff the same way, as gcsfs's
``HttpError`` with code 401, but only after gcsfs has retried it for about 30 s.)
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Refuse(BaseHTTPRequestHandler):
    def _refuse(self) -> None:
        if "/b/anonymous" in self.path:
            code, reason = 401, "required"
            message = "Anonymous caller does not have storage.objects.list access to the bucket."
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
