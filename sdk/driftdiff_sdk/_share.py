"""Redaction of the exchanges the SDK builds: copy only what changes, share the rest.

``Redactor.redact_exchange`` runs on the request path of every recorded request, and in a
typical exchange almost nothing is secret: a header or two, no query parameter, no body field.
The public ``redact_*`` methods return fresh copies of everything; these helpers give the same
content but keep every header list, query map and JSON body that redaction leaves as it was
(the input's own objects), so a clean body is checked, never rebuilt. Sharing is sound because
an exchange is built fresh for one submission and neither it nor its redacted copy is mutated
afterwards (the writer only serializes).

``share_json`` is ``Redactor.share_json``: one walk that copies a ``dict``/``list`` only when
something under it changes (an e-mail in one item copies that item, its list and the body,
nothing else). Anything but plain JSON (bytes, a tuple, a subclass...) and whatever sits under
a secret key goes through the copying walk, so the output always equals what ``redact_json``
gives. Only ``Redactor``'s public methods are used here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftdiff_sdk._bodies import redact_body_b64
from driftdiff_sdk._stores import redact_postgres, redact_redis

if TYPE_CHECKING:
    from driftdiff_sdk.redact import Redactor

__all__ = ["share_headers", "share_json", "share_message", "share_outbound", "share_query"]


def share_json(r: Redactor, value: Any) -> Any:
    """``r.redact_json(value)``, sharing every container that would be an equal copy."""
    return r.share_json(value)


def share_headers(r: Redactor, headers: Any) -> Any:
    """``r.redact_headers(headers)``, sharing the map and every value list left unchanged."""
    return r.share_headers(headers)


def share_query(r: Redactor, query: Any) -> Any:
    """``r.redact_query(query)``, or ``query`` itself when nothing in it is secret (names
    included: ``redact_name``)."""
    if type(query) is not dict:
        return r.redact_query(query)
    for name, values in query.items():
        if type(name) is not str or type(values) is not list or r.is_secret_param(name):
            return r.redact_query(query)
        if r.redact_name(name) != name:
            return r.redact_query(query)
        for v in values:
            if type(v) is not str or r.redact_text(v) != v:
                return r.redact_query(query)
    return query


def share_message(r: Redactor, message: dict[str, Any]) -> dict[str, Any]:
    """``r.redact_message(message)`` with unchanged headers, query and body shared."""
    out = dict(message)
    if "headers" in out:
        out["headers"] = r.share_headers(out["headers"])
    if "query" in out:
        query = out["query"]
        if query or type(query) is not dict:  # an empty query map is its own redaction
            out["query"] = share_query(r, query)
    url = out.get("url")
    if isinstance(url, str):
        out["url"] = r.redact_url(url)
    path = out.get("path")
    if isinstance(path, str):
        out["path"] = r.redact_path(path)
    if "body" in out:
        out["body"] = r.share_json(out["body"])
    if isinstance(out.get("body_text"), str):
        out["body_text"] = r.redact_body_text(out["body_text"], out.get("content_type"))
    if isinstance(out.get("body_b64"), str):
        out["body_b64"] = redact_body_b64(r, out["body_b64"], out.get("content_type"))
    return out


def share_outbound(r: Redactor, call: Any) -> Any:
    """One outbound call of an exchange, redacted (HTTP messages, datastore commands/results)."""
    if not isinstance(call, dict):
        return call
    new = dict(call)
    for part in ("request", "response"):
        if isinstance(new.get(part), dict):
            new[part] = share_message(r, new[part])
    kind = new.get("kind")
    if kind in ("redis", "postgres") and "command" in new:
        store = redact_redis if kind == "redis" else redact_postgres
        new["command"], result = store(r, new["command"], new.get("result"))
        if "result" in new:
            new["result"] = result
    else:
        if "command" in new:
            new["command"] = _command(r, new["command"])
        if "result" in new:
            new["result"] = _result(r, new["result"], kind)
    if isinstance(new.get("error"), str):
        new["error"] = r.redact_text(new["error"])
    return new


def _result(r: Redactor, result: Any, kind: Any) -> Any:
    """A call's result as JSON; a gRPC call's trailing metadata by the header rules (metadata
    are HTTP/2 headers: ``x-api-key``, ``authorization``...), the rest of it as JSON."""
    if kind != "grpc" or not isinstance(result, dict) or "trailing_metadata" not in result:
        return share_json(r, result)
    rest = {k: v for k, v in result.items() if k != "trailing_metadata"}
    out: dict[str, Any] = share_json(r, rest)
    return {**out, "trailing_metadata": share_headers(r, result["trailing_metadata"])}


def _command(r: Redactor, command: Any) -> Any:
    # Redis ``AUTH [user] password``: the arguments are the secret, whatever their shape.
    if isinstance(command, list) and command and str(command[0]).upper() == "AUTH":
        return [command[0], *(r.mask_json(a) for a in command[1:])]
    return r.redact_json(command)
