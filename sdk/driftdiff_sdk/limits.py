"""The one nesting limit shared by the SDK and driftdiff.

``MAX_DEPTH`` is the deepest JSON nesting driftdiff handles: the SDK replaces a value nested
deeper by a placeholder when it redacts a recording, and every recursive walk downstream —
OpenAPI conversion, the schema view and the structural diff, replay's request evidence — stops
at it. A trace line holds such a value inside its envelope (exchange, outbound call, response),
so the trace reader refuses lines nested deeper than ``MAX_LINE_DEPTH``, twice the limit.
``TOO_DEEP`` is the placeholder redaction writes in place of such a value.
"""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "MAX_LINE_DEPTH", "TOO_DEEP"]

MAX_DEPTH = 64
MAX_LINE_DEPTH = 2 * MAX_DEPTH
TOO_DEEP = f"[redacted: nested deeper than {MAX_DEPTH} levels]"
