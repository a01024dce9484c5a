"""Which headers the recording proxy passes on (RFC 9110 §7.6.1 hop-by-hop rules).

Hop-by-hop headers describe one connection, not the message: the fixed set
(``driftdiff_sdk.http_vocabulary.HOP_BY_HOP``) and every
header a ``Connection`` header names are dropped in both directions. Framing
(``Content-Length``, ``Transfer-Encoding``) is re-done by the proxy for each side, except that a
response's ``Content-Length`` is passed through where it describes the message rather than the
bytes sent (HEAD, 304) and never added where the status forbids a body (1xx, 204, 304).
"""

from __future__ import annotations

from collections.abc import Iterable

from driftdiff_sdk.http_vocabulary import FRAMING, HOP_BY_HOP

__all__ = ["forward_request_headers", "forward_response_headers"]


def _connection_named(headers: Iterable[tuple[str, str]]) -> set[str]:
    named: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            named.update(token.strip().lower() for token in value.split(",") if token.strip())
    return named


def _end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    drop = HOP_BY_HOP | _connection_named(headers)
    return [(k, v) for k, v in headers if k.lower() not in drop]


def forward_request_headers(headers: list[tuple[str, str]], host: str) -> list[tuple[str, str]]:
    """The client's headers as sent upstream: end-to-end only, ``Host`` set to the target,
    framing and ``Expect`` left to the proxy."""
    kept = [(k, v) for k, v in _end_to_end(headers) if k.lower() not in FRAMING]
    return [("Host", host), *kept]


def forward_response_headers(
    headers: list[tuple[str, str]], *, status: int, method: str
) -> list[tuple[str, str]]:
    """The target's headers as relayed to the client.

    ``Content-Length`` stays for HEAD and 304 (it describes the representation, and no body
    follows) and for any response whose body is relayed as it comes (the length is then
    exact); it is dropped where no body may be sent and the target sent one anyway (1xx, 204).
    """
    kept = _end_to_end(headers)
    if status < 200 or status == 204:
        return [(k, v) for k, v in kept if k.lower() != "content-length"]
    return kept
