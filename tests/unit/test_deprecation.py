"""Deprecation and sunset: read from OpenAPI and from traffic, written back on export, and
judged by the lifecycle rules (the exact set of rules each case fires, on a fixed day)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift_diff.config import Config
from drift_diff.deprecation import header_facts, parse_sunset, parse_sunset_header
from drift_diff.diff import Semantics, diff_baselines
from drift_diff.errors import ConfigError, OpenAPIError
from drift_diff.infer import infer_baseline, merge_baselines
from drift_diff.model import Baseline, Change, Severity
from drift_diff.openapi import export_openapi, import_openapi
from drift_diff.records import as_exchange
from drift_diff.replay.fold import fold_replay_findings
from drift_diff.schemas import validation_error
from tests.support import run_cli
from tests.unit.infer_support import exchange

TODAY = dt.date(2026, 12, 6)
OK = {"200": {"samples": 10}}


def ep(path: str = "/a", sunset: str | None = None, *, deprecated: bool = False) -> Any:
    data: dict[str, Any] = {"method": "GET", "path": path, "samples": 10, "responses": OK}
    if deprecated or sunset:
        data["deprecation"] = {"sunset": sunset} if sunset else {}
    return data


def bl(*endpoints: Any) -> Baseline:
    return Baseline("svc", {f"{e['method']} {e['path']}": e for e in endpoints})


#: name -> (base, current, deprecation_days, the exact rules fired)
CASES: dict[str, tuple[Baseline, Baseline, int, list[str]]] = {
    "deprecated with a far sunset": (
        bl(ep()),
        bl(ep(sunset="2027-06-01")),
        90,
        ["endpoint-deprecated"],
    ),
    "deprecated, no sunset, no policy": (
        bl(ep()),
        bl(ep(deprecated=True)),
        0,
        ["endpoint-deprecated"],
    ),
    "deprecated, no sunset, policy": (
        bl(ep()),
        bl(ep(deprecated=True)),
        30,
        ["api-deprecated-sunset-missing"],
    ),
    "deprecated, sunset too soon": (
        bl(ep()),
        bl(ep(sunset="2026-12-20")),
        30,
        ["api-sunset-date-too-small"],
    ),
    "deprecated, sunset today, no policy": (
        bl(ep()),
        bl(ep(sunset="2026-12-06")),
        0,
        ["endpoint-deprecated"],
    ),
    "deprecated, sunset past, no policy": (
        bl(ep()),
        bl(ep(sunset="2026-12-05")),
        0,
        ["api-sunset-date-too-small"],
    ),
    "un-deprecated": (bl(ep(sunset="2027-06-01")), bl(ep()), 0, ["endpoint-reactivated"]),
    "removed after its sunset": (
        bl(ep(sunset="2026-12-01"), ep("/b")),
        bl(ep("/b")),
        0,
        ["endpoint-retired"],
    ),
    "removed on its sunset day": (
        bl(ep(sunset="2026-12-06"), ep("/b")),
        bl(ep("/b")),
        0,
        ["endpoint-retired"],
    ),
    "removed, deprecated without sunset": (
        bl(ep(deprecated=True), ep("/b")),
        bl(ep("/b")),
        0,
        ["endpoint-retired"],
    ),
    "removed before its sunset": (
        bl(ep(sunset="2026-12-07"), ep("/b")),
        bl(ep("/b")),
        0,
        ["endpoint-removed"],
    ),
    "removed without deprecation": (bl(ep(), ep("/b")), bl(ep("/b")), 0, ["endpoint-removed"]),
    "sunset shortened too far": (
        bl(ep(sunset="2027-06-01")),
        bl(ep(sunset="2026-12-20")),
        30,
        ["api-sunset-date-changed-too-small"],
    ),
    "sunset shortened, still enough notice": (
        bl(ep(sunset="2027-06-01")),
        bl(ep(sunset="2027-03-01")),
        30,
        ["endpoint-sunset-changed"],
    ),
    "sunset moved later": (
        bl(ep(sunset="2027-06-01")),
        bl(ep(sunset="2028-01-01")),
        30,
        ["endpoint-sunset-changed"],
    ),
    "sunset added too soon": (
        bl(ep(deprecated=True)),
        bl(ep(sunset="2026-12-10")),
        30,
        ["api-sunset-date-too-small"],
    ),
    "sunset removed, still deprecated": (
        bl(ep(sunset="2027-06-01")),
        bl(ep(deprecated=True)),
        0,
        ["sunset-deleted"],
    ),
    "only the counts differ": (
        bl({**ep(), "deprecation": {"samples": 3, "sunset": "2027-06-01"}}),
        bl({**ep(), "deprecation": {"samples": 9, "sunset": "2027-06-01"}}),
        30,
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exact_rules_fired(name: str) -> None:
    base, current, days, expected = CASES[name]
    result = diff_baselines(base, current, config=Config(deprecation_days=days), today=TODAY)
    assert sorted(c.rule for c in result.changes) == sorted(expected)


def test_evidence_names_the_sunset_and_the_day_count() -> None:
    base, current, days, _ = CASES["removed before its sunset"]
    (change,) = diff_baselines(
        base, current, config=Config(deprecation_days=days), today=TODAY
    ).changes
    assert change.severity.value == "breaking"
    assert change.evidence.startswith("deprecated, but its sunset 2026-12-07 is in 1 day;")
    base, current, days, _ = CASES["deprecated, sunset too soon"]
    (change,) = diff_baselines(
        base, current, config=Config(deprecation_days=days), today=TODAY
    ).changes
    assert "in 14 days" in change.evidence and "at least 30 days" in change.evidence
    assert change.after == "2026-12-20"


# ----------------------------------------------------------------------- dates and headers
@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2027-01-31", dt.date(2027, 1, 31)),
        ("2027-01-31T23:30:00Z", dt.date(2027, 1, 31)),
        ("2027-01-31T23:30:00-02:00", dt.date(2027, 2, 1)),
        (dt.date(2027, 1, 31), dt.date(2027, 1, 31)),
        ("31/01/2027", None),
        ("2027-13-01", None),
        (20270131, None),
    ],
)
def test_x_sunset_values(value: Any, day: dt.date | None) -> None:
    assert parse_sunset(value) == day


def test_headers_rfc_9745_and_8594() -> None:
    assert parse_sunset_header("Sat, 31 Jan 2027 23:59:59 GMT") == dt.date(2027, 1, 31)
    assert parse_sunset_header("2027-01-31") == dt.date(2027, 1, 31)
    assert parse_sunset_header("soon") is None
    assert header_facts({"deprecation": ["@1688169599"]}) == (True, None)
    assert header_facts({"deprecation": ["true"], "sunset": ["soon"]}) == (True, None)
    sunsets = ["Sat, 31 Jan 2027 23:59:59 GMT", "Mon, 01 Mar 2027 00:00:00 GMT"]
    assert header_facts({"sunset": sunsets}) == (True, "2027-03-01")
    assert header_facts({"link": ["<https://x.example>; rel=deprecation"]}) == (False, None)


# ----------------------------------------------------------------------- learned from traffic
def _traffic(deprecated_calls: int, plain_calls: int, sunset: str | None) -> list[Any]:
    out = []
    for i in range(deprecated_calls + plain_calls):
        ex = exchange("GET", f"/v1/orders/{i}", body={"id": i}, route="/v1/orders/{order_id}")
        if i < deprecated_calls:
            ex["response"]["headers"]["deprecation"] = ["@1767225600"]
            if sunset:
                ex["response"]["headers"]["sunset"] = [sunset]
        out.append(as_exchange(ex))
    return out


def test_baseline_learns_deprecation_from_response_headers() -> None:
    learned = infer_baseline(_traffic(3, 2, "Sun, 31 Jan 2027 12:00:00 GMT"))
    data = learned.endpoints["GET /v1/orders/{order_id}"]
    assert data["deprecation"] == {"samples": 3, "sunset": "2027-01-31"}
    assert validation_error("baseline", learned.to_dict()) is None
    plain = infer_baseline(_traffic(0, 4, None)).endpoints["GET /v1/orders/{order_id}"]
    assert "deprecation" not in plain


def test_merging_learned_deprecations_equals_learning_all_the_traffic() -> None:
    a = _traffic(2, 1, "Sun, 31 Jan 2027 12:00:00 GMT")
    b = _traffic(1, 3, "Mon, 01 Mar 2027 00:00:00 GMT")
    c = _traffic(0, 2, None)
    whole = infer_baseline([*a, *b, *c]).to_dict()
    merged = merge_baselines([infer_baseline(x) for x in (c, a, b)]).to_dict()
    assert merged["endpoints"] == whole["endpoints"]
    assert whole["endpoints"]["GET /v1/orders/{order_id}"]["deprecation"] == {
        "samples": 3,
        "sunset": "2027-03-01",
    }


def test_traffic_deprecation_then_removal_after_sunset_is_not_breaking() -> None:
    base = infer_baseline(_traffic(4, 0, "Sun, 31 Jan 2027 12:00:00 GMT"))
    ok = [as_exchange(exchange("GET", "/health-x", body={}))]
    gone = infer_baseline(ok)
    before = diff_baselines(base, gone, today=dt.date(2027, 1, 30)).changes
    after = diff_baselines(base, gone, today=dt.date(2027, 1, 31)).changes
    assert {c.rule for c in before} == {"endpoint-removed", "endpoint-added"}
    assert {c.rule for c in after} == {"endpoint-retired", "endpoint-added"}


# ----------------------------------------------------------------------- OpenAPI both ways
def _doc(op_extra: dict[str, Any]) -> dict[str, Any]:
    op = {"responses": {"200": {"description": "ok"}}, **op_extra}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": op}},
    }


def test_import_reads_deprecated_and_x_sunset() -> None:
    def dep(extra: dict[str, Any]) -> Any:
        return import_openapi(_doc(extra)).endpoints["GET /a"].get("deprecation")

    assert dep({"deprecated": True, "x-sunset": "2027-01-31"}) == {"sunset": "2027-01-31"}
    assert dep({"deprecated": True, "x-sunset": "2027-01-31T10:00:00Z"}) == {"sunset": "2027-01-31"}
    assert dep({"deprecated": True}) == {}
    assert dep({"x-sunset": "2027-01-31"}) is None  # as oasdiff: read only when deprecated
    assert dep({"deprecated": False}) is None
    # YAML reads an unquoted date as a date
    loaded = yaml.safe_load(
        yaml.safe_dump(_doc({"deprecated": True})).replace(
            "deprecated: true", "deprecated: true\n      x-sunset: 2027-01-31"
        )
    )
    assert import_openapi(loaded).endpoints["GET /a"]["deprecation"] == {"sunset": "2027-01-31"}


def test_swagger_2_operation_deprecation_is_read() -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "deprecated": True,
                    "x-sunset": "2027-01-31",
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    assert import_openapi(doc).endpoints["GET /a"]["deprecation"] == {"sunset": "2027-01-31"}


def test_import_refuses_a_sunset_that_is_not_a_date_unless_lenient() -> None:
    doc = _doc({"deprecated": True, "x-sunset": "next spring"})
    with pytest.raises(OpenAPIError, match=r'paths//a/get/x-sunset: "next spring" is not a date'):
        import_openapi(doc, source="api.yaml")
    assert import_openapi(doc, validate=False).endpoints["GET /a"]["deprecation"] == {}


def test_export_writes_deprecation_back_and_round_trips_silent() -> None:
    learned = infer_baseline(_traffic(3, 0, "Sun, 31 Jan 2027 12:00:00 GMT"))
    doc = export_openapi(learned)
    op = doc["paths"]["/v1/orders/{order_id}"]["get"]
    assert op["deprecated"] is True and op["x-sunset"] == "2027-01-31"
    back = import_openapi(json.loads(json.dumps(doc)))
    assert back.endpoints["GET /v1/orders/{order_id}"]["deprecation"] == {"sunset": "2027-01-31"}
    assert diff_baselines(learned, back, today=TODAY).changes == []


# ----------------------------------------------------------------------- config and CLI
def test_config_deprecation_days() -> None:
    assert Config.from_dict({"deprecation_days": 90}).deprecation_days == 90
    assert Config.from_dict({}).deprecation_days == 0
    with pytest.raises(ConfigError, match="deprecation_days"):
        Config.from_dict({"deprecation_days": -1})


def _write(path: Path, endpoints: list[Any]) -> Path:
    path.write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {e[0]: {"get": e[1]} for e in endpoints},
            }
        )
    )
    return path


def test_cli_retirement_gate(tmp_path: Path) -> None:
    """deprecate -> ship -> remove: green after the sunset, red before it (dates far from
    any day the test may run on)."""
    resp = {"responses": {"200": {"description": "ok"}}}
    v1 = _write(tmp_path / "v1.json", [("/old", resp), ("/new", resp)])
    past = _write(
        tmp_path / "v2.json",
        [("/old", {**resp, "deprecated": True, "x-sunset": "2000-01-31"}), ("/new", resp)],
    )
    future = _write(
        tmp_path / "v2b.json",
        [("/old", {**resp, "deprecated": True, "x-sunset": "2099-01-31"}), ("/new", resp)],
    )
    v3 = _write(tmp_path / "v3.json", [("/new", resp)])

    def rules(base: Path, current: Path, *extra: str) -> tuple[int, list[str]]:
        res = run_cli("diff", str(base), str(current), "-f", "json", "--fail-on-breaking", *extra)
        return res.code, sorted(c["rule"] for c in json.loads(res.stdout)["changes"])

    assert rules(v1, future) == (0, ["endpoint-deprecated"])
    assert rules(future, v3) == (1, ["endpoint-removed"])
    assert rules(past, v3) == (0, ["endpoint-retired"])
    assert rules(v1, v3) == (1, ["endpoint-removed"])
    assert rules(v1, past) == (0, ["api-sunset-date-too-small"])
    assert rules(v1, future, "--deprecation-days", "36500") == (0, ["api-sunset-date-too-small"])
    bad = run_cli("diff", str(v1), str(v3), "--deprecation-days", "-3")
    assert bad.code == 2


# ----------------------------------------------------------------------- gone answers (replay)
def _answers(status: str, sunset: str | None = None, key: str = "{id}") -> Any:
    body = {"application/json": {"samples": 10, "schema": {"type": "object"}}}
    data = {**ep(f"/a/{key}", sunset), "responses": {status: {"samples": 10, "content": body}}}
    return data


@pytest.mark.parametrize(
    ("sunset", "expected"),
    [
        ("2026-12-01", ["endpoint-retired"]),
        (
            "2026-12-31",
            ["response-non-success-status-added", "response-success-status-removed"],
        ),
    ],
)
def test_a_retired_endpoint_answering_404_is_one_retirement(
    sunset: str, expected: list[str]
) -> None:
    """What a replay of old recordings sees once the build dropped the endpoint."""
    base, current = bl(_answers("200", sunset)), bl(_answers("404", key="{x}"))
    changes = diff_baselines(base, current, today=TODAY).changes
    assert sorted(c.rule for c in changes) == expected
    if expected == ["endpoint-retired"]:
        assert (
            changes[0].evidence
            == "sunset 2026-12-01 was 5 days ago; now answers 404 to 10 requests"
        )


def test_replay_status_change_folds_into_the_retirement() -> None:
    retired = Change("endpoint-retired", Severity.INFO, "GET /a/{id}", "", "m", "2026-12-01")
    status = Change(
        "replay-status-changed", Severity.BREAKING, "GET /a/{id}", "response.status", "s", 200, 404
    )
    other = Change(
        "replay-status-changed", Severity.BREAKING, "GET /b", "response.status", "s", 200, 404
    )
    left, schema = fold_replay_findings([status, other], [retired])
    assert left == [other]
    assert [c.rule for c in schema] == ["endpoint-retired"]
    assert schema[0].severity is Severity.INFO and "replay-status-changed" in schema[0].evidence


# ----------------------------------------------------------------------- parameters
def _param_doc(param: dict[str, Any] | None, *, named: bool = False) -> dict[str, Any]:
    doc = _doc({})
    if param is not None:
        schema = {"$ref": "#/components/schemas/Id"} if named else {"type": "string"}
        doc["paths"]["/a"]["get"]["parameters"] = [
            {"name": "id", "in": "query", "schema": schema, **param}
        ]
    doc["components"] = {"schemas": {"Id": {"type": "string"}}}
    return doc


PARAM_CASES: dict[str, tuple[Any, Any, list[str]]] = {
    "deprecated": (
        {},
        {"deprecated": True, "x-sunset": "2027-06-01"},
        ["request-parameter-deprecated"],
    ),
    "deprecated too soon": (
        {},
        {"deprecated": True, "x-sunset": "2026-12-10"},
        ["request-parameter-sunset-date-too-small"],
    ),
    "reactivated": ({"deprecated": True}, {}, ["request-parameter-reactivated"]),
    "deprecated without sunset": (
        {},
        {"deprecated": True},
        ["request-parameter-deprecated-sunset-missing"],
    ),
    "removed after its sunset": (
        {"deprecated": True, "x-sunset": "2026-12-01"},
        None,
        ["request-parameter-removed-with-deprecation"],
    ),
    "removed, deprecated without sunset": (
        {"deprecated": True},
        None,
        ["request-parameter-removed-with-deprecation"],
    ),
    "removed before its sunset": (
        {"deprecated": True, "x-sunset": "2027-01-01"},
        None,
        ["request-parameter-removed"],
    ),
    "removed without deprecation": ({}, None, ["request-parameter-removed"]),
    "sunset moved": (
        {"deprecated": True, "x-sunset": "2027-01-01"},
        {"deprecated": True, "x-sunset": "2028-01-01"},
        [],
    ),
}


@pytest.mark.parametrize("named", [False, True])
@pytest.mark.parametrize("name", sorted(PARAM_CASES))
def test_parameter_rules_fired(name: str, named: bool) -> None:
    before, after, expected = PARAM_CASES[name]
    base = import_openapi(_param_doc(before, named=named))
    current = import_openapi(_param_doc(after, named=named))
    changes = diff_baselines(base, current, config=Config(deprecation_days=30), today=TODAY).changes
    assert sorted(c.rule for c in changes) == expected
    assert all(c.location == "request.query.id" for c in changes)


@pytest.mark.parametrize("named", [False, True])
def test_parameter_deprecation_exported_on_the_parameter(named: bool) -> None:
    base = import_openapi(_param_doc({"deprecated": True, "x-sunset": "2027-06-01"}, named=named))
    (param,) = export_openapi(base)["paths"]["/a"]["get"]["parameters"]
    assert param["deprecated"] is True and param["x-sunset"] == "2027-06-01"
    assert "deprecated" not in json.dumps(param["schema"])
    back = import_openapi(json.loads(json.dumps(export_openapi(base))))
    if not named:  # an export does not write the document's named schemas back
        assert diff_baselines(base, back, today=TODAY).changes == []


def test_traffic_never_un_deprecates_a_parameter() -> None:
    """Requests cannot say a parameter is deprecated: against traffic, no finding about it."""
    base = import_openapi(_param_doc({"deprecated": True}))
    current = import_openapi(_param_doc({}))
    observed = diff_baselines(base, current, today=TODAY, semantics=Semantics.OBSERVED)
    assert observed.changes == []
