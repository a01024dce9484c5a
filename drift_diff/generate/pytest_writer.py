"""Generate a pytest module that replays recorded requests and checks the answers.

Assertions survive dynamic values: each case checks the status, the media type and that the
body validates against the schema learned for that endpoint and status from *all* the traffic
(``x-`` statistics stripped), never literal ids or timestamps. Cases are data (one parametrized
test, ids ``METHOD /template #n``) so the module stays readable however much traffic went in.
Recorded credentials are redacted, so requests carry none: the generated module adds the
``DRIFTDIFF_AUTH`` environment variable as the Authorization header when it is set.
"""

from __future__ import annotations

import json
import math
import pprint
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from drift_diff.model import Baseline, ExchangeRecord, split_endpoint_key
from drift_diff.redaction import artifact_redactor

__all__ = ["GENERATED_MARKER", "GenerateStats", "generate_pytest", "literal", "match_endpoint"]

#: Request headers a generated test re-sends (the rest are per-connection or redacted secrets).
_KEEP_HEADERS = frozenset({"accept", "content-type", "accept-language", "if-none-match"})


@dataclass
class GenerateStats:
    exchanges: int = 0
    cases: int = 0
    endpoints: set[str] = field(default_factory=set)
    unmatched: int = 0


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^/{}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


def match_endpoint(
    baseline: Baseline, method: str, path: str, route: str | None = None
) -> str | None:
    """The baseline key serving ``method path``: the recorded route, else the most literal match."""
    method = method.upper()
    if route and f"{method} {route}" in baseline.endpoints:
        return f"{method} {route}"
    best: tuple[int, str] | None = None
    for key in baseline.endpoints:
        m, template = split_endpoint_key(key)
        if m == method and _template_regex(template).match(path):
            rank = template.count("{")
            if best is None or rank < best[0]:
                best = (rank, key)
    return best[1] if best else None


def _strip_annotations(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_annotations(v) for k, v in schema.items() if not k.startswith("x-")}
    if isinstance(schema, list):
        return [_strip_annotations(v) for v in schema]
    return schema


def _media_type(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip().lower() if content_type else None


def _case(
    raw: dict[str, Any], key: str, schemas: dict[str, Any], baseline: Baseline
) -> dict[str, Any]:
    req, resp = raw["request"], raw["response"]
    status = str(resp["status"])
    mt = _media_type(resp.get("content_type"))
    case: dict[str, Any] = {
        "endpoint": key,
        "method": req["method"].upper(),
        "path": req["path"],
        "query": req.get("query") or {},
        "headers": {
            k: v[0] for k, v in (req.get("headers") or {}).items() if k in _KEEP_HEADERS and v
        },
        "status": int(resp["status"]),
        "media_type": mt,
        "schema": None,
    }
    if "body" in req:
        case["json"] = req["body"]
    elif "body_text" in req:
        case["content"] = req["body_text"]
    elif "body_b64" in req:
        case["content_b64"] = req["body_b64"]
    content = baseline.endpoints[key].get("responses", {}).get(status, {}).get("content", {})
    if mt and mt in content and "body" in resp:
        schema_id = f"{key} {status} {mt}"
        schemas.setdefault(schema_id, _strip_annotations(content[mt].get("schema", {})))
        case["schema"] = schema_id
    return case


def generate_pytest(
    exchanges: Iterable[ExchangeRecord],
    baseline: Baseline,
    *,
    per_endpoint: int = 3,
    default_target: str = "http://127.0.0.1:8000",
    on_exchange: Callable[[], None] | None = None,
) -> tuple[str, GenerateStats]:
    """Source of a pytest module with at most ``per_endpoint`` cases per endpoint and status."""
    stats = GenerateStats()
    redactor = artifact_redactor()  # traces from elsewhere may hold secrets: none in the module
    schemas: dict[str, Any] = {}
    cases: list[dict[str, Any]] = []
    taken: dict[tuple[str, int], int] = {}
    for raw in exchanges:
        stats.exchanges += 1
        if on_exchange:
            on_exchange()
        req = raw["request"]
        key = match_endpoint(baseline, req["method"], req["path"], raw.get("route"))
        if key is None:
            stats.unmatched += 1
            continue
        slot = (key, int(raw["response"]["status"]))
        if taken.get(slot, 0) >= per_endpoint:
            continue
        taken[slot] = taken.get(slot, 0) + 1
        cases.append(_case(redactor.redact_exchange(dict(raw)), key, schemas, baseline))
        stats.endpoints.add(key)
    stats.cases = len(cases)
    return _render(cases, schemas, baseline, default_target), stats


def _render(
    cases: list[dict[str, Any]], schemas: dict[str, Any], baseline: Baseline, target: str
) -> str:
    counts: dict[str, int] = {}
    ids = []
    for case in cases:
        counts[case["endpoint"]] = counts.get(case["endpoint"], 0) + 1
        ids.append(f"{case['endpoint']} -> {case['status']} #{counts[case['endpoint']]}")
    data = {
        "service": literal(baseline.service),
        "target": literal(target),
        "schemas": literal(schemas),
        "cases": literal(cases),
        "ids": literal(ids),
    }
    uses_json = any(text.startswith("json.loads(") for text in data.values())
    source = _TEMPLATE.format(
        title=_title(baseline.service),
        count=len(cases),
        json_import="import json\n" if uses_json else "",
        **data,
    )
    # input reaches the module only inside the string literals ``literal`` wrote; escaping what
    # is not ASCII there keeps the file plain ASCII (no line separators an editor would break)
    return source.encode("ascii", "backslashreplace").decode("ascii")


#: a service name this plain is shown in the module docstring; any other is only in SERVICE
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,79}")


def _title(service: str) -> str:
    return f"Contract tests for {service}" if _PLAIN_NAME.fullmatch(service) else "Contract tests"


def literal(value: Any) -> str:
    """``value`` (parsed JSON) as Python source that evaluates back to it and runs nothing else.

    ``pprint`` writes strings with ``repr`` (quotes, backslashes, control characters and line
    separators escaped), which is readable; data ``repr`` cannot express as a literal (NaN or
    infinite numbers, a type JSON does not have) is written as a JSON string parsed at import.
    """
    if _plain(value):
        return pprint.PrettyPrinter(indent=1, width=100, sort_dicts=True).pformat(value)
    text = json.dumps(value, sort_keys=True, default=str)
    return f"json.loads({text!r})"


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(k) is str for k in item):
                return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float:
            if not math.isfinite(item):
                return False
        elif kind not in (str, int, bool, type(None)):
            return False
    return True


#: in every generated module's first line; ``--out`` replaces only a file that has it
GENERATED_MARKER = "generated by `driftdiff generate pytest`"

_TEMPLATE = '''"""{title}, generated by `driftdiff generate pytest`.

{count} recorded requests of SERVICE are replayed against DRIFTDIFF_TARGET (default: TARGET
below). Each checks the status, the media type and the body against the schema learned from
all recorded traffic, so ids and timestamps may differ. Set DRIFTDIFF_AUTH to send an
Authorization header. Regenerate rather than edit by hand.
"""

import base64
{json_import}import os

import httpx
import jsonschema
import pytest

SERVICE = {service}

TARGET = os.environ.get("DRIFTDIFF_TARGET", {target})

SCHEMAS = {schemas}

CASES = {cases}

IDS = {ids}


@pytest.fixture(scope="module")
def client():
    headers = {{}}
    if os.environ.get("DRIFTDIFF_AUTH"):
        headers["Authorization"] = os.environ["DRIFTDIFF_AUTH"]
    with httpx.Client(base_url=TARGET, headers=headers, timeout=30, follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_recorded_request(client, case):
    kwargs = {{"params": case["query"], "headers": case["headers"]}}
    if "json" in case:
        kwargs["json"] = case["json"]
    elif "content" in case:
        kwargs["content"] = case["content"]
    elif "content_b64" in case:
        kwargs["content"] = base64.b64decode(case["content_b64"])
    response = client.request(case["method"], case["path"], **kwargs)
    assert response.status_code == case["status"], response.text[:500]
    if case["media_type"]:
        got = response.headers.get("content-type", "").split(";")[0].strip().lower()
        assert got == case["media_type"]
    if case["schema"]:
        jsonschema.validate(response.json(), SCHEMAS[case["schema"]])
'''
