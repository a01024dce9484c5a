"""One HAR entry turned into an exchange line (``har`` reads the file and counts the entries).

Split from ``har`` by responsibility: this module knows the fields of an entry, ``har`` the
file, the ids and the statistics. The rules of what is API traffic are ``_har_classify``'s.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import orjson
from driftdiff_sdk.exchange import EXCHANGE_FORMAT, decoded_content, encode_body, parse_query

from drift_diff.traffic._har_classify import classify_entry

if TYPE_CHECKING:
    from drift_diff.traffic.har import HarStats

__all__ = ["BadEntry", "entry_to_exchange", "json_body"]

_FRACTION = re.compile(r"\.(\d+)")


class BadEntry(ValueError):
    """A structural problem in one entry; the message says which field."""


# --------------------------------------------------------------------------- one entry
def entry_to_exchange(
    entry: Any, index: int, stats: HarStats, cap: int, layout: bool = True
) -> dict[str, Any] | None:
    """The exchange of one entry, or ``None`` when it is skipped (and counted in ``stats``);
    ``layout``: whether a JSON request body gets its ``body_layout`` (which replay needs).
    Without it the exchange is only learned from (``har_exchanges``'s ``learn``): it gets
    nothing learning never reads (``infer.learned``: no ``url``, time, duration or ``meta``)."""
    if not isinstance(entry, dict):
        raise BadEntry("entry is not an object")
    req = entry.get("request")
    if not isinstance(req, dict):
        raise BadEntry("request is missing or not an object")
    resp = entry.get("response")
    if not isinstance(resp, dict):
        raise BadEntry("response is missing or not an object")
    method, url = req.get("method"), req.get("url")
    if not isinstance(method, str) or not method:
        raise BadEntry("request.method is not a string")
    if not isinstance(url, str) or not url:
        raise BadEntry("request.url is not a string")
    status = resp.get("status")
    if isinstance(status, float) and status.is_integer():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        raise BadEntry("response.status is not an integer")
    if status < 100:
        stats.skip("no-response")
        return None
    if status > 999:
        raise BadEntry(f"response.status {status} is out of range")
    try:
        path, query = _path_query(url)
    except ValueError as exc:
        raise BadEntry(f"request.url is not a URL ({exc})") from None
    req_headers = _headers(req, "request")
    resp_headers = _headers(resp, "response")
    raw_content = resp.get("content")
    content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
    resp_ct = _content_type(resp_headers, content.get("mimeType"))
    kind = classify_entry(entry, path, req_headers, resp_headers, status, resp_ct)
    if kind is not None:
        stats.skip(kind)
        return None
    request: dict[str, Any] = (
        {"method": method.upper(), "url": url} if layout else {"method": method.upper()}
    )
    request["path"] = path or "/"
    request["query"] = parse_query(query) if query else {}
    request["headers"] = req_headers
    request.update(_request_body(req, req_headers, cap, layout))
    response: dict[str, Any] = {"status": status, "headers": resp_headers}
    response.update(_response_body(content, resp_headers, resp_ct, cap))
    if not layout:  # learned only: the time of the entry would be parsed for nothing
        return {"source": "har", "service": None, "request": request, "response": response}
    time_ms = entry.get("time")
    duration = float(time_ms) if isinstance(time_ms, (int, float)) and time_ms >= 0 else None
    return {
        "format": EXCHANGE_FORMAT,
        "id": "",
        "service": None,
        "source": "har",
        "recorded_at": _iso_utc(entry.get("startedDateTime")),
        "duration_ms": duration,
        "request": request,
        "response": response,
        "outbound": [],
        "meta": {"har_entry": index},
    }


def _path_query(url: str) -> tuple[str, str]:
    """``urlsplit(url)``'s path and query (or its ``ValueError``).

    A plain ``http(s)://host/path?query#fragment`` (ASCII, no tab or newline, no bracket in the
    host) is split here by ``str.partition``: on such a URL ``urlsplit`` strips, removes and
    checks nothing, and cuts where this does (the host ends at the first ``/``, ``?`` or
    ``#``; then the fragment goes, then the query)."""
    if url.startswith("https://"):
        start = 8
    elif url.startswith("http://"):
        start = 7
    else:
        start = 0
    if start and url.isascii() and "\t" not in url and "\n" not in url and "\r" not in url:
        found = _HOST_END.search(url, start)
        end = found.start() if found is not None else len(url)
        host = url[start:end]
        if "[" not in host and "]" not in host:
            path, _, query = url[end:].partition("#")[0].partition("?")
            return path, query
    split = urlsplit(url)
    return split.path, split.query


_HOST_END = re.compile(r"[/?#]")


def _headers(message: dict[str, Any], where: str) -> dict[str, list[str]]:
    """Lower-cased name → values (what ``headers_to_map`` gives), built in one pass: HAR
    entries carry 20-30 headers each, the same few names over and over."""
    raw = message.get("headers", [])
    if raw is None:
        return {}
    if type(raw) is not list:
        raise BadEntry(f"{where}.headers is not a list")
    # The usual list, in one comprehension: objects whose names were all seen before (pseudo-
    # headers never are), values all strings (``+ ""`` gives a string back as it is and raises
    # TypeError for anything else), no name twice. Anything else takes the general loop, which
    # gives the same for these (entries are JSON values: an item is a dict or not subscriptable
    # by a string) and decides everything else.
    lower = _LOWER
    try:
        out = {lower[h["name"]]: [h["value"] + ""] for h in raw}
    except (KeyError, TypeError):
        return _headers_general(raw, where)
    return out if len(out) == len(raw) else _headers_general(raw, where)


def _headers_general(raw: list[Any], where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    lower = _LOWER
    for h in raw:
        try:
            name = h["name"]
        except (KeyError, TypeError):
            name = None
        if type(name) is not str or type(h) is not dict:
            raise BadEntry(f"{where}.headers holds an item without a string name")
        key = lower.get(name)
        if key is None:
            key = name.lower()
            if key[:1] == ":":  # HTTP/2 pseudo-headers repeat the URL and method
                continue
            if len(lower) < 4096:
                lower[name] = key
        value = h.get("value")
        if type(value) is not str:
            value = "" if value is None else str(value)
        if key in out:
            out[key].append(value)
        else:
            out[key] = [value]
    return out


_LOWER: dict[str, str] = {}


def _content_type(headers: dict[str, list[str]], mime: Any) -> str | None:
    values = headers.get("content-type")
    if values and values[0].strip():
        return values[0].strip()
    if isinstance(mime, str) and mime.strip() and mime.strip().lower() != "x-unknown":
        return mime.strip()
    return None


# --------------------------------------------------------------------------- bodies, time
def _request_body(
    req: dict[str, Any], headers: dict[str, list[str]], cap: int, layout: bool
) -> dict[str, Any]:
    post = req.get("postData")
    ct_values = headers.get("content-type")
    ct_header = ct_values[0] if ct_values else None
    if not isinstance(post, dict):
        return {"content_type": ct_header, "truncated": False}  # encode_body(None, ct_header)
    mime = post.get("mimeType")
    content_type = ct_header or (mime if isinstance(mime, str) and mime else None)
    text = post.get("text")
    if isinstance(text, str):
        data = _decode_text(text, post.get("encoding"), "request.postData")
    elif isinstance(post.get("params"), list) and "x-www-form-urlencoded" in (content_type or ""):
        pairs = [
            (str(p.get("name", "")), str(p.get("value", "")))
            for p in post["params"]
            if isinstance(p, dict)
        ]
        data = urlencode(pairs).encode()
    else:
        data = b""
    return encode_body(data, content_type, cap=cap, layout=layout, loads=json_body)


def _response_body(
    content: dict[str, Any], headers: dict[str, list[str]], content_type: str | None, cap: int
) -> dict[str, Any]:
    text = content.get("text")
    if not isinstance(text, str) or not text:
        return {"content_type": content_type, "truncated": False}  # encode_body(None, ...)
    data = _decode_text(text, content.get("encoding"), "response.content")
    # browsers store the decoded content; a tool may have left it encoded
    coding = headers.get("content-encoding")
    if coding:
        data = decoded_content(data, ",".join(coding))
    return encode_body(data, content_type, cap=cap, loads=json_body)


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19  # 18 digits always fit in 64 bits; 19 may not


def json_body(data: bytes) -> Any:
    """``json.loads(data)``: the same value (or ``ValueError``), by orjson where that gives it,
    about three times faster.

    orjson gives another value only for an integer past 64 bits (a float, where ``json`` keeps
    it exact), so text with a run of 19 digits or more goes to ``json``; and whatever orjson
    refuses that ``json`` accepts (``NaN``, a float past the largest, a lone surrogate, a byte
    order mark) goes to ``json`` too. (Nested past about 1,000 levels, either may refuse a
    document the other takes, as the caller's stack allows: such a body stays text.)
    ``tests/unit/test_har_json_body.py`` compares the two."""
    if _LONG_NUMBER not in data.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def _decode_text(text: str, encoding: Any, where: str) -> bytes:
    if isinstance(encoding, str) and encoding.lower() == "base64":
        try:
            return base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            raise BadEntry(f"{where}.text is not valid base64") from None
    return text.encode("utf-8", "surrogatepass")


def _iso_utc(value: Any) -> str | None:
    """``startedDateTime`` as ISO 8601 UTC with milliseconds; unparseable text is kept.

    The usual shape (``2024-05-01T12:34:56.789+02:00``: ASCII digits, seconds 00-59, any
    fraction, ``Z``, a ``±HH:MM`` offset or none) takes a memo: the offset is whole minutes, so
    the UTC day, hour and minute depend only on the local ones and the zone (the memo's key),
    whether they parse too (or overflow), and the seconds and milliseconds are copied as they
    are. The first value of each key takes the general path, which fills the memo."""
    if type(value) is str:
        m = _ISO_SHAPE.fullmatch(value)
        if m is not None:
            minute, second, fraction, zone = m.groups()
            key = minute + zone if zone else minute
            ms = "000" if fraction is None else (fraction + "00")[:3]
            utc = _UTC_MINUTES.get(key)
            if utc is not None:
                return f"{utc}:{second}.{ms}Z"
            moment = _parsed_utc(value)
            if moment is None:
                return value
            if len(moment) == 24 and moment[16:] == f":{second}.{ms}Z":  # (always)
                if len(_UTC_MINUTES) >= 4096:
                    _UTC_MINUTES.clear()
                _UTC_MINUTES[key] = moment[:16]
            return moment
    if not isinstance(value, str) or not value:
        return None
    moment = _parsed_utc(value)
    return value if moment is None else moment


_ISO_SHAPE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}):([0-5][0-9])(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
#: ``YYYY-MM-DDTHH:MM`` and zone of a ``startedDateTime`` → the UTC ``YYYY-MM-DDTHH:MM``.
_UTC_MINUTES: dict[str, str] = {}


def _parsed_utc(value: str) -> str | None:
    """``value`` (a non-empty string) in UTC, ``...T12:34:56.789Z``, or None when unparseable."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:  # ``0001-01-01T00:30:00+01:00`` is before the year 1 in UTC
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
