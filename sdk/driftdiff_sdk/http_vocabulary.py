"""The HTTP vocabulary shared by the SDK and driftdiff: one definition per kind of header, and
the safe methods.

Lowercase names. Each stage composes what it leaves out from these sets (inference: not part of
a contract; outbound matching: differs between runs without changing what is asked; replay:
not sent again; the recording proxy: not forwarded), so a header is classified in one place.
"""

from __future__ import annotations

__all__ = [
    "EXCHANGE_HEADER",
    "EXCHANGE_HEADER_ENVIRON",
    "FRAMING",
    "HOP_BY_HOP",
    "OWN_HEADER_PREFIX",
    "PROTOCOL_NEGOTIATION",
    "SAFE_METHODS",
    "TRACE_CONTEXT",
    "WIRE_ENCODING",
]

#: Safe methods (RFC 9110 §9.2.1): asking again changes nothing on the server, so replay may send
#: them and a recorded answer may serve a repeated call.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

#: Hop-by-hop headers that negotiate the sender's own protocol: a replay or a proxy speaks its
#: own and leaves the recorded ones out.
PROTOCOL_NEGOTIATION = frozenset({"te", "trailer", "upgrade", "proxy-connection"})

#: Hop-by-hop headers (RFC 9110 §7.6.1, plus the non-standard ``proxy-connection``): they
#: describe one connection, not the message.
HOP_BY_HOP = PROTOCOL_NEGOTIATION | frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "transfer-encoding",
    }
)

#: Framing and addressing a sender recomputes for the bytes it sends (``expect`` is answered by
#: whoever reads the whole request first).
FRAMING = frozenset({"content-length", "transfer-encoding", "host", "expect"})

#: Headers that describe how the body travelled, not the decoded body itself.
WIRE_ENCODING = frozenset({"content-encoding", "transfer-encoding", "content-length"})

#: Per-request trace and correlation ids (W3C trace context, B3, vendor request ids): new on
#: every request, never part of what is asked or answered.
TRACE_CONTEXT = frozenset(
    {
        "traceparent",
        "tracestate",
        "baggage",
        "sentry-trace",
        "b3",
        "x-b3-traceid",
        "x-b3-spanid",
        "x-b3-sampled",
        "x-b3-parentspanid",
        "request-id",
        "x-request-id",
        "x-correlation-id",
        "x-trace-id",
        "x-amzn-trace-id",
        "x-amzn-requestid",
        "x-cloud-trace-context",
    }
)

#: Prefix of driftdiff's own headers: never part of a contract, never matched.
OWN_HEADER_PREFIX = "x-driftdiff-"
#: The request header replay adds: the id of the recorded exchange being replayed (the SDK in
#: the service answers that exchange's outbound calls and takes the header out again).
EXCHANGE_HEADER = OWN_HEADER_PREFIX + "exchange-id"
#: ``EXCHANGE_HEADER`` as a WSGI/CGI environ key (``HTTP_X_DRIFTDIFF_EXCHANGE_ID``).
EXCHANGE_HEADER_ENVIRON = "HTTP_" + EXCHANGE_HEADER.upper().replace("-", "_")
