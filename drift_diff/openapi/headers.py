"""Request headers that OpenAPI does not describe as parameters.

OpenAPI says a header parameter named ``Accept``, ``Content-Type`` or ``Authorization`` "SHALL
be ignored": media types are said by ``content``, credentials by ``securitySchemes`` and
``security``. A baseline learned from traffic records all three as request headers, so:

* export writes ``Authorization`` as a security scheme (``apiKey`` in the ``Authorization``
  header: recordings redact the value, so whether it was ``Bearer`` or ``Basic`` is unknown)
  and an operation's ``security`` (with an empty alternative ``{}`` when not every request sent
  it), and writes no ``Accept``/``Content-Type`` parameter;
* import reads ``security`` back as the request headers (or query parameters) the schemes put
  credentials in: ``http``/``oauth2``/``openIdConnect`` → ``authorization``, ``apiKey`` → its
  named header or query parameter; required when every alternative needs it;
* a diff with an OpenAPI side compares no ``Accept``/``Content-Type`` request header
  (``comparable``): an OpenAPI document cannot say anything about them, so their absence there
  is no evidence of a change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drift_diff.model import Baseline, EndpointRecord

__all__ = [
    "AUTH_HEADER",
    "AUTH_SCHEME",
    "SPEC_IGNORED_HEADERS",
    "comparable",
    "security_parameters",
]

#: header parameters OpenAPI ignores (lower case)
SPEC_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
AUTH_HEADER = "authorization"
#: the name of the exported security scheme
AUTH_SCHEME = "authorization"
_NEVER_COMPARED = ("accept", "content-type")


def _scheme_target(scheme: Any) -> tuple[str, str] | None:
    """Where a security scheme puts its credential: (``header``/``query``, name) or None."""
    if not isinstance(scheme, dict):
        return None
    kind = scheme.get("type")
    if kind in ("http", "oauth2", "openIdConnect", "basic"):  # "basic": Swagger 2.0
        return ("header", AUTH_HEADER)
    if kind == "apiKey" and isinstance(scheme.get("name"), str):
        where = scheme.get("in")
        if where == "header":
            return ("header", scheme["name"].lower())
        if where == "query":
            return ("query", scheme["name"])
    return None  # cookies, mutualTLS: not request parameters of a baseline


def security_parameters(requirements: Any, schemes: Any) -> dict[tuple[str, str], bool]:
    """``{(where, name): required}`` for an operation's effective ``security`` list."""
    if not isinstance(requirements, list) or not requirements:
        return {}
    defined = schemes if isinstance(schemes, dict) else {}
    alternatives: list[set[tuple[str, str]]] = []
    for requirement in requirements:
        if not isinstance(requirement, dict):
            continue
        targets = {_scheme_target(defined.get(name)) for name in requirement}
        alternatives.append({t for t in targets if t is not None})
    if not alternatives:
        return {}
    every = set.intersection(*alternatives)
    return {t: t in every for alt in alternatives for t in alt}


def _without_ignored(data: EndpointRecord) -> EndpointRecord:
    headers = data.get("headers")
    props = headers.get("properties") if isinstance(headers, dict) else None
    if not isinstance(props, dict) or not any(h in props for h in _NEVER_COMPARED):
        return data
    assert isinstance(headers, dict)
    kept = {k: v for k, v in props.items() if k not in _NEVER_COMPARED}
    out = data.copy()
    if kept:
        new = dict(headers, properties=kept)
        if isinstance(headers.get("required"), list):
            new["required"] = [r for r in headers["required"] if r not in _NEVER_COMPARED]
        out["headers"] = new
    else:
        out.pop("headers")
    return out


def comparable(baseline: Baseline) -> Baseline:
    """``baseline`` without what an OpenAPI document cannot say (``Accept``/``Content-Type``
    request headers), for a diff whose other side is an OpenAPI document."""
    endpoints = {key: _without_ignored(data) for key, data in baseline.endpoints.items()}
    return replace(baseline, endpoints=endpoints)
