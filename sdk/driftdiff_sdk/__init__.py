"""driftdiff capture SDK: records what a Python service receives, answers and calls.

The core is stdlib-only; framework and client adapters activate only when their library is
installed. The exchange format and redaction defined here are the ones driftdiff itself uses.
"""

from __future__ import annotations

from driftdiff_sdk.exchange import EXCHANGE_FORMAT

__all__ = ["EXCHANGE_FORMAT"]
__version__ = "0.1.0"
