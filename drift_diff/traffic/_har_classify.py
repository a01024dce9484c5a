"""Which HAR entries are API traffic, and what kind of page asset the others are.

Split from ``har`` (which reads the file and builds exchanges) because the rules are a policy of
their own, tuned against real captures; ``classify_entry`` is re-exported by ``har``.

A HAR of a browser session is mostly page assets; a contract is learned from the calls a
client's code makes. An entry is classified, first rule that decides:

1. no response (status 0, a blocked or aborted request) → skipped as ``no-response`` (checked by
   ``har`` before it calls ``classify_entry``, which sees only answered entries);
2. a WebSocket (``_webSocketMessages``, ``_resourceType: websocket``, ``101`` + ``Upgrade``)
   → ``websocket``; a CORS preflight (``_resourceType: preflight``) → ``preflight``;
3. the browser's own classification (Chrome's ``_resourceType``, else the request's
   ``Sec-Fetch-Dest``) of a page asset → its kind (``html``, ``css``, ``js``, ``image``, ``font``,
   ``media``, ``manifest``...);
4. a script-initiated request (``fetch``/``xhr``/``eventsource``/``ping``, ``Sec-Fetch-Dest:
   empty``, ``X-Requested-With``) is API whatever it answers (an HTML 502 page from an API is
   part of its contract) unless the response is a static asset by type or URL extension
   (a font or a script loaded by fetch);
5. otherwise a static asset type or extension (HTML, CSS, JS, images, fonts, media, source maps,
   ``favicon.ico``), or a navigation (``Accept: text/html...``), is skipped as its kind;
6. otherwise JSON, XML, plain text, form, event-stream, GraphQL, protobuf/gRPC, binary
   (``octet-stream``) and empty bodies are API; anything else is skipped as ``other``.

Kinds come from three tables: Chrome's ``_resourceType``, the request's ``Sec-Fetch-Dest``, and
URL extensions (``None`` there means API).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["classify_entry"]


def _by_name(kinds: dict[str | None, str]) -> dict[str, str | None]:
    """``{kind: "name name ..."}`` → ``{name: kind}`` (kind ``None`` means API)."""
    return {name: kind for kind, names in kinds.items() for name in names.split()}


_RESOURCE_TYPES = _by_name({  # Chrome's _resourceType
    None: "fetch xhr eventsource ping cspviolationreport",
    "html": "document", "css": "stylesheet", "js": "script", "image": "image", "font": "font",
    "media": "media texttrack", "manifest": "manifest", "websocket": "websocket",
    "preflight": "preflight", "prefetch": "prefetch",
})  # fmt: skip
_FETCH_DESTS = _by_name({  # the request's Sec-Fetch-Dest
    None: "empty report", "html": "document iframe frame embed object", "css": "style",
    "js": "script worker sharedworker serviceworker audioworklet paintworklet xslt",
    "image": "image", "font": "font", "media": "audio video track", "manifest": "manifest",
})  # fmt: skip
_EXTENSIONS = _by_name({
    "html": "html htm xhtml", "css": "css", "js": "js mjs cjs jsx", "sourcemap": "map",
    "image": "png jpg jpeg gif webp avif svg ico bmp tif tiff apng cur",
    "font": "woff woff2 ttf otf eot", "wasm": "wasm", "manifest": "webmanifest",
    "media": "mp4 webm mp3 ogg oga ogv wav m4a m4v flac aac mov m3u8 vtt",
})  # fmt: skip
_API_MIME = re.compile(
    r"json|xml|^text/plain|^text/csv|x-www-form-urlencoded|multipart/|event-stream|graphql"
    r"|protobuf|grpc|msgpack|cbor|octet-stream|^application/vnd\.|^x-unknown$|^$"
)
_SCRIPT_TYPES = frozenset(name for name, kind in _RESOURCE_TYPES.items() if kind is None)


def classify_entry(
    entry: dict[str, Any],
    url_path: str,
    req_headers: dict[str, list[str]],
    resp_headers: dict[str, list[str]],
    status: int,
    content_type: str | None,
) -> str | None:
    """``None`` when the entry is API traffic, else the kind it is skipped as (module doc)."""
    rtype = entry.get("_resourceType")
    rtype = rtype.lower() if isinstance(rtype, str) else ""
    upgrade = "websocket" in str(resp_headers.get("upgrade") or req_headers.get("upgrade")).lower()
    if "_webSocketMessages" in entry or rtype == "websocket" or (status == 101 and upgrade):
        return "websocket"
    hint = _RESOURCE_TYPES.get(rtype, "") if rtype else ""
    if hint:
        return hint
    dest = (req_headers.get("sec-fetch-dest") or [""])[0].strip().lower()
    if not rtype and dest:
        hint = _FETCH_DESTS.get(dest, "")
        if hint:
            return hint
    static = _kinds_of_type.get(content_type, "")
    if static == "":  # not memoized yet
        static = _kind_of_type(content_type)
        if len(_kinds_of_type) >= 1024:  # bounded: content types come from the capture
            _kinds_of_type.clear()
        _kinds_of_type[content_type] = static
    static = static or _kind_of_path(url_path)
    scripted = (
        rtype in _SCRIPT_TYPES or dest in ("empty", "report") or "x-requested-with" in req_headers
    )
    if scripted:
        return static if static and static != "html" else None
    if static:
        return static
    accept = (req_headers.get("accept") or [""])[0].lower()
    if accept.startswith(("text/html", "application/xhtml")):
        return "html"
    mt = (content_type or "").split(";", 1)[0].strip().lower()
    return None if _API_MIME.search(mt) else "other"


_kinds_of_type: dict[str | None, str | None] = {}


def _kind_of_type(content_type: str | None) -> str | None:
    mt = (content_type or "").split(";", 1)[0].strip().lower()
    if not mt:
        return None
    if mt in ("text/html", "application/xhtml+xml"):
        return "html"
    if mt == "text/css":
        return "css"
    if "javascript" in mt or "ecmascript" in mt:
        return "js"
    if mt.startswith("image/"):
        return "image"
    if mt.startswith("font/") or "font" in mt or mt == "application/vnd.ms-fontobject":
        return "font"
    if mt.startswith(("audio/", "video/")) or "mpegurl" in mt or mt == "application/dash+xml":
        return "media"
    if mt == "application/wasm":
        return "wasm"
    if mt == "application/manifest+json":
        return "manifest"
    return None


def _kind_of_path(url_path: str) -> str | None:
    name = url_path.rsplit("/", 1)[-1].lower()
    if "." not in name:
        return None
    return _EXTENSIONS.get(name.rsplit(".", 1)[1])
