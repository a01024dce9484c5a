"""The gate's sticky pull-request comment: one comment per service, created once, then edited.

The comment carries a hidden marker ``<!-- driftdiff:SERVICE -->``; a later run of the gate on
the same pull request finds the comment holding its marker and replaces its body instead of
adding another one. Everything goes through the GitHub REST API (issue comments) with
``urllib``: ``GITHUB_API_URL`` (so a test can point it at a local stand-in), ``GITHUB_TOKEN``,
``GITHUB_REPOSITORY`` and the pull-request number from the event file at ``GITHUB_EVENT_PATH``.

The token is sent only in the ``Authorization`` header of requests to ``GITHUB_API_URL`` and
is never part of a message, an exception or the comment.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from drift_diff.errors import DriftDiffError

__all__ = [
    "COMMENT_LIMIT",
    "CommentError",
    "comment_body",
    "marker",
    "marker_name",
    "pull_request_number",
    "upsert_comment",
]

#: GitHub refuses comment bodies longer than this many characters.
COMMENT_LIMIT = 65536
_MAX_PAGES = 20
_TIMEOUT = 30
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/-]+")


class CommentError(DriftDiffError):
    """The pull-request comment could not be read or written (the gate's verdict stands)."""


def marker_name(service: str) -> str:
    """``service`` with characters outside a safe set as ``_`` (so a hostile name can neither
    close the HTML comment nor break a workflow expression or an output line)."""
    return _UNSAFE.sub("_", service).strip("_") or "default"


def marker(service: str) -> str:
    """The hidden HTML marker of ``service``'s comment."""
    return f"<!-- driftdiff:{marker_name(service)} -->"


def comment_body(service: str, markdown: str) -> str:
    """The marker, then the Markdown report, cut to fit GitHub's limit."""
    head = marker(service) + "\n"
    body = head + markdown
    if len(body) <= COMMENT_LIMIT:
        return body
    note = "\n\n… report truncated; the full report is in the job summary and the artifact.\n"
    return head + markdown[: COMMENT_LIMIT - len(head) - len(note)] + note


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """The pull request the workflow runs for, from ``GITHUB_EVENT_PATH``; ``None`` otherwise."""
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            event = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommentError(f"cannot read the event file {path}: {exc}") from None
    if not isinstance(event, dict):
        return None
    for key in ("pull_request", "issue"):
        item = event.get(key)
        if isinstance(item, dict) and (key == "pull_request" or "pull_request" in item):
            number = item.get("number")
            if isinstance(number, int) and not isinstance(number, bool) and number > 0:
                return number
    return None


class _Api:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.base = (env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
        if urllib.parse.urlsplit(self.base).scheme not in ("http", "https"):
            raise CommentError("GITHUB_API_URL is not an http(s) URL")
        self.token = env.get("GITHUB_TOKEN", "")
        repo = env.get("GITHUB_REPOSITORY", "")
        if not _REPOSITORY.fullmatch(repo):
            raise CommentError("GITHUB_REPOSITORY is not OWNER/NAME")
        self.repo = repo

    def call(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "driftdiff-gate",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        where = f"{method} {path.partition('?')[0]}"
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise CommentError(f"{where}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommentError(f"{where}: {reason}") from None
        try:
            return json.loads(raw) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommentError(f"{where}: the answer is not JSON") from None


def _find(api: _Api, number: int, tag: str) -> int | None:
    """The id of the first comment on the pull request whose body holds ``tag``."""
    for page in range(1, _MAX_PAGES + 1):
        batch = api.call(
            "GET", f"/repos/{api.repo}/issues/{number}/comments?per_page=100&page={page}"
        )
        if not isinstance(batch, list):
            raise CommentError("listing the comments did not answer a list")
        for item in batch:
            if isinstance(item, dict) and tag in str(item.get("body") or ""):
                found = item.get("id")
                if isinstance(found, int) and not isinstance(found, bool):
                    return found
        if len(batch) < 100:
            return None
    return None


def upsert_comment(env: Mapping[str, str], service: str, markdown: str) -> str | None:
    """Create or update ``service``'s comment on the pull request.

    Returns ``"created"`` / ``"updated"``, or ``None`` when there is nothing to do (not a pull
    request, or no ``GITHUB_TOKEN``). Raises ``CommentError`` when the API refuses.
    """
    if not env.get("GITHUB_TOKEN"):
        return None
    number = pull_request_number(env)
    if number is None:
        return None
    api = _Api(env)
    body = comment_body(service, markdown)
    existing = _find(api, number, marker(service))
    if existing is None:
        api.call("POST", f"/repos/{api.repo}/issues/{number}/comments", {"body": body})
        return "created"
    api.call("PATCH", f"/repos/{api.repo}/issues/comments/{existing}", {"body": body})
    return "updated"
